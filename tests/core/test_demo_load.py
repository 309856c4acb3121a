"""Loading the bundled demo district (data/) into a fresh database.

Nothing here is skipped: if data/ is missing or broken, these tests fail.
"""

from __future__ import annotations

import datetime as dt

import pytest

from roster import store
from roster.clock import today as today_in_shanghai
from roster.demo import demo_data_dir, load_demo
from roster.domain import week_start
from roster.importer import ImportFailed
from roster.store import open_db

TODAY = dt.date(2026, 3, 4)  # a Wednesday; its week starts on Monday 2026-03-02


@pytest.fixture
def demo_db(tmp_path):
    db = open_db(tmp_path / "demo.db")
    load_demo(db, TODAY, actor="test")
    return db


def test_demo_data_dir_is_the_repo_data_folder(monkeypatch):
    monkeypatch.delenv("ROSTER_DEMO_DATA", raising=False)
    folder = demo_data_dir()
    assert folder.name == "data" and (folder.parent / "roster" / "demo.py").is_file()
    for name in ("towns", "units", "shifts", "posts", "demand", "cadres", "demo_absences"):
        assert (folder / f"{name}.csv").is_file(), name


def test_demo_counts(demo_db):
    c = store.counts(demo_db)
    assert c["cadres"] == 808
    assert c["posts"] == 318 and c["villages"] == 283 and c["communities"] == 35
    assert c["work_groups"] == 17
    assert c["compounds"] == 305
    assert c["compounds_no_property"] == 43
    assert c["compounds_no_security"] == 244
    assert c["towns"] == 16
    assert c["absences"] > 0
    audit = store.audit_entries(demo_db)
    assert len(audit) == 1 and audit[0].action == "import" and '"demo": true' in audit[0].details


def test_demo_absences_fall_in_this_and_the_next_two_weeks(demo_db):
    monday = week_start(TODAY)
    rows = demo_db.execute("select start_date, end_date, kind from absences").fetchall()
    assert rows
    for start, end, _ in rows:
        start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        assert monday <= start <= end <= monday + dt.timedelta(days=20)
    kinds = {kind for *_, kind in rows}
    assert {"sick", "family", "training", "recalled"} <= kinds


def test_one_cadre_recalled_by_the_recall_absence(demo_db):
    recalled = demo_db.execute("select id from cadres where status = 'recalled'").fetchall()
    assert len(recalled) == 1
    recall = demo_db.execute("select cadre_id from absences where kind = 'recalled'").fetchall()
    assert recall == recalled


def test_demo_loads_as_domain_objects(demo_db):
    district = store.load_district(demo_db)
    assert len(district.cadres) == 808 and len(district.posts) == 318
    assert sum(1 for c in district.cadres.values() if c.status == "recalled") == 1


def test_absences_follow_today_and_reloading_updates(tmp_path):
    db = open_db(tmp_path / "demo.db")
    load_demo(db, dt.date(2026, 3, 8))  # a Sunday: still the week of 2026-03-02
    first = db.execute("select min(start_date) from absences").fetchone()[0]
    assert dt.date.fromisoformat(first) >= dt.date(2026, 3, 2)
    before = store.counts(db)
    report = load_demo(db, dt.date(2026, 3, 2))  # same week: every row is an update
    assert store.counts(db) == before
    assert report.total_inserted == 0 and report.updated("cadres") == 808


def test_default_today_is_shanghai_today(tmp_path):
    db = open_db(tmp_path / "demo.db")
    load_demo(db)
    monday = week_start(today_in_shanghai())
    first = db.execute("select min(start_date) from absences").fetchone()[0]
    assert monday <= dt.date.fromisoformat(first) <= monday + dt.timedelta(days=20)


def test_demo_data_dir_override(tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_DEMO_DATA", str(tmp_path / "nowhere"))
    assert demo_data_dir() == tmp_path / "nowhere"
    db = open_db(tmp_path / "demo.db")
    with pytest.raises(ImportFailed, match="1 problem"):
        load_demo(db, TODAY)
    assert store.counts(db)["cadres"] == 0


def test_broken_demo_absences_write_nothing(tmp_path, monkeypatch):
    src = demo_data_dir()
    folder = tmp_path / "data"
    folder.mkdir()
    for f in src.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    with open(folder / "demo_absences.csv", "a", encoding="utf-8") as f:
        f.write("NOBODY,1,0,sick,\n")
    monkeypatch.setenv("ROSTER_DEMO_DATA", str(folder))
    db = open_db(tmp_path / "demo.db")
    with pytest.raises(ImportFailed) as info:
        load_demo(db, TODAY)
    assert {(p.file, p.column) for p in info.value.problems} == {
        ("demo_absences.csv", "end_day"),
        ("demo_absences.csv", "cadre"),
    }
    assert store.counts(db)["cadres"] == 0
