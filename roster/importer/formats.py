"""The kinds of import file: for each (`FORMATS`, in the import order `KINDS`), its columns,
how a row is checked and turned into a table record, and the key that finds it again."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from roster import i18n
from roster.domain import (
    ABSENCE_KINDS,
    CADRE_STATUSES,
    GENDERS,
    POST_KINDS,
    TOWN_KINDS,
    TRANSPORT_MAX_KM,
    WISH_KINDS,
)
from roster.i18n import N_, _
from roster.importer.values import _BAD, _Row, _show

if TYPE_CHECKING:
    from roster.importer.run import _Importer

KINDS = (
    "towns", "units", "shifts", "posts", "demand", "cadres", "absences", "wishes", "unit_days",
)  # fmt: skip
_PHONE_RE = re.compile(r"\+?[0-9(][0-9 ()\-]{3,30}")
_GENDER_ALIASES = {"男": "M", "女": "F", "m": "M", "f": "F"}


class Spec:
    """How one kind of file is checked and written."""

    kind = ""  # file name stem and report key
    table = ""
    pk = "id"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    key_columns: tuple[str, ...] = ()  # file columns that identify a row
    key_db: tuple[str, ...] = ()  # table columns that identify a row
    keep_if_absent: tuple[str, ...] = ()  # optional columns left alone on update if absent
    find_sql = ""

    def parse(self, r: _Row) -> tuple[tuple | None, dict]:
        """The row's key (None if it could not be read) and its record (table columns)."""
        raise NotImplementedError

    def find_params(self, record: dict) -> list:
        return [record[c] for c in self.key_db]

    def after_row(self, imp: _Importer, record: dict) -> None:
        """Called for each row written."""

    def describe_key(self, key: tuple) -> str:
        col = self.key_columns[0]
        return f"{col} {_show(key[0])}"


class TownsSpec(Spec):
    kind = table = "towns"
    required = ("name", "kind", "lat", "lon")
    key_columns = key_db = ("name",)
    find_sql = "select id from towns where name = ?"

    def parse(self, r):
        name = r.text("name", _("the town's name"))
        rec = {
            "name": name,
            "kind": r.choice("kind", TOWN_KINDS, _("street, town or township")),
            "lat": r.number("lat", -90, 90, _("the latitude in degrees, e.g. 40.3162")),
            "lon": r.number("lon", -180, 180, _("the longitude in degrees, e.g. 116.6318")),
        }
        return (None if name is _BAD else (name,)), rec


class UnitsSpec(Spec):
    kind = table = "units"
    required = ("name",)
    optional = keep_if_absent = ("kind", "liaison_name", "liaison_phone")
    key_columns = key_db = ("name",)
    find_sql = "select id from units where name = ?"

    def parse(self, r):
        name = r.text("name", _("the unit's name"))
        phone = r.text("liaison_phone", "", required=False)
        if phone and not _PHONE_RE.fullmatch(phone):
            phone = r.fail("liaison_phone", _not_a_phone(phone))
        rec = {
            "name": name,
            "kind": r.text("kind", "", required=False),
            "liaison_name": r.text("liaison_name", "", required=False),
            "liaison_phone": phone,
        }
        return (None if name is _BAD else (name,)), rec


class ShiftsSpec(Spec):
    kind = "shifts"
    table = "shift_types"
    pk = "code"
    required = ("code", "name", "start", "end")
    key_columns = key_db = ("code",)
    find_sql = "select code from shift_types where code = ?"

    def parse(self, r):
        code = r.text("code", _("the shift's code, e.g. D"))
        rec = {
            "code": code,
            "name": r.text("name", _("the shift's name")),
            "start": r.time("start", _("the start time")),
            "end": r.time("end", _("the end time (at or before the start: the next day)")),
        }
        return (None if code is _BAD else (code,)), rec


