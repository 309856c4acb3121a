"""Rule 9 and the wishes: each rule bites where it should and not where it should not;
every roster is judged by the independent checker."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from roster.domain import Assignment, Settings, UnitDay, Wish
from roster.solver import solve_week
from roster.solver.checker import check_roster
from tests.factories import MONDAY, cadre, day, demand, district, one_post, post


def solve(d, **kw):
    res = solve_week(d, MONDAY, time_limit=3.0, num_workers=2, **kw)
    assert check_roster(d, MONDAY, res.assignments) == [
        b for b in check_roster(d, MONDAY, res.assignments) if b.rule == "coverage"
    ]
    return res


def with_wishes(d, *wishes, unit_days=()):
    d.wishes = list(wishes)
    d.unit_days = list(unit_days)
    d.reindex()
    return d


def works(res, cadre_id: int, on: dt.date, shift: str | None = None) -> bool:
    return any(
        a.cadre_id == cadre_id and a.date == on and shift in (None, a.shift_code)
        for a in res.assignments
    )


# --- unavailable (hard) -----------------------------------------------------------------


def test_unavailable_day_is_never_scheduled_even_when_coverage_suffers():
    d = with_wishes(one_post(1), Wish(1, 1, "unavailable", day(2)))
    res = solve(d)
    assert not works(res, 1, day(2))
    assert {(u.date, u.shift_code) for u in res.unmet} >= {(day(2), "D")}
    assert check_roster(d, MONDAY, res.assignments) == [
        b for b in check_roster(d, MONDAY, res.assignments) if b.rule == "coverage"
    ]


def test_without_the_wish_that_day_is_worked():
    res = solve(one_post(1))
    assert works(res, 1, day(2))


def test_unavailable_for_one_shift_leaves_the_other_open():
    d = with_wishes(
        one_post(1, day_shifts=1, night_shifts=1),
        Wish(1, 1, "unavailable", weekdays=tuple(range(1, 8)), shift="N"),
    )
    res = solve(d)
    assert not any(a.shift_code == "N" for a in res.assignments)
    assert any(a.shift_code == "D" for a in res.assignments)


def test_unavailable_range_with_weekdays_covers_only_those_days():
    w = Wish(1, 1, "unavailable", day(0), (6, 7), day(6))
    assert [w.covers_day(day(i)) for i in range(7)] == [False] * 5 + [True, True]
    assert not Wish(1, 1, "unavailable", day(3)).covers_day(day(4))  # a date alone: one day
    assert Wish(1, 1, "unavailable", day(3), until=day(5)).covers_day(day(4))


def test_checker_catches_an_unavailable_breach_made_by_hand():
    d = with_wishes(one_post(2), Wish(1, 1, "unavailable", day(0), note="出庭"))
    by_hand = [Assignment(day(0), 1, 1, "D"), Assignment(day(1), 1, 1, "D")]
    breaches = check_roster(d, MONDAY, by_hand, coverage=False)
    assert [(b.rule, b.number, b.cadre_id, b.date) for b in breaches] == [
        ("unavailable", 9, 1, day(0))
    ]
    assert "出庭" in breaches[0].message
    d2 = with_wishes(one_post(2))
    assert check_roster(d2, MONDAY, by_hand, coverage=False) == []


def test_a_lock_on_an_unavailable_day_is_kept_and_reported():
    d = with_wishes(one_post(2), Wish(1, 1, "unavailable", day(0)))
    lock = Assignment(day(0), 1, 1, "D", True, "manual")
    res = solve_week(d, MONDAY, locks=[lock], time_limit=3.0)
    assert works(res, 1, day(0))
    assert [b.rule for b in res.lock_breaches] == ["unavailable"]


# --- unit quotas (hard) -----------------------------------------------------------------


def quota_district(max_cadres: int):
    d = district(
        [post(1)],
        [cadre(i, unit=1 if i <= 3 else 2) for i in range(1, 6)],
        demand(1, day_shifts=3),
    )
    return with_wishes(d, unit_days=[UnitDay(1, 1, max_cadres)])


def unit_on(res, d, unit: int, on: dt.date) -> int:
    return len({a.cadre_id for a in res.assignments if a.date == on
                and d.cadres[a.cadre_id].unit_id == unit})  # fmt: skip


def test_unit_quota_bites_solver_and_checker():
    d = quota_district(1)
    res = solve(d)
    assert unit_on(res, d, 1, day(0)) <= 1
    by_hand = [Assignment(day(0), c, 1, "D") for c in (1, 2, 4)]
    breaches = check_roster(d, MONDAY, by_hand, coverage=False)
    assert [(b.rule, b.number, b.date) for b in breaches] == [("unit_quota", 9, day(0))]


def test_home_day_keeps_every_cadre_of_the_unit_home():
    d = quota_district(0)
    res = solve(d)
    assert unit_on(res, d, 1, day(0)) == 0
    assert unit_on(res, d, 1, day(1)) > 0


def test_without_a_quota_the_unit_works_that_day():
    d = quota_district(1)
    d = with_wishes(d)
    res = solve(d)
    assert unit_on(res, d, 1, day(0)) >= 2
    by_hand = [Assignment(day(0), c, 1, "D") for c in (1, 2, 4)]
    assert check_roster(d, MONDAY, by_hand, coverage=False) == []


# --- avoid and prefer (soft) -------------------------------------------------------------


def test_avoid_is_met_when_a_colleague_can_take_the_day():
    d = with_wishes(one_post(2), Wish(1, 1, "avoid", weekdays=(6,)))
    res = solve(d)
    assert not works(res, 1, day(5))
    assert res.penalties["wish_avoid"] == 0
    report = res.stats["wishes"]
    assert report["by_kind"]["avoid"] == {"total": 1, "met": 1}


def test_avoid_costs_its_weight_when_coverage_needs_the_cadre():
    s = Settings(weight_wish_avoid=7)
    d = one_post(1)
    d.settings = s
    d = with_wishes(d, Wish(1, 1, "avoid", weekdays=(6, 7)))
    res = solve(d)
    worked = sum(works(res, 1, day(i)) for i in (5, 6))
    assert worked >= 1  # six days of one cadre: at most one weekend day off
    assert res.penalties["wish_avoid"] == 7 * worked
    (unmet,) = res.stats["wishes"]["unmet"]
    assert unmet["cadre_code"] == "G0001" and unmet["reasons"] == ["coverage"]


def test_prefer_a_shift_is_given_when_possible_and_priced_when_not():
    d = with_wishes(
        one_post(2, day_shifts=1, night_shifts=1),
        Wish(1, 1, "prefer", weekdays=(1, 2, 3), shift="N", weight=40),
    )
    res = solve(d)
    assert all(not works(res, 1, day(i), "D") for i in range(3))
    assert res.penalties["wish_prefer"] == 0
    # no night shift at the post: the wish cannot be met and costs nothing
    d2 = with_wishes(one_post(2), Wish(1, 1, "prefer", weekdays=(1,), shift="N"))
    assert solve(d2).penalties["wish_prefer"] == 0


def test_prefer_a_day_off_pattern_bites():
    """Two cadres, one shift a day: whoever prefers Sunday works it."""
    d = with_wishes(one_post(2), Wish(1, 2, "prefer", weekdays=(7,)))
    res = solve(d)
    assert works(res, 2, day(6))
    base = solve(with_wishes(one_post(2), Wish(1, 1, "prefer", weekdays=(7,))))
    assert works(base, 1, day(6))


def test_wish_weights_come_from_settings_unless_given():
    s = Settings(weight_wish_avoid=3, weight_wish_prefer=4)
    assert Wish(1, 1, "avoid", day(0)).weight_in(s) == 3
    assert Wish(1, 1, "prefer", day(0)).weight_in(s) == 4
    assert Wish(1, 1, "prefer", day(0), weight=9).weight_in(s) == 9
    assert replace(Wish(1, 1, "unavailable", day(0)), weight=0).weight_in(s) == 0


# --- relief and manual edits ---------------------------------------------------------------


def test_relief_never_offers_a_cadre_on_their_unavailable_day():
    from roster import relief
    from roster.domain import Roster

    d = district([post(1)], [cadre(1), cadre(2), cadre(9, north_km=2)], demand(1))
    week = [Assignment(day(i), 1, 1, "D") for i in range(4)]
    week += [Assignment(day(i), 2, 1, "D") for i in (4, 5, 6)]
    roster = Roster(1, MONDAY, "draft", 1, {}, week)
    before = relief.relief_options(d, roster, 1, day(1), day(1), resolve=False)
    assert any(2 in o.disturbed or 9 in o.disturbed for o in before if o.complete)
    d = with_wishes(d, Wish(1, 2, "unavailable", day(1)), Wish(2, 9, "unavailable", day(1)))
    after = relief.relief_options(d, roster, 1, day(1), day(1), resolve=False)
    assert not any(o.complete for o in after)
    for o in after:
        assert not [c for c in o.added if c.date == day(1) and c.cadre_id in (2, 9)]


def test_manual_edits_do_not_offer_an_unavailable_cadre(tmp_path):
    from roster import store
    from roster.edits import WeekEditor
    from tests.factories import make_db

    db = make_db(tmp_path / "e.db")
    editor = WeekEditor(db, store.load_district(db), MONDAY)
    offered = {c for c, _ in editor.candidates(3, day(6), "N", limit=50)}
    assert 13 in offered
    db["wishes"].insert({"cadre_id": 13, "kind": "unavailable", "date": day(6).isoformat()})
    editor = WeekEditor(db, store.load_district(db), MONDAY)
    assert 13 not in {c for c, _ in editor.candidates(3, day(6), "N", limit=50)}
