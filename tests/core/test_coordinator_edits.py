"""The coordinator's routine edits on a solved week (issue: edits that help): replace X by
Y, moves that keep coverage, candidates ranked with their consequences, a preview that saves
nothing, one audit entry per edit; and what changed since publishing, with the texts."""

from __future__ import annotations

import csv
import json

import pytest

from roster import store
from roster.changes import changes_between, since_published, write_changes
from roster.domain import readable_details, week_days
from roster.edits import EditError, Refused, WeekEditor
from roster.exports import duties, sms_text
from roster.rotation import rotation_table
from tests.factories import MONDAY, make_db

DAYS = week_days(MONDAY)
SUNDAY = DAYS[6]
P01, P02, P03, P04 = 1, 2, 3, 4  # cadre 1 works P01 D Mon–Sat, 2 its Sunday; 13–16 spare


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "c.db")


@pytest.fixture
def editor(db):
    return WeekEditor(db, store.load_district(db), MONDAY, actor="tester")


def test_unassign_on_an_exactly_covered_cell_is_refused_but_replace_keeps_it(editor):
    with pytest.raises(Refused):
        editor.unassign(1, DAYS[0])
    change = editor.replace_cadre(1, DAYS[0], 13)  # no override needed
    assert not change.overridden
    assert editor.at(1, DAYS[0]) is None
    assert (editor.at(13, DAYS[0]).post_id, editor.at(13, DAYS[0]).shift_code) == (P01, "D")
    assert editor.cell_states()[(P01, DAYS[0], "D")].state == "met"


def test_replace_by_someone_on_duty_that_day_says_swap(editor):
    with pytest.raises(EditError, match="swap them instead"):
        editor.replace_cadre(1, DAYS[0], 5)


def test_move_with_a_stand_in_keeps_coverage_in_one_edit(editor):
    undo_depth = len(editor.undo_stack)
    editor.move(1, DAYS[0], to_post=P03, replaced_by=13)
    assert editor.at(1, DAYS[0]).post_id == P03
    assert editor.at(13, DAYS[0]).post_id == P01
    assert editor.cell_states()[(P01, DAYS[0], "D")].state == "met"
    assert len(editor.undo_stack) == undo_depth + 1  # one step, one undo
    editor.undo()
    assert editor.at(13, DAYS[0]) is None and editor.at(1, DAYS[0]).post_id == P01


def test_exchange_days_keeps_both_cells_covered(editor):
    # cadre 1: P01 D Mon–Sat; cadre 2: P01 D Sunday only. 1 takes Sunday, 2 takes Monday.
    editor.exchange_days(1, DAYS[0], 2, SUNDAY)
    assert editor.at(1, SUNDAY).post_id == P01 and editor.at(1, DAYS[0]) is None
    assert editor.at(2, DAYS[0]).post_id == P01 and editor.at(2, SUNDAY) is None
    states = editor.cell_states()
    assert states[(P01, DAYS[0], "D")].state == states[(P01, SUNDAY, "D")].state == "met"


def test_day_options_name_the_free_days_and_the_partners(editor):
    # cadre 2 works only P01's Sunday; on each other day cadre 1 has that cell and rests on
    # Sunday: an exchange with 1 keeps both days covered
    options = {o.day: o for o in editor.day_options(2, SUNDAY)}
    assert set(options) == set(DAYS[:6])
    assert all(o.free and o.partners == (1,) and o.short == 0 for o in options.values())
    # cadre 1 is on duty every day but Sunday: only Sunday is free
    assert [o.day for o in editor.day_options(1, DAYS[0]) if o.free] == [SUNDAY]


def test_post_options_put_short_posts_first_with_distance(editor):
    options = editor.post_options(2, SUNDAY)
    assert options[0].post_id == P03 and options[0].short == 1  # 北沟村's night gap
    assert P01 not in {o.post_id for o in options}  # where the duty is now
    assert all(o.km >= 0 for o in options)


def test_candidates_are_ranked_with_their_facts_and_consequences(editor):
    ranked = editor.ranked_candidates(P03, SUNDAY, "N", limit=16)
    ids = [c.cadre_id for c in ranked]
    assert ranked and not ranked[0].breaks and ranked[0].note.endswith("ok")
    breaking = [c for c in ranked if c.breaks]
    assert breaking and all(c.note.count("BREAKS") == 1 for c in breaking)
    first_breaking = ids.index(breaking[0].cadre_id)
    assert all(c.breaks for c in ranked[first_breaking:])  # consequences rank last
    assert 16 not in ids[:first_breaking]  # 胡彬 may not do nights: never a clean fit
    assert "km" in ranked[0].note and "d " in ranked[0].note  # distance and duties shown