class PostsSpec(Spec):
    kind = table = "posts"
    required = ("code", "name", "kind", "town", "work_group", "lat", "lon")
    optional = keep_if_absent = ("compounds", "no_property", "no_security", "address")
    key_columns = key_db = ("code",)
    find_sql = "select id from posts where code = ?"

    def parse(self, r):
        code = r.text("code", _("the post's code"))
        count = _("the number of gated compounds")
        rec = {
            "code": code,
            "name": r.text("name", _("the village's or community's name")),
            "kind": r.choice("kind", POST_KINDS, _("village or community")),
            "town_id": r.ref("towns", "town", _("town")),
            "work_group_id": r.text("work_group", _("the work group's name")),
            "lat": r.number("lat", -90, 90, _("the latitude in degrees, e.g. 40.3162")),
            "lon": r.number("lon", -180, 180, _("the longitude in degrees, e.g. 116.6318")),
            "compounds": r.integer("compounds", 0, 100_000, count, required=False, default=0),
            "no_property": r.integer("no_property", 0, 100_000, count, required=False, default=0),
            "no_security": r.integer("no_security", 0, 100_000, count, required=False, default=0),
            "address": r.text("address", "", required=False),
        }
        if "compounds" in r.values and isinstance(rec["compounds"], int):
            for col in ("no_property", "no_security"):
                n = rec[col]
                if col in r.values and isinstance(n, int) and n > rec["compounds"]:
                    r.fail(
                        col,
                        _("{n} is more than the post's {compounds} compounds").format(
                            n=n, compounds=rec["compounds"]
                        ),
                    )
        if r.ok:  # a work group named here is created if new
            rec["work_group_id"] = r.imp.work_group_id(rec["work_group_id"])
        return (None if code is _BAD else (code,)), rec


class DemandSpec(Spec):
    kind = table = "demand"
    required = ("post", "shift", "weekday", "required")
    optional = ("date",)
    key_columns = ("post", "shift", "weekday", "date")
    key_db = ("post_id", "shift_code", "weekday", "date")
    find_sql = """select id from demand where post_id = ? and shift_code = ? and weekday = ?
                  and coalesce(date, '') = ?"""

    def parse(self, r):
        post = r.values.get("post", "")
        shift = r.values.get("shift", "")
        rec = {
            "post_id": r.ref("posts", "post", _("post code")),
            "shift_code": r.ref("shifts", "shift", _("shift code")),
            "weekday": r.integer("weekday", 1, 7, _("the weekday, 1 = Monday … 7 = Sunday")),
            "date": r.date("date", _("the date"), required=False),
            "required": r.integer("required", 0, 10_000, _("the number of cadres needed")),
        }
        day, weekday = rec["date"], rec["weekday"]
        if isinstance(day, dt.date) and isinstance(weekday, int):
            if day.isoweekday() != weekday:
                r.fail(
                    "weekday",
                    _(
                        "{weekday} does not match the date {date} (a {day_name}, weekday "
                        "{right}); write {right}"
                    ).format(
                        weekday=weekday, date=day, day_name=_day_name(day), right=day.isoweekday()
                    ),
                )
            rec["date"] = day.isoformat()
        key_parts = (post, shift, weekday, rec["date"] or "")
        key = None if (not post or not shift or _BAD in key_parts) else key_parts
        return key, rec

    def find_params(self, record):
        return [record["post_id"], record["shift_code"], record["weekday"], record["date"] or ""]

    def describe_key(self, key):
        post, shift, weekday, day = key
        if day:
            return _("post {post}, shift {shift}, weekday {weekday}, date {date}").format(
                post=_show(post), shift=_show(shift), weekday=weekday, date=day
            )
        return _("post {post}, shift {shift}, weekday {weekday}").format(
            post=_show(post), shift=_show(shift), weekday=weekday
        )


class CadresSpec(Spec):
    kind = table = "cadres"
    required = (
        "code", "name", "gender", "birth_date", "unit", "phone", "party_member",
        "home_lat", "home_lon", "transport",
    )  # fmt: skip
    optional = ("max_commute_km", "night_ok", "status", "notes")
    keep_if_absent = ("night_ok", "status", "notes")
    key_columns = key_db = ("code",)
    find_sql = "select id from cadres where code = ?"

    def parse(self, r):
        code = r.text("code", _("the cadre's code"))
        born = r.date("birth_date", _("the date of birth"))
        if isinstance(born, dt.date):
            if born > r.imp.today:
                born = r.fail(
                    "birth_date", _("{date} is in the future; check the year").format(date=born)
                )
            else:
                born = born.isoformat()
        phone = r.text("phone", _("the phone number"))
        if phone is not _BAD and not _PHONE_RE.fullmatch(phone):
            phone = r.fail("phone", _not_a_phone(phone))
        transport = r.choice(
            "transport", tuple(TRANSPORT_MAX_KM), _("how the cadre travels: walk, bicycle, …")
        )
        km = r.number(
            "max_commute_km",
            0,
            1000,
            _("the longest commute in km"),
            required=False,
            low_open=True,
        )
        if km is None and transport is not _BAD:
            km = TRANSPORT_MAX_KM[transport]
        rec = {
            "code": code,
            "name": r.text("name", _("the cadre's name")),
            "gender": r.choice("gender", GENDERS, _("M or F"), aliases=_GENDER_ALIASES),
            "birth_date": born,
            "unit_id": r.ref("units", "unit", _("unit")),
            "phone": phone,
            "party_member": r.boolean("party_member"),
            "home_lat": r.number("home_lat", -90, 90, _("the latitude of home in degrees")),
            "home_lon": r.number("home_lon", -180, 180, _("the longitude of home in degrees")),
            "transport": transport,
            "max_commute_km": km,
            "night_ok": r.boolean("night_ok", required=False, default=1),
            "status": r.choice(
                "status", CADRE_STATUSES, _("the status"), required=False, default="active"
            ),
            "notes": r.text("notes", "", required=False),
        }
        return (None if code is _BAD else (code,)), rec


