"""The demo district solves to a roster the checker accepts, this week and the next."""

from __future__ import annotations

import datetime as dt

import pytest

from roster.demo import load_demo
from roster.solver import solve_week
from roster.solver.checker import check_roster
from roster.store import load_district, open_db

MONDAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("demo") / "demo.db")
    load_demo(db, MONDAY)
    return load_district(db)


def test_demo_weeks_solve_cleanly(demo):
    first = solve_week(demo, MONDAY, time_limit=10.0, num_workers=2)
    assert check_roster(demo, MONDAY, first.assignments) == []
    # the bound prices nights district-wide by Lagrangian prices: far weaker than per post
    # (docs/rotation.md, "The bound"); the gap is reported, not yet within 1 %
    assert first.unmet == [] and 0 <= first.gap < 0.4
    nxt = MONDAY + dt.timedelta(days=7)
    second = solve_week(demo, nxt, history=first.assignments, time_limit=10.0, num_workers=2)
    assert check_roster(demo, nxt, second.assignments, first.assignments) == []
    # most cadres keep their post
    assert (
        second.penalties["continuity"] <= 0.1 * len(demo.cadres) * demo.settings.weight_continuity
    )
