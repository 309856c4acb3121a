"""The solver, judged by the independent checker: each rule where it bites and where it
does not, locks, explanations, progress and stop."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

from roster.domain import Absence, Assignment, Settings
from roster.solver import Progress, SolveControl, solve_week
from roster.solver.checker import check_roster
from roster.solver.explain import capacity_report, shown
from tests.factories import (
    MONDAY,
    cadre,
    day,
    demand,
    district,
    one_post,
    post,
)


def solve(d, **kw):
    kw.setdefault("time_limit", 5.0)
    kw.setdefault("num_workers", 2)
    return solve_week(d, MONDAY, **kw)


def judged(d, res, history=(), locks=()):
    """Check the result: only coverage may fail, exactly where the result says so."""
    breaches = check_roster(d, MONDAY, res.assignments, history, locks=locks)
    others = [b for b in breaches if b.rule != "coverage"]
    assert others == [], others
    short = {(b.post_id, b.date, b.shift_code) for b in breaches}
    assert short == {(u.post_id, u.date, u.shift_code) for u in res.unmet}
    assert res.penalties["unmet"] == d.settings.weight_unmet * sum(u.missing for u in res.unmet)
    assert res.bound <= res.objective == sum(res.penalties.values())
    return res


def shifts_of(res, cadre_id):
    return sorted((a.date, a.shift_code) for a in res.assignments if a.cadre_id == cadre_id)


# --- rule 1: one post a week, one shift a day -------------------------------------------


def test_one_shift_a_day_bites_when_a_lone_cadre_faces_day_and_night():
    d = one_post(1, night_shifts=1)
    res = judged(d, solve(d))
    assert sum(u.missing for u in res.unmet) == 14 - 6  # one cadre: six shifts, one a day
    assert len({a.date for a in res.assignments}) == len(res.assignments)


def test_one_shift_a_day_does_not_bite_with_enough_cadres():
    d = one_post(3, night_shifts=1)
    assert judged(d, solve(d)).unmet == []


def test_one_post_a_week_bites_when_cadres_cannot_be_split():
    # 14 day shifts over two posts: 3 cadres could do 18 shifts, but each stays at one post
    d = district([post(1), post(2)], [cadre(i) for i in (1, 2, 3)], demand(1) + demand(2))
    res = judged(d, solve(d))
    assert sum(u.missing for u in res.unmet) == 1
    posts = {c: {a.post_id for a in res.assignments if a.cadre_id == c} for c in (1, 2, 3)}
    assert all(len(p) == 1 for p in posts.values())


def test_one_post_a_week_does_not_bite_with_four_cadres():
    d = district([post(1), post(2)], [cadre(i) for i in (1, 2, 3, 4)], demand(1) + demand(2))
    assert judged(d, solve(d)).unmet == []


# --- rule 2: coverage ---------------------------------------------------------------------


def test_coverage_bites_a_lone_cadre_needs_a_day_off():
    d = one_post(1)
    res = judged(d, solve(d))
    assert len(res.unmet) == 1 and len(res.assignments) == 6
    assert res.status in ("optimal", "feasible")


def test_coverage_met_exactly_without_over_staffing():
    d = one_post(4, day_shifts=1)
    res = judged(d, solve(d))
    assert res.unmet == [] and len(res.assignments) == 7


# --- rule 3: commute ------------------------------------------------------------------------


def test_commute_bites_and_is_explained():
    d = district([post(1, north_km=30)], [cadre(1, max_km=25), cadre(2, max_km=25)], demand(1))
    res = judged(d, solve(d))
    assert len(res.unmet) == 7 and res.assignments == []
    assert any("V001" in e and "within commute" in e for e in res.explanations)


def test_an_explanation_is_kept_in_english_and_shown_in_chinese(chinese):
    d = district([post(1, north_km=30)], [cadre(1, max_km=25), cadre(2, max_km=25)], demand(1))
    res = solve(d)
    [line] = res.explanations  # English: stored with the roster, in --json
    assert line.startswith("post 测试村1 (V001): 7 shift(s) unmet (Mon 12-07 D, Tue 12-08 D")
    assert shown(line).startswith(
        "值守点 测试村1 (V001)：7 个班次缺岗（12月7日 周一 D，12月8日 周二 D"
    )
    assert "通勤范围内没有在岗干部" in shown(line)
    assert shown("a line from elsewhere") == "a line from elsewhere"


def test_commute_does_not_bite_within_reach():
    d = district([post(1, north_km=15)], [cadre(1, max_km=25), cadre(2, max_km=25)], demand(1))
    assert judged(d, solve(d)).unmet == []


# --- rule 4: days off, days in a row counting last week ------------------------------------


def test_days_in_a_row_bite_after_a_long_run_last_week():
    d = district([post(1)], [cadre(1)], demand(1, weekdays=range(1, 7)))
    history = [Assignment(day(i - 6), 1, 1, "D") for i in range(6)]  # Tue..Sun worked
    res = judged(d, solve(d, history=history), history)
    assert [(u.date, u.shift_code) for u in res.unmet] == [(day(0), "D")]


def test_days_in_a_row_do_not_bite_after_a_rest():
    d = district([post(1)], [cadre(1)], demand(1, weekdays=range(1, 7)))
    history = [Assignment(day(i - 6), 1, 1, "D") for i in range(5)]  # Sunday off
    res = judged(d, solve(d, history=history), history)
    assert res.unmet == [] and len(shifts_of(res, 1)) == 6


def test_two_days_off_when_settings_say_so():
    d = one_post(2)
    d.settings = Settings(min_rest_days=2)
    res = judged(d, solve(d))
    assert all(len(shifts_of(res, c)) <= 5 for c in (1, 2))


# --- rule 5: hours between shifts -----------------------------------------------------------


def test_no_day_shift_the_morning_a_night_ends():
    # Monday night and Tuesday day, one cadre: rest forbids doing both
    d = district([post(1)], [cadre(1)], demand(1, day_shifts=0, night_shifts=1, weekdays=[1]))
    d.demand += demand(1, day_shifts=1, weekdays=[2])
    d.reindex()
    res = judged(d, solve(d))
    assert sum(u.missing for u in res.unmet) == 1


def test_night_after_day_is_fine():
    d = district([post(1)], [cadre(1)], demand(1, day_shifts=1, weekdays=[1]))
    d.demand += demand(1, day_shifts=0, night_shifts=1, weekdays=[2])
    d.reindex()
    assert judged(d, solve(d)).unmet == []


def test_rest_hours_count_last_sundays_night():
    d = district([post(1)], [cadre(1), cadre(2)], demand(1, weekdays=[1]))
    history = [Assignment(day(-1), 1, 1, "N")]
    res = judged(d, solve(d, history=history), history)
    assert shifts_of(res, 1) == [] and shifts_of(res, 2) == [(day(0), "D")]


# --- rule 6: absence and status -----------------------------------------------------------


def test_absent_and_recalled_cadres_are_not_scheduled():
    d = district(
        [post(1)],
        [cadre(1), cadre(2), cadre(3, status="recalled")],
        demand(1),
        [Absence(1, 1, day(0), day(2), "sick")],
    )
    res = judged(d, solve(d))
    assert all(a.date > day(2) for a in res.assignments if a.cadre_id == 1)
    assert shifts_of(res, 3) == []


def test_absence_does_not_bite_when_everyone_is_in():
    d = district([post(1)], [cadre(1), cadre(2)], demand(1))
    assert judged(d, solve(d)).unmet == []


# --- rule 7: nights ----------------------------------------------------------------------------


def test_nights_bite_without_night_capable_cadres_and_are_explained():
    d = one_post(3, day_shifts=0, night_shifts=1, night_ok=False)
    res = judged(d, solve(d))
    assert len(res.unmet) == 7
    assert any("V001" in e and "nights" in e for e in res.explanations)


def test_nights_covered_by_night_capable_cadres():
    d = district(
        [post(1)], [cadre(1, night_ok=False), cadre(2), cadre(3)], demand(1, night_shifts=1)
    )
    res = judged(d, solve(d))
    assert res.unmet == [] and all(a.shift_code == "D" for a in res.assignments if a.cadre_id == 1)


# --- rule 8: locks -----------------------------------------------------------------------------


def test_locks_are_kept_exactly():
    d = one_post(3)
    locks = [Assignment(day(i), 3, 1, "D", locked=True) for i in range(3)]
    res = judged(d, solve(d, locks=locks), locks=locks)
    kept = [a for a in res.assignments if a.locked]
    assert sorted(kept, key=lambda a: a.date) == locks
    assert res.lock_breaches == []


def test_a_lock_that_breaks_a_rule_is_kept_and_reported():
    d = district(
        [post(1)], [cadre(1), cadre(2)], demand(1), [Absence(1, 1, day(0), day(0), "sick")]
    )
    locks = [Assignment(day(0), 1, 1, "D", locked=True)]
    res = solve(d, locks=locks)
    assert locks[0] in res.assignments
    assert [b.rule for b in res.lock_breaches] == ["absence"]
    assert any("lock kept as given" in e for e in res.explanations)
    found = check_roster(d, MONDAY, res.assignments, locks=locks)
    assert [b.rule for b in found] == ["absence"]


# --- soft rules -------------------------------------------------------------------------------


def test_continuity_keeps_last_weeks_post():
    d = district(
        [post(1), post(2, north_km=1)],
        [cadre(1, north_km=0.5), cadre(2, north_km=0.5)],
        demand(1) + demand(2, weekdays=range(1, 7)),
    )
    history = [Assignment(day(i - 7), 1, 2, "D") for i in range(6)]
    history += [Assignment(day(i - 7), 2, 1, "D") for i in range(6)]
    res = judged(d, solve(d, history=history), history)
    assert {a.post_id for a in res.assignments if a.cadre_id == 1} == {2}
    assert res.penalties["continuity"] == 0


def test_without_history_the_nearer_cadre_is_deployed():
    d = district([post(1)], [cadre(1, north_km=10), cadre(2, north_km=1)], demand(1, weekdays=[1]))
    res = judged(d, solve(d))
    assert [a.cadre_id for a in res.assignments] == [2]
    assert res.penalties["commute"] == 1  # 1 km straight, 1.3 road km: rounds to 1


def test_party_member_preferred_at_a_post():
    d = district(
        [post(1)],
        [cadre(1, party=False), cadre(2, party=True, north_km=1)],
        demand(1, weekdays=[1]),
    )
    res = judged(d, solve(d))  # 1 km more for the party member is worth it
    assert [a.cadre_id for a in res.assignments] == [2] and res.penalties["party_post"] == 0


def test_party_post_costs_where_no_party_member_can_come():
    d = district([post(1)], [cadre(1, party=False)], demand(1, weekdays=[1]))
    res = judged(d, solve(d))
    assert res.penalties["party_post"] == 0  # nobody could have come: not penalised


def test_nights_spread_among_night_capable_cadres():
    d = one_post(4, day_shifts=2, night_shifts=1)
    res = judged(d, solve(d))
    nights = sorted(sum(s == "N" for _, s in shifts_of(res, c)) for c in (1, 2, 3, 4))
    assert res.unmet == [] and sum(nights) == 7 and nights[-1] - nights[0] <= 2
    # district-wide night share with no history: w·Σx², least for the even split 2+2+2+1
    assert res.penalties["fairness_nights"] == d.settings.weight_night_share * 13


def test_fairness_counts_last_weeks_nights():
    d = district([post(1)], [cadre(1), cadre(2)], demand(1, night_shifts=1, weekdays=[1, 2, 3, 4]))
    history = [Assignment(day(i - 7), 1, 1, "N") for i in range(4)]
    history += [Assignment(day(i - 7), 2, 1, "D") for i in range(4)]
    res = judged(d, solve(d, history=history), history)
    assert sum(s == "N" for _, s in shifts_of(res, 2)) >= 3 and res.unmet == []


def test_reserve_no_over_staffing():
    d = one_post(5)
    res = judged(d, solve(d))
    assert len({a.cadre_id for a in res.assignments}) == 2
    assert res.penalties["reserve"] == 0


# --- explanations, never nothing ------------------------------------------------------------


def test_an_impossible_week_is_explained_naming_the_post():
    far = replace(post(2, north_km=40), name="喇叭沟门村", code="V270")
    d = district(
        [post(1), far],
        [cadre(i) for i in range(1, 5)] + [cadre(10, north_km=45, night_ok=False)],
        demand(1) + demand(2, day_shifts=0, night_shifts=1, weekdays=[1, 2, 3, 4]),
    )
    before = capacity_report(d, MONDAY)
    assert any("喇叭沟门村 (V270)" in line and "nights" in line for line in before)
    res = judged(d, solve(d))
    assert {u.post_id for u in res.unmet} == {2}
    assert any("喇叭沟门村 (V270)" in e and "night" in e for e in res.explanations)


def test_shortage_over_several_posts_is_explained():
    d = district(
        [post(1), post(2, north_km=1)],
        [cadre(1), cadre(2)],
        demand(1, day_shifts=2) + demand(2, day_shifts=2),
    )
    res = judged(d, solve(d))
    assert res.unmet and res.assignments
    assert any("together need" in e or "within commute" in e for e in res.explanations)


# --- API: JSON, progress, stop ----------------------------------------------------------------


def test_json_has_the_spec_keys_and_is_json_safe():
    d = one_post(2)
    out = solve(d).to_json()
    for key in ("status", "objective", "bound", "gap", "seconds", "assignments", "unmet"):
        assert key in out
    assert "explanations" in out and out["assignments"][0]["cadre_code"] == "G0001"
    json.dumps(out)


def test_progress_is_reported():
    seen: list[Progress] = []
    d = one_post(3, night_shifts=1)
    solve(d, progress=seen.append)
    assert seen and seen[-1].stage == "done"
    assert all(p.bound <= p.objective for p in seen if p.objective is not None)
    # before a whole roster exists no objective is claimed
    assert seen[0].objective is None and seen[0].gap is None
    assert seen[-1].objective is not None


def big_district(n_posts: int = 40, per_post: int = 3):
    posts = [post(i, north_km=i * 0.5, group=1 + i % 3) for i in range(1, n_posts + 1)]
    cadres = [
        cadre(i, north_km=(i % n_posts) * 0.5, night_ok=i % 3 != 0, party=i % 2 == 0, unit=i % 5)
        for i in range(1, n_posts * per_post + 1)
    ]
    demands = []
    for p in posts:
        demands += demand(p.id, day_shifts=1 + p.id % 2, night_shifts=p.id % 3 == 0)
    return district(posts, cadres, demands)


def test_stop_from_another_thread_returns_a_roster():
    d = big_district()
    control = SolveControl()
    asked, stopped = threading.Event(), threading.Event()

    def on_progress(_: Progress) -> None:  # hold the solve until the other thread stops it
        if not asked.is_set():
            asked.set()
            stopped.wait(10)

    def stopper() -> None:
        asked.wait(10)
        control.stop()
        stopped.set()

    thread = threading.Thread(target=stopper)
    thread.start()
    res = solve(d, control=control, progress=on_progress, time_limit=30)
    thread.join()
    assert res.status == "stopped" and res.assignments
    judged(d, res)


def test_a_bigger_district_solves_cleanly():
    d = big_district()
    res = judged(d, solve(d))
    assert res.unmet == [] and 0 <= res.gap < 1


def test_a_post_in_many_overlapping_shortages_names_the_worst_once():
    from roster.solver.explain import strongest_shortage

    groups = [({1, 2, 3}, 10, 8), ({1, 2, 3, 4}, 12, 8), ({1, 5}, 4, 3), ({6}, 2, 1)]
    assert strongest_shortage(groups, 1) == [({1, 2, 3, 4}, 12, 8)]
    assert strongest_shortage(groups, 6) == [({6}, 2, 1)]
    assert strongest_shortage(groups, 9) == []