class AbsencesSpec(Spec):
    kind = table = "absences"
    required = ("cadre", "start_date", "end_date", "kind")
    optional = keep_if_absent = ("note",)
    key_columns = ("cadre", "start_date", "end_date", "kind")
    key_db = ("cadre_id", "start_date", "end_date", "kind")
    find_sql = """select id from absences where cadre_id = ? and start_date = ? and end_date = ?
                  and kind = ?"""

    def dates(self, r: _Row):
        return r.date("start_date", _("the first day away")), r.date(
            "end_date", _("the last day away")
        )

    def parse(self, r):
        cadre = r.values.get("cadre", "")
        start, end = self.dates(r)
        end_col = "end_date" if "end_date" in self.required else self.required[2]
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            end = r.fail(
                end_col,
                _("the absence ends ({end}) before it starts ({start})").format(
                    end=end, start=start
                ),
            )
        rec = {
            "cadre_id": r.ref("cadres", "cadre", _("cadre code")),
            "start_date": start.isoformat() if isinstance(start, dt.date) else start,
            "end_date": end.isoformat() if isinstance(end, dt.date) else end,
            "kind": r.choice("kind", ABSENCE_KINDS, _("the kind of absence")),
            "note": r.text("note", "", required=False),
        }
        parts = (cadre, rec["start_date"], rec["end_date"], rec["kind"])
        return (None if (not cadre or _BAD in parts) else parts), rec

    def describe_key(self, key):
        cadre, start, end, kind = key
        return _("the {kind} absence of cadre {cadre} from {start} to {end}").format(
            kind=_(kind), cadre=_show(cadre), start=start, end=end
        )


_WEEKDAYS_HINT = N_("weekdays 1–7 (1 = Monday), e.g. 6 or 6,7 or 1-5")
_WEEKDAY_RE = re.compile(r"[1-7](?:-[1-7])?(?:[,;][1-7](?:-[1-7])?)*")


def parse_weekdays(text: str) -> tuple[int, ...] | None:
    """ "6,7" / "1-5" / "1-7" as sorted weekdays, or None if it is not such a list."""
    text = text.replace(" ", "")
    if not _WEEKDAY_RE.fullmatch(text):
        return None
    days: set[int] = set()
    for part in re.split("[,;]", text):
        lo, _, hi = part.partition("-")
        first, last = int(lo), int(hi or lo)
        if last < first:
            return None
        days.update(range(first, last + 1))
    return tuple(sorted(days))


