"""The SQLite store: schema and migrations, and conversion between rows and domain objects.

Everything above this module works with `roster.domain` values; only here are SQL rows seen.
The database is shared by several coordinators' processes: WAL mode, foreign keys on and
a busy timeout are set on every connection, and every multi-step write is one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

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
    WorkGroup,
)

BUSY_TIMEOUT_MS = 5000
DEFAULT_DB = "roster.db"

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

    @contextlib.contextmanager
    def atomic(self) -> Iterator[RosterDatabase]:
        """One write transaction (nested: a savepoint), begun with BEGIN IMMEDIATE.

        A deferred BEGIN reads first and takes the write lock only at the first write;
        in WAL mode that lock upgrade fails at once with SQLITE_BUSY ("database is
        locked") when another connection writes or has written meanwhile: the busy
        timeout is never waited for. BEGIN IMMEDIATE waits (up to the busy timeout) for
        the lock before reading, so what a transaction checks (a roster's version) is
        still true when it writes."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
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

    def close(self) -> None:
        super().close()
        if self._presence is not None:
            self._presence.close()
            self._presence = None


def open_db(path: str | os.PathLike[str], *, create: bool = True) -> sqlite_utils.Database:
    """Open (and if need be create and upgrade) the roster database at `path`.

    A new file is made readable and writable by owner and group only: it holds phone
    numbers and home coordinates.
    """
    path = Path(path)
    if not create and not path.exists():
        raise FileNotFoundError(f"no roster database at {path}: run `roster init` first")
    is_new = not path.exists()
    if is_new:
        path.parent.mkdir(parents=True, exist_ok=True)
        old_umask = os.umask(0o007)
        try:
            path.touch()
        finally:
            os.umask(old_umask)
    db = RosterDatabase(path)
    # A shared lock held for the life of this handle tells `roster restore` who has it open.
    try:
        db._presence = hold_presence(path)
    except BlockingIOError:
        db.close()
        raise DatabaseBusy(
            f"{path} is being restored from a backup; try again in a minute"
        ) from None
    db.conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    db.conn.execute("pragma foreign_keys = on")
    if db.conn.execute("pragma journal_mode").fetchone()[0] != "wal":
        db.conn.execute("pragma journal_mode = wal")
    migrations.apply(db)
    return db


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


def current_actor() -> str:
    """Who is acting: $ROSTER_USER (tests, scripts) or the OS login."""
    return os.environ.get("ROSTER_USER") or getpass.getuser()


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


def _relief(r: dict) -> ReliefRequest:
    return ReliefRequest(
        r["id"], r["cadre_id"], dt.date.fromisoformat(r["start_date"]),
        dt.date.fromisoformat(r["end_date"]), r["reason"], r["status"], r["resolution"],
    )  # fmt: skip


# --- reading ---------------------------------------------------------------------------


def load_settings(db: sqlite_utils.Database) -> Settings:
    values = {r["key"]: r["value"] for r in db["settings"].rows}
    return Settings.from_mapping(values)


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
    if actor:
        clauses.append("actor = ?")
        args.append(actor)
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
    details: dict | None = None,
) -> Roster:
    """Replace the week's assignments in one transaction and bump the roster's version.

    With `expected_version`, a roster changed by someone else since it was read is refused
    (`StaleRoster`) and nothing is written. `previous`, the assignments of that version as
    read (in stored order), lets an edit write and return its few changes without reading
    the week's 4,000 rows twice (every write of assignments bumps the version, so at that
    version the stored rows are `previous`).
    """
    assignments = list(assignments)
    with db.atomic():  # BEGIN IMMEDIATE: no one writes between the version check and the write
        existing = db.execute(
            "select id, version from rosters where week_start = ?", [week_start.isoformat()]
        ).fetchone()
        if existing and expected_version is not None and existing[1] != expected_version:
            raise StaleRoster.of(db, week_start, expected_version)
        version = (existing[1] if existing else 0) + 1
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
            and expected_version == existing[1]
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


def publish_roster(db: sqlite_utils.Database, week_start: dt.date, actor: str | None = None):
    """Mark the week published and keep a copy of it as published, in one transaction."""
    with db.atomic():
        roster = get_roster(db, week_start)
        if roster is None:
            raise LookupError(f"no roster for the week of {week_start}: solve it first")
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


class DatabaseBusy(Exception):
    """The database is held exclusively (a restore is running)."""


class StaleRoster(Exception):
    """The roster was changed by someone else since this view read it."""

    def __init__(self, week_start: dt.date, stored: int, expected: int, by: str = "", at: str = ""):
        who = f" by {by}" if by else " by someone else"
        when = f" at {_local_hhmm(at)}" if at else ""
        super().__init__(
            f"the roster of the week of {week_start} was changed{who}{when} "
            f"(version {stored}, you had {expected}); your view is refreshed, "
            "check it and make your change again"
        )
        self.week_start = week_start
        self.stored = stored
        self.expected = expected
        self.by = by

    @classmethod
    def of(cls, db: sqlite_utils.Database, week_start: dt.date, expected: int) -> StaleRoster:
        """The refusal for a view at version `expected`, naming who changed it last and when."""
        row = db.execute(
            "select version, updated_by, updated_at from rosters where week_start = ?",
            [week_start.isoformat()],
        ).fetchone()
        stored, by, at = row if row else (0, "", "")
        return cls(week_start, stored, expected, by or "", at or "")


def _local_hhmm(iso_utc: str) -> str:
    """A stored UTC time as the coordinators' local date and time (Asia/Shanghai)."""
    from roster.clock import local_text

    return local_text(iso_utc)
