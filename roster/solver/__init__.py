"""The weekly roster solver: `solve_week` and its result types (see `model.py`)."""

from roster.solver.model import Progress, SolveControl, SolveResult, Unmet, solve_week

__all__ = ["Progress", "SolveControl", "SolveResult", "Unmet", "solve_week"]
