"""Backup, restore and replacement of the shared database.

A backup holds every phone number and home: it is private from its first byte (created
0600 under a tight umask, with O_EXCL and O_NOFOLLOW, under a temporary name), checked with
SQLite's `integrity_check`, then linked to its final name (which must not exist: a dangling
symlink there is refused too) and audited in the live database.

Replacing the database (`roster restore`, `roster init --force`) needs the database to
itself (no other roster process has it open: they would go on writing into a file that is
no longer the database) and a district coordinator of the live database; a refusal is
audited there. A live database too damaged to read may be replaced only by the account
that owns its file. The new content is built beside the database under a temporary name,
with its audit entry and the live audit rows it would otherwise lose (marked as written
before the replacement) in one transaction, and then renamed over the database: other
processes see the old database or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from roster import store
from roster.i18n import N_, _

CORE_TABLES = {"cadres", "posts", "rosters", "assignments"}


class RestoreRefused(Exception):
    pass


class BackupFailed(Exception):
    pass


# --- backup ----------------------------------------------------------------------------


def may_back_up(db: store.RosterDatabase, db_path: Path) -> None:
    """A backup copies every phone number: district coordinators, and the account that
    owns the database (a scheduled backup), may make one. Refusals are audited."""
    from roster.access import NotAllowed, access_for, refuse
    from roster.identity import current

    if current().via == "login" and owns(db_path):
        return
    access = access_for(db)
    try:
        access.require_district(N_("back up the database (it holds every phone number)"))
    except NotAllowed as e:
        refuse(db, access, "back up the database", e)
        raise


def owns(db_path: Path) -> bool:
    """The real user owns the database file (or is root)."""
    uid = os.getuid()
    try:
        return uid == 0 or Path(db_path).stat().st_uid == uid
    except OSError:
        return False


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def _check_copy(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("pragma integrity_check").fetchone()[0]
    finally:
        con.close()


def backup(db_path: Path, target: Path, actor: str | None = None, *, audit: bool = True) -> int:
    """Copy the live database to `target`, safe while others write; returns its page count.
    The copy is audited in the live database (`audit=False`: the caller audits it).

    Raises FileExistsError when `target` exists (or is a symlink), BackupFailed when the
    copy cannot be written or fails SQLite's integrity check (nothing is left behind)."""
    target = Path(target)
    if os.path.lexists(target):
        raise FileExistsError(_exists(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BackupFailed(
            _("there is no folder {folder}: create it first (mode 0700)").format(folder=folder)
        )
    scratch = folder / f".{target.name}.{os.getpid()}.partial"
    try:
        source = store.open_db(db_path, create=False)
    except sqlite3.DatabaseError as e:
        raise BackupFailed(
            _(
                "{db} cannot be read ({error}): it is damaged; restore the last good backup "
                "(roster restore)"
            ).format(db=db_path, error=e)
        ) from None
    linked = False
    try:
        with _private_umask():
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        with _private_umask():
            dest = sqlite3.connect(scratch)
            try:
                source.conn.backup(dest)
                dest.execute("pragma journal_mode = delete")
                pages = dest.execute("pragma page_count").fetchone()[0]
            finally:
                dest.close()
        verdict = _check_copy(scratch)
        if verdict != "ok":
            raise BackupFailed(
                _(
                    "the copy of {db} fails SQLite's integrity check ({verdict}): the "
                    "database is damaged; restore the last good backup (roster restore)"
                ).format(db=db_path, verdict=verdict)
            )
        os.link(scratch, target)  # never replaces: refuses an existing name or symlink
        linked = True
        if not audit:
            return pages
        with source.atomic():
            store.add_audit(
                source, "backup", {"to": str(Path(target).absolute()), "pages": pages}, actor
            )
        return pages
    except FileExistsError:
        raise FileExistsError(_exists(target)) from None
    except (sqlite3.DatabaseError, OSError, BackupFailed) as e:
        if linked:  # a backup nobody can account for is not kept
            with contextlib.suppress(OSError):
                os.unlink(target)
        if isinstance(e, BackupFailed):
            raise
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise BackupFailed(
            _("cannot back up {db} to {target}: {reason}; nothing was kept").format(
                db=db_path, target=target, reason=reason
            )
        ) from None
    finally:
        source.close()
        for leftover in (scratch, Path(f"{scratch}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _exists(target: Path) -> str:
    return _("{target} exists; choose a new file name for the backup").format(target=target)


# --- replacing the database ------------------------------------------------------------


@contextlib.contextmanager
def sole_use(db_path: Path) -> Iterator[None]:
    """Hold the database to ourselves: no other roster process may have it open."""
    try:
        lock = store.hold_presence(db_path, exclusive=True)
    except BlockingIOError:
        raise RestoreRefused(
            _(
                "others have {db} open (a roster window or command is running); ask them to "
                "quit, then try again"
            ).format(db=db_path)
        ) from None
    try:
        yield
    finally:
        lock.close()


@dataclass
class Replacing:
    """Who replaces the live database, and what of it is kept."""

    actor: str
    person: str
    audit: list[dict] = field(default_factory=list)
    had_coordinators: bool = False
    damaged: str = ""  # why the live database could not be read, if it could not


def _live(db_path: Path) -> store.RosterDatabase:
    con = sqlite3.connect(db_path, timeout=store.BUSY_TIMEOUT_MS / 1000)
    return store.RosterDatabase(con)


def authorise(db_path: Path, what: str) -> Replacing:
    """Inside `sole_use`: a district coordinator of the live database may replace it
    (a refusal is audited there); a damaged one, only the account owning its file. `what`
    (English, marked `N_` by the caller) is audited as it is and shown translated."""
    from roster.access import NotAllowed, access_for, refuse
    from roster.identity import current

    identity = current()
    try:
        db = _live(db_path)
        try:
            verdict = db.execute("pragma quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
            if "coordinators" not in db.table_names():
                raise sqlite3.DatabaseError("it is not a roster database")
            access = access_for(db)
            try:
                access.require_district(what)
            except NotAllowed as e:
                refuse(db, access, what, e)
                raise RestoreRefused(str(e)) from None
            db.execute("pragma wal_checkpoint(TRUNCATE)")
            return Replacing(
                actor=access.actor,
                person=identity.person,
                audit=[dict(r) for r in db.query("select * from audit order by id")],
                had_coordinators=bool(db["coordinators"].count),
            )
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        if identity.via == "login" and owns(db_path):
            return Replacing(identity.actor, identity.person, damaged=str(e))
        raise RestoreRefused(
            _(
                "{db} cannot be read ({error}): only the account that owns it may replace it "
                "(see docs/deploy.md, 'When the database is damaged')"
            ).format(db=db_path, error=e)
        ) from None


def carry_audit(db: store.RosterDatabase, rows: list[dict], when: str) -> int:
    """Append audit rows of the replaced database, each marked as written before `when`."""
    for r in rows:
        try:
            details = json.loads(r["details"])
        except (TypeError, ValueError):
            details = None
        if isinstance(details, dict):
            details["before_replacement"] = when
            text = json.dumps(details, ensure_ascii=False)
        else:
            text = f"[before replacement {when}] {r['details']}"
        db["audit"].insert(
            {"at": r["at"], "actor": r["actor"], "action": r["action"], "details": text}
        )
    return len(rows)


def keep_a_district(db: store.RosterDatabase, replacing: Replacing) -> bool:
    """A database that had coordinators never comes back without a district coordinator
    (everyone would be one): the person replacing it is registered."""
    if not replacing.had_coordinators:
        return False
    if db["coordinators"].count_where("role = 'district'"):
        return False
    db["coordinators"].upsert(
        {
            "os_user": replacing.person,
            "role": "district",
            "added_at": store.now_iso(),
            "added_by": replacing.actor,
        },
        pk="os_user",
    )
    return True


def swap_in(db_path: Path, built: Path) -> None:
    """Rename the closed database `built` over `db_path` (inside `sole_use`)."""
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{db_path}{suffix}")
    mode = stat.S_IMODE(os.stat(db_path).st_mode) if db_path.exists() else 0o660
    os.chmod(built, mode & 0o770)
    os.replace(built, db_path)


def replace_database(
    db_path: Path,
    what: str,
    audit_action: str,
    details: dict,
    *,
    prepare: Callable[[Path], None] | None = None,
    fill: Callable[[store.RosterDatabase], None] | None = None,
) -> Replacing:
    """Replace the database at `db_path` with a new one: `prepare(path)` writes its file
    (a copy of a backup), `fill(db)` fills it once opened (and upgraded)."""
    db_path = Path(db_path)
    scratch = db_path.with_name(f".{db_path.name}.{os.getpid()}.new")
    with sole_use(db_path):
        replacing = authorise(db_path, what)
        try:
            if prepare is not None:
                prepare(scratch)
            db = store.open_db(scratch)
            try:
                if fill is not None:
                    fill(db)
                when = store.now_iso()
                with db.atomic():
                    details = dict(details)
                    if replacing.damaged:
                        details["replaced_damaged"] = replacing.damaged
                    details["audit_rows_kept"] = carry_audit(db, _since(db, replacing.audit), when)
                    if keep_a_district(db, replacing):
                        details["district_coordinator"] = replacing.person
                    store.add_audit(db, audit_action, details, replacing.actor)
                db.execute("pragma wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
            swap_in(db_path, scratch)
        finally:
            for leftover in ("", "-wal", "-shm", "-journal", ".lock"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{scratch}{leftover}")
    return replacing


def _since(db: store.RosterDatabase, live_rows: list[dict]) -> list[dict]:
    """The live audit rows the new content lacks: those after the last one it holds
    (all of them when it holds none of the live ones)."""
    known = {(r["at"], r["actor"], r["action"], r["details"]) for r in db["audit"].rows}
    last = -1
    for i, r in enumerate(live_rows):
        if (r["at"], r["actor"], r["action"], r["details"]) in known:
            last = i
    return live_rows[last + 1 :]


# --- restore ---------------------------------------------------------------------------


def check_backup(path: Path) -> None:
    if not path.exists():
        raise RestoreRefused(_("no backup file at {path}").format(path=path))
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
        raise RestoreRefused(
            _("{path} is not a roster backup ({error})").format(path=path, error=e)
        ) from None
    if ok != "ok":
        raise RestoreRefused(
            _("{path} fails SQLite's integrity check: {verdict}").format(path=path, verdict=ok)
        )
    if not CORE_TABLES <= tables:
        raise RestoreRefused(
            _("{path} is not a roster database (its tables are missing)").format(path=path)
        )


def restore(db_path: Path, source: Path, actor: str | None = None) -> Replacing:
    """Replace the database's content with `source`; refused while anyone else has it open.

    The live audit rows written since the backup are kept (marked as before the restore),
    in the same transaction as the restore's own audit entry."""
    from roster.identity import acting, current

    source = Path(source)
    check_backup(source)
    if not Path(db_path).exists():
        raise RestoreRefused(_("no database at {db} to restore into").format(db=db_path))

    def prepare(scratch: Path) -> None:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        with _private_umask():
            dest = sqlite3.connect(scratch)
        try:
            src.backup(dest)
        finally:
            src.close()
            dest.close()

    details = {"from": str(source.absolute())}
    what = N_("restore a backup")
    if actor is None:
        return replace_database(db_path, what, "restore", details, prepare=prepare)
    from roster.identity import Identity

    with acting(Identity(actor, via=current().via)):
        return replace_database(db_path, what, "restore", details, prepare=prepare)
