"""A process killed half-way through a write leaves the database as it was (SPEC §8)."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roster import store
from roster.demo import load_demo
from tests.test_store import MONDAY

ROSTER = [sys.executable, "-m", "roster"]


def snapshot(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return {t: con.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    finally:
        con.close()


def kill_when_busy(args: list[str], started: callable, timeout: float = 60.0) -> int:
    """Start `args`, wait until `started()` is true (the write is under way), then SIGKILL."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    wal = Path(f"{demo_db}-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    marker = {"t": None}

    def under_way() -> bool:
        # the importer has opened the database and begun writing: give it a moment inside
        # its transaction, then strike
        if marker["t"] is None and wal.exists() and wal.stat().st_size != wal_size:
            marker["t"] = time.monotonic()
        return marker["t"] is not None and time.monotonic() - marker["t"] > 0.3

    args = [*ROSTER, "import", "cadres", str(big), "--db", str(demo_db)]
    code = kill_when_busy(args, lambda: under_way() or _elapsed(marker, 3.0))
    assert code == -signal.SIGKILL, "the import finished before it could be killed"
    assert snapshot(demo_db) == before


def _elapsed(marker: dict, seconds: float) -> bool:
    start = marker.setdefault("start", time.monotonic())
    return time.monotonic() - start > seconds
