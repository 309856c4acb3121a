"""A process killed half-way through a write leaves the database as it was."""

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
from tests.factories import MONDAY

ROSTER = [sys.executable, "-m", "roster"]


def snapshot(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return {t: con.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    finally:
        con.close()


def kill_when_busy(
    args: list[str], started: callable, timeout: float = 60.0, env: dict | None = None
) -> int:
    """Start `args`, wait until `started()` is true (the write is under way), then SIGKILL."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + timeout
    while not started() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "demo.db"
    db = store.open_db(path)
    load_demo(db, MONDAY)
    db.close()
    return path


def test_import_killed_half_way_writes_nothing(demo_db, tmp_path):
    big = tmp_path / "cadres.csv"
    with open(big, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "gender", "birth_date", "unit", "phone", "party_member",
                    "home_lat", "home_lon", "transport"])  # fmt: skip
        for i in range(120_000):
            w.writerow([f"K{i:06}", f"测试{i}", "F", "1980-01-01", "区司法局", "13800000000",
                        1, 40.3, 116.6, "bus"])  # fmt: skip
    before = snapshot(demo_db)
    scratch = tmp_path / "scratch"  # the import's private staging copy is made here
    scratch.mkdir()
    marker = {"t": None}

    def under_way() -> bool:
        # the importer is writing the rows into its staging copy: give it a moment, then
        # strike (the live database is written only at the end, in one short transaction)
        staged = list(scratch.glob("roster-import-*/stage.db"))
        if marker["t"] is None and staged and staged[0].stat().st_size > 0:
            marker["t"] = time.monotonic()
        return marker["t"] is not None and time.monotonic() - marker["t"] > 0.3

    args = [*ROSTER, "import", "cadres", str(big), "--db", str(demo_db)]
    env = {**os.environ, "TMPDIR": str(scratch)}
    code = kill_when_busy(args, lambda: under_way() or _elapsed(marker, 3.0), env=env)
    assert code == -signal.SIGKILL, "the import finished before it could be killed"
    assert snapshot(demo_db) == before
    # inside its one write transaction: every row copied in, not yet committed
    killed = subprocess.run(
        [sys.executable, "-c", KILL_IN_IMPORT_WRITE, "import", "cadres", str(big), "--db",
         str(demo_db)], capture_output=True, timeout=300, env=env,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert snapshot(demo_db) == before
    # the next import clears what the killed ones left in the temporary folder
    left = set(scratch.glob("roster-import-*"))
    assert left
    small = tmp_path / "one.csv"
    with open(big, encoding="utf-8") as f:
        small.write_text("".join(next(f) for _ in range(2)), encoding="utf-8")
    done = subprocess.run([*ROSTER, "import", "cadres", str(small), "--db", str(demo_db)],
                          capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not set(scratch.glob("roster-import-*"))


# The import SIGKILLs itself inside its write transaction, once every row is in.
KILL_IN_IMPORT_WRITE = """
import os, signal, sys
from roster import store
def bump_then_die(db, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
store.bump_district = bump_then_die
from roster.cli import main
sys.argv[0] = "roster"
main()
"""


def _elapsed(marker: dict, seconds: float) -> bool:
    start = marker.setdefault("start", time.monotonic())
    return time.monotonic() - start > seconds


def run_killed_in_write(table: str, *args: str) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_IN_WRITE, table, *args],
        capture_output=True,
        timeout=120,
    )
    return proc.returncode


def test_solve_killed_while_saving_leaves_the_database_as_it_was(demo_db):
    before = snapshot(demo_db)
    code = run_killed_in_write(
        "assignments", "solve", "--week", MONDAY.isoformat(), "--db", str(demo_db),
        "--time-limit", "5",
    )  # fmt: skip
    assert code == -signal.SIGKILL, "the solve was not killed while writing its roster"
    assert snapshot(demo_db) == before
    # and the database still works: the same solve now saves and checks clean
    args = ["solve", "--week", MONDAY.isoformat(), "--db", str(demo_db), "--time-limit", "5"]
    assert subprocess.run([*ROSTER, *args], capture_output=True).returncode == 0
    check = [*ROSTER, "check", "--week", MONDAY.isoformat(), "--db", str(demo_db), "--json"]
    out = subprocess.run(check, capture_output=True, text=True)
    # on a loaded machine a 5 s solve may leave a slot unmet; any other breach is a bug
    assert {b["rule"] for b in json.loads(out.stdout)["breaches"]} <= {"coverage"}


# --- relief: `roster relief ... --apply 1` killed inside its one transaction --------------------


@pytest.fixture(scope="module")
def solved_db(tmp_path_factory) -> Path:
    from roster.solver import solve_week

    path = tmp_path_factory.mktemp("kill_relief") / "solved.db"
    db = store.open_db(path)
    load_demo(db, MONDAY)
    result = solve_week(store.load_district(db), MONDAY, time_limit=10)
    store.save_roster(db, MONDAY, result.assignments)
    db.close()
    return path


def relief_state(path: Path) -> tuple:
    """What relief changes, without timestamps: roster version, the assignments, requests,
    absences and the number of audit rows."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        return (
            con.execute("select version from rosters").fetchall(),
            con.execute(
                "select date, cadre_id, post_id, shift_code, locked, source from assignments "
                "order by date, cadre_id"
            ).fetchall(),
            con.execute("select id, status from relief_requests order by id").fetchall(),
            con.execute("select * from absences order by id").fetchall(),
            con.execute("select count(*) from audit").fetchone(),
        )
    finally:
        con.close()


def test_relief_apply_killed_mid_write_writes_nothing(solved_db):
    """`roster relief CADRE ... --apply 1` SIGKILLs itself right after inserting the absence
    row: the roster's changed rows are written by then, the request not yet settled. The
    database is as it was; the same command then applies and the week checks clean."""
    from roster import relief

    db = store.open_db(solved_db)
    roster = store.get_roster(db, MONDAY)
    tuesday = MONDAY + dt.timedelta(days=1)
    who = next(a for a in roster.assignments if a.date == tuesday).cadre_id
    code = store.load_district(db).cadres[who].code
    relief.record_request(db, who, tuesday, tuesday, "sick")  # the command finds it open
    db.close()
    before = relief_state(solved_db)
    args = ["relief", code, "--from", str(tuesday), "--to", str(tuesday), "--apply", "1",
            "--db", str(solved_db)]  # fmt: skip
    assert run_killed_in_write("absences", *args) == -signal.SIGKILL, "not killed mid-write"
    assert relief_state(solved_db) == before
    assert subprocess.run([*ROSTER, *args], capture_output=True).returncode == 0
    after = relief_state(solved_db)
    assert after[0] != before[0] and after[2][-1][1] == "settled"
    check = [*ROSTER, "check", "--week", MONDAY.isoformat(), "--db", str(solved_db)]
    assert subprocess.run(check, capture_output=True).returncode == 0
