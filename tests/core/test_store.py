"""The store: schema, pragmas, migrations, converters and atomic roster saves."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster import store
from roster.domain import Assignment, Settings, week_days
from roster.figures import week_figures
from tests.factories import fill_small, make_db

MONDAY = dt.date(2026, 12, 7)


def test_new_database_has_every_spec_table_and_pragmas(tmp_path):
    path = tmp_path / "new.db"
    db = store.open_db(path)
    spec_tables = {
        "towns", "work_groups", "units", "posts", "shift_types", "demand", "cadres", "absences",
        "rosters", "assignments", "relief_requests", "audit", "settings",
    }  # fmt: skip
    assert spec_tables <= set(db.table_names())
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert db.execute("pragma busy_timeout").fetchone()[0] == store.BUSY_TIMEOUT_MS
    # personal data: no access for others
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o007 == 0


def test_spec_columns_exist(db):
    cols = {t: {c.name for c in db[t].columns} for t in db.table_names()}
    assert {"id", "code", "name", "kind", "town_id", "work_group_id", "lat", "lon", "compounds",
            "no_property", "no_security"} <= cols["posts"]  # fmt: skip
    assert {"id", "code", "name", "gender", "birth_date", "unit_id", "phone", "party_member",
            "home_lat", "home_lon", "transport", "max_commute_km", "night_ok",
            "status"} <= cols["cadres"]  # fmt: skip
    assert {"roster_id", "date", "cadre_id", "post_id", "shift_code", "locked",
            "source"} <= cols["assignments"]  # fmt: skip
    assert {"post_id", "shift_code", "weekday", "date", "required"} <= cols["demand"]


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "m.db"
    store.open_db(path)
    db = store.open_db(path)  # reopening must not re-run or fail
    assert [m.name for m in store.migrations.applied(db)] == [
        "m001_initial",
        "m002_coordinators",
        "m003_published_assignments",
        "m004_district_version",
        "m005_wishes",
    ]
    assert store.migrations.pending(db) == []


def test_open_without_create_refuses_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="roster init"):
        store.open_db(tmp_path / "absent.db", create=False)


def test_foreign_keys_are_enforced(db):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        db["posts"].insert(
            {"code": "X", "name": "x", "kind": "village", "town_id": 99, "work_group_id": 99,
             "lat": 0, "lon": 0}
        )  # fmt: skip


def test_load_district_converts_rows_to_domain_objects(db):
    fill_small(db)
    d = store.load_district(db)
    assert len(d.posts) == 2 and len(d.cadres) == 3
    cadre = d.cadres[1]
    assert cadre.name == "王金宝" and cadre.birth_date == dt.date(1970, 1, 1)
    assert cadre.party_member is True and d.cadres[2].party_member is False
    assert d.shifts["N"].crosses_midnight and d.shifts["N"].duration_minutes == 720
    # a dated demand row overrides the weekday row on that date only
    assert d.required(1, MONDAY, "D") == 0
    assert d.required(1, MONDAY + dt.timedelta(weeks=1), "D") == 2
    assert d.required(2, MONDAY + dt.timedelta(days=1), "N") == 1
    assert d.absent(3, MONDAY) and not d.absent(3, MONDAY + dt.timedelta(days=2))
    assert d.settings == Settings()


def test_settings_override_defaults(db):
    store.save_settings(db, {"min_rest_days": 2, "road_factor": 1.5})
    s = store.load_settings(db)
    assert s.min_rest_days == 2 and s.road_factor == 1.5 and s.max_consecutive_days == 6


def test_save_roster_replaces_assignments_and_bumps_version(db):
    fill_small(db)
    first = [Assignment(MONDAY, 1, 1, "D"), Assignment(MONDAY, 2, 1, "D", locked=True)]
    r1 = store.save_roster(db, MONDAY, first, stats={"objective": 5}, actor="tester")
    assert r1.version == 1 and r1.status == "draft" and r1.stats == {"objective": 5}
    assert r1.assignments == first
    r2 = store.save_roster(db, MONDAY, first[:1], actor="tester", expected_version=1)
    assert r2.version == 2 and r2.assignments == first[:1]
    actions = [e.action for e in store.audit_entries(db)]
    assert actions == ["solve.accept", "solve.accept"]


def test_stale_save_is_refused_and_writes_nothing(db):
    fill_small(db)
    store.save_roster(db, MONDAY, [Assignment(MONDAY, 1, 1, "D")], actor="a")
    with pytest.raises(store.StaleRoster, match=r"changed by a at \d\d-\d\d \d\d:\d\d"):
        store.save_roster(db, MONDAY, [], actor="b", expected_version=0)
    assert len(store.get_roster(db, MONDAY).assignments) == 1
    assert len(store.audit_entries(db)) == 1


def test_failed_save_rolls_back_everything(db):
    fill_small(db)
    store.save_roster(db, MONDAY, [Assignment(MONDAY, 1, 1, "D")], actor="a")
    bad = [Assignment(MONDAY, 2, 1, "D"), Assignment(MONDAY, 2, 2, "N")]  # two shifts a day
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        store.save_roster(db, MONDAY, bad, actor="a", expected_version=1)
    roster = store.get_roster(db, MONDAY)
    assert roster.version == 1 and roster.assignments == [Assignment(MONDAY, 1, 1, "D")]


def test_history_returns_only_earlier_weeks(db):
    fill_small(db)
    prev = MONDAY - dt.timedelta(weeks=1)
    store.save_roster(db, prev, [Assignment(prev + dt.timedelta(days=6), 1, 1, "D")], actor="a")
    store.save_roster(db, MONDAY, [Assignment(MONDAY, 2, 1, "D")], actor="a")
    hist = store.history(db, MONDAY)
    assert [a.cadre_id for a in hist] == [1]


def test_publish(db):
    fill_small(db)
    with pytest.raises(LookupError):
        store.publish_roster(db, MONDAY)
    store.save_roster(db, MONDAY, [], actor="a")
    store.publish_roster(db, MONDAY, actor="a")
    assert store.get_roster(db, MONDAY).status == "published"


def test_week_figures_count_absences_and_rest(db):
    fill_small(db)
    fig = week_figures(store.load_district(db), MONDAY)
    # demand: post 1 Monday D overridden to 0, post 2 Tuesday N = 1
    assert fig.demand == 1
    # cadres 1 and 2: 6 days each (one rest day); cadre 3 absent Mon–Tue: 5 free days
    assert fig.capacity == 6 + 6 + 5
    assert fig.absent_cadre_days == 2
    assert fig.demand_ratio == pytest.approx(1 / 17)


def test_the_app_loads_without_pandas_numpy_or_ortools_and_they_still_load_after():
    """The UI's start imports neither pandas nor numpy nor OR-Tools (0.6 s before the board
    shows); OR-Tools, imported later for the checks and the solver, must still get them."""
    code = (
        "import sys, roster.tui.app\n"
        "for name in ('pandas', 'numpy', 'ortools'):\n"
        "    assert name not in sys.modules, name + ' was imported with the app'\n"
        "import pandas, numpy, ortools.sat.python.cp_model\n"
        "assert pandas.DataFrame is not None and numpy.int64(1) == 1\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


_duty = st.tuples(
    st.integers(1, 16), st.integers(1, 4), st.integers(0, 6), st.sampled_from(["D", "N"]),
    st.booleans(),
)  # fmt: skip


def _roster_of(duties) -> list[Assignment]:
    days = week_days(MONDAY)
    seen, out = set(), []
    for cadre, post, day, shift, locked in duties:
        if (cadre, day) not in seen:
            seen.add((cadre, day))
            out.append(Assignment(days[day], cadre, post, shift, locked, "solver"))
    return out


@settings(max_examples=40, deadline=None)
@given(first=st.lists(_duty, max_size=40), second=st.lists(_duty, max_size=40))
def test_an_edit_saved_from_what_it_read_is_what_a_fresh_read_gives(first, second):
    """save_roster(previous=…) writes the difference and returns the week without reading
    it back: the rows, their order, the version, status and stats equal a fresh read."""
    with tempfile.TemporaryDirectory() as tmp:
        db = make_db(Path(tmp) / "s.db", with_roster=False)
        read = store.save_roster(db, MONDAY, _roster_of(first), stats={"k": (1, 2)})
        new = _roster_of(second + first)  # some kept, some moved, some new, some gone
        saved = store.save_roster(
            db, MONDAY, new, stats={"edited": True}, expected_version=read.version,
            previous=read.assignments,
        )  # fmt: skip
        fresh = store.get_roster(db, MONDAY)
        assert saved == fresh
        assert sorted(map(repr, fresh.assignments)) == sorted(map(repr, new))


def test_the_write_lock_note_names_the_command_after_roster_s_own_options():
    from roster.store import _command_word

    assert _command_word(["--db", "x.db", "--lang", "zh", "solve", "--week", "2026-12-07"]) == [
        "solve"
    ]
    assert _command_word(["--debug", "relief", "G0001"]) == ["relief"]
    assert _command_word(["--db=x.db"]) == []  # the UI
