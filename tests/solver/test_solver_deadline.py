"""When no deployment flow fits in the time left (OR-Tools' min-cost flow cannot be
interrupted), the solve still returns a roster: deployed greedily, scheduled, clean by the
independent checker apart from coverage, with a bound of 0 (nothing proven)."""

from __future__ import annotations

import time

from roster.domain import Assignment
from roster.solver import deploy, solve_week
from roster.solver.checker import check_roster
from roster.solver.model import schedule_posts
from roster.solver.prepare import prepare_week
from roster.solver.schedule import Scheduler
from tests.factories import MONDAY, cadre, day, demand, district, post


def small():
    posts = [post(1), post(2, north_km=6.0), post(3, north_km=12.0)]
    cadres = [
        cadre(i, north_km=(i % 4) * 4.0, night_ok=i % 3 != 0, party=i % 5 == 0)
        for i in range(1, 19)
    ]
    demands = demand(1, day_shifts=2, night_shifts=1) + demand(2, day_shifts=2) + demand(3)
    return district(posts, cadres, demands)


def test_no_flow_fits_still_gives_a_clean_roster(monkeypatch):
    monkeypatch.setattr(deploy, "FLOW_RATE", 1e6)  # every flow estimated at hours
    d = small()
    lock = Assignment(day(2), 7, 2, "D", True)
    res = solve_week(d, MONDAY, time_limit=5.0, num_workers=1, locks=[lock])
    assert res.stats["greedy"] is True
    assert res.stats["bound_proven"] is False
    assert res.stats["bound_flows"] == 0
    assert res.bound == 0 <= res.objective
    assert res.assignments, "a greedy deployment still gets its shifts"
    assert lock in res.assignments or any(
        (a.date, a.cadre_id, a.post_id, a.shift_code) == (lock.date, 7, 2, "D")
        for a in res.assignments
    )
    assert check_roster(d, MONDAY, res.assignments, [], coverage=False) == []
    shortfall = sum(u.missing for u in res.unmet)
    coverage = [b for b in check_roster(d, MONDAY, res.assignments, []) if b.rule == "coverage"]
    assert bool(shortfall) == bool(coverage)


def test_ample_time_uses_the_flows():
    res = solve_week(small(), MONDAY, time_limit=5.0, num_workers=1)
    assert "greedy" not in res.stats
    assert res.stats["bound_proven"] is True
    assert res.stats["bound_flows"] >= 1


def test_greedy_deployment_fills_seats_with_eligible_cadres_only():
    d = small()
    week = prepare_week(d, MONDAY)
    out = deploy.greedy_deployment(week)
    pairs = set(
        zip(
            [week.cadre_ids[i] for i in week.arc_c.tolist()],
            [week.post_ids[i] for i in week.arc_p.tolist()],
            strict=True,
        )
    )
    assert out and all((c, p) in pairs for c, p in out.items())
    for p in week.post_ids:
        assert sum(1 for q in out.values() if q == p) <= week.seats(p)


def test_posts_past_the_deadline_are_left_unscheduled():
    d = small()
    week = prepare_week(d, MONDAY)
    deployment = deploy.greedy_deployment(week)
    assignments, all_optimal = schedule_posts(
        week, Scheduler(week), deployment, {}, time.perf_counter() - 1.0
    )
    assert assignments == [] and all_optimal is False
