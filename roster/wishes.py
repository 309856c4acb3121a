"""Cadres' wishes and facts kept in the app: add and remove wishes, correct a cadre's
phone, transport, commute limit, night eligibility, status and notes.

Every change is one transaction with its audit row, refused unless the acting coordinator
may edit the cadre: a district coordinator any cadre, a town coordinator a cadre who serves
(in a stored roster of this week or later) at a post of one of their towns. After a change,
`roster_breaches` lists what the stored rosters from this week on now break, with the cells
to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import sqlite_utils

from roster import clock, store
from roster.access import Access, NotAllowed, refuse
from roster.domain import (
    CADRE_STATUSES,
    TRANSPORT_MAX_KM,
    WISH_KINDS,
    Cadre,
    Wish,
    week_start,
)
from roster.i18n import N_, _
from roster.importer.formats import parse_weekdays as weekdays_of


class WishError(ValueError):
    """A wish or a cadre's fact that cannot be written as given: the message says why."""


@dataclass(frozen=True)
class CadreEdit:
    """What a coordinator may change of a cadre (None: leave as it is)."""

    phone: str | None = None
    transport: str | None = None
    max_commute_km: float | None = None
    night_ok: bool | None = None
    status: str | None = None
    notes: str | None = None


_PHONE_RE = re.compile(r"\+?[0-9(][0-9 ()\-]{3,30}")


def parse_weekdays(text: str) -> tuple[int, ...]:
    """ "6,7", "1-5" or "1-7" as sorted weekdays (1 = Monday), read as the wishes file
    reads them; WishError if not."""
    text = (text or "").replace(" ", "")
    if not text:
        return ()
    days = weekdays_of(text)
    if days is None:
        raise WishError(
            _("{text!r} is not a list of weekdays: write 1–7 (1 = Monday), e.g. 6,7 or 1-5").format(
                text=text
            )
        )
    return days


