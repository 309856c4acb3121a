"""Faults a user meets, injected into each command: a database another process holds
(BEGIN IMMEDIATE), a full disk, a read-only file or folder, a damaged file, a file that is
not a roster database or comes from a newer roster. Each command either works (a read that
needs no write) or says what to do in one line, exits non-zero, shows no traceback, and
leaves the database as it was. The busy waits are shortened through the environment.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from roster import store
from tests.factories import MONDAY, make_db

NEXT = MONDAY + dt.timedelta(weeks=1)
ROSTER = [sys.executable, "-m", "roster"]
FAST = {"ROSTER_BUSY_TIMEOUT_MS": "100", "ROSTER_BUSY_WAIT_SECONDS": "0.5"}

# command line (without --db) -> whether it writes
COMMANDS = {
    "solve": (["solve", "--week", NEXT.isoformat(), "--time-limit", "1"], True),
    "publish": (["publish", "--week", MONDAY.isoformat()], True),
    "import": (["import", "absences", "{absences}"], True),
    "recall": (["recall", "G0013", "--from", MONDAY.isoformat()], True),
    "status": (["status", "--week", MONDAY.isoformat()], False),
    "check": (["check", "--week", MONDAY.isoformat()], False),
}


@pytest.fixture
def folder():
    """A folder another user could be given access to (pytest's own are private)."""
    path = Path(tempfile.mkdtemp(prefix="roster-faults-"))
    path.chmod(0o755)
    yield path
    for p in [path, *path.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def path(folder) -> Path:
    db_path = folder / "shared.db"
    db = make_db(db_path)
    db.execute("pragma wal_checkpoint(truncate)")
    db.close()
    (folder / "absences.csv").write_text(
        "cadre,start_date,end_date,kind\nG0014,2026-12-08,2026-12-09,sick\n", encoding="utf-8"
    )
    for p in folder.iterdir():
        p.chmod(0o644)
    return db_path


def content(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def run(name: str, path: Path, *, env=None, preexec=None) -> subprocess.CompletedProcess:
    args, _writes = COMMANDS[name]
    args = [a.replace("{absences}", str(path.parent / "absences.csv")) for a in args]
    return subprocess.run(
        [*ROSTER, *args, "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **FAST, **(env or {})},
        preexec_fn=preexec,
    )


def assert_clean_refusal(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("waiting:")]
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- busy ------------------------------------------------------------------------------


HOLD = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(10)
"""


@pytest.fixture
def held(path):
    """Another process holds the write lock (BEGIN IMMEDIATE) for 10 s."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "holding"
    yield proc
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_held_database(name, path, held):
    before = content(path)
    done = run(name, path)
    if COMMANDS[name][1]:
        assert_clean_refusal(done, "busy", "try again")
    else:
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr  # reads go on
        assert "busy" not in done.stderr
    held.kill()
    held.wait()
    assert content(path) == before


def test_a_writer_waits_for_a_short_hold_and_names_a_roster_holder(path):
    """A roster process that holds the lock is named while others wait; once it lets go
    the waiting command goes through."""
    hold = (
        "import sys, time\nfrom roster import store\n"
        "db = store.open_db(sys.argv[1], create=False)\n"
        "with db.atomic():\n    print('holding', flush=True)\n    sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    login = pwd.getpwuid(os.getuid()).pw_name  # the holder is named as the OS knows it
    try:
        assert holder.stdout.readline().strip() == "holding"
        refused = run("publish", path)
        assert_clean_refusal(refused, login, "busy")
        waiting = subprocess.Popen(
            [*ROSTER, "publish", "--week", MONDAY.isoformat(), "--db", str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "ROSTER_BUSY_TIMEOUT_MS": "100", "ROSTER_BUSY_WAIT_SECONDS": "120"},
        )  # fmt: skip
        assert waiting.stderr.readline().startswith(f"waiting: {login}")
        holder.stdin.write("\n")
        holder.stdin.flush()
        out, _err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0 and "published" in out
    finally:
        holder.kill()
        holder.wait()


# --- disk full -------------------------------------------------------------------------


def _small_files() -> None:
    """In the child: no file may grow past 64 KiB, and writing past it fails with EFBIG
    instead of killing the process (a full disk where a small file system cannot be made)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))


@contextlib.contextmanager
def full_disk(path: Path):
    """The database on a small file system filled to the last byte (root: a tmpfs), with
    a connection of another process's kind open as on a shared disk (so its -wal and -shm
    exist); else a file-size limit in the command's process. Yields (db path, preexec)."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    disk = path.parent / "disk"
    disk.mkdir()
    made = (
        os.geteuid() == 0
        and mount
        and subprocess.run(
            [mount, "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True
        ).returncode
        == 0
    )
    if not made:
        yield path, _small_files
        return
    keeper = None
    try:
        db_path = disk / path.name
        shutil.copy(path, db_path)
        shutil.copy(path.parent / "absences.csv", disk / "absences.csv")
        keeper = sqlite3.connect(db_path)
        keeper.execute("select count(*) from rosters").fetchone()
        with open(disk / "filler", "wb", buffering=0) as filler:
            with contextlib.suppress(OSError):
                while True:
                    filler.write(b"\0" * 4096)
            with contextlib.suppress(OSError):
                while True:
                    filler.write(b"\0")
        yield db_path, None
    finally:
        if keeper is not None:
            keeper.close()
        subprocess.run([umount, "-l", str(disk)], capture_output=True)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_full_disk(name, path):
    with full_disk(path) as (db_path, preexec):
        before = content(db_path)
        done = run(name, db_path, preexec=preexec)
        if COMMANDS[name][1]:
            if preexec is None:  # a really full disk: it says so
                assert_clean_refusal(done, "full", "nothing was saved")
            else:  # a file-size limit: said as a disk error, at least cleanly
                assert_clean_refusal(done, "nothing was saved")
        else:  # a read may work (`check` exits 1 for the breaches it lists)
            assert "Traceback" not in done.stderr
            if done.stderr.strip():
                assert_clean_refusal(done)
        assert content(db_path) == before


# --- read-only file or folder ------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path, what: str):
    """The database file (or its folder) read-only: by its mode, or, for root (whom modes
    do not stop), by a read-only bind mount of it; skipped where neither can be done."""
    target = path if what == "file" else path.parent
    if os.geteuid() != 0:
        if what == "file":
            for p in path.parent.glob(f"{path.name}*"):
                p.chmod(0o444)
        else:
            path.parent.chmod(0o555)
        yield
        return
    mount = shutil.which("mount")
    bound = (
        mount
        and subprocess.run(
            [mount, "--bind", str(target), str(target)], capture_output=True
        ).returncode
        == 0
    )
    if not bound:
        pytest.skip("running as root without bind mounts: a read-only file cannot be made")
    try:
        remount = [mount, "-o", "remount,ro,bind", str(target), str(target)]
        if subprocess.run(remount, capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        yield
    finally:
        subprocess.run([shutil.which("umount"), str(target)], capture_output=True)


@pytest.mark.parametrize("what", ["file", "folder"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_read_only_database(name, what, path):
    before = content(path)
    with read_only(path, what):
        done = run(name, path)
    if COMMANDS[name][1]:
        assert_clean_refusal(done)
        assert any(w in done.stderr for w in ("write", "read-only", "permission")), done.stderr
    else:  # a read may work (`check` exits 1 for the breaches it lists)
        assert "Traceback" not in done.stderr
        if done.stderr.strip():
            assert_clean_refusal(done)
    assert content(path) == before


# --- a damaged file, a foreign file, a newer roster's file ------------------------------


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_damaged_database(name, path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut in half (a copy that stopped, a bad disk)
    damaged = path.read_bytes()
    done = run(name, path)
    assert_clean_refusal(done, "restore")
    assert path.read_bytes() == damaged


@pytest.mark.parametrize("name", ["solve", "status", "import"])
def test_files_that_are_not_roster_databases_are_refused_unchanged(name, folder):
    other = folder / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("create table notes (body text)")
    con.commit()
    con.close()
    before = other.read_bytes()
    (folder / "absences.csv").write_text("cadre,start_date,end_date,kind\n", encoding="utf-8")
    assert_clean_refusal(run(name, other), "not a roster database")
    assert other.read_bytes() == before

    empty = folder / "empty.db"
    empty.touch()
    assert_clean_refusal(run(name, empty), "empty file", "roster init")
    assert empty.stat().st_size == 0


def test_a_newer_rosters_database_is_refused_naming_its_version(path):
    con = sqlite3.connect(path)
    con.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at) "
        "values ('roster', 'm099_from_the_future', 'x')"
    )
    con.execute("insert or replace into meta (key, value) values ('roster_version', '9.1.0')")
    con.commit()
    con.close()
    before = content(path)
    for name in ("status", "solve"):
        line = assert_clean_refusal(run(name, path), "newer roster 9.1.0", "upgrade")
        assert "m099_from_the_future" in line
    assert content(path) == before


def test_no_district_is_told_not_a_numpy_error(folder):
    empty = folder / "new.db"
    assert (
        subprocess.run([*ROSTER, "init", "--db", str(empty)], capture_output=True).returncode == 0
    )
    assert_clean_refusal(run("solve", empty), "no district", "roster import")


def test_debug_shows_the_traceback(path):
    path.write_bytes(path.read_bytes()[:4096])
    done = subprocess.run(
        [*ROSTER, "status", "--db", str(path), "--debug"], capture_output=True, text=True
    )
    assert done.returncode != 0 and "Traceback" in done.stderr


def test_store_opens_refuse_what_init_alone_may_create(folder):
    with pytest.raises(FileNotFoundError, match="roster init"):
        store.open_db(folder / "absent.db", create=False)
    assert not (folder / "absent.db").exists()
