"""The core runs without the UI: importing any core module in a fresh interpreter loads
neither Textual nor Rich, and the independent checker and the rule functions load no
OR-Tools (a checker must not depend on the solver it judges)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import roster

OUTSIDE_CORE = ("roster.tui", "roster.cli", "roster.bench", "roster.__main__")
CORE = sorted(
    m.name
    for m in pkgutil.walk_packages(roster.__path__, "roster.")
    if not m.name.startswith(OUTSIDE_CORE)
)
WITHOUT_ORTOOLS = ["roster.solver.checker", "roster.solver.hard", "roster.store", "roster.edits"]


def loaded_after_import(module: str, watched: tuple[str, ...]) -> list[str]:
    code = f"import sys, {module}; print(' '.join(m for m in {watched!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_import_contract_covers_every_core_module():
    import tomllib
    from pathlib import Path

    pyproject = Path(roster.__file__).resolve().parents[1] / "pyproject.toml"
    contracts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]
    core_contract = next(
        c
        for c in contracts["contracts"]
        if "roster.tui" in c.get("forbidden_modules", []) and "roster.store" in c["source_modules"]
    )
    top = {m.rsplit(".", 1)[0] if m.count(".") > 1 else m for m in CORE}
    top = {".".join(m.split(".")[:2]) for m in top} - {"roster"}
    assert top <= set(core_contract["source_modules"]), top - set(core_contract["source_modules"])


def test_the_core_is_found():
    assert {"roster.store", "roster.solver.checker", "roster.relief"} <= set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_core_module_loads_no_ui(module):
    assert loaded_after_import(module, ("textual", "rich")) == []


@pytest.mark.parametrize("module", WITHOUT_ORTOOLS)
def test_checker_and_rules_load_no_ortools(module):
    assert loaded_after_import(module, ("ortools",)) == []