def find_cadre(db: sqlite_utils.Database, ref: str | int) -> Cadre:
    """A cadre by id, code or exact name; WishError if there is no such (single) cadre."""
    district_cadres = store.load_district(db).cadres
    if isinstance(ref, int):
        if ref in district_cadres:
            return district_cadres[ref]
        raise WishError(_("no cadre #{id}").format(id=ref))
    found = [c for c in district_cadres.values() if ref in (c.code, c.name)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise WishError(_("no cadre with code or name {ref!r}; check the spelling").format(ref=ref))
    codes = ", ".join(c.code for c in found)
    raise WishError(
        _("{n} cadres are named {name}; give the code ({codes})").format(
            n=len(found), name=ref, codes=codes
        )
    )


def cadre_towns(db: sqlite_utils.Database, cadre_id: int, today: dt.date | None = None) -> set:
    """Towns where the cadre serves in a stored roster of this week or later."""
    monday = week_start(today or clock.today())
    sql = """select distinct p.town_id from assignments a join rosters r on r.id = a.roster_id
             join posts p on p.id = a.post_id where a.cadre_id = ? and r.week_start >= ?"""
    return {r[0] for r in db.execute(sql, [cadre_id, monday.isoformat()])}


def require_cadre(db: sqlite_utils.Database, access: Access, cadre: Cadre, what: str) -> None:
    """Refuse (audited) unless `access` may edit this cadre (module doc). `what` is English
    (marked `N_`): audited as it is, shown translated."""
    try:
        access.require_writer(what)
        if access.role != "district":
            towns = cadre_towns(db, cadre.id)
            if not any(access.may_edit_town(t) for t in towns):
                text = N_(
                    "{name} ({code}) serves at no post of your towns; a district "
                    "coordinator can {what}"
                )
                raise NotAllowed(
                    _(text).format(name=cadre.name, code=cadre.code, what=_(what)),
                    text.format(name=cadre.name, code=cadre.code, what=what),
                )
    except NotAllowed as e:
        refuse(db, access, what, e)
        raise


def add_wish(
    db: sqlite_utils.Database,
    access: Access,
    cadre: Cadre,
    kind: str,
    *,
    date: dt.date | None = None,
    weekdays: tuple[int, ...] = (),
    until: dt.date | None = None,
    shift: str = "",
    weight: int = 0,
    note: str = "",
) -> Wish:
    """Record a wish of `cadre` (checked like a row of a wishes file), audited."""
    if kind not in WISH_KINDS:
        raise WishError(
            _("{kind!r} is not a kind of wish: use {kinds}").format(
                kind=kind, kinds=", ".join(WISH_KINDS)
            )
        )
    if date is None and not weekdays:
        raise WishError(_("say when: a date, weekdays (e.g. 6,7), or a date and an until"))
    if date and until and until < date:
        raise WishError(
            _("the wish ends ({until}) before it starts ({date})").format(until=until, date=date)
        )
    if shift and not db.execute("select 1 from shift_types where code = ?", [shift]).fetchone():
        known = ", ".join(r[0] for r in db.execute("select code from shift_types order by code"))
        raise WishError(
            _("unknown shift {shift!r}: the shifts are {known}").format(shift=shift, known=known)
        )
    if kind == "unavailable" and weight:
        raise WishError(_("unavailable is a hard rule and takes no weight"))
    if weight < 0:
        raise WishError(_("a weight is a whole number above 0"))
    require_cadre(db, access, cadre, N_("add a wish"))
    row = {
        "cadre_id": cadre.id,
        "kind": kind,
        "date": date.isoformat() if date else None,
        "weekday": ",".join(map(str, weekdays)),
        "until": until.isoformat() if until else None,
        "shift": shift,
        "weight": weight,
        "note": note,
        "created_at": store.now_iso(),
        "created_by": access.actor,
    }
    with db.atomic():
        wish_id = db["wishes"].insert(row).last_pk
        wish = Wish(wish_id, cadre.id, kind, date, weekdays, until, shift, weight, note)
        store.add_audit(
            db,
            "wish.add",
            {"cadre": cadre.code, "wish": wish_id, "kind": kind, "when": wish.describe(),
             "note": note},
            access.actor,
        )  # fmt: skip
        store.bump_district(db, f"wish of {cadre.code}", access.actor)
    return wish


def remove_wish(db: sqlite_utils.Database, access: Access, wish_id: int) -> Wish:
    found = [w for w in store.wishes(db) if w.id == wish_id]
    if not found:
        raise WishError(_("no wish #{id}; `roster wish list` shows them").format(id=wish_id))
    wish = found[0]
    cadre = store.load_district(db).cadres[wish.cadre_id]
    require_cadre(db, access, cadre, N_("remove a wish"))
    with db.atomic():
        db.execute("delete from wishes where id = ?", [wish_id])
        store.add_audit(
            db,
            "wish.remove",
            {"cadre": cadre.code, "wish": wish_id, "kind": wish.kind, "when": wish.describe()},
            access.actor,
        )
        store.bump_district(db, f"wish of {cadre.code}", access.actor)
    return wish


def edit_cadre(db: sqlite_utils.Database, access: Access, cadre: Cadre, edit: CadreEdit) -> Cadre:
    """Change a cadre's facts (checked like the cadres file), audited with before and after."""
    changes: dict[str, object] = {}
    if edit.phone is not None and edit.phone != cadre.phone:
        phone = edit.phone.strip()
        if not _PHONE_RE.fullmatch(phone):
            raise WishError(_("{phone!r} is not a phone number; write digits").format(phone=phone))
        changes["phone"] = phone
    if edit.transport is not None and edit.transport != cadre.transport:
        if edit.transport not in TRANSPORT_MAX_KM:
            raise WishError(
                _("{transport!r} is not a transport mode: use {modes}").format(
                    transport=edit.transport, modes=", ".join(TRANSPORT_MAX_KM)
                )
            )
        changes["transport"] = edit.transport
        if edit.max_commute_km is None:  # the new mode's limit, as on import
            changes["max_commute_km"] = TRANSPORT_MAX_KM[edit.transport]
    if edit.max_commute_km is not None and edit.max_commute_km != cadre.max_commute_km:
        if not 0 < edit.max_commute_km <= 1000:
            raise WishError(_("the commute limit is in km, above 0 and at most 1000"))
        changes["max_commute_km"] = float(edit.max_commute_km)
    if edit.night_ok is not None and edit.night_ok != cadre.night_ok:
        changes["night_ok"] = int(edit.night_ok)
    if edit.status is not None and edit.status != cadre.status:
        if edit.status not in CADRE_STATUSES:
            raise WishError(
                _("{status!r} is not a status: use {statuses}").format(
                    status=edit.status, statuses=", ".join(CADRE_STATUSES)
                )
            )
        changes["status"] = edit.status
    if edit.notes is not None and edit.notes != cadre.notes:
        changes["notes"] = edit.notes
    if not changes:
        return cadre
    require_cadre(db, access, cadre, N_("change a cadre's details"))
    before = {k: getattr(cadre, k) for k in changes}
    with db.atomic():
        db["cadres"].update(cadre.id, changes)
        store.add_audit(
            db,
            "cadre.edit",
            {"cadre": cadre.code, "before": before, "after": changes},
            access.actor,
        )
        store.bump_district(db, f"details of {cadre.code}", access.actor)
    values = {k: (bool(v) if k == "night_ok" else v) for k, v in changes.items()}
    return replace(cadre, **values)


def roster_breaches(db: sqlite_utils.Database, cadre_id: int, today: dt.date | None = None):
    """Hard-rule breaches of the stored rosters from this week on that concern this cadre
    (after a change of their facts or wishes): (week Monday, breach) pairs."""
    from roster.solver.checker import check_roster, quota_mates

    monday = week_start(today or clock.today())
    district = store.load_district(db)
    mates = {cadre_id} | quota_mates(district, {cadre_id})
    out = []
    weeks = [
        dt.date.fromisoformat(r[0])
        for r in db.execute(
            "select week_start from rosters where week_start >= ? order by week_start",
            [monday.isoformat()],
        )
    ]
    for week in weeks:
        roster = store.get_roster(db, week)
        if roster is None:
            continue
        mine = [a for a in roster.assignments if a.cadre_id in mates]
        if not any(a.cadre_id == cadre_id for a in mine):
            continue
        history = [a for a in store.history(db, week, 1) if a.cadre_id == cadre_id]
        for b in check_roster(district, week, mine, history, coverage=False):
            if b.cadre_id == cadre_id or b.rule == "unit_quota":
                out.append((week, b))
    return out
