"""Wishes and unit quotas as data: the import files (all or nothing, line and column),
the demo's wishes, and adding, removing and editing from the app's core, audited and
within the coordinator's towns."""

from __future__ import annotations

import datetime as dt

import pytest

from roster import store
from roster.access import NotAllowed, access_for, add_user
from roster.importer import ImportFailed, import_file
from roster.wishes import (
    CadreEdit,
    WishError,
    add_wish,
    edit_cadre,
    find_cadre,
    remove_wish,
    roster_breaches,
)
from tests.factories import MONDAY

WISHES = """cadre,kind,date,weekday,until,shift,weight,note
G0001,unavailable,,1-7,,N,,临近退休，不排夜班
G0002,avoid,,"6,7",,,,
G0003,prefer,2026-12-07,,2026-12-13,D,8,白班
G0004,unavailable,2026-12-09,,,,,出庭
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_wishes_file_lands_and_reimport_updates(small_db, tmp_path):
    path = write(tmp_path, "wishes.csv", WISHES)
    report = import_file(small_db, "wishes", path)
    assert report.inserted("wishes") == 4
    wishes = store.wishes(small_db)
    assert [(w.kind, w.weekdays, w.shift) for w in wishes] == [
        ("unavailable", (1, 2, 3, 4, 5, 6, 7), "N"),
        ("avoid", (6, 7), ""),
        ("prefer", (), "D"),
        ("unavailable", (), ""),
    ]
    assert wishes[2].weight == 8 and wishes[2].until == dt.date(2026, 12, 13)
    again = import_file(small_db, "wishes", path)
    assert again.updated("wishes") == 4 and len(store.wishes(small_db)) == 4
    d = store.load_district(small_db)
    assert d.unavailable(1, MONDAY, "N") and not d.unavailable(1, MONDAY, "D")
    assert d.unavailable(4, dt.date(2026, 12, 9))


@pytest.mark.parametrize(
    "row, column, words",
    [
        ("G9999,avoid,2026-12-07,,,,,", "cadre", "unknown cadre code"),
        ("G0001,maybe,2026-12-07,,,,,", "kind", "is not one of"),
        ("G0001,avoid,,,,,,", "date", "weekday"),
        ("G0001,avoid,,8,,,,", "weekday", "is not a list of weekdays"),
        ("G0001,avoid,2026-12-09,,2026-12-08,,,", "until", "before it starts"),
        ("G0001,unavailable,2026-12-09,,,,5,", "weight", "takes no weight"),
        ("G0001,avoid,2026-12-09,,,X,,", "shift", "unknown shift code"),
        ("G0001,avoid,2026-02-30,,,,,", "date", "not a real date"),
    ],
)
def test_bad_wish_rows_are_refused_with_line_and_column(small_db, tmp_path, row, column, words):
    text = WISHES + row + "\n"
    with pytest.raises(ImportFailed) as e:
        import_file(small_db, "wishes", write(tmp_path, "wishes.csv", text))
    (problem,) = e.value.problems
    assert (problem.line, problem.column) == (6, column)
    assert words in problem.message
    assert store.wishes(small_db) == []  # all or nothing


def test_unit_days_file_and_its_checks(small_db, tmp_path):
    good = "unit,weekday,date,max_cadres,note\n区教委,3,,2,教研日\n区财政局,,2026-12-09,0,\n"
    import_file(small_db, "unit_days", write(tmp_path, "unit_days.csv", good))
    d = store.load_district(small_db)
    assert d.unit_quota(2, dt.date(2026, 12, 9)) == 2
    assert d.unit_quota(3, dt.date(2026, 12, 9)) == 0
    assert d.unit_quota(3, dt.date(2026, 12, 16)) is None
    bad = "unit,weekday,date,max_cadres\n区教委,2,2026-12-09,1\n区教委,,,-1\n"
    with pytest.raises(ImportFailed) as e:
        import_file(small_db, "unit_days", write(tmp_path, "unit_days2.csv", bad))
    assert [(p.line, p.column) for p in e.value.problems] == [
        (2, "weekday"),
        (3, "weekday"),
        (3, "max_cadres"),
    ]


def test_demo_ships_wishes_with_the_no_nights_cadre(tmp_path):
    from roster.demo import load_demo

    db = store.open_db(tmp_path / "demo.db")
    load_demo(db, dt.date(2026, 12, 2))
    d = store.load_district(db)
    (tian,) = [c for c in d.cadres.values() if "临近退休，不排夜班" in c.notes]
    nights = [w for w in d.wishes_of(tian.id) if w.kind == "unavailable" and w.shift == "N"]
    assert nights and nights[0].weekdays == (1, 2, 3, 4, 5, 6, 7)
    assert {w.kind for w in d.wishes} == {"unavailable", "avoid", "prefer"}
    assert d.unit_days


# --- the app's core: add, remove, edit ---------------------------------------------------


def test_add_and_remove_a_wish_are_audited(small_db):
    access = access_for(small_db, "chief")
    cadre = find_cadre(small_db, "G0001")
    version = store.district_version(small_db)
    w = add_wish(small_db, access, cadre, "avoid", weekdays=(6, 7), note="家事")
    assert store.wishes(small_db, cadre.id) == [w]
    # a wish is part of the district: solves, edits and open windows see it changed
    assert store.district_version(small_db) == version + 1
    remove_wish(small_db, access, w.id)
    assert store.wishes(small_db) == []
    assert store.district_version(small_db) == version + 2
    actions = [e.action for e in store.audit_entries(small_db, limit=5)]
    assert actions[:2] == ["wish.remove", "wish.add"]


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"kind": "maybe", "date": MONDAY}, "not a kind"),
        ({"kind": "avoid"}, "say when"),
        ({"kind": "avoid", "date": MONDAY, "until": MONDAY - dt.timedelta(1)}, "before"),
        ({"kind": "unavailable", "date": MONDAY, "weight": 3}, "no weight"),
        ({"kind": "avoid", "date": MONDAY, "shift": "X"}, "unknown shift"),
    ],
)
def test_bad_wishes_are_refused_and_nothing_is_written(small_db, kwargs, words):
    cadre = find_cadre(small_db, "G0001")
    kind = kwargs.pop("kind")
    with pytest.raises(WishError, match=words):
        add_wish(small_db, access_for(small_db, "chief"), cadre, kind, **kwargs)
    assert store.wishes(small_db) == []


def test_town_scope_is_respected(small_db, frozen_clock):
    import pendulum

    frozen_clock(pendulum.datetime(2026, 12, 3, 10, tz="Asia/Shanghai"))
    chief = access_for(small_db, "chief")
    add_user(small_db, "chief", "district", [], chief)
    add_user(small_db, "li", "town", ["龙山街道"], access_for(small_db, "chief"))
    li = access_for(small_db, "li")
    # cadre 1 serves at 龙山社区 (town 1), cadre 7 at 北沟村 (town 2)
    add_wish(small_db, li, find_cadre(small_db, "G0001"), "avoid", weekdays=(7,))
    with pytest.raises(NotAllowed):
        add_wish(small_db, li, find_cadre(small_db, "G0007"), "avoid", weekdays=(7,))
    with pytest.raises(NotAllowed):
        edit_cadre(small_db, li, find_cadre(small_db, "G0007"), CadreEdit(phone="13900000000"))
    assert store.audit_entries(small_db, limit=1)[0].action == "refused"
    inspector = access_for(small_db, "nobody")
    with pytest.raises(NotAllowed):
        add_wish(small_db, inspector, find_cadre(small_db, "G0001"), "avoid", weekdays=(7,))


def test_edit_cadre_facts_audited_and_checked(small_db):
    access = access_for(small_db, "chief")
    cadre = find_cadre(small_db, "G0001")
    version = store.district_version(small_db)
    new = edit_cadre(
        small_db, access, cadre,
        CadreEdit(phone="13912345678", transport="e-bike", night_ok=False, notes="腿伤"),
    )  # fmt: skip
    assert (new.phone, new.transport, new.max_commute_km, new.night_ok, new.notes) == (
        "13912345678", "e-bike", 25.0, False, "腿伤",
    )  # fmt: skip
    stored = store.load_district(small_db).cadres[cadre.id]
    assert stored == new
    assert store.district_version(small_db) == version + 1
    entry = store.audit_entries(small_db, limit=1)[0]
    assert entry.action == "cadre.edit" and '"phone": "13800000001"' in entry.details
    for bad in (CadreEdit(phone="call me"), CadreEdit(transport="horse"),
                CadreEdit(max_commute_km=0), CadreEdit(status="asleep")):  # fmt: skip
        with pytest.raises(WishError):
            edit_cadre(small_db, access, new, bad)
    assert store.load_district(small_db).cadres[cadre.id] == new


def test_edits_that_break_the_roster_list_the_cells_to_fix(small_db, frozen_clock):
    import pendulum

    frozen_clock(pendulum.datetime(2026, 12, 3, 10, tz="Asia/Shanghai"))
    access = access_for(small_db, "chief")
    cadre = find_cadre(small_db, "G0004")  # works 龙山社区's Sunday night
    assert roster_breaches(small_db, cadre.id) == []
    edit_cadre(small_db, access, cadre, CadreEdit(night_ok=False))
    add_wish(small_db, access, cadre, "unavailable", date=MONDAY + dt.timedelta(days=6))
    found = roster_breaches(small_db, cadre.id)
    assert {(b.rule, b.date, b.post_id, b.shift_code) for _, b in found} == {
        ("night", MONDAY + dt.timedelta(days=6), 1, "N"),
        ("unavailable", MONDAY + dt.timedelta(days=6), 1, "N"),
    }


def test_a_wish_s_time_kept_in_english_by_the_audit_is_shown_in_chinese(chinese):
    from roster.domain import Wish, readable_details, shown_when

    wish = Wish(0, 0, "avoid", weekdays=(6, 7), shift="N", date=dt.date(2026, 3, 1))
    assert wish.describe() == "Sat, Sun shift N from 2026-03-01"
    assert shown_when(wish.describe()) == wish.label() == "周六、周日 班次 N 自 2026-03-01"
    details = '{"cadre": "G0004", "kind": "avoid", "when": "Sun"}'
    assert readable_details(details) == "干部 G0004 · 类别 尽量不排 · 时间 周日"
    assert shown_when("Sundays, mostly") == "Sundays, mostly"  # not one of its own: as it is
