"""The failures a user can cause or meet, and the one line each is told as.

Every front end (the `roster` command's `main()`, the terminal UI) shows a failure with
`describe(error)`: one line saying what went wrong and what to do, never a traceback (the
command's `--debug` shows it). The exceptions the core raises for these cases live here too,
so that the mapping is in one place.
"""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3

from roster.clock import local_text
from roster.i18n import _


class RosterError(Exception):
    """A failure whose message already says what to do."""


class DatabaseBusy(RosterError):
    """Another process holds the database (a long write, or a restore) longer than we wait."""

    def __init__(self, message: str, holder: str = "") -> None:
        super().__init__(message)
        self.holder = holder


class NotARosterDatabase(RosterError):
    """The file is not a roster database (empty, another program's SQLite file, not SQLite)."""


class NewerDatabase(RosterError):
    """The database was made or upgraded by a newer roster than this one."""


class NoDistrict(RosterError):
    """The database holds no district to work on (nothing imported yet)."""


class DistrictChanged(RosterError):
    """The district (cadres, absences, settings, posts, demand) changed while working on it."""

    def __init__(self, message: str, stored: int = 0, expected: int = 0) -> None:
        super().__init__(message)
        self.stored = stored
        self.expected = expected


class StaleRoster(RosterError):
    """The roster was changed by someone else since this view read it."""

    def __init__(self, week_start: dt.date, stored: int, expected: int, by: str = "", at: str = ""):
        who = _(" by {actor}").format(actor=by) if by else _(" by someone else")
        if expected == 0:
            had = _("you started from no roster")
        else:
            had = _("you had version {version}").format(version=expected)
        super().__init__(
            _(
                "the roster of the week of {week} was changed{by}{at} "
                "(version {version}; {had}): nothing was saved; look at the week again, then "
                "redo your change or solve again"
            ).format(week=week_start, by=who, at=_at(at), version=stored, had=had)
        )
        self.week_start = week_start
        self.stored = stored
        self.expected = expected
        self.by = by
        self.at = at

    @classmethod
    def of(cls, db, week_start: dt.date, expected: int) -> StaleRoster:
        """The refusal for a view at version `expected`, naming who changed it last and when."""
        row = db.execute(
            "select version, updated_by, updated_at from rosters where week_start = ?",
            [week_start.isoformat()],
        ).fetchone()
        stored, by, at = row if row else (0, "", "")
        return cls(week_start, stored, expected, by or "", at or "")


class NeighbourChanged(StaleRoster):
    """The week before or after changed since it was read, and the roster being saved would
    now break a rest rule across the boundary with it."""

    def __init__(self, stale: StaleRoster, saving: dt.date, problem: str = "") -> None:
        super().__init__(stale.week_start, stale.stored, stale.expected, stale.by, stale.at)
        who = _(" by {actor}").format(actor=stale.by) if stale.by else ""
        if stale.week_start < saving:
            text = _(
                "the week before ({week}) was changed{by}{at} while you worked on the week of "
                "{saving}, which would now break a rest rule across them{why}: nothing was "
                "saved; look at it again (solve it again)"
            )
        else:
            text = _(
                "the week after ({week}) was changed{by}{at} while you worked on the week of "
                "{saving}, which would now break a rest rule across them{why}: nothing was "
                "saved; look at it again (solve it again)"
            )
        why = _(" ({problem})").format(problem=problem) if problem else ""
        self.args = (
            text.format(week=stale.week_start, by=who, at=_at(stale.at), saving=saving, why=why),
        )


class PublishedRoster(StaleRoster):
    """A draft save (a solve) found the week published: it never replaces what people were told."""

    def __init__(self, week_start: dt.date, stored: int, expected: int, by: str = "", at: str = ""):
        super().__init__(week_start, stored, expected, by, at)
        who = _(" by {actor}").format(actor=by) if by else ""
        self.args = (
            _(
                "the week of {week} was published{by}{at}; a solve never replaces a published "
                "roster: nothing was saved (settle changes as edits or relief requests)"
            ).format(week=week_start, by=who, at=_at(at)),
        )


def _at(at: str) -> str:
    """ " at 12-07 10:30" (a stored UTC time, shown local), or "" when unknown."""
    return _(" at {time}").format(time=local_text(at)) if at else ""


def _sqlite_code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_busy(error: BaseException) -> bool:
    """Whether `error` is another process holding the database (worth trying again): ask
    this, not whether `describe`'s line says "busy" (it may be in Chinese)."""
    if isinstance(error, DatabaseBusy):
        return True
    if isinstance(error, sqlite3.Error):
        code = _sqlite_code(error)
        return (
            code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(error).lower()
        )
    return False


def describe(error: BaseException, db_path: object = None) -> str | None:
    """One line for a failure a user can meet, or None for an unexpected one (a bug)."""
    where = f"{db_path}" if db_path else _("the database")
    if isinstance(error, RosterError):
        return str(error)
    if isinstance(error, sqlite3.Error):
        code = _sqlite_code(error)
        text = str(error).lower()
        if is_busy(error):
            return _(
                "{db} is busy (another process is writing to it); wait a moment and try again"
            ).format(db=where)
        if code == sqlite3.SQLITE_FULL or "disk is full" in text or "database or disk" in text:
            return _(
                "the disk holding {db} is full: nothing was saved; free some space and try again"
            ).format(db=where)
        if code == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
            return _(
                "{db} cannot be written (the file or its folder is read-only, or not yours): "
                "nothing was saved; ask whoever manages it for write access"
            ).format(db=where)
        if code == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
            return _(
                "cannot open {db} (a missing or read-only folder, or no permission); check the "
                "path and its permissions"
            ).format(db=where)
        if code == sqlite3.SQLITE_IOERR or "disk i/o" in text:
            return _(
                "reading or writing {db} failed (a disk or file-system error, or a full or "
                "read-only disk): nothing was saved; check the disk and try again"
            ).format(db=where)
        if code == sqlite3.SQLITE_NOTADB or "not a database" in text:
            return _(
                "{db} is not a roster database (not an SQLite file, or its first page is "
                "damaged): check --db; if it was your roster database, restore the latest "
                "backup with `roster restore BACKUP`"
            ).format(db=where)
        if code == sqlite3.SQLITE_CORRUPT or "malformed" in text:
            return _(
                "{db} is damaged (part of the file is unreadable): nothing was saved; restore "
                "the latest backup with `roster restore BACKUP`"
            ).format(db=where)
        return None
    if isinstance(error, OSError):
        if error.errno is None:  # raised by roster itself with a message that says what to do
            return str(error)
        name = f" {error.filename}" if error.filename else ""
        if error.errno == errno.ENOSPC or error.errno == errno.EFBIG:
            return _("the disk is full (writing{file}): nothing was saved; free some space").format(
                file=name
            )
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return _(
                "no permission to write{file} (read-only file, folder or disk): ask whoever "
                "manages it for write access"
            ).format(file=name)
        if error.errno == errno.ENOENT:
            if error.strerror == "No such file or directory" or not error.strerror:
                reason = _("no such file or directory") if error.strerror else _("not found")
            else:
                reason = error.strerror.lower()
            return _("{reason}:{file}").format(reason=reason, file=name)
        return None
    return None


def unexpected(error: BaseException) -> str:
    """The one line for a bug: what it was and how to see more."""
    return _(
        "unexpected error ({kind}: {error}); run again with --debug to see where, and report it"
    ).format(kind=type(error).__name__, error=error)
