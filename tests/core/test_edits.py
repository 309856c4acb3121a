"""Manual edits: checked against the hard rules, refused or overridden (audited), saved with
a version check, undone and redone; locks; publish and changes since; solve diffs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from roster import store
from roster.domain import Assignment, week_days
from roster.edits import (
    EditError,
    Refused,
    WeekEditor,
    breach_key,
    diff_rosters,
    duty_counts,
    keep_locks,
)
from tests.factories import MONDAY, make_db

DAYS = week_days(MONDAY)
SUNDAY = DAYS[6]
# cadres 1–12 staff the fixture's six slots, 13–16 are spare; 15 is sick on Wed–Thu.
P01, P02, P03, P04 = 1, 2, 3, 4


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "e.db")


@pytest.fixture
def editor(db):
    return WeekEditor(db, store.load_district(db), MONDAY, actor="tester")


def audit(db, action):
    """Entries of `action` (`edit`: every edit, each audited once as `edit.<kind>`)."""
    if action == "edit":
        return [e for e in store.audit_entries(db) if e.action.startswith("edit.")
                and e.action != "edit.override"]  # fmt: skip
    return [e for e in store.audit_entries(db) if e.action == action]


def test_the_fixture_week_is_short_once(editor):
    states = editor.cell_states()
    assert states[(P03, SUNDAY, "N")].state == "short"
    assert editor.totals().unmet == 1
    assert any(b.post_id == P03 and b.date == SUNDAY for b in editor.breaches)


def test_assign_that_keeps_the_rules_is_saved_and_audited(editor, db):
    version = editor.version
    change = editor.assign(13, P03, SUNDAY, "N")
    assert editor.version == version + 1
    assert store.get_roster(db, MONDAY).version == editor.version
    assert editor.cell_states()[(P03, SUNDAY, "N")].state == "met"
    assert editor.totals().unmet == 0
    assert not change.overridden
    edits = audit(db, "edit")
    assert edits and edits[0].actor == "tester" and "王金宝" not in edits[0].details
    assert "孙悦" in json.loads(edits[0].details)["edit"]


def test_assign_breaking_rest_is_refused_and_nothing_is_saved(editor, db):
    version = editor.version
    with pytest.raises(Refused) as refused:
        editor.assign(1, P03, SUNDAY, "N")  # 王金宝 already works Mon–Sat
    assert refused.value.breaches
    assert all(b.cadre_id in (1, None) for b in refused.value.breaches)
    assert editor.version == version
    assert store.get_roster(db, MONDAY).version == version
    assert audit(db, "edit.override") == []


def test_refused_edit_goes_through_with_an_override_that_is_audited(editor, db):
    change = editor.assign(1, P03, SUNDAY, "N", override="no one else can come")
    assert change.overridden
    assert editor.at(1, SUNDAY).post_id == P03
    entries = audit(db, "edit.override")
    assert len(entries) == 1
    details = json.loads(entries[0].details)
    assert details["reason"] == "no one else can come"
    assert details["breaches"]


def test_a_refusal_is_told_in_chinese_and_audited_in_english(chinese, editor, db):
    with pytest.raises(Refused) as refused:
        editor.assign(1, P03, SUNDAY, "N")
    assert str(refused.value) == (
        "安排王金宝(G0001)到北沟村 2026-12-13 N：被拒绝，王金宝 (G0001)本周只轮休 0 天，"
        "至少应轮休 1 天；王金宝 (G0001)连续值守 7 天（2026-12-07 至 2026-12-13），最多允许 6 天"
    )
    change = editor.assign(1, P03, SUNDAY, "N", override="没人能来")
    assert change.label == "安排王金宝(G0001)到北沟村 2026-12-13 N"
    details = json.loads(audit(db, "edit.override")[0].details)
    assert details["edit"] == change.record == "assign 王金宝(G0001) to 北沟村 2026-12-13 N"
    assert details["breaches"][0] == (
        "rest_days: 王金宝 (G0001) has 0 day(s) off this week; at least 1 required"
    )
    with pytest.raises(EditError, match="没有班次"):
        editor.unassign(16, MONDAY)
    assert editor.undo().label == change.label
    assert json.loads(audit(db, "edit")[0].details)["edit"].startswith("undo assign 王金宝")


def test_blank_override_is_no_override(editor):
    with pytest.raises(Refused):
        editor.assign(1, P03, SUNDAY, "N", override="   ")


def test_absent_cadre_is_refused(editor):
    with pytest.raises(Refused):
        editor.assign(15, P04, DAYS[2], "D")  # sick on Wednesday


def test_unassign_leaving_a_post_short_is_refused(editor):
    with pytest.raises(Refused):
        editor.unassign(1, DAYS[0])
    editor.unassign(1, DAYS[0], override="sent home ill")
    assert editor.at(1, DAYS[0]) is None


def test_cannot_assign_someone_already_on_duty_that_day(editor):
    with pytest.raises(EditError, match="already on duty"):
        editor.assign(1, P04, DAYS[0], "D")


def test_move_to_another_post_and_day(editor):
    editor.assign(14, P04, SUNDAY, "D")  # over-staffing is not a hard breach
    editor.move(14, SUNDAY, to_post=P03, to_shift="N")
    assert editor.at(14, SUNDAY).post_id == P03
    assert editor.totals().unmet == 0
    with pytest.raises(Refused):
        editor.move(14, SUNDAY, to_day=DAYS[5])  # leaves 北沟村 short again


def test_move_week_redeploys_every_duty(editor):
    with pytest.raises(Refused):
        editor.move_week(8, P04)  # 北沟村's Sunday day shift would be empty
    editor.move_week(8, P04, override="needed at 南湖")
    assert {a.post_id for a in editor.of_cadre(8)} == {P04}


def test_swap_weeks_with_a_spare_cadre(editor):
    mine = {(a.date, a.post_id, a.shift_code) for a in editor.of_cadre(1)}
    editor.swap(1, 13)
    assert editor.of_cadre(1) == []
    assert {(a.date, a.post_id, a.shift_code) for a in editor.of_cadre(13)} == mine


def test_swap_onto_an_absent_cadre_is_refused(editor):
    with pytest.raises(Refused):
        editor.swap(7, 15)  # 15 is sick on Wednesday and Thursday


def test_locks_toggle_and_protect(editor):
    editor.lock_cell(P01, DAYS[0])
    assert all(a.locked for a in editor.assignments if a.post_id == P01 and a.date == DAYS[0])
    with pytest.raises(EditError, match="locked"):
        editor.unassign(1, DAYS[0], override="anything")
    editor.lock_cell(P01, DAYS[0])  # toggles back
    assert not any(a.locked for a in editor.assignments)
    editor.lock_post_week(P03)
    assert all(a.locked for a in editor.assignments if a.post_id == P03)
    with pytest.raises(EditError):
        editor.move_week(7, P04, override="x")
    editor.lock_cadre_week(2)
    assert all(a.locked for a in editor.of_cadre(2))
    assert editor.cell_states()[(P01, SUNDAY, "D")].locked
    with pytest.raises(EditError, match="nothing to lock"):
        editor.lock_cadre_week(16)


def test_undo_and_redo(editor, db):
    before = set(editor.assignments)
    editor.assign(13, P03, SUNDAY, "N")
    after = set(editor.assignments)
    editor.undo()
    assert set(editor.assignments) == before
    assert set(store.get_roster(db, MONDAY).assignments) == before
    editor.redo()
    assert set(editor.assignments) == after
    with pytest.raises(EditError):
        editor.redo()
    editor.undo()
    with pytest.raises(EditError, match="nothing to undo"):
        editor.undo()


def test_stale_view_is_refused(db, editor):
    other = WeekEditor(db, store.load_district(db), MONDAY, actor="someone else")
    other.assign(13, P03, SUNDAY, "N")
    with pytest.raises(store.StaleRoster):
        editor.assign(14, P04, SUNDAY, "D")
    assert editor.stored_version() != editor.version
    editor.reload()
    editor.assign(14, P04, SUNDAY, "D")


def test_publish_then_edits_show_as_changes(editor, db):
    editor.publish()
    assert editor.status == "published"
    assert editor.changed_cells() == set()
    editor.assign(13, P03, SUNDAY, "N")
    assert editor.status == "published"
    assert editor.changed_cells() == {(P03, SUNDAY, "N")}
    assert editor.cell_states()[(P03, SUNDAY, "N")].changed
    entry = audit(db, "edit")[0]
    assert json.loads(entry.details)["status"] == "published"
    # another view of the same db sees the same published copy
    again = WeekEditor(db, store.load_district(db), MONDAY)
    assert again.changed_cells() == {(P03, SUNDAY, "N")}


def test_publish_needs_a_roster(db):
    empty = WeekEditor(db, store.load_district(db), MONDAY + dt.timedelta(weeks=1))
    with pytest.raises(EditError, match="solve it first"):
        empty.publish()


def test_diff_and_keep_locks(editor):
    district = editor.district
    current = list(editor.assignments)
    proposed = [a for a in current if a.cadre_id != 1] + [
        Assignment(a.date, 13, a.post_id, a.shift_code) for a in current if a.cadre_id == 1
    ]
    diff = diff_rosters(district, MONDAY, current, proposed)
    assert diff.cells_changed == 6 and diff.cadres_moved == 2
    assert diff.added == diff.removed == 6
    assert diff.unmet_before == diff.unmet_after == 1
    lock = Assignment(DAYS[0], 1, P01, "D", True, "manual")
    moved = [a for a in current if (a.cadre_id, a.date) != (1, DAYS[0])]
    moved.append(Assignment(DAYS[0], 1, P04, "D"))  # a solver that ignored the lock
    kept = keep_locks(moved, [lock])
    assert lock in kept and Assignment(DAYS[0], 1, P04, "D") not in kept
    assert len(kept) == len(current)
    same = keep_locks(current, [lock])  # a solver that kept it: marked locked again
    assert lock in same and len(same) == len(current)


def test_duty_counts(editor):
    counts = duty_counts(editor.district, editor.assignments)
    assert counts[3].nights == 6 and counts[1].nights == 0
    assert counts[1].weekends == 1 and counts[2].weekends == 1


edit_steps = st.lists(
    st.tuples(
        st.sampled_from(["assign", "unassign", "move", "swap"]),
        st.integers(1, 16),
        st.integers(1, 16),
        st.integers(0, 6),
        st.integers(0, 6),
        st.sampled_from([P01, P02, P03, P04]),
        st.sampled_from(["D", "N"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=edit_steps)
def test_edits_allowed_without_override_never_add_a_breach(tmp_path_factory, steps):
    db = make_db(tmp_path_factory.mktemp("prop") / "p.db")
    editor = WeekEditor(db, store.load_district(db), MONDAY)
    allowed = {breach_key(b) for b in editor.breaches}
    for op, cadre, other, day, to_day, post, shift in steps:
        try:
            if op == "assign":
                editor.assign(cadre, post, DAYS[day], shift)
            elif op == "unassign":
                editor.unassign(cadre, DAYS[day])
            elif op == "move":
                editor.move(cadre, DAYS[day], to_post=post, to_day=DAYS[to_day], to_shift=shift)
            else:
                editor.swap(cadre, other, DAYS[day])
        except (Refused, EditError):
            continue
        now = {breach_key(b) for b in editor.check(editor.assignments)}
        assert now <= allowed
        allowed = now


def test_candidates_keep_the_rules(editor):
    found = dict(editor.candidates(P03, SUNDAY, "N"))
    assert found and 1 not in found  # 王金宝 works Mon–Sat: a seventh day breaks rest
    assert 16 not in found  # 胡彬 may not do nights
    assert 15 in found  # sick only on Wednesday and Thursday
    for cadre_id in found:
        editor_breaches = editor.check(
            [*editor.assignments, Assignment(SUNDAY, cadre_id, P03, "N", False, "manual")]
        )
        assert not [b for b in editor_breaches if b.cadre_id == cadre_id]
    assert "no duty this week" in found[13]


def test_a_cadre_deployed_elsewhere_is_lent_as_relief(editor):
    editor.assign(2, P03, DAYS[0], "N")  # 田在国 works at 龙山社区 on Sunday only
    assert editor.at(2, DAYS[0]).source == "relief"
    assert editor.deployment()[2] == P01


def test_town_coordinator_cannot_change_other_towns(db):
    from roster.access import access_for, add_user

    boss = access_for(db, "boss")  # no coordinators yet: everyone is district
    add_user(db, "boss", "district", [], boss)
    add_user(db, "li", "town", ["龙山街道"], access_for(db, "boss"))
    editor = WeekEditor(
        db, store.load_district(db), MONDAY, actor="li", access=access_for(db, "li")
    )
    editor.lock_post_week(P01)  # 龙山社区 is in 龙山街道: allowed
    with pytest.raises(EditError, match="other towns"):
        editor.assign(13, P03, SUNDAY, "N")  # 北沟村 is not
    with pytest.raises(EditError, match="district"):
        editor.publish()
    assert audit(db, "refused")
    viewer = WeekEditor(
        db, store.load_district(db), MONDAY, actor="guest", access=access_for(db, "guest")
    )
    with pytest.raises(EditError, match="read-only"):
        viewer.lock_post_week(P01)


def test_the_core_of_the_ui_does_not_import_textual():
    import subprocess
    import sys

    code = "import sys, roster.edits, roster.find; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# A roster as a list of duties: (cadre, post, day index, shift), cadre-days unique.
duty = st.tuples(
    st.integers(1, 16), st.integers(1, 4), st.integers(0, 6), st.sampled_from(["D", "N"])
)


def as_roster(duties) -> list[Assignment]:
    seen, out = set(), []
    for cadre, post, day, shift in duties:
        if (cadre, day) not in seen:
            seen.add((cadre, day))
            out.append(Assignment(DAYS[day], cadre, post, shift, False, "solver"))
    return out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.lists(duty, max_size=40),
    removed=st.sets(st.integers(0, 39), max_size=6),
    added=st.lists(duty, max_size=4),
    past=st.sets(st.integers(1, 16), max_size=16),
)
@example(start=[], removed=set(), added=[(13, 1, 0, "D")], past={13})  # Sunday night, Monday day
@example(start=[(13, 1, d, "D") for d in range(1, 6)], removed=set(), added=[(13, 1, 0, "D")],
         past={13})  # fmt: skip  # eleven days in a row across the week's start
def test_checking_only_what_an_edit_touches_equals_checking_the_week(
    tmp_path_factory, start, removed, added, past
):
    """From any roster (breaches and all) to any other a few duties away, the breaches the
    editor keeps plus those it finds again are exactly the whole week's breaches."""
    db = make_db(tmp_path_factory.mktemp("inc") / "i.db", with_roster=False)
    editor = WeekEditor(db, store.load_district(db), MONDAY)
    editor.history = [
        Assignment(MONDAY - dt.timedelta(days=back), cadre, 3, "N", False, "solver")
        for cadre in past
        for back in range(1, 6)
    ]  # five nights up to Sunday: rest hours and runs of work across the week's start
    editor.assignments = as_roster(start)
    kept = [a for i, a in enumerate(editor.assignments) if i not in removed]
    new = as_roster([(a.cadre_id, a.post_id, DAYS.index(a.date), a.shift_code) for a in kept]
                    + list(added))  # fmt: skip
    whole = sorted(breach_key(b) for b in editor.check(new))
    assert sorted(breach_key(b) for b in editor.check_change(new)) == whole


