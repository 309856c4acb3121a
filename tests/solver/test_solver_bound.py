"""The reported bound is a lower bound: on tiny districts it never exceeds the best roster
found by brute force over every deployment (each post's shifts solved exactly)."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from roster.domain import Absence, Assignment, Demand, Settings
from roster.solver import soft, solve_week
from roster.solver.deploy import (
    DeploymentFlow,
    bound_with_longest_commute,
    night_prices,
    partial_charges,
)
from roster.solver.model import schedule_posts, team_floors, unmet_slots
from roster.solver.prepare import prepare_week
from roster.solver.schedule import Scheduler
from tests.factories import MONDAY, cadre, day, demand, district, post


def tiny_week(seed: int):
    rng = random.Random(seed)
    posts = [post(i, north_km=rng.uniform(0, 12), group=rng.choice([1, 2])) for i in (1, 2)]
    cadres = [
        cadre(
            i,
            north_km=rng.uniform(0, 12),
            max_km=rng.choice([10.0, 25.0]),
            night_ok=rng.random() < 0.6,
            party=rng.random() < 0.5,
            unit=rng.choice([1, 2]),
        )
        for i in range(1, 6)
    ]
    demands = []
    for p in posts:
        nights = rng.random() < 0.5
        for wd in range(1, 8):
            demands.append(Demand(p.id, "D", wd, rng.choice([1, 1, 2])))
            if nights and wd >= 5:
                demands.append(Demand(p.id, "N", wd, 1))
    absences = []
    for c in cadres:
        if rng.random() < 0.3:
            first = rng.randint(0, 5)
            absences.append(Absence(len(absences) + 1, c.id, day(first), day(first + 1), "sick"))
    history = []
    for c in cadres:
        if rng.random() < 0.7:
            where = rng.choice(posts).id
            for k in range(rng.randint(1, 7)):
                shift = "N" if c.night_ok and rng.random() < 0.4 else "D"
                history.append(Assignment(day(-1 - k), c.id, where, shift))
    return district(posts, cadres, demands, absences), history


def brute_force(d, history) -> int:
    """The least objective over every deployment, each post's shifts solved exactly."""
    week = prepare_week(d, MONDAY, history, [])
    scheduler = Scheduler(week)
    pairs = list(zip(week.arc_c.tolist(), week.arc_p.tolist(), strict=True))
    options = {
        c: [None] + [week.post_ids[p] for ci, p in pairs if ci == i]
        for i, c in enumerate(week.cadre_ids)
    }
    best = None
    for choice in itertools.product(*(options[c] for c in week.cadre_ids)):
        deployment = {c: p for c, p in zip(week.cadre_ids, choice, strict=True) if p}
        assignments, optimal = schedule_posts(
            week, scheduler, deployment, {}, time.perf_counter() + 60
        )
        assert optimal
        unmet = unmet_slots(week, assignments)
        cost = sum(soft.roster_penalties(week, assignments, sum(u.missing for u in unmet)).values())
        best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_bound_never_exceeds_the_brute_force_optimum(seed):
    d, history = tiny_week(seed)
    optimum = brute_force(d, history)
    week = prepare_week(d, MONDAY, history, [])
    floors = team_floors(week, Scheduler(week), time.perf_counter() + 30)
    flow = DeploymentFlow(week, floors=floors)
    bound = bound_with_longest_commute(flow, deadline=time.perf_counter() + 30, rel_tol=0)
    assert bound.bound <= optimum
    res = solve_week(d, MONDAY, history=history, time_limit=5.0)
    assert res.bound <= optimum <= res.objective


def test_night_prices_raise_the_bound_and_keep_it_below_the_optimum():
    # a team of two, one did six nights last week, the other none: this week's three
    # nights cost the night share whoever does them; priced nights make the bound see it
    posts = [post(1)]
    cadres = [cadre(1), cadre(2), cadre(3, north_km=8.0)]
    demands = [Demand(1, "D", wd, 1) for wd in range(1, 8)]
    demands += [Demand(1, "N", wd, 1) for wd in (5, 6, 7)]
    d = district(posts, cadres, demands)
    history = [Assignment(day(-2 - k), 1, 1, "N") for k in range(6)]
    history += [Assignment(day(-2 - k), 2, 1, "D") for k in range(6)]
    week = prepare_week(d, MONDAY, history, [])
    lam, flow, _ = night_prices(week, None, time.perf_counter() + 30)
    assert lam and flow is not None
    plain = bound_with_longest_commute(DeploymentFlow(week), deadline=time.perf_counter() + 30)
    raised = bound_with_longest_commute(flow, deadline=time.perf_counter() + 30)
    assert raised.bound > plain.bound
    assert raised.bound <= brute_force(d, history)


def test_team_floors_skip_posts_with_nights():
    # their nights are priced in the bound instead (a floor would count them twice)
    d = district([post(1)], [cadre(1), cadre(2)], demand(1, night_shifts=1))
    history = [Assignment(day(-2 - k), c, 1, s) for k in range(6) for c, s in ((1, "N"), (2, "D"))]
    week = prepare_week(d, MONDAY, history, [])
    assert team_floors(week, Scheduler(week), time.perf_counter() + 30) == {}


def test_a_cadre_absent_on_a_tight_day_is_charged_once_per_post():
    posts = [post(1)]
    cadres = [cadre(1), cadre(2), cadre(3, north_km=6.0)]
    demands = [Demand(1, "D", wd, 2) for wd in range(1, 6)] + [Demand(1, "D", 6, 1)]
    absences = [Absence(1, 1, day(2), day(2), "sick")]
    d = district(posts, cadres, demands, absences)
    week = prepare_week(d, MONDAY, [], [])
    delta = partial_charges(week, week.arc_c, week.arc_p, week.arc_km)
    assert delta.sum() == 1  # cadre 1 misses one of the days that need both seats
    bound = bound_with_longest_commute(DeploymentFlow(week), deadline=time.perf_counter() + 30)
    optimum = brute_force(d, [])
    assert bound.bound <= optimum


def test_night_price_prefers_day_only_cadres_beyond_the_night_seats():
    # three nights a week need one night seat: priced, the flow takes the day-only cadre
    # (farther away) over a second night-capable one; unpriced, the nearer one
    posts = [post(1)]
    cadres = [
        cadre(1, party=False),
        cadre(2, party=False),
        cadre(3, north_km=2.0, night_ok=False, party=False),
    ]
    demands = [Demand(1, "D", wd, 1) for wd in range(1, 8)]
    demands += [Demand(1, "N", wd, 1) for wd in (1, 3, 5)]
    d = district(posts, cadres, demands, settings=Settings(weight_night_share=0))
    week = prepare_week(d, MONDAY, [], [])
    assert week.seats(1) == 2
    plain = DeploymentFlow(week, exact=True).solve()
    priced = DeploymentFlow(week, exact=True, night_price={1: 5}).solve()
    assert set(plain.deployment) == {1, 2}
    assert set(priced.deployment) == {1, 3}