def test_preview_saves_nothing(editor, db):
    version = editor.version
    change = editor.preview(lambda: editor.unassign(1, DAYS[0]))  # would be refused
    assert {a.cadre_id for a in set(change.before) - set(change.after)} == {1}
    assert editor.version == version == store.get_roster(db, MONDAY).version
    assert editor.at(1, DAYS[0]) is not None


def test_each_edit_is_audited_once_in_words(editor, db):
    before = len(store.audit_entries(db, limit=1000))
    editor.replace_cadre(1, DAYS[0], 13)
    entries = store.audit_entries(db, limit=1000)
    assert len(entries) == before + 1
    entry = entries[0]
    assert entry.action == "edit.replace"
    assert json.loads(entry.details)["edit"].startswith("replace 王金宝")
    text = readable_details(entry.details)
    assert text.startswith("replace 王金宝") and "week 2026-12-07" in text and "{" not in text


def test_changes_since_publishing_grouped_by_person_with_the_exports_texts(editor, db):
    assert since_published(db, MONDAY) is None  # not published: nobody told
    editor.publish()
    editor.replace_cadre(1, DAYS[0], 13)
    changes = since_published(db, MONDAY)
    assert changes.duties == 2
    by_id = {p.cadre_id: p for p in changes.people}
    assert set(by_id) == {1, 13}
    assert by_id[1].told and not by_id[13].told
    assert by_id[1].before and not by_id[1].after and by_id[13].after
    district = store.load_district(db)
    mine = [a for a in editor.assignments if a.cadre_id == 13]
    assert by_id[13].sms == sms_text(district.cadres[13], MONDAY, duties(district, mine), True)
    assert "王金宝" in changes.summary() and "孙悦" not in changes.summary()


def test_changes_list_is_written_as_one_csv(editor, db, tmp_path):
    editor.publish()
    editor.replace_cadre(1, DAYS[0], 13)
    path = write_changes(since_published(db, MONDAY), tmp_path / "out")
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [r["code"] for r in rows] == ["G0001", "G0013"]  # the told first
    assert rows[0]["already told"] == "yes" and "→" in rows[0]["change"]
    assert rows[1]["message"].startswith("孙悦同志")


def test_a_re_solve_s_changes_count_people_told(editor):
    editor.publish()
    proposed = [a for a in editor.assignments if a.cadre_id != 1]
    changes = changes_between(
        editor.district, MONDAY, editor.assignments, proposed, told=editor.published
    )
    assert [p.cadre_id for p in changes.told] == [1]
    assert changes.duties == 6


def test_rotation_table_marks_post_changes(db):
    district = store.load_district(db)
    editor = WeekEditor(db, district, MONDAY)
    nxt = MONDAY + (DAYS[1] - DAYS[0]) * 7
    moved = [a.__class__(a.date + (nxt - MONDAY), a.cadre_id, P04 if a.cadre_id == 1 else
             a.post_id, a.shift_code, False, "solver") for a in editor.assignments]  # fmt: skip
    store.save_roster(db, nxt, moved)
    mondays, rows = rotation_table(db, district, MONDAY, 2)
    assert mondays == [MONDAY, nxt]
    row = next(r for r in rows if r.cadre_id == 1)
    assert [c.post_id for c in row.cells] == [P01, P04]
    assert [c.moved for c in row.cells] == [False, True] and row.moves == 1
    night = next(r for r in rows if r.cadre_id == 3)  # P01 nights Mon–Sat
    assert night.cells[0].nights == 6 and night.cells[0].weekends == 1


def test_a_relief_s_stand_in_counts_as_told(editor, db):
    """A stand-in texted by a settled relief was told too: changing them again must say so."""
    editor.publish()
    stand_in = editor.at(1, DAYS[0]).__class__(DAYS[0], 13, P01, "D", False, "relief")
    rest = [a for a in editor.assignments if not (a.cadre_id == 1 and a.date == DAYS[0])]
    store.save_roster(db, MONDAY, [*rest, stand_in], expected_version=editor.version)
    changes = since_published(db, MONDAY)
    assert {p.cadre_id for p in changes.told} == {1, 13}
    editor.reload()
    proposed = [a for a in editor.assignments if a.cadre_id != 13]
    again = changes_between(
        editor.district, MONDAY, editor.assignments, proposed, told=editor.published,
        also_told={13},
    )  # fmt: skip
    assert [p.cadre_id for p in again.told] == [13]
