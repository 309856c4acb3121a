"""The SQLite store: schema and migrations, and conversion between rows and domain objects.

Everything above this module works with `roster.domain` values; only here are SQL rows seen.
The database is shared by several coordinators' processes: WAL mode, foreign keys on and
a busy timeout are set on every connection, and every multi-step write is one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from roster.config import Config
from roster.domain import (
    Absence,
    Assignment,
    AuditEntry,
    Cadre,
    Demand,
    District,
    Post,
    ReliefRequest,
    Roster,
    Settings,
    ShiftType,
    Town,
    Unit,
    UnitDay,
    Wish,
    WorkGroup,
)
from roster.errors import (
    DatabaseBusy,
    DistrictChanged,
    NeighbourChanged,
    NewerDatabase,
    NotARosterDatabase,
    PublishedRoster,
    StaleRoster,
)
from roster.i18n import N_, _

__all__ = ["DatabaseBusy", "DistrictChanged", "PublishedRoster", "StaleRoster"]  # re-exported

_CONFIG = Config.from_environment()
# How long one attempt to take the write lock waits (SQLite's busy timeout), and how long a
# writer keeps retrying in all before it gives up with `DatabaseBusy` (tests set both short).
BUSY_TIMEOUT_MS = _CONFIG.busy_timeout_ms
BUSY_WAIT_SECONDS = _CONFIG.busy_wait_seconds
DEFAULT_DB = "roster.db"
opened_path: Path | None = None  # the database this process opened last (for messages)

migrations = Migrations("roster")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """The documented tables (docs/database.md), with the extra columns the import files carry."""
    for sql in _INITIAL_SCHEMA:
        db.execute(sql)


@migrations()
def m002_coordinators(db: sqlite_utils.Database) -> None:
    """Who may do what: OS logins mapped to a role and, for town coordinators, their towns."""
    db.execute(
        """create table coordinators (
            os_user text primary key,
            role text not null check (role in ('district','town','inspector')),
            added_at text, added_by text)"""
    )
    db.execute(
        """create table coordinator_towns (
            os_user text not null references coordinators(os_user) on delete cascade,
            town_id integer not null references towns(id),
            primary key (os_user, town_id))"""
    )


@migrations()
def m003_published_assignments(db: sqlite_utils.Database) -> None:
    """The roster as it was published: later edits are shown and audited as changes to it."""
    db.execute(
        """create table if not exists published_assignments (
            week_start text not null, date text not null, cadre_id integer not null,
            post_id integer not null, shift_code text not null)"""
    )
    db.execute(
        "create index if not exists published_assignments_week on published_assignments "
        "(week_start)"
    )


@migrations()
def m004_district_version(db: sqlite_utils.Database) -> None:
    """A version of the district, bumped by every write to it (imports, recalls, absences,
    settings): a solve, edit or relief computed on an older district is caught when it saves."""
    db.execute("create table if not exists meta (key text primary key, value text not null)")
    db.execute("insert or ignore into meta (key, value) values ('district_version', '0')")


@migrations()
def m005_wishes(db: sqlite_utils.Database) -> None:
    """Cadres' availability and wishes, and dispatching units' quotas of cadres per day."""
    db.execute(
        """create table if not exists wishes (
            id integer primary key, cadre_id integer not null references cadres(id),
            kind text not null check (kind in ('unavailable','avoid','prefer')),
            date text, weekday text not null default '', until text,
            shift text not null default '', weight integer not null default 0,
            note text not null default '', created_at text, created_by text)"""
    )
    db.execute("create index if not exists wishes_cadre on wishes (cadre_id)")
    db.execute(
        """create table if not exists unit_days (
            id integer primary key, unit_id integer not null references units(id),
            weekday integer not null default 0 check (weekday between 0 and 7), date text,
            max_cadres integer not null check (max_cadres >= 0),
            note text not null default '')"""
    )
    db.execute(
        "create unique index if not exists unit_days_key on unit_days "
        "(unit_id, weekday, coalesce(date, ''))"
    )


_INITIAL_SCHEMA = [
    """create table towns (
        id integer primary key, name text not null unique,
        kind text not null check (kind in ('street','town','township')),
        lat real not null, lon real not null)""",
    "create table work_groups (id integer primary key, name text not null unique)",
    """create table units (
        id integer primary key, name text not null unique, kind text not null default '',
        liaison_name text not null default '', liaison_phone text not null default '')""",
    """create table posts (
        id integer primary key, code text not null unique, name text not null,
        kind text not null check (kind in ('village','community')),
        town_id integer not null references towns(id),
        work_group_id integer not null references work_groups(id),
        lat real not null, lon real not null,
        compounds integer not null default 0, no_property integer not null default 0,
        no_security integer not null default 0, address text not null default '')""",
    """create table shift_types (
        code text primary key, name text not null, start text not null, "end" text not null)""",
    """create table demand (
        id integer primary key, post_id integer not null references posts(id),
        shift_code text not null references shift_types(code),
        weekday integer not null check (weekday between 1 and 7), date text,
        required integer not null check (required >= 0))""",
    """create unique index demand_key on demand (post_id, shift_code, weekday, coalesce(date, ''))""",
    """create table cadres (
        id integer primary key, code text not null unique, name text not null,
        gender text not null, birth_date text not null,
        unit_id integer not null references units(id), phone text not null,
        party_member integer not null default 0, home_lat real not null, home_lon real not null,
        transport text not null, max_commute_km real not null,
        night_ok integer not null default 1, status text not null default 'active',
        notes text not null default '')""",
    """create table absences (
        id integer primary key, cadre_id integer not null references cadres(id),
        start_date text not null, end_date text not null, kind text not null,
        note text not null default '')""",
    "create index absences_cadre on absences (cadre_id)",
    """create table rosters (
        id integer primary key, week_start text not null unique,
        status text not null default 'draft' check (status in ('draft','published')),
        version integer not null default 0, stats text not null default '{}',
        published_at text, updated_at text, updated_by text)""",
    """create table assignments (
        id integer primary key, roster_id integer not null references rosters(id),
        date text not null, cadre_id integer not null references cadres(id),
        post_id integer not null references posts(id),
        shift_code text not null references shift_types(code),
        locked integer not null default 0, source text not null default 'solver')""",
    "create unique index assignments_one_a_day on assignments (roster_id, date, cadre_id)",
    "create index assignments_post on assignments (roster_id, post_id, date)",
    """create table relief_requests (
        id integer primary key, cadre_id integer not null references cadres(id),
        start_date text not null, end_date text not null, reason text not null default '',
        status text not null default 'open', resolution text not null default '',
        created_at text)""",
    """create table audit (
        id integer primary key, at text not null, actor text not null, action text not null,
        details text not null default '')""",
    "create table settings (key text primary key, value text not null)",
]


class RosterDatabase(sqlite_utils.Database):
    """A sqlite-utils Database that also holds the presence lock until it is closed, and
    whose `atomic()` transactions take the write lock at once (BEGIN IMMEDIATE)."""

    _presence = None

    # Called as on_busy(holder, waited_seconds) while a writer waits for the write lock
    # (the CLI prints it); `busy_wait`: seconds to keep retrying in all (the UI: 0, it asks).
    on_busy = None
    busy_wait: float | None = None
    path: Path | None = None

    @contextlib.contextmanager
    def atomic(self) -> Iterator[RosterDatabase]:
        """One write transaction (nested: a savepoint), begun with BEGIN IMMEDIATE.

        A deferred BEGIN reads first and takes the write lock only at the first write;
        in WAL mode that lock upgrade fails at once with SQLITE_BUSY ("database is
        locked") when another connection writes or has written meanwhile: the busy
        timeout is never waited for. BEGIN IMMEDIATE waits (up to the busy timeout) for
        the lock before reading, so what a transaction checks (a roster's version) is
        still true when it writes. While another process holds the lock longer, the
        writer keeps waiting (telling `on_busy` who holds it, where known) up to
        `busy_wait` seconds, then raises `DatabaseBusy`."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self._begin_immediate()
        mark = self._mark_writer()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise
        finally:
            self._unmark_writer(mark)

    def _begin_immediate(self) -> None:
        import time

        wait = BUSY_WAIT_SECONDS if self.busy_wait is None else self.busy_wait
        started = time.monotonic()
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                waited = time.monotonic() - started
                holder = self.writer()
                if waited >= wait:
                    raise DatabaseBusy(
                        _(
                            "{db} is busy: {holder} has been writing to it for more than "
                            "{seconds:.0f} s; try again later"
                        ).format(
                            db=self.path or _("the database"),
                            holder=holder or _("another process"),
                            seconds=waited,
                        ),
                        holder,
                    ) from None
                if self.on_busy is not None:
                    self.on_busy(holder, waited)

    def writer(self) -> str:
        """Who holds the write lock, as the holder wrote it down ('' when unknown: e.g. not
        a roster process)."""
        if self.path is None:
            return ""
        try:
            text = writer_path(self.path).read_text(encoding="utf-8").strip()
        except OSError:
            return ""
        try:
            info = json.loads(text)
            pid = int(info["pid"])
            os.kill(pid, 0)  # still running?
        except (ValueError, KeyError, TypeError, ProcessLookupError):
            return ""
        except PermissionError:
            pass  # another user's live process
        from roster.clock import local_text

        return _("{actor} ({what}, since {at})").format(
            actor=info.get("actor", "?"), what=info.get("what", "roster"), at=local_text(info["at"])
        )

    def _mark_writer(self) -> str | None:
        """Note who holds the write lock, for others who wait (advisory, best effort)."""
        if self.path is None:
            return None
        import sys

        text = json.dumps(
            {
                "actor": current_actor(),
                "pid": os.getpid(),
                "what": " ".join(["roster", *_command_word(sys.argv[1:])]),
                "at": now_iso(),
            }
        )
        try:
            writer_path(self.path).write_text(text, encoding="utf-8")
        except OSError:
            return None
        return text

    def _unmark_writer(self, mark: str | None) -> None:
        if mark is None:
            return
        path = writer_path(self.path)
        try:
            if path.read_text(encoding="utf-8") == mark:
                path.unlink()
        except OSError:
            pass

    def close(self) -> None:
        super().close()
        if self._presence is not None:
            self._presence.close()
            self._presence = None


def open_db(path: str | os.PathLike[str], *, create: bool = True) -> sqlite_utils.Database:
    """Open (and if need be create and upgrade) the roster database at `path`.

    Only `create=True` (`roster init`, the first run of the UI, tests) makes a new file or
    fills an empty one; an existing file must be a roster database (`NotARosterDatabase`)
    of this version of roster or an older one (`NewerDatabase`): nothing is written to a
    file that is not. A new file is made readable and writable by owner and group only: it
    holds phone numbers and home coordinates.
    """
    path = Path(path)
    global opened_path
    opened_path = path
    if not path.exists():
        if not create:
            raise FileNotFoundError(
                _("no roster database at {path}: create one with `roster init --db {path}`").format(
                    path=path
                )
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        old_umask = os.umask(0o007)
        try:
            path.touch()
        finally:
            os.umask(old_umask)
    elif path.is_dir():
        raise NotARosterDatabase(
            _("{path} is a folder, not a roster database: check --db").format(path=path)
        )
    elif path.stat().st_size == 0 and not create:
        raise NotARosterDatabase(
            _(
                "{path} is an empty file, not a roster database: check --db, or create one "
                "with `roster init --force --db {path}`"
            ).format(path=path)
        )
    db = RosterDatabase(path)
    db.path = path
    # A shared lock held for the life of this handle tells `roster restore` who has it open.
    try:
        db._presence = hold_presence(path)
    except BlockingIOError:
        db.close()
        raise DatabaseBusy(
            _("{path} is being restored from a backup; try again in a minute").format(path=path)
        ) from None
    try:
        db.conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        db.conn.execute("pragma foreign_keys = on")
        _refuse_foreign(db, path)
        if db.conn.execute("pragma journal_mode").fetchone()[0] != "wal":
            db.conn.execute("pragma journal_mode = wal")
        if migrations.pending(db):
            migrations.apply(db)
            with db.atomic():
                db.execute(
                    "insert or replace into meta (key, value) values ('roster_version', ?)",
                    [roster_version()],
                )
    except BaseException:
        db.close()
        raise
    return db


def roster_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("roster")
    except PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


def _refuse_foreign(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse a file that is not a roster database or that a newer roster wrote."""
    tables = {r[0] for r in db.conn.execute("select name from sqlite_master where type = 'table'")}
    if not tables:
        return  # a new (empty) database: only `create=True` gets here with one
    if migrations.migrations_table not in tables or "rosters" not in tables:
        raise NotARosterDatabase(
            _(
                "{path} is an SQLite database of another program, not a roster database: "
                "check --db (nothing was changed in it)"
            ).format(path=path)
        )
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        made_by = ""
        if "meta" in tables:
            row = db.conn.execute("select value from meta where key = 'roster_version'").fetchone()
            made_by = f" {row[0]}" if row else ""
        raise NewerDatabase(
            _(
                "{path} was written by a newer roster{made_by} (schema {schema}) than this "
                "one ({version}): upgrade roster to open it"
            ).format(path=path, made_by=made_by, schema=unknown[-1], version=roster_version())
        )


# the options of `roster` itself that take a value (the command's name comes after them)
_VALUE_OPTIONS = ("--db", "--lang", "--as")


def _command_word(args: list[str]) -> list[str]:
    """The command being run (`solve` in `roster --db x.db --lang zh solve …`), for the note
    of who holds the write lock; nothing for the UI."""
    i = 0
    while i < len(args):
        if args[i] in _VALUE_OPTIONS:
            i += 2
        elif args[i].startswith("-"):
            i += 1
        else:
            return [args[i]]
    return []


def writer_path(path: str | os.PathLike[str]) -> Path:
    return Path(f"{path}.writer")


_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


def presence_path(path: str | os.PathLike[str]) -> Path:
    return Path(f"{path}.lock")


def hold_presence(path: str | os.PathLike[str], *, exclusive: bool = False):
    """Take a shared (or exclusive, non-blocking) flock on the database's presence file.

    Every process that opens the database holds a shared lock; `roster restore` needs the
    exclusive one, which it gets only when nobody else has the database open.
    Raises BlockingIOError when an exclusive lock is asked for and others hold the file.
    """
    lock_path = presence_path(path)
    old_umask = os.umask(0o007)
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the life of the handle
    except OSError as error:  # a read-only file, folder or disk: a shared lock still works
        if exclusive or not lock_path.exists() or error.errno not in _READ_ONLY:
            raise
        handle = open(lock_path)  # noqa: SIM115 - held open for the life of the handle
    finally:
        os.umask(old_umask)
    try:
        fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise
    return handle


def data_version(db: sqlite_utils.Database) -> int:
    """Changes whenever another connection commits: cheap to poll for others' changes."""
    return db.execute("pragma data_version").fetchone()[0]


def district_version(db: sqlite_utils.Database) -> int:
    """The district's version: bumped by every write to the district (see `bump_district`)."""
    row = db.execute("select value from meta where key = 'district_version'").fetchone()
    return int(row[0]) if row else 0


def bump_district(db: sqlite_utils.Database, what: str = "", actor: str | None = None) -> int:
    """Note a change to the district (call inside the transaction that changes it): its
    version moves on, and who changed what, when, is kept for those it makes stale."""
    db.execute("update meta set value = cast(value as integer) + 1 where key = 'district_version'")
    note = {"what": what, "actor": actor or current_actor(), "at": now_iso()}
    db.execute(
        "insert or replace into meta (key, value) values ('district_changed', ?)",
        [json.dumps(note, ensure_ascii=False)],
    )
    return district_version(db)


def require_district_version(db: sqlite_utils.Database, expected: int | None) -> None:
    """Inside a write transaction: refuse (`DistrictChanged`) when the district changed since
    it was read at version `expected` (None: the caller does not check)."""
    if expected is None:
        return
    stored = district_version(db)
    if stored != expected:
        row = db.execute("select value from meta where key = 'district_changed'").fetchone()
        what = ""
        if row:
            from roster.clock import local_text

            note = json.loads(row[0])
            what = _(" ({what} by {actor} at {at})").format(
                what=change_label(note["what"]), actor=note["actor"], at=local_text(note["at"])
            )
        raise DistrictChanged(
            _(
                "the district (cadres, absences, wishes, settings or coordinators) changed "
                "while you worked{what}: nothing was saved; do it again on the district as it "
                "is now"
            ).format(what=what),
            stored,
            expected,
        )


# What `bump_district` notes (stored in English) and how it is told: (pattern, message).
_CHANGES = (
    (r"settings", N_("settings")),
    (r"import", N_("an import")),
    (r"recall of (?P<code>.+)", N_("recall of {code}")),
    (r"absence of (?P<code>.+)", N_("absence of {code}")),
    (r"wish of (?P<code>.+)", N_("wish of {code}")),
    (r"details of (?P<code>.+)", N_("details of {code}")),
    (r"coordinator (?P<user>\S+) set to (?P<role>\S+)", N_("coordinator {user} set to {role}")),
    (r"coordinator (?P<user>\S+) removed", N_("coordinator {user} removed")),
    (r"(?P<status>active|on_leave|recalled|withdrawn): (?P<code>.+)", N_("{status}: {code}")),
)


def change_label(what: str) -> str:
    """A change to the district as `bump_district` noted it, told in the current language."""
    if not what:
        return _("a change")
    for pattern, message in _CHANGES:
        found = re.fullmatch(pattern, what)
        if found:
            values = found.groupdict()
            if "status" in values:
                values["status"] = _(values["status"])
            return _(message).format(**values)
    return what


def current_actor() -> str:
    """Who is acting, as the OS knows them (`roster.identity.current`): never a variable."""
    from roster.identity import current

    return current().actor


# --- rows to domain objects ------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _town(r: dict) -> Town:
    return Town(r["id"], r["name"], r["kind"], r["lat"], r["lon"])


def _unit(r: dict) -> Unit:
    return Unit(r["id"], r["name"], r["kind"], r["liaison_name"], r["liaison_phone"])


def _post(r: dict) -> Post:
    return Post(
        r["id"], r["code"], r["name"], r["kind"], r["town_id"], r["work_group_id"],
        r["lat"], r["lon"], r["compounds"], r["no_property"], r["no_security"], r["address"],
    )  # fmt: skip


def _cadre(r: dict) -> Cadre:
    return Cadre(
        r["id"], r["code"], r["name"], r["gender"], dt.date.fromisoformat(r["birth_date"]),
        r["unit_id"], r["phone"], bool(r["party_member"]), r["home_lat"], r["home_lon"],
        r["transport"], r["max_commute_km"], bool(r["night_ok"]), r["status"], r["notes"],
    )  # fmt: skip


def _absence(r: dict) -> Absence:
    return Absence(
        r["id"], r["cadre_id"], dt.date.fromisoformat(r["start_date"]),
        dt.date.fromisoformat(r["end_date"]), r["kind"], r["note"],
    )  # fmt: skip


def _assignment(r: dict) -> Assignment:
    return Assignment(
        dt.date.fromisoformat(r["date"]), r["cadre_id"], r["post_id"], r["shift_code"],
        bool(r["locked"]), r["source"],
    )  # fmt: skip


def weekdays_of(text: str) -> tuple[int, ...]:
    """Stored weekdays ("6,7") as a sorted tuple."""
    return tuple(sorted({int(x) for x in text.split(",") if x.strip()})) if text else ()


def _wish(r: dict) -> Wish:
    return Wish(
        r["id"], r["cadre_id"], r["kind"], _date(r["date"]), weekdays_of(r["weekday"]),
        _date(r["until"]), r["shift"] or "", r["weight"] or 0, r["note"] or "",
    )  # fmt: skip


def _unit_day(r: dict) -> UnitDay:
    return UnitDay(r["unit_id"], r["weekday"], r["max_cadres"], _date(r["date"]))


def wishes(db: sqlite_utils.Database, cadre_id: int | None = None) -> list[Wish]:
    where, args = ("cadre_id = ?", [cadre_id]) if cadre_id is not None else (None, [])
    return [_wish(r) for r in db["wishes"].rows_where(where, args, order_by="id")]


def unit_days(db: sqlite_utils.Database) -> list[UnitDay]:
    return [_unit_day(r) for r in db["unit_days"].rows_where(order_by="id")]


def _relief(r: dict) -> ReliefRequest:
    return ReliefRequest(
        r["id"], r["cadre_id"], dt.date.fromisoformat(r["start_date"]),
        dt.date.fromisoformat(r["end_date"]), r["reason"], r["status"], r["resolution"],
    )  # fmt: skip


# --- reading ---------------------------------------------------------------------------


def stored_settings(db: sqlite_utils.Database) -> dict[str, str]:
    """The settings rows as they are stored (text values, unchecked)."""
    return {r["key"]: r["value"] for r in db["settings"].rows}


def load_settings(db: sqlite_utils.Database) -> Settings:
    """The settings in force; a stored value that cannot be one raises `SettingError`."""
    return Settings.from_mapping(stored_settings(db))


def load_district(db: sqlite_utils.Database) -> District:
    """The whole district as plain values (about 1 MB for the demo: cheap to load)."""
    return District(
        towns={r["id"]: _town(r) for r in db["towns"].rows},
        work_groups={r["id"]: WorkGroup(r["id"], r["name"]) for r in db["work_groups"].rows},
        units={r["id"]: _unit(r) for r in db["units"].rows},
        shifts={
            r["code"]: ShiftType(r["code"], r["name"], r["start"], r["end"])
            for r in db["shift_types"].rows
        },
        posts={r["id"]: _post(r) for r in db["posts"].rows_where(order_by="code")},
        cadres={r["id"]: _cadre(r) for r in db["cadres"].rows_where(order_by="code")},
        demand=[
            Demand(r["post_id"], r["shift_code"], r["weekday"], r["required"], _date(r["date"]))
            for r in db["demand"].rows
        ],
        absences=[_absence(r) for r in db["absences"].rows],
        settings=load_settings(db),
        wishes=wishes(db),
        unit_days=unit_days(db),
    )


def get_roster(db: sqlite_utils.Database, week_start: dt.date) -> Roster | None:
    """The stored roster of the week starting `week_start` (a Monday), with its assignments."""
    rows = list(db["rosters"].rows_where("week_start = ?", [week_start.isoformat()]))
    if not rows:
        return None
    r = rows[0]
    return Roster(
        r["id"], week_start, r["status"], r["version"], json.loads(r["stats"] or "{}"),
        _assignments_of(db, r["id"]),
    )  # fmt: skip


ASSIGNMENT_COLUMNS = "date, cadre_id, post_id, shift_code, locked, source"


def _assignments_of(db: sqlite_utils.Database, roster_id: int) -> list[Assignment]:
    """A week's assignments in stored order, read as plain tuples: an edit re-reads all
    4,000 of them, so this path is kept lean (no row dicts, each date parsed once)."""
    dates: dict[str, dt.date] = {}
    out = []
    for day, cadre, post, shift, locked, source in db.execute(
        f"select {ASSIGNMENT_COLUMNS} from assignments where roster_id = ? order by date, id",
        [roster_id],
    ):
        date = dates.get(day)
        if date is None:
            date = dates[day] = dt.date.fromisoformat(day)
        out.append(Assignment(date, cadre, post, shift, bool(locked), source))
    return out


def history(db: sqlite_utils.Database, week_start: dt.date, weeks: int = 4) -> list[Assignment]:
    """Assignments of the `weeks` weeks before `week_start`: what rest and fairness count."""
    first = (week_start - dt.timedelta(weeks=weeks)).isoformat()
    sql = """select a.* from assignments a join rosters r on r.id = a.roster_id
             where a.date >= ? and a.date < ? order by a.date"""
    return [_assignment(r) for r in db.query(sql, [first, week_start.isoformat()])]


def following(db: sqlite_utils.Database, week_start: dt.date) -> list[Assignment]:
    """Assignments of the week after `week_start`, as stored: rest rules look across the
    boundary both ways, so a week is also checked against an already rostered next week."""
    first = (week_start + dt.timedelta(weeks=1)).isoformat()
    last = (week_start + dt.timedelta(weeks=2)).isoformat()
    sql = """select a.* from assignments a join rosters r on r.id = a.roster_id
             where a.date >= ? and a.date < ? order by a.date"""
    return [_assignment(r) for r in db.query(sql, [first, last])]


def neighbours(db: sqlite_utils.Database, week_start: dt.date, weeks: int = 4) -> list[Assignment]:
    """The stored weeks around `week_start` (`weeks` before, 1 after), as the checker and
    the solver take them in their `history`: days after the week count as the week after."""
    return [*history(db, week_start, weeks), *following(db, week_start)]


def relief_requests(db: sqlite_utils.Database, status: str | None = None) -> list[ReliefRequest]:
    where, args = ("status = ?", [status]) if status else (None, [])
    return [_relief(r) for r in db["relief_requests"].rows_where(where, args, order_by="id")]


def audit_entries(
    db: sqlite_utils.Database,
    *,
    actor: str | None = None,
    week: dt.date | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Newest first; `week` keeps entries whose details name that week (its Monday)."""
    clauses, args = [], []
    if actor:  # also what a district coordinator did for them, or they did for others
        head, tail = f"{actor} (by ", f" (by {actor})"
        clauses.append("(actor = ? or substr(actor, 1, ?) = ? or substr(actor, -?) = ?)")
        args += [actor, len(head), head, len(tail), tail]
    if week:
        clauses.append("details like ?")
        args.append(f'%"week": "{week.isoformat()}"%')
    where = " and ".join(clauses) or None
    rows = db["audit"].rows_where(where, args, order_by="id desc", limit=limit)
    return [AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["details"]) for r in rows]


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """The figures `roster status` reports, each counted from the tables."""

    def one(sql: str) -> int:
        return db.execute(sql).fetchone()[0] or 0

    return {
        "towns": one("select count(*) from towns"),
        "work_groups": one("select count(*) from work_groups"),
        "units": one("select count(*) from units"),
        "posts": one("select count(*) from posts"),
        "villages": one("select count(*) from posts where kind = 'village'"),
        "communities": one("select count(*) from posts where kind = 'community'"),
        "compounds": one("select sum(compounds) from posts"),
        "compounds_no_property": one("select sum(no_property) from posts"),
        "compounds_no_security": one("select sum(no_security) from posts"),
        "cadres": one("select count(*) from cadres"),
        "cadres_active": one("select count(*) from cadres where status = 'active'"),
        "shift_types": one("select count(*) from shift_types"),
        "absences": one("select count(*) from absences"),
        "rosters": one("select count(*) from rosters"),
    }


# --- writing ---------------------------------------------------------------------------


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# Every action the audit log records, as stored (English codes): shown to people as _(action).
AUDIT_ACTIONS = (
    N_("solve.accept"), N_("edit.assign"), N_("edit.unassign"), N_("edit.move"),
    N_("edit.replace"), N_("edit.swap"), N_("edit.lock"), N_("edit.unlock"), N_("edit.undo"),
    N_("edit.redo"), N_("edit.override"), N_("publish"), N_("backup"), N_("restore"),
    N_("init"), N_("export"), N_("import"), N_("refused"), N_("relief.apply"),
    N_("relief.settle"), N_("relief.published"), N_("relief.recall"), N_("relief.request"),
    N_("settings.set"), N_("settings.reset"), N_("user.add"), N_("user.remove"),
    N_("wish.add"), N_("wish.remove"), N_("cadre.edit"),
)  # fmt: skip


def add_audit(
    db: sqlite_utils.Database, action: str, details: dict | str, actor: str | None = None
):
    """One audit row; call inside the transaction of the change it records."""
    text = details if isinstance(details, str) else json.dumps(details, ensure_ascii=False)
    db["audit"].insert(
        {"at": now_iso(), "actor": actor or current_actor(), "action": action, "details": text}
    )


def save_settings(db: sqlite_utils.Database, values: dict[str, object]) -> None:
    with db.atomic():
        db["settings"].upsert_all(
            [{"key": k, "value": str(v)} for k, v in values.items()], pk="key"
        )
        bump_district(db, "settings")


def delete_setting(db: sqlite_utils.Database, name: str) -> None:
    """Back to the default: the setting's row goes."""
    with db.atomic():
        db.execute("delete from settings where key = ?", [name])
        bump_district(db, "settings")


def _assignment_row(roster_id: int, a: Assignment) -> dict:
    return {
        "roster_id": roster_id,
        "date": a.date.isoformat(),
        "cadre_id": a.cadre_id,
        "post_id": a.post_id,
        "shift_code": a.shift_code,
        "locked": int(a.locked),
        "source": a.source,
    }


def _write_changes(
    db: sqlite_utils.Database,
    roster_id: int,
    assignments: list[Assignment],
    stored: dict[tuple[str, int], tuple] | None = None,
):
    """Write only what differs from the stored week: an edit touches a few rows, not 4,000.
    `stored`: the stored rows by (date, cadre) when the caller knows them (else read)."""
    if stored is None:
        stored = {
            (day, cadre): (post, shift, locked, source)
            for day, cadre, post, shift, locked, source in db.execute(
                "select date, cadre_id, post_id, shift_code, locked, source from assignments"
                " where roster_id = ?",
                [roster_id],
            )
        }
    wanted = _keyed(assignments)
    if len(wanted) != len(assignments):
        seen: set = set()
        twice = next(k for a in assignments if (k := (a.date, a.cadre_id)) in seen or seen.add(k))
        raise sqlite3.IntegrityError(f"cadre {twice[1]} has two assignments on {twice[0]}")
    db.conn.executemany(
        "delete from assignments where roster_id = ? and date = ? and cadre_id = ?",
        [(roster_id, *key) for key in stored if key not in wanted],
    )
    db.conn.executemany(
        "update assignments set post_id = ?, shift_code = ?, locked = ?, source = ?"
        " where roster_id = ? and date = ? and cadre_id = ?",
        [
            (*values, roster_id, *key)
            for key, values in wanted.items()
            if key in stored and stored[key] != values
        ],
    )
    db.conn.executemany(
        "insert into assignments (roster_id, date, cadre_id, post_id, shift_code, locked, source)"
        " values (?, ?, ?, ?, ?, ?, ?)",
        [(roster_id, *key, *values) for key, values in wanted.items() if key not in stored],
    )


def save_roster(
    db: sqlite_utils.Database,
    week_start: dt.date,
    assignments: Iterable[Assignment],
    *,
    stats: dict | None = None,
    action: str = "solve.accept",
    actor: str | None = None,
    expected_version: int | None = None,
    previous: Sequence[Assignment] | None = None,
    draft: bool = False,
    district_version: int | None = None,
    neighbours_seen: dict[dt.date, int] | None = None,
    recheck: Callable[[list[Assignment]], list[str]] | None = None,
    details: dict | None = None,
) -> Roster:
    """Replace the week's assignments in one transaction and bump the roster's version.

    `expected_version` is the version the caller read, 0 (or None) when it saw no roster: a
    roster changed by someone else since then, or made by someone else when there was none,
    is refused (`StaleRoster`) and nothing is written. `draft=True` (a solve): a published
    week is never replaced (`PublishedRoster`). `district_version`, when given: refused
    (`DistrictChanged`) when the district changed since the caller read it.
    `neighbours_seen`, the versions of the weeks before and after as the caller read them
    (see `neighbour_versions`): when one changed, `recheck(neighbours now)` says what the
    week would newly break across the boundaries (rest rules), and the save is refused
    (`StaleRoster` naming that week) if anything, or if there is no `recheck`. `previous`, the
    assignments of that version as read (in stored order), lets an edit write and return its
    few changes without reading the week's 4,000 rows twice (every write of assignments
    bumps the version, so at that version the stored rows are `previous`).
    """
    assignments = list(assignments)
    expected = expected_version or 0
    with db.atomic():  # BEGIN IMMEDIATE: no one writes between the version check and the write
        existing = db.execute(
            "select id, version, status from rosters where week_start = ?",
            [week_start.isoformat()],
        ).fetchone()
        stored_version = existing[1] if existing else 0
        if existing and draft and existing[2] == "published":
            raise PublishedRoster.of(db, week_start, expected)
        if stored_version != expected:
            raise StaleRoster.of(db, week_start, expected)
        require_district_version(db, district_version)
        moved = [
            (week, seen)
            for week, seen in (neighbours_seen or {}).items()
            if roster_version_of(db, week) != seen
        ]
        if moved:
            problems = (
                ["not checked again"] if recheck is None else recheck(neighbours(db, week_start))
            )
            if problems:
                raise NeighbourChanged(StaleRoster.of(db, *moved[0]), week_start, problems[0])
        version = stored_version + 1
        row = {
            "week_start": week_start.isoformat(),
            "version": version,
            "stats": json.dumps(stats or {}, ensure_ascii=False),
            "updated_at": now_iso(),
            "updated_by": actor or current_actor(),
        }
        known = (
            previous is not None
            and existing is not None
            and db.execute(
                "select count(*) from assignments where roster_id = ?", [existing[0]]
            ).fetchone()[0]
            == len(previous)
        )
        if existing:
            roster_id = existing[0]
            db["rosters"].update(roster_id, row)
            stored = _keyed(previous) if known else None
            _write_changes(db, roster_id, assignments, stored)  # raises on two shifts a day
        else:
            row["status"] = "draft"
            roster_id = db["rosters"].insert(row).last_pk
            db["assignments"].insert_all(_assignment_row(roster_id, a) for a in assignments)
        add_audit(
            db,
            action,
            {
                "week": week_start.isoformat(),
                **(details or {}),
                "version": version,
                "assignments": len(assignments),
            },
            actor,
        )
        if known:
            saved = Roster(
                existing[0], week_start, _status(db, existing[0]), version,
                json.loads(row["stats"]), _in_stored_order(previous, assignments),
            )  # fmt: skip
        else:
            saved = get_roster(db, week_start)  # what this transaction wrote, not a later one
    assert saved is not None
    return saved


def neighbour_versions(db: sqlite_utils.Database, week_start: dt.date) -> dict[dt.date, int]:
    """The versions (0: no roster) of the weeks just before and just after `week_start`:
    what a save checks to know its cross-week checks still hold."""
    return {
        week: roster_version_of(db, week)
        for week in (week_start - dt.timedelta(weeks=1), week_start + dt.timedelta(weeks=1))
    }


def roster_version_of(db: sqlite_utils.Database, week_start: dt.date) -> int:
    """The stored version of the week's roster; 0 when there is none."""
    row = db.execute(
        "select version from rosters where week_start = ?", [week_start.isoformat()]
    ).fetchone()
    return row[0] if row else 0


def _status(db: sqlite_utils.Database, roster_id: int) -> str:
    return db.execute("select status from rosters where id = ?", [roster_id]).fetchone()[0]


def _keyed(assignments: Iterable[Assignment]) -> dict[tuple[str, int], tuple]:
    """Rows by (date, cadre) as stored (dates as text, each formatted once)."""
    days: dict[dt.date, str] = {}
    return {
        (days.get(a.date) or days.setdefault(a.date, a.date.isoformat()), a.cadre_id): (
            a.post_id, a.shift_code, int(a.locked), a.source,
        )
        for a in assignments
    }  # fmt: skip


def _in_stored_order(previous: Sequence[Assignment], new: list[Assignment]) -> list[Assignment]:
    """`new` in the order `get_roster` reads it back (by date, then row id): rows kept or
    updated stay where they were, inserted rows (the newest ids) come after them."""
    by_key = {(a.date, a.cadre_id): a for a in new}
    kept = [by_key[k] for a in previous if (k := (a.date, a.cadre_id)) in by_key]
    old = {(a.date, a.cadre_id) for a in previous}
    added = [a for a in new if (a.date, a.cadre_id) not in old]
    return sorted(kept + added, key=lambda a: a.date)


def publish_roster(
    db: sqlite_utils.Database,
    week_start: dt.date,
    actor: str | None = None,
    *,
    expected_version: int | None = None,
):
    """Mark the week published and keep a copy of it as published, in one transaction.
    With `expected_version`: only that version of the week (else `StaleRoster`)."""
    with db.atomic():
        roster = get_roster(db, week_start)
        if roster is None:
            raise LookupError(
                _("no roster for the week of {week}: solve it first").format(week=week_start)
            )
        if expected_version is not None and roster.version != expected_version:
            raise StaleRoster.of(db, week_start, expected_version)
        db["rosters"].update(
            roster.id,
            {
                "status": "published",
                "published_at": now_iso(),
                "version": roster.version + 1,
                "updated_at": now_iso(),
                "updated_by": actor or current_actor(),
            },
        )
        db.execute(
            "delete from published_assignments where week_start = ?", [week_start.isoformat()]
        )
        db["published_assignments"].insert_all(
            {
                "week_start": week_start.isoformat(),
                "date": a.date.isoformat(),
                "cadre_id": a.cadre_id,
                "post_id": a.post_id,
                "shift_code": a.shift_code,
            }
            for a in roster.assignments
        )
        add_audit(db, "publish", {"week": week_start.isoformat()}, actor)


def published_assignments(
    db: sqlite_utils.Database, week_start: dt.date
) -> frozenset[tuple[int, dt.date, str, int]] | None:
    """The week as published, as (post, date, shift, cadre) tuples; None if never published."""
    rows = db.execute(
        "select post_id, date, shift_code, cadre_id from published_assignments "
        "where week_start = ?",
        [week_start.isoformat()],
    ).fetchall()
    if not rows:
        roster = get_roster(db, week_start)
        if roster is None or roster.status != "published":
            return None
        return frozenset()
    return frozenset((p, dt.date.fromisoformat(d), s, c) for p, d, s, c in rows)


# --- relief: requests, absences and recalls ----------------------------------------------------
# Called inside the caller's transaction (`db.atomic()`), so a relief is written whole or not
# at all.


def relief_request(db: sqlite_utils.Database, request_id: int) -> ReliefRequest | None:
    rows = list(db["relief_requests"].rows_where("id = ?", [request_id]))
    return _relief(rows[0]) if rows else None


def record_relief_request(
    db: sqlite_utils.Database,
    cadre_id: int,
    start: dt.date,
    end: dt.date,
    reason: str = "",
    actor: str | None = None,
) -> int:
    """The open request for the cadre and days (its reason updated when one is given), or a
    new open one, audited as `relief.request`."""
    rows = list(
        db["relief_requests"].rows_where(
            "cadre_id = ? and start_date = ? and end_date = ? and status = 'open'",
            [cadre_id, start.isoformat(), end.isoformat()],
        )
    )
    if rows:
        if reason and reason != rows[0]["reason"]:
            db["relief_requests"].update(rows[0]["id"], {"reason": reason})
        return rows[0]["id"]
    rid = db["relief_requests"].insert(
        {"cadre_id": cadre_id, "start_date": start.isoformat(), "end_date": end.isoformat(),
         "reason": reason, "status": "open", "resolution": "", "created_at": now_iso()}
    ).last_pk  # fmt: skip
    monday = start - dt.timedelta(days=start.weekday())
    add_audit(
        db,
        "relief.request",
        {"week": monday.isoformat(), "request": rid, "cadre_id": cadre_id,
         "start": start.isoformat(), "end": end.isoformat(), "reason": reason},
        actor,
    )  # fmt: skip
    return rid


def settle_relief_request(db: sqlite_utils.Database, request_id: int, resolution: dict) -> None:
    db["relief_requests"].update(
        request_id,
        {"status": "settled", "resolution": json.dumps(resolution, ensure_ascii=False)},
    )


def add_absence(
    db: sqlite_utils.Database,
    cadre_id: int,
    start: dt.date,
    end: dt.date,
    kind: str,
    note: str,
    actor: str | None = None,
) -> None:
    """Record an absence; the district's version moves on (named as a recall or absence)."""
    db["absences"].insert(
        {"cadre_id": cadre_id, "start_date": start.isoformat(), "end_date": end.isoformat(),
         "kind": kind, "note": note}
    )  # fmt: skip
    code = _cadre_code(db, cadre_id)
    what = f"recall of {code}" if kind == "recalled" else f"absence of {code}"
    bump_district(db, what, actor)


def set_cadre_status(
    db: sqlite_utils.Database, cadre_id: int, status: str, actor: str | None = None
) -> None:
    """Set a cadre's status; the district's version moves on."""
    db["cadres"].update(cadre_id, {"status": status})
    code = _cadre_code(db, cadre_id)
    bump_district(db, f"recall of {code}" if status == "recalled" else f"{status}: {code}", actor)


def _cadre_code(db: sqlite_utils.Database, cadre_id: int) -> str:
    row = db.execute("select code from cadres where id = ?", [cadre_id]).fetchone()
    return row[0] if row else f"#{cadre_id}"
