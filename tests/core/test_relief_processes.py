"""Relief applied by real processes on one demo database: two coordinators settling at
once, and a process killed while it writes.

The processes run `roster relief … --apply 1` with `apply_option` held at a barrier: each
has computed its options on the same roster version before either writes, so the race is
the same on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roster import store
from roster.demo import load_demo
from tests.core.killed import KILLED_IN_WRITE

MONDAY = dt.date(2026, 12, 7)
TUESDAY = MONDAY + dt.timedelta(days=1)
ROSTER = [sys.executable, "-m", "roster"]

# `roster …` whose apply_option waits, once its options are computed, for the file GO;
# it touches READY when it gets there.
AT_THE_BARRIER = """
import pathlib, sys, time
GO, READY = pathlib.Path(sys.argv.pop(1)), pathlib.Path(sys.argv.pop(1))
from roster import relief
real = relief.apply_option
def at_the_barrier(*args, **kwargs):
    READY.touch()
    deadline = time.monotonic() + 60
    while not GO.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return real(*args, **kwargs)
relief.apply_option = at_the_barrier
from roster.cli import main
sys.argv[0] = "roster"
main()
"""


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    from roster.solver import solve_week

    path = tmp_path_factory.mktemp("relief_processes") / "solved.db"
    db = store.open_db(path)
    load_demo(db, MONDAY)
    result = solve_week(store.load_district(db), MONDAY, time_limit=10)
    store.save_roster(db, MONDAY, result.assignments, actor="setup")
    db.close()
    return path


@pytest.fixture
def path(solved, tmp_path) -> Path:
    """A copy of the solved demo database of the module, for one test."""
    copy = tmp_path / "week.db"
    src, dst = sqlite3.connect(solved), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return copy


def relief_args(path: Path, code: str, day: dt.date) -> list[str]:
    return ["relief", code, "--from", str(day), "--to", str(day), "--reason", "sick",
            "--apply", "1", "--db", str(path)]  # fmt: skip


def race(path: Path, tmp_path: Path, runs: list[tuple[str, str]]) -> list:
    """Start `roster relief CODE --apply 1` for each (actor, cadre code) at once, let them
    all compute their options, then let them write together. Returns the finished
    processes."""
    go = tmp_path / "go"
    procs, ready = [], []
    for i, (actor, code) in enumerate(runs):
        flag = tmp_path / f"ready{i}"
        env = {**os.environ, "ROSTER_USER": actor}
        args = [sys.executable, "-c", AT_THE_BARRIER, str(go), str(flag),
                *relief_args(path, code, TUESDAY)]  # fmt: skip
        procs.append(subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))  # fmt: skip
        ready.append(flag)
    deadline = time.monotonic() + 120
    while not all(f.exists() for f in ready) and time.monotonic() < deadline:
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.02)
    go.touch()
    for p in procs:
        p.out, p.err = p.communicate(timeout=120)
    return procs


def requests(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("select cadre_id, status from relief_requests order by id").fetchall()
    finally:
        con.close()


def week_checks_clean(path: Path) -> bool:
    args = [*ROSTER, "check", "--week", str(MONDAY), "--db", str(path)]
    return subprocess.run(args, capture_output=True).returncode == 0


def on_duty_tuesday(path: Path) -> list[tuple[str, int, int]]:
    """(code, cadre id, town id) of the cadres on duty on Tuesday, by code."""
    db = store.open_db(path, create=False)
    try:
        district = store.load_district(db)
        roster = store.get_roster(db, MONDAY)
        out = {
            a.cadre_id: (
                district.cadres[a.cadre_id].code,
                a.cadre_id,
                district.posts[a.post_id].town_id,
            )  # fmt: skip
            for a in roster.assignments
            if a.date == TUESDAY
        }
        return sorted(out.values())
    finally:
        db.close()


def test_two_applies_for_the_same_absence_one_wins_the_other_is_told_who(path, tmp_path):
    code, who, _town = on_duty_tuesday(path)[0]
    zhang, li = race(path, tmp_path, [("zhang", code), ("li", code)])
    won, lost = (zhang, li) if zhang.returncode == 0 else (li, zhang)
    assert won.returncode == 0, won.err
    assert lost.returncode == 1
    winner = "zhang" if won is zhang else "li"
    assert f"was changed by {winner}" in lost.err and " at " in lost.err
    assert "compute the options again" in lost.err
    assert "Traceback" not in lost.err
    # one request, settled by the winner; the loser left none open
    assert requests(path) == [(who, "settled")]
    assert week_checks_clean(path)


def test_two_applies_for_absences_in_other_towns_both_go_through(path, tmp_path):
    """The second writer's week changed under it, but at other people and cells: its
    relief is made on top of the first one's, as the editor does with edits."""
    first = on_duty_tuesday(path)[0]
    second = next(c for c in on_duty_tuesday(path) if c[2] != first[2])
    zhang, li = race(path, tmp_path, [("zhang", first[0]), ("li", second[0])])
    assert zhang.returncode == 0, zhang.err
    assert li.returncode == 0, li.err
    rebased = [p for p in (zhang, li) if "made on top of" in p.out]
    assert len(rebased) == 1
    other = "li" if rebased[0] is zhang else "zhang"
    assert f"made on top of {other}" in rebased[0].out
    assert sorted(requests(path)) == sorted([(first[1], "settled"), (second[1], "settled")])
    db = store.open_db(path, create=False)
    roster = store.get_roster(db, MONDAY)
    db.close()
    on_tuesday = {a.cadre_id for a in roster.assignments if a.date == TUESDAY}
    assert first[1] not in on_tuesday and second[1] not in on_tuesday  # both relieved
    assert week_checks_clean(path)