def test_deployment_is_the_post_of_most_duties_relief_aside_lowest_post_on_a_tie():
    from roster.domain import posts_of

    days = week_days(MONDAY)
    a = [
        Assignment(days[0], 1, 3, "D"),
        Assignment(days[1], 1, 2, "D"),
        Assignment(days[2], 1, 4, "D", source="relief"),
        Assignment(days[3], 1, 4, "D", source="relief"),
        Assignment(days[0], 2, 4, "D", source="relief"),
    ]
    assert posts_of(a) == {1: 2, 2: 4}
    assert posts_of(list(reversed(a))) == {1: 2, 2: 4}


def test_the_audit_keeps_an_edit_in_english_and_shows_it_as_it_was_said(editor, db):
    from roster import i18n
    from roster.domain import readable_details

    editor.lock_post_week(P03)
    editor.undo()
    entries = audit(db, "edit")
    assert [json.loads(e.details)["edit"] for e in entries] == [
        "undo lock 北沟村's week",
        "lock 北沟村's week",
    ]
    assert readable_details(entries[0].details).startswith("undo lock 北沟村's week · week ")
    i18n.use("zh")
    shown = [readable_details(e.details) for e in entries]
    assert shown[0].startswith("撤销：锁定北沟村本周 · 周 ")
    assert shown[1].startswith("锁定北沟村本周 · 周 ")
    assert "edit_said" not in shown[0] and "'s week" not in shown[0]
