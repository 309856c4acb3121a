"""Recording, settling and recalling: a request stored open, an option written with the
absence, the settled request and the audit in one transaction, a cadre recalled."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import replace

import sqlite_utils

from roster import store
from roster.access import NotAllowed, access_for, refuse
from roster.clock import local_text
from roster.domain import ABSENCE_KINDS, Absence, Assignment, Cadre, District
from roster.domain import week_start as monday_of
from roster.edits import rebased
from roster.i18n import N_, _
from roster.i18n.said import Said
from roster.relief.options import (
    Applied,
    Recalled,
    ReliefError,
    ReliefOption,
    StaleOption,
    StaleWeek,
)
from roster.relief.texts import messages_for
from roster.relief.verdict import whole_week_breaches
from roster.solver.checker import STATUS_WORDS

REQUEST_STATUSES = (N_("open"), N_("settled"))  # a relief request's, as people see them


def find_cadre(district: District, text: str) -> Cadre:
    """A cadre by code, else by exact name; says what to do when none or several match."""
    text = text.strip()
    for c in district.cadres.values():
        if c.code == text:
            return c
    named = sorted((c for c in district.cadres.values() if c.name == text), key=lambda c: c.code)
    if len(named) == 1:
        return named[0]
    if named:
        codes = ", ".join(c.code for c in named)
        raise ReliefError(
            _("{n} cadres are called {name} ({codes}): give the code").format(
                n=len(named), name=text, codes=codes
            )
        )
    raise ReliefError(
        _(
            "no cadre with code or name {name}: check the code (e.g. in `roster export --by cadre`)"
        ).format(name=repr(text))
    )


def absence_kind(reason: str) -> str:
    """The absence kind a free-text reason means (sick, family, leave, training, recalled)."""
    text = reason.strip().lower()
    first = re.split(r"[\s:：,，]", text, maxsplit=1)[0] if text else ""
    if first in ABSENCE_KINDS:
        return first
    words = (("recalled", ("召回", "recall", "违纪")), ("sick", ("病", "sick", "ill")),
             ("family", ("家", "family")), ("training", ("培训", "training")),
             ("leave", ("假", "leave")))  # fmt: skip
    for kind, needles in words:
        if any(n in text for n in needles):
            return kind
    return "other"


def record_request(
    db: sqlite_utils.Database,
    cadre_id: int,
    start: dt.date,
    end: dt.date,
    reason: str = "",
    actor: str | None = None,
) -> int:
    """Store an open relief request (or return the open one for the same cadre and days)."""
    with db.atomic():
        return store.record_relief_request(db, cadre_id, start, end, reason, actor)


def _require_towns_of(
    db, access, district: District, posts: set[int], what: str, *, none_needs_district=False
) -> None:
    """Refuse (audited) unless `access` may change every town of `posts`."""
    try:
        access.require_writer(what)
        if not posts and none_needs_district:
            access.require_district(what)
        for p in sorted(posts):
            town = district.towns[district.posts[p].town_id]
            access.require_town(town.id, town.name, what)
    except NotAllowed as e:
        refuse(db, access, what, e)
        raise


def apply_option(
    db: sqlite_utils.Database,
    request: int | tuple[int | str, dt.date, dt.date, str],
    option: ReliefOption,
    actor: str | None = None,
    *,
    kind: str | None = None,
    rebase: bool = False,
    district_version: int | None = None,
) -> Applied:
    """Settle a relief request with `option`, in one transaction: the roster, the absence,
    the request (recorded there when it was not yet) and the audit are written together
    or not at all.

    `request` is an open request's id, or (cadre id or code, start, end, reason): then the
    open request for those days is used, or one is recorded. The whole week is checked
    again (every hard rule; coverage may fall short only on the shifts the option leaves
    uncovered); then the roster is saved, the absence recorded, the request marked settled
    with the option as its resolution, and the audit written (`relief.settle`, and
    `relief.published` when the week was published). Town coordinators may settle only
    requests whose posts are all in their towns (`NotAllowed`, the refusal audited).

    When the week was changed since the options were computed, `StaleWeek` names who
    changed it and when; with `rebase`, a change that touched none of the option's people
    and cells is kept and the option made on top of it (`Applied.rebased_on` names whose).

    `district_version` is the district's version the options were computed on (read before
    that district was loaded; None: read here, before loading it). When the district changed
    since (a recall, an absence, an import), `store.DistrictChanged` says who changed it and
    nothing is written; with `rebase`, the option is first judged again by the whole-week
    checker on the district as it is now, and written when it finds nothing new.
    """
    actor = actor or store.current_actor()
    if district_version is None:
        district_version = store.district_version(db)  # before the district it versions
    district = store.load_district(db)
    if isinstance(request, int):
        cadre_id, start, end, reason = _open_request(db, request)
        request_id: int | None = request
    else:
        who, start, end, reason = request
        cadre_id = who if isinstance(who, int) else find_cadre(district, who).id
        request_id = None
    if (cadre_id, start, end) != (option.cadre_id, option.start, option.end):
        raise ReliefError(
            _("this option was computed for another request: compute the options of this one")
        )
    posts = {ch.post_id for ch in option.changes}
    access = access_for(db, actor)
    what = Said(N_("settle the relief request of {name}"), name=district.cadres[cadre_id].name)
    _require_towns_of(db, access, district, posts, what)
    monday = option.week_start
    rebased_on = ""
    with db.atomic():
        if request_id is not None:
            _open_request(db, request_id)  # still open now that the week is ours to write
        roster = store.get_roster(db, monday)
        if roster is None:
            raise ReliefError(
                _("no roster for the week of {monday}: solve it first").format(monday=monday)
            )
        if roster.version != option.roster_version:
            stale = StaleWeek.of(db, monday, option.roster_version)
            base = option._week.roster if option._week is not None else None
            new = None
            if rebase and base is not None and base.version == option.roster_version:
                new = rebased(base.assignments, apply_changes(base.assignments, option),
                              roster.assignments)  # fmt: skip
            if new is None:
                raise stale
            rebased_on = stale.by or "someone else"
        else:
            new = apply_changes(roster.assignments, option)
        computed_on = district_version
        district_version = store.district_version(db)
        if district_version != computed_on:
            if not rebase:  # DistrictChanged: who changed it; the options are computed again
                store.require_district_version(db, computed_on)
            district = store.load_district(db)  # as it is now: the checker judges on it
        absence = Absence(-1, cadre_id, start, end, kind or absence_kind(reason), reason)
        checked = replace(district, absences=[*district.absences, absence])
        problems = whole_week_breaches(checked, roster, new, option, store.neighbours(db, monday))
        if problems:
            if district_version != computed_on:  # the district's change is why
                store.require_district_version(db, computed_on)
            raise StaleOption(
                _("the checker refuses this option now: {problems} — compute the options again")
                .format(problems=_("; ").join(problems[:3]))
            )  # fmt: skip
        saved = store.save_roster(
            db,
            monday,
            new,
            stats={**roster.stats, "edited": True},
            action="relief.apply",
            actor=actor,
            expected_version=roster.version,
            district_version=district_version,
        )
        if not any(
            a.cadre_id == cadre_id and a.start_date <= start and a.end_date >= end
            for a in district.absences
        ):
            store.add_absence(db, cadre_id, start, end, absence.kind, reason, actor)
        if request_id is None:
            request_id = store.record_relief_request(db, cadre_id, start, end, reason, actor)
        resolution = {
            "option": option.to_json(),
            "settled_at": store.now_iso(),
            "settled_by": actor,
            "roster_version": saved.version,
        }
        store.settle_relief_request(db, request_id, resolution)
        details = {
            "week": monday.isoformat(),
            "request": request_id,
            "cadre": district.cadres[cadre_id].code,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "reason": reason,
            "kind": option.kind,
            "summary": option.summary_english,
            "disturbed": [district.cadres[c].code for c in option.disturbed],
            "uncovered": len(option.uncovered),
            "version": saved.version,
        }
        if rebased_on:
            details["rebased_on"] = rebased_on
        store.add_audit(db, "relief.settle", details, actor)
        published = roster.status == "published"
        if published:
            store.add_audit(
                db,
                "relief.published",
                {**details, "cells": _cells_changed(district, option)},
                actor,
            )
    messages = tuple(messages_for(option, saved.assignments))
    return Applied(request_id, saved.version, published, messages, rebased_on)


def _open_request(db: sqlite_utils.Database, request_id: int) -> tuple:
    """(cadre id, start, end, reason) of an open request; ReliefError when it is not open."""
    row = store.relief_request(db, request_id)
    if row is None:
        raise ReliefError(_("no relief request #{id}").format(id=request_id))
    if row.status != "open":
        try:
            done = json.loads(row.resolution)
            by = _(" by {who} at {time}").format(
                who=done["settled_by"], time=local_text(done["settled_at"])
            )
        except (ValueError, TypeError, KeyError):
            by = ""
        raise ReliefError(
            _("relief request #{id} is already {status}{by}").format(
                id=request_id, status=_(row.status), by=by
            )
        )
    return row.cadre_id, row.start_date, row.end_date, row.reason


def apply_changes(assignments: Iterable[Assignment], option: ReliefOption) -> list[Assignment]:
    """The week's assignments with the option's changes made (StaleOption when they no
    longer fit: a removed shift gone, an added one's cadre already on duty that day)."""
    current = {(a.date, a.cadre_id, a.post_id, a.shift_code): a for a in assignments}
    for ch in option.changes:
        if ch.action == "remove":
            if ch.key not in current:
                raise StaleOption(
                    _("the roster no longer has {duty}: compute the options again").format(
                        duty=ch.key
                    )
                )
            del current[ch.key]
    for ch in option.changes:
        if ch.action == "add":
            if any(k[0] == ch.date and k[1] == ch.cadre_id for k in current):
                raise StaleOption(
                    _("cadre #{id} is already on duty on {day}: compute the options again").format(
                        id=ch.cadre_id, day=ch.date
                    )
                )
            current[ch.key] = ch.assignment()
    return sorted(current.values(), key=lambda a: (a.date, a.post_id, a.shift_code, a.cadre_id))


def _cells_changed(district: District, option: ReliefOption) -> list[dict]:
    cells: dict[tuple, dict] = {}
    for ch in option.changes:
        key = (ch.post_id, ch.date, ch.shift_code)
        cell = cells.setdefault(key, {"post": district.posts[ch.post_id].code,
                                      "date": ch.date.isoformat(), "shift": ch.shift_code,
                                      "added": [], "removed": []})  # fmt: skip
        cell["added" if ch.action == "add" else "removed"].append(district.cadres[ch.cadre_id].code)
    return list(cells.values())


def recall(
    db: sqlite_utils.Database,
    cadre_code: str,
    from_date: dt.date,
    reason: str = "",
    actor: str | None = None,
) -> Recalled:
    """Recall a cadre (code or exact name) from `from_date`, in one transaction: an absence
    of kind `recalled` from that day, the status `recalled`, and an open relief request for
    the rest of that week. Returns the request to settle.

    The status has no date and the checker judges it for a whole week, so when the cadre
    served earlier that week the status stays `active` (else those served days would read
    as breaches): the absence then runs a year from `from_date`, which keeps them off every
    roster until a coordinator sets the status, and the note says so.
    """
    actor = actor or store.current_actor()
    district = store.load_district(db)
    cadre = find_cadre(district, cadre_code)
    if cadre.status in ("recalled", "withdrawn"):
        raise ReliefError(
            _("{name} ({code}) is already {status}").format(
                name=cadre.name, code=cadre.code, status=_(STATUS_WORDS[cadre.status])
            )
        )
    monday = monday_of(from_date)
    end = monday + dt.timedelta(days=6)
    access = access_for(db, actor)
    what = Said(N_("recall {name}"), name=cadre.name)
    roster = store.get_roster(db, monday)
    mine = [a for a in (roster.assignments if roster else []) if a.cadre_id == cadre.id]
    # deployed nowhere that week: no town to judge by, so it takes a district coordinator
    posts = {a.post_id for a in mine}
    _require_towns_of(db, access, district, posts, what, none_needs_district=True)
    status_set = not any(a.date < from_date for a in mine)
    away_until = end if status_set else from_date + dt.timedelta(days=365)
    with db.atomic():
        store.add_absence(db, cadre.id, from_date, away_until, "recalled", reason, actor)
        if status_set:
            store.set_cadre_status(db, cadre.id, "recalled", actor)
        request_id = store.record_relief_request(
            db, cadre.id, from_date, end, reason or "recalled", actor
        )
        if status_set:
            note = Said(
                N_("{name} ({code}) is recalled from {day}"),
                name=cadre.name, code=cadre.code, day=from_date,
            )  # fmt: skip
        else:
            note = Said(
                N_(
                    "{name} ({code}) is recalled from {day}; having served earlier in the week of "
                    "{monday}, their status stays active for now and the recall is recorded as an "
                    "absence to {until}: set the status to recalled once that week is over"
                ),
                name=cadre.name, code=cadre.code, day=from_date, monday=monday, until=away_until,
            )  # fmt: skip
        store.add_audit(
            db,
            "relief.recall",
            {"week": monday.isoformat(), "cadre": cadre.code, "from": from_date.isoformat(),
             "reason": reason, "request": request_id, "status_set": status_set,
             "absent_until": away_until.isoformat()},
            actor,
        )  # fmt: skip
    return Recalled(request_id, from_date, end, status_set, note)
