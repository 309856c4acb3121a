"""Who is acting, and what they may change: coordinators, their roles and their towns.

Roles: `district` (all towns), `town` (the listed towns only), `inspector` (read-only).
A login not in the table is read-only, except while the table is empty: then the database
has not been set up for several people yet and everyone acts as a district coordinator.
The first coordinator added must be a district coordinator, and the last district
coordinator can be neither removed nor given another role: a database that has
coordinators always has someone who can manage them.

Who is acting comes from the operating system, never from what the caller says
(docs/deploy.md):
- the real user id of the process (`pwd.getpwuid(os.getuid())`), not $USER or $LOGNAME;
- when roster runs as a service account (an account without a login shell, or root)
  through sudo, the person sudo ran it for ($SUDO_UID): sudo sets it, and nobody who can
  set it by hand in such an account is kept out of the database anyway;
- `--as LOGIN` / $ROSTER_USER is believed only where the database is not shared (its file
  belongs to the real user and nobody else can open it: one person's database, tests).
  On a shared database only a district coordinator may act for someone else, and the
  audit then names both (`li (by boss)`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from roster import store
from roster.i18n import N_, _, pgettext
from roster.identity import (
    ClaimRefused,
    current,
)

ROLES = ("district", "town", "inspector")


def role_word(role: str) -> str:
    """A stored role as people read it (English: the code itself, as it always was)."""
    words = {
        "district": pgettext("role", "district"),
        "town": pgettext("role", "town"),
        "inspector": pgettext("role", "inspector"),
    }
    return words.get(role, role)


class NotAllowed(Exception):
    """The actor's role or towns do not cover this change. The message is in the language
    spoken; `english` is the same in English, for the audit record of the refusal."""

    def __init__(self, message: str, english: str | None = None) -> None:
        super().__init__(message)
        self.english = message if english is None else english


@dataclass(frozen=True)
class Access:
    actor: str
    role: str  # district | town | inspector | unknown
    town_ids: frozenset[int] = frozenset()
    open_setup: bool = False  # no coordinators registered yet: everyone may edit

    @property
    def read_only(self) -> bool:
        return self.role in ("inspector", "unknown")

    @property
    def login(self) -> str:
        """The login whose rights these are ("li" of "li (by boss)")."""
        return self.actor.split(" (by ", 1)[0]

    def describe(self, english: bool = False) -> str:
        """Who acts and what they may do, in the language spoken (`english`: in English,
        for an audit record)."""
        say = (lambda text: text) if english else _
        if self.open_setup:
            text = N_("{actor} (no coordinators set up yet: everyone may edit)")
        elif self.role == "unknown":
            text = N_(
                "{actor} is not a coordinator: read-only. A district coordinator can add "
                "you with `roster user add {login} --role town --town NAME`"
            )
        elif self.role == "inspector":
            text = N_("{actor} (inspector: read-only)")
        elif self.role == "district":
            text = N_("{actor} (district coordinator)")
        elif self.role == "town":
            text = N_("{actor} (town coordinator)")
        else:
            return f"{self.actor} ({self.role} coordinator)"
        return say(text).format(actor=self.actor, login=self.login)

    def may_edit_town(self, town_id: int) -> bool:
        if self.role == "district":
            return True
        return self.role == "town" and town_id in self.town_ids

    def require_town(self, town_id: int, town_name: str, what) -> None:
        """Refuse (`NotAllowed`) unless the actor may change `town_name`. `what` is the
        change in English, marked `N_` by the caller (`N_("edit the roster")`), or a
        two-language `roster.i18n.said.Said` when it names something (`Said(N_("recall {name}"), ...)`):
        the refusal says it translated, its English form (for the audit) in English."""
        if self.read_only:
            text = N_("{access}; cannot {what}")
        elif not self.may_edit_town(town_id):
            text = N_("{actor} coordinates other towns, not {town}; cannot {what}")
        else:
            return
        self._refuse(text, what, actor=self.actor, town=town_name)

    def require_writer(self, what) -> None:
        """Refuse (`NotAllowed`) when the actor may change nothing (`what`: as for
        `require_town`)."""
        if self.read_only:
            self._refuse(N_("{access}; cannot {what}"), what)

    def require_district(self, what) -> None:
        """Refuse (`NotAllowed`) unless the actor is a district coordinator (`what`: as
        for `require_town`)."""
        if self.role != "district":
            self._refuse(N_("only a district coordinator may {what}; {access}"), what)

    def _refuse(self, text: str, what, **values) -> None:
        shown, english = said_both(what)
        raise NotAllowed(
            _(text).format(access=self.describe(), what=shown, **values),
            text.format(access=self.describe(english=True), what=english, **values),
        )


def said_both(what) -> tuple[str, str]:
    """What a change is called, shown and in English: a message marked `N_` (translated
    here) or a two-language `roster.i18n.said.Said` (anything with `.english`)."""
    english = getattr(what, "english", None)
    if english is not None:
        return str(what), english
    return _(what), what


def access_for(db: sqlite_utils.Database, actor: str | None = None) -> Access:
    """What `actor` (a login, or who is acting now) may do on `db`."""
    identity = current()
    if actor is None or actor == identity.actor:
        person, actor = identity.person, identity.actor
    else:
        person = actor
    if not db["coordinators"].count:
        return Access(actor, "district", open_setup=True)
    rows = list(db["coordinators"].rows_where("os_user = ?", [person]))
    if not rows:
        return Access(actor, "unknown")
    towns = frozenset(
        r["town_id"] for r in db["coordinator_towns"].rows_where("os_user = ?", [person])
    )
    return Access(actor, rows[0]["role"], towns)


def add_user(
    db: sqlite_utils.Database, os_user: str, role: str, towns: list[str], by: Access
) -> None:
    """Add or update a coordinator; town coordinators need at least one town."""
    by.require_district(N_("add coordinators"))
    if role not in ROLES:
        raise ValueError(
            _("unknown role {role}: use one of {roles}").format(
                role=repr(role), roles=_(", ").join(ROLES)
            )
        )
    if role == "town" and not towns:
        raise ValueError(_("a town coordinator needs at least one --town"))
    town_ids = []
    known = {r["name"]: r["id"] for r in db["towns"].rows}
    for name in towns:
        if name not in known:
            raise ValueError(
                _("unknown town {town}: known towns are {towns}").format(
                    town=repr(name), towns=_(", ").join(known)
                )
            )
        town_ids.append(known[name])
    with db.atomic():
        _keep_a_district(db, os_user, role)
        db["coordinators"].upsert(
            {"os_user": os_user, "role": role, "added_at": store.now_iso(), "added_by": by.actor},
            pk="os_user",
        )
        db.execute("delete from coordinator_towns where os_user = ?", [os_user])
        db["coordinator_towns"].insert_all({"os_user": os_user, "town_id": t} for t in town_ids)
        store.add_audit(db, "user.add", {"user": os_user, "role": role, "towns": towns}, by.actor)
        # who may change what moved: open sessions read it again (with the district)
        store.bump_district(db, f"coordinator {os_user} set to {role}", by.actor)


def remove_user(db: sqlite_utils.Database, os_user: str, by: Access) -> None:
    by.require_district(N_("remove coordinators"))
    with db.atomic():
        if not db["coordinators"].count_where("os_user = ?", [os_user]):
            raise ValueError(_("{login} is not a coordinator").format(login=os_user))
        _keep_a_district(db, os_user, None)
        db.execute("delete from coordinator_towns where os_user = ?", [os_user])
        db.execute("delete from coordinators where os_user = ?", [os_user])
        store.add_audit(db, "user.remove", {"user": os_user}, by.actor)
        store.bump_district(db, f"coordinator {os_user} removed", by.actor)


def _keep_a_district(db: sqlite_utils.Database, os_user: str, role: str | None) -> None:
    """Refuse a change that would leave coordinators without a district coordinator:
    nobody could then add one, solve or publish again."""
    if role == "district":
        return
    others = db.execute(
        "select count(*) from coordinators where role = 'district' and os_user != ?", [os_user]
    ).fetchone()[0]
    if others:
        return
    if not db["coordinators"].count:
        raise ValueError(
            _(
                "the first coordinator must be a district coordinator: add yourself first "
                "with `roster user add {me} --role district`, then {login}"
            ).format(me=current().person, login=os_user)
        )
    if role is None or db["coordinators"].count_where(
        "os_user = ? and role = 'district'", [os_user]
    ):
        raise ValueError(
            _(
                "{login} is the only district coordinator: add another district coordinator "
                "first, or nobody could manage coordinators, solve or publish any more"
            ).format(login=os_user)
        )


def list_users(db: sqlite_utils.Database) -> list[dict]:
    sql = """select c.os_user, c.role, group_concat(t.name, ',') as towns
             from coordinators c left join coordinator_towns ct on ct.os_user = c.os_user
             left join towns t on t.id = ct.town_id group by c.os_user order by c.os_user"""
    return [
        {"user": r["os_user"], "role": r["role"], "towns": (r["towns"] or "").split(",")
         if r["towns"] else []}
        for r in db.query(sql)
    ]  # fmt: skip


def refuse(db: sqlite_utils.Database, access: Access, what, reason: str | BaseException) -> None:
    """Record a refused attempt in the audit log (it is evidence, so it is kept). Pass the
    refusal itself as `reason` (a `NotAllowed`): the record keeps its English words
    whatever language the person was told it in."""
    if not isinstance(reason, str):
        reason = getattr(reason, "english", None) or str(reason)
    what = getattr(what, "english", what)  # a two-language `what`: its English
    with db.atomic():
        store.add_audit(db, "refused", {"what": what, "reason": reason}, access.actor)


def refuse_claim(db: sqlite_utils.Database, refused: ClaimRefused) -> None:
    """Audit an attempt to act as someone else, under the real name."""
    with db.atomic():
        store.add_audit(
            db, "refused", {"what": "act as someone else", "reason": refused.english},
            refused.real.actor,
        )  # fmt: skip