class WishesSpec(Spec):
    """A cadre's availability or wish: `unavailable` (hard), `avoid` or `prefer` (soft),
    for a `date`, a `weekday` list, or a range `date`..`until` (weekdays may narrow it)."""

    kind = table = "wishes"
    required = ("cadre", "kind")
    optional = ("date", "weekday", "until", "shift", "weight", "note")
    keep_if_absent = ("weight", "note")
    key_columns = ("cadre", "kind", "date", "weekday", "until", "shift")
    key_db = ("cadre_id", "kind", "date", "weekday", "until", "shift")
    find_sql = """select id from wishes where cadre_id = ? and kind = ?
                  and coalesce(date, '') = ? and weekday = ? and coalesce(until, '') = ?
                  and shift = ?"""

    def parse(self, r):
        cadre = r.values.get("cadre", "")
        kind = r.choice("kind", WISH_KINDS, _("unavailable, avoid or prefer"))
        first = r.date("date", _("the day (or first day)"), required=False)
        until = r.date("until", _("the last day"), required=False)
        weekday = ""
        text = r.values.get("weekday", "")
        if text:
            days = parse_weekdays(text)
            if days is None:
                r.fail(
                    "weekday",
                    _("{value} is not a list of weekdays; write {hint}").format(
                        value=_show(text), hint=_(_WEEKDAYS_HINT)
                    ),
                )
            else:
                weekday = ",".join(map(str, days))
        if first is None and not text and r.ok:
            r.fail(
                "date",
                _(
                    "is empty and so is weekday; write a date (YYYY-MM-DD), or {hint}, or a date "
                    "and an until for a range"
                ).format(hint=_(_WEEKDAYS_HINT)),
            )
        if isinstance(first, dt.date) and isinstance(until, dt.date) and until < first:
            until = r.fail(
                "until",
                _("the wish ends ({end}) before it starts ({start})").format(
                    end=until, start=first
                ),
            )
        weight = r.integer("weight", 1, 100_000, _("the weight, a whole number"), required=False)
        if kind == "unavailable" and isinstance(weight, int):
            weight = r.fail(
                "weight", _("unavailable is a hard rule and takes no weight; leave it empty")
            )
        shift = r.values.get("shift", "")
        rec = {
            "cadre_id": r.ref("cadres", "cadre", _("cadre code")),
            "kind": kind,
            "date": first.isoformat() if isinstance(first, dt.date) else first,
            "weekday": weekday,
            "until": until.isoformat() if isinstance(until, dt.date) else until,
            "shift": r.ref("shifts", "shift", _("shift code")) if shift else "",
            "weight": weight or 0,
            "note": r.text("note", "", required=False),
        }
        parts = (cadre, kind, rec["date"] or "", weekday, rec["until"] or "", shift)
        return (None if (not cadre or _BAD in parts) else parts), rec

    def find_params(self, record):
        return [
            record["cadre_id"], record["kind"], record["date"] or "", record["weekday"],
            record["until"] or "", record["shift"],
        ]  # fmt: skip

    def describe_key(self, key):
        cadre, kind, first, weekday, until, shift = key
        when = " ".join(
            x for x in (first and _("date {date}").format(date=first),
                        weekday and _("weekday {weekday}").format(weekday=weekday),
                        until and _("until {date}").format(date=until),
                        shift and _("shift {shift}").format(shift=shift)) if x
        )  # fmt: skip
        return _("the {kind} wish of cadre {cadre} ({when})").format(
            kind=_(kind), cadre=_show(cadre), when=when
        )


class UnitDaysSpec(Spec):
    """A dispatching unit's quota: at most `max_cadres` of its cadres on duty on a weekday
    (or on one date); 0 makes it a home day (the unit needs all its cadres)."""

    kind = table = "unit_days"
    required = ("unit", "max_cadres")
    optional = ("weekday", "date", "note")
    keep_if_absent = ("note",)
    key_columns = ("unit", "weekday", "date")
    key_db = ("unit_id", "weekday", "date")
    find_sql = """select id from unit_days where unit_id = ? and weekday = ?
                  and coalesce(date, '') = ?"""

    def parse(self, r):
        unit = r.values.get("unit", "")
        day = r.date("date", _("the date"), required=False)
        weekday = r.integer(
            "weekday", 1, 7, _("the weekday, 1 = Monday … 7 = Sunday"), required=day is None
        )
        if isinstance(day, dt.date):
            if isinstance(weekday, int) and weekday != day.isoweekday():
                r.fail(
                    "weekday",
                    _(
                        "{weekday} does not match the date {date} (weekday {right}); write "
                        "{right} or leave it empty"
                    ).format(weekday=weekday, date=day, right=day.isoweekday()),
                )
            weekday = day.isoweekday()
            day = day.isoformat()
        rec = {
            "unit_id": r.ref("units", "unit", _("unit")),
            "weekday": weekday,
            "date": day,
            "max_cadres": r.integer(
                "max_cadres",
                0,
                100_000,
                _("how many of its cadres the unit can spare that day"),
            ),
            "note": r.text("note", "", required=False),
        }
        parts = (unit, weekday, day or "")
        return (None if (not unit or _BAD in parts) else parts), rec

    def find_params(self, record):
        return [record["unit_id"], record["weekday"], record["date"] or ""]

    def describe_key(self, key):
        unit, weekday, day = key
        if day:
            return _("unit {unit}, date {date}").format(unit=_show(unit), date=day)
        return _("unit {unit}, weekday {weekday}").format(unit=_show(unit), weekday=weekday)


def _not_a_phone(phone: str) -> str:
    return _("{value} is not a phone number; write digits").format(value=_show(phone))


def _day_name(day: dt.date) -> str:
    """The weekday's name, as the refusal of a wrong weekday gives it ("Monday" / "周一")."""
    return i18n.weekday_name(day.weekday()) if i18n.current() == "zh" else f"{day:%A}"


FORMATS: dict[str, Spec] = {
    s.kind: s
    for s in (
        TownsSpec(), UnitsSpec(), ShiftsSpec(), PostsSpec(), DemandSpec(), CadresSpec(),
        AbsencesSpec(), WishesSpec(), UnitDaysSpec(),
    )
}  # fmt: skip
