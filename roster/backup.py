"""Online backup and restore of the shared database (SQLite's backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from roster import store


class RestoreRefused(Exception):
    pass


def backup(db_path: Path, target: Path) -> int:
    """Copy the live database to `target`, safe while others write; returns its page count."""
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new file name for the backup")
    source = store.open_db(db_path, create=False)
    dest = sqlite3.connect(target)
    try:
        source.conn.backup(dest)
        pages = dest.execute("pragma page_count").fetchone()[0]
    finally:
        dest.close()
        source.close()
    target.chmod(0o660)
    return pages


def _check_backup(path: Path) -> None:
    if not path.exists():
        raise RestoreRefused(f"no backup file at {path}")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("pragma integrity_check").fetchone()[0]
            tables = {
                r[0] for r in con.execute("select name from sqlite_master where type='table'")
            }
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise RestoreRefused(f"{path} is not a roster backup ({e})") from None
    if ok != "ok":
        raise RestoreRefused(f"{path} fails SQLite's integrity check: {ok}")
    if not {"cadres", "posts", "rosters", "assignments"} <= tables:
        raise RestoreRefused(f"{path} is not a roster database (its tables are missing)")


def restore(db_path: Path, source: Path, actor: str | None = None) -> None:
    """Replace the database's content with `source`; refused while anyone else has it open."""
    _check_backup(source)
    try:
        lock = store.hold_presence(db_path, exclusive=True)
    except BlockingIOError:
        raise RestoreRefused(
            f"others have {db_path} open (a roster window or command is running); ask them to "
            "quit, then restore again"
        ) from None
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(db_path)
        try:
            src.backup(dest)
            dest.execute("pragma journal_mode = wal")
        finally:
            src.close()
            dest.close()
    finally:
        lock.close()
    db = store.open_db(db_path)
    with db.atomic():
        store.add_audit(db, "restore", {"from": str(source)}, actor)
    db.close()
