"""The weekly roster solver: `solve_week` and its result types (see `model.py`).

They are loaded on first use, so that importing the independent checker
(`roster.solver.checker`) or the rule functions does not load OR-Tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roster.solver.model import Progress, SolveControl, SolveResult, Unmet, solve_week

__all__ = ["Progress", "SolveControl", "SolveResult", "Unmet", "solve_week"]


def __getattr__(name: str):
    if name in __all__:
        from roster.solver import model

        return getattr(model, name)
    raise AttributeError(f"module 'roster.solver' has no attribute {name!r}")