def test_a_relief_killed_while_writing_leaves_no_open_request(path):
    """Killed inside its write (the absence row just inserted, the roster's rows written
    before it): nothing is left, not even the request, which is recorded in the same
    transaction as the settlement."""
    code, _who, _town = on_duty_tuesday(path)[0]
    con = sqlite3.connect(path)
    before = (con.execute("select version from rosters").fetchall(),
              con.execute("select count(*) from absences").fetchone())  # fmt: skip
    con.close()
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_IN_WRITE, "absences", *relief_args(path, code, TUESDAY)],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert requests(path) == []
    con = sqlite3.connect(path)
    after = (con.execute("select version from rosters").fetchall(),
             con.execute("select count(*) from absences").fetchone())  # fmt: skip
    con.close()
    assert after == before
    # the same command, not killed, settles it
    out = subprocess.run([*ROSTER, *relief_args(path, code, TUESDAY)], capture_output=True)
    assert out.returncode == 0, out.stderr
    assert [s for _c, s in requests(path)] == ["settled"]


def test_what_the_apply_printed_is_what_the_changed_only_sms_export_writes(path, tmp_path):
    code, _who, _town = on_duty_tuesday(path)[0]
    out = subprocess.run([*ROSTER, *relief_args(path, code, TUESDAY), "--json"],
                         capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 0, out.stderr
    messages = json.loads(out.stdout)["applied"]["messages"]
    export = [*ROSTER, "export", "--week", str(MONDAY), "--by", "cadre", "--format", "sms",
              "--changed-only", "--out", str(tmp_path / "sms"), "--db", str(path)]  # fmt: skip
    assert subprocess.run(export, capture_output=True).returncode == 0
    [written] = (tmp_path / "sms").glob("sms-changed-*.csv")
    with open(written, encoding="utf-8-sig") as f:
        rows = [(r["phone"], r["cadre_name"], r["message"]) for r in csv.DictReader(f)]
    assert rows == [(m["phone"], m["name"], m["text"]) for m in messages]
    assert any("联系人：" in m["text"] for m in messages)
