"""Who is acting, as the operating system knows them (see `roster.access` for what they may
change, and docs/deploy.md for the shared-server set-up):
- the real user id of the process (`pwd.getpwuid(os.getuid())`), not $USER or $LOGNAME;
- when roster runs as a service account (an account without a login shell, or root)
  through sudo, the person sudo ran it for ($SUDO_UID);
- `--as LOGIN` / $ROSTER_USER is believed only where the database is not shared (its file
  belongs to the real user and nobody else can open it); on a shared database only a
  district coordinator may act for someone else, and the audit then names both.
Within a command, `acting(identity)` makes it the actor (a context variable, never the
environment); `current()` answers who acts.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import pwd
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from roster.i18n import N_, _

NO_LOGIN_SHELLS = ("nologin", "false")


@dataclass(frozen=True)
class Identity:
    """The person acting, as the OS knows them; `by` is the district coordinator acting
    for `person` on a shared database (both are named in the audit)."""

    person: str
    by: str | None = None
    via: str = "login"  # login | sudo | claim (--as on one person's own database)

    @property
    def actor(self) -> str:
        """The name written to the audit and to `updated_by`."""
        return f"{self.person} (by {self.by})" if self.by else self.person


def _login(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def is_service_account(uid: int) -> bool:
    """root, or an account nobody logs in to (a system account with a nologin shell):
    such an account is reached only through sudo (or by root), so sudo's $SUDO_UID is
    trustworthy there."""
    if uid == 0:
        return True
    try:
        shell = pwd.getpwuid(uid).pw_shell
    except KeyError:
        return False
    return os.path.basename(shell or "").startswith(NO_LOGIN_SHELLS)


def os_identity(environ: dict[str, str] | None = None) -> Identity:
    """The person running this process: the real user, or, in a service account run
    through sudo, the person sudo ran it for. $USER, $LOGNAME and getpass are never read."""
    env = os.environ if environ is None else environ
    uid = os.getuid()
    sudo_uid = env.get("SUDO_UID", "")
    if sudo_uid.isdigit() and int(sudo_uid) != uid and is_service_account(os.geteuid()):
        return Identity(_login(int(sudo_uid)), via="sudo")
    return Identity(_login(uid))


def is_shared(db_path: str | os.PathLike[str]) -> bool:
    """Whether someone other than the real user can reach this database: its file (or,
    before it exists, its folder) belongs to another account, or its mode lets a group
    with other members, or everybody, open it."""
    path = Path(db_path)
    target = path
    try:
        try:
            st = path.stat()
        except FileNotFoundError:
            target = path.parent
            st = target.stat()
    except OSError:
        return True
    uid = os.getuid()
    if st.st_uid != uid:
        return True
    if st.st_mode & (stat.S_IRWXO if target is path else stat.S_IWOTH):
        return True
    group_bits = stat.S_IRWXG if target is path else stat.S_IWGRP
    if st.st_mode & group_bits:
        return _group_has_others(st.st_gid, uid)
    return False


def _group_has_others(gid: int, uid: int) -> bool:
    import grp

    me = _login(uid)
    try:
        members = set(grp.getgrgid(gid).gr_mem)
    except KeyError:
        members = set()
    members |= {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return bool(members - {me})


class ClaimRefused(Exception):
    """`--as` / $ROSTER_USER on a shared database by someone who may not act for others.
    The message is in the language spoken; `english` is it in English (for the audit)."""

    def __init__(self, message: str, real: Identity, english: str | None = None):
        super().__init__(message)
        self.real = real
        self.english = message if english is None else english


def identify(
    db_path: str | os.PathLike[str],
    claim: str | None = None,
    *,
    db: sqlite_utils.Database | None = None,
    environ: dict[str, str] | None = None,
) -> Identity:
    """Who acts on the database at `db_path` when the caller says `claim` (--as)."""
    real = os_identity(environ)
    if not claim or claim == real.person:
        return real
    if not is_shared(db_path) and real.via == "login":
        return Identity(claim, via="claim")
    role = None
    if db is not None:
        rows = list(db["coordinators"].rows_where("os_user = ?", [real.person]))
        role = rows[0]["role"] if rows else None
        if not db["coordinators"].count:
            role = "district"
    if role == "district":
        return Identity(claim, by=real.person, via=real.via)
    text = N_(
        "{login} cannot act as {claim}: on a shared database you are who the system says you "
        "are (only a district coordinator may act for someone else)"
    )
    raise ClaimRefused(
        _(text).format(login=real.person, claim=claim),
        real,
        text.format(login=real.person, claim=claim),
    )


_acting: contextvars.ContextVar[Identity | None] = contextvars.ContextVar(
    "roster_acting", default=None
)


@contextlib.contextmanager
def acting(identity: Identity) -> Iterator[Identity]:
    """Within this block (a CLI command), `identity` is who acts unless a caller names
    another actor explicitly. A context variable, not the environment: nothing leaks
    into child processes or into the next command run in the same process."""
    token = _acting.set(identity)
    try:
        yield identity
    finally:
        _acting.reset(token)


def current() -> Identity:
    return _acting.get() or os_identity()
