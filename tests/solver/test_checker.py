"""The independent checker: each hard rule caught on a hand-made roster, and a clean one passes."""

from __future__ import annotations

from roster.domain import Absence, Assignment
from roster.solver.checker import check_roster
from tests.factories import MONDAY, cadre, day, demand, district, one_post, post


def rules(breaches) -> set[str]:
    return {b.rule for b in breaches}


def full_week(cadre_ids, pid=1, shift="D", days_off=None):
    """Cadre i works every day but day (i % 7) (or `days_off[i]`)."""
    out = []
    for c in cadre_ids:
        off = (days_off or {}).get(c, c % 7)
        out += [Assignment(day(i), c, pid, shift) for i in range(7) if i != off]
    return out


def test_a_clean_roster_has_no_breach():
    d = one_post(2)
    roster = full_week([1], days_off={1: 6}) + [Assignment(day(6), 2, 1, "D")]
    assert check_roster(d, MONDAY, roster) == []


def test_coverage_shortfall_is_a_rule_2_breach():
    d = one_post(1)
    found = check_roster(d, MONDAY, full_week([1], days_off={1: 3}))
    assert [(b.rule, b.number, b.date) for b in found] == [("coverage", 2, day(3))]
    assert "测试村1 (V001)" in found[0].message and "0 of 1" in found[0].message


def test_two_shifts_a_day_and_two_posts_a_week():
    d = district([post(1), post(2)], [cadre(1)], demand(1) + demand(2))
    roster = [Assignment(day(0), 1, 1, "D"), Assignment(day(0), 1, 2, "N")]
    found = check_roster(d, MONDAY, roster, coverage=False)
    assert {"one_post", "one_shift"} <= rules(found)


def test_relief_may_lend_a_cadre_to_another_post():
    d = district([post(1), post(2)], [cadre(1)], demand(1) + demand(2))
    roster = [Assignment(day(0), 1, 1, "D"), Assignment(day(1), 1, 2, "D", source="relief")]
    assert check_roster(d, MONDAY, roster, coverage=False) == []


def test_commute_beyond_the_limit():
    d = district([post(1, north_km=30)], [cadre(1, max_km=25)], demand(1))
    found = check_roster(d, MONDAY, [Assignment(day(0), 1, 1, "D")], coverage=False)
    assert rules(found) == {"commute"}
    near = district([post(1, north_km=15)], [cadre(1, max_km=25)], demand(1))
    assert check_roster(near, MONDAY, [Assignment(day(0), 1, 1, "D")], coverage=False) == []


def test_no_day_off_and_too_many_days_in_a_row():
    d = one_post(1)
    seven = [Assignment(day(i), 1, 1, "D") for i in range(7)]
    assert {"rest_days", "consecutive_days"} <= rules(check_roster(d, MONDAY, seven))


def test_days_in_a_row_count_last_week():
    d = one_post(1)
    history = [Assignment(day(i - 3), 1, 1, "D") for i in range(3)]  # Fri, Sat, Sun
    week = [Assignment(day(i), 1, 1, "D") for i in range(4)]  # Mon-Thu: 7 in a row
    assert rules(check_roster(d, MONDAY, week, history, coverage=False)) == {"consecutive_days"}
    assert check_roster(d, MONDAY, week[:3], history, coverage=False) == []


def test_eleven_hours_between_shifts_also_across_weeks():
    d = one_post(1, night_shifts=1)
    roster = [Assignment(day(0), 1, 1, "N"), Assignment(day(1), 1, 1, "D")]
    assert rules(check_roster(d, MONDAY, roster, coverage=False)) == {"rest_hours"}
    fine = [Assignment(day(0), 1, 1, "D"), Assignment(day(1), 1, 1, "N")]
    assert check_roster(d, MONDAY, fine, coverage=False) == []
    sunday_night = [Assignment(day(-1), 1, 1, "N")]
    found = check_roster(d, MONDAY, [Assignment(day(0), 1, 1, "D")], sunday_night, coverage=False)
    assert rules(found) == {"rest_hours"}


def test_absence_and_status():
    d = district(
        [post(1)],
        [cadre(1), cadre(2, status="recalled")],
        demand(1),
        [Absence(1, 1, day(2), day(3), "sick")],
    )
    roster = [Assignment(day(2), 1, 1, "D"), Assignment(day(1), 2, 1, "D")]
    found = check_roster(d, MONDAY, roster, coverage=False)
    assert {(b.rule, b.cadre_id) for b in found} == {("absence", 1), ("status", 2)}


def test_night_shift_for_a_cadre_who_may_not():
    d = one_post(1, night_shifts=1, night_ok=False)
    found = check_roster(d, MONDAY, [Assignment(day(0), 1, 1, "N")], coverage=False)
    assert rules(found) == {"night"}


def test_locks_must_stay_exactly():
    d = one_post(2)
    lock = Assignment(day(0), 1, 1, "D", locked=True)
    moved = [Assignment(day(0), 2, 1, "D")]
    found = check_roster(d, MONDAY, moved, locks=[lock], coverage=False)
    assert rules(found) == {"lock"}
    assert check_roster(d, MONDAY, [lock], locks=[lock], coverage=False) == []


def test_unknown_references_are_reported_not_crashed_on():
    d = one_post(1)
    found = check_roster(d, MONDAY, [Assignment(day(0), 99, 1, "X")], coverage=False)
    assert rules(found) == {"unknown"}


def test_a_breach_is_told_in_chinese_and_kept_in_english(chinese):
    d = one_post(1)
    [b] = check_roster(d, MONDAY, full_week([1], days_off={1: 3}))
    assert b.message == "值守点 测试村1 (V001)，12月10日 周四，D 白班：应到 1 人，实到 0 人"
    # compared, stored and written in --json in English, whatever the language spoken
    assert (
        b.record == "post 测试村1 (V001) on Thu 2026-12-10, shift D 白班: 0 of 1 required on duty"
    )
    assert b.to_json()["message"] == b.record and b.key[-1] == b.record
