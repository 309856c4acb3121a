"""The independent checker: every hard rule on a week's assignments.

Plain Python over the domain values, written apart from the solver's models (it imports
nothing of them), so that a roster is judged by a second path: `roster check` uses it on
stored rosters and the tests judge every solver result with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from roster.domain import Assignment, District, week_days
from roster.domain import week_start as monday_of
from roster.geo import commute_km

# breach kind -> the hard rule it belongs to (numbered as in docs/rules.md)
RULE_NUMBERS = {
    "one_post": 1,
    "one_shift": 1,
    "coverage": 2,
    "commute": 3,
    "rest_days": 4,
    "consecutive_days": 4,
    "min_consecutive_days": 4,
    "min_consecutive_days_off": 4,
    "rest_hours": 5,
    "absence": 6,
    "status": 6,
    "night": 7,
    "lock": 8,
    "unavailable": 9,
    "unit_quota": 9,
    "unknown": 0,
}


@dataclass(frozen=True)
class Breach:
    rule: str  # a key of RULE_NUMBERS
    message: str
    cadre_id: int | None = None
    post_id: int | None = None
    date: dt.date | None = None
    shift_code: str | None = None

    @property
    def number(self) -> int:
        return RULE_NUMBERS.get(self.rule, 0)

    @property
    def key(self) -> tuple:
        """What makes two breaches the same breach (found by two checks of one roster)."""
        return (self.rule, self.cadre_id, self.post_id, self.date, self.shift_code, self.message)

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "rule_number": self.number,
            "message": self.message,
            "cadre_id": self.cadre_id,
            "post_id": self.post_id,
            "date": self.date.isoformat() if self.date else None,
            "shift_code": self.shift_code,
        }


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_label(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.isoformat()}"


class _Names:
    def __init__(self, district: District):
        self.d = district

    def cadre(self, cadre_id: int) -> str:
        c = self.d.cadres.get(cadre_id)
        return f"{c.name} ({c.code})" if c else f"cadre #{cadre_id}"

    def post(self, post_id: int) -> str:
        p = self.d.posts.get(post_id)
        return f"{p.name} ({p.code})" if p else f"post #{post_id}"

    def shift(self, code: str) -> str:
        s = self.d.shifts.get(code)
        return f"{code} {s.name}" if s else code


def check_roster(
    district: District,
    week_start: dt.date,
    assignments: Iterable[Assignment],
    history: Iterable[Assignment] = (),
    *,
    following: Iterable[Assignment] = (),
    locks: Iterable[Assignment] = (),
    coverage: bool = True,
    cells: Iterable[tuple[int, dt.date, str]] | None = None,
) -> list[Breach]:
    """Every breach of hard rules 1–9 by the week's `assignments`. The stored neighbouring
    weeks count for rest (rules 4 and 5) across both boundaries: `history`, the weeks
    before, and `following`, the week after (days after Sunday found in `history` count as
    following too, so a caller may pass both weeks around in one list). `locks` must be kept
    exactly; `coverage=False` skips rule 2, e.g. for locks alone; `cells`, (post, day,
    shift) triples, limits rule 2 to those cells."""
    monday = monday_of(week_start)
    days = week_days(monday)
    in_week = set(days)
    names = _Names(district)
    week = [a for a in assignments if a.date in in_week]
    history = list(history)
    past = [a for a in history if a.date < monday]
    after = [a for a in (*history, *following) if a.date > days[-1]]
    breaches: list[Breach] = []

    known = []
    for a in week:
        problems = []
        if a.cadre_id not in district.cadres:
            problems.append(f"cadre #{a.cadre_id} does not exist")
        if a.post_id not in district.posts:
            problems.append(f"post #{a.post_id} does not exist")
        if a.shift_code not in district.shifts:
            problems.append(f"shift {a.shift_code!r} does not exist")
        if problems:
            breaches.append(
                Breach(
                    "unknown",
                    f"{day_label(a.date)}: " + "; ".join(problems),
                    a.cadre_id,
                    a.post_id,
                    a.date,
                    a.shift_code,
                )
            )
        else:
            known.append(a)
    week = known

    by_cadre: dict[int, list[Assignment]] = defaultdict(list)
    for a in week:
        by_cadre[a.cadre_id].append(a)

    breaches += _one_post_one_shift(by_cadre, names)
    if coverage:
        breaches += _coverage(district, days, week, names, cells)
    breaches += _commute(district, by_cadre, names)
    past_by_cadre: dict[int, list[Assignment]] = defaultdict(list)
    for a in (*past, *after):  # the neighbouring weeks, as far as rest is concerned
        if a.shift_code in district.shifts:
            past_by_cadre[a.cadre_id].append(a)
    breaches += _rest_days(district, by_cadre, past_by_cadre, monday, names)
    breaches += _min_runs(district, by_cadre, monday, names)
    breaches += _rest_hours(district, by_cadre, past_by_cadre, names)
    breaches += _absence_and_status(district, by_cadre, names)
    breaches += _nights(district, week, names)
    breaches += _locks(district, week, [lk for lk in locks if lk.date in in_week], names)
    breaches += _unavailable(district, week, names)
    breaches += _unit_quotas(district, week, names)
    return breaches


def _one_post_one_shift(by_cadre, names: _Names) -> list[Breach]:
    out = []
    for c, items in by_cadre.items():
        posts = sorted({a.post_id for a in items if a.source != "relief"})
        if len(posts) > 1:
            where = ", ".join(names.post(p) for p in posts)
            out.append(
                Breach(
                    "one_post",
                    f"{names.cadre(c)} is deployed to {len(posts)} posts this week ({where}); "
                    "only relief may lend a cadre to another post",
                    c,
                    posts[1],
                )
            )
        per_day: dict[dt.date, list[Assignment]] = defaultdict(list)
        for a in items:
            per_day[a.date].append(a)
        for day, same in sorted(per_day.items()):
            if len(same) > 1:
                what = ", ".join(f"{a.shift_code} at {names.post(a.post_id)}" for a in same)
                out.append(
                    Breach(
                        "one_shift",
                        f"{names.cadre(c)} has {len(same)} shifts on {day_label(day)} ({what})",
                        c,
                        same[1].post_id,
                        day,
                        same[1].shift_code,
                    )
                )
    return out


def _coverage(district: District, days, week, names: _Names, cells=None) -> list[Breach]:
    count: dict[tuple[int, dt.date, str], int] = defaultdict(int)
    for a in week:
        count[a.post_id, a.date, a.shift_code] += 1
    wanted = None if cells is None else set(cells)
    out = []
    for p in sorted(district.posts, key=lambda p: district.posts[p].code):
        for day in days:
            for code in sorted(district.shifts):
                if wanted is not None and (p, day, code) not in wanted:
                    continue
                need = district.required(p, day, code)
                have = count.get((p, day, code), 0)
                if need > have:
                    out.append(
                        Breach(
                            "coverage",
                            f"post {names.post(p)} on {day_label(day)}, shift "
                            f"{names.shift(code)}: {have} of {need} required on duty",
                            None,
                            p,
                            day,
                            code,
                        )
                    )
    return out


def _commute(district: District, by_cadre, names: _Names) -> list[Breach]:
    out = []
    factor = district.settings.road_factor
    for c, items in by_cadre.items():
        cadre = district.cadres[c]
        for p in sorted({a.post_id for a in items}):
            km = commute_km(cadre, district.posts[p], factor)
            if km > cadre.max_commute_km:
                first = min(a.date for a in items if a.post_id == p)
                out.append(
                    Breach(
                        "commute",
                        f"{names.cadre(c)} lives {km:.1f} km from {names.post(p)}, beyond "
                        f"their {cadre.max_commute_km:g} km ({cadre.transport})",
                        c,
                        p,
                        first,
                    )
                )
    return out


def _rest_days(district, by_cadre, past_by_cadre, monday: dt.date, names) -> list[Breach]:
    s = district.settings
    out = []
    for c, items in by_cadre.items():
        worked = {a.date for a in items}
        off = 7 - len(worked)
        if off < s.min_rest_days:
            out.append(
                Breach(
                    "rest_days",
                    f"{names.cadre(c)} has {off} day(s) off this week; at least "
                    f"{s.min_rest_days} required",
                    c,
                )
            )
        dates = sorted(worked | {a.date for a in past_by_cadre.get(c, ())})
        run_start, prev = None, None
        runs = []
        for day in dates:
            if prev is not None and (day - prev).days == 1:
                prev = day
                continue
            if run_start is not None:
                runs.append((run_start, prev))
            run_start = prev = day
        if run_start is not None:
            runs.append((run_start, prev))
        for first, last in runs:
            length = (last - first).days + 1
            sunday = monday + dt.timedelta(days=6)
            if length > s.max_consecutive_days and last >= monday and first <= sunday:
                out.append(
                    Breach(
                        "consecutive_days",
                        f"{names.cadre(c)} works {length} days in a row "
                        f"({first.isoformat()} to {last.isoformat()}); at most "
                        f"{s.max_consecutive_days} allowed",
                        c,
                        None,
                        max(first, monday),
                    )
                )
    return out


def _min_runs(district: District, by_cadre, monday: dt.date, names) -> list[Breach]:
    """Settings `min_consecutive_days` / `min_consecutive_days_off` (1: no minimum): a run
    of worked days or days off inside the week, neither starting on Monday nor reaching
    Sunday, is at least that long."""
    s = district.settings
    least = {True: s.min_consecutive_days, False: s.min_consecutive_days_off}
    if max(least.values()) <= 1:
        return []
    out = []
    for c, items in by_cadre.items():
        worked = [monday + dt.timedelta(days=i) in {a.date for a in items} for i in range(7)]
        start = 0
        for i in range(1, 8):
            if i < 7 and worked[i] == worked[start]:
                continue
            length, kind = i - start, worked[start]
            if start > 0 and i < 7 and length < least[kind]:
                what = "works" if kind else "is off"
                rule = "min_consecutive_days" if kind else "min_consecutive_days_off"
                out.append(
                    Breach(
                        rule,
                        f"{names.cadre(c)} {what} {length} day(s) in a row from "
                        f"{day_label(monday + dt.timedelta(days=start))}; at least "
                        f"{least[kind]} required",
                        c,
                        None,
                        monday + dt.timedelta(days=start),
                    )
                )
            start = i
    return out


def _span(district: District, a: Assignment) -> tuple[dt.datetime, dt.datetime]:
    shift = district.shifts[a.shift_code]
    midnight = dt.datetime.combine(a.date, dt.time())
    return (
        midnight + dt.timedelta(minutes=shift.start_minutes),
        midnight + dt.timedelta(minutes=shift.end_minutes),
    )


def _rest_hours(district, by_cadre, past_by_cadre, names) -> list[Breach]:
    need = dt.timedelta(hours=district.settings.min_rest_hours)
    out = []
    for c, items in by_cadre.items():
        this_week = {id(a) for a in items}
        spans = sorted(
            ((*_span(district, a), a) for a in [*past_by_cadre.get(c, ()), *items]),
            key=lambda t: t[0],
        )
        for i, (_start_a, end_a, a) in enumerate(spans):
            for start_b, _end_b, b in spans[i + 1 :]:
                if start_b - end_a >= need:
                    break  # later shifts start later still
                if a.date == b.date or (id(a) not in this_week and id(b) not in this_week):
                    continue  # same day: rule 1 says it; both another week: not this roster's
                rest = (start_b - end_a).total_seconds() / 3600
                mine = b if id(b) in this_week else a  # the duty of this week it is about
                out.append(
                    Breach(
                        "rest_hours",
                        f"{names.cadre(c)}: {rest:g} h between {a.shift_code} on "
                        f"{day_label(a.date)} and {b.shift_code} on {day_label(b.date)}; at "
                        f"least {district.settings.min_rest_hours:g} h required",
                        c,
                        mine.post_id,
                        mine.date,
                        mine.shift_code,
                    )
                )
    return out


def _absence_and_status(district: District, by_cadre, names) -> list[Breach]:
    out = []
    for c, items in by_cadre.items():
        cadre = district.cadres[c]
        if cadre.status != "active":
            out.append(
                Breach(
                    "status",
                    f"{names.cadre(c)} is {cadre.status.replace('_', ' ')} but has "
                    f"{len(items)} shift(s) this week",
                    c,
                    items[0].post_id,
                    items[0].date,
                    items[0].shift_code,
                )
            )
        for a in sorted(items, key=lambda a: a.date):
            for ab in district.absences:
                if ab.cadre_id == c and ab.start_date <= a.date <= ab.end_date:
                    out.append(
                        Breach(
                            "absence",
                            f"{names.cadre(c)} is absent ({ab.kind}) on {day_label(a.date)} "
                            f"but has shift {a.shift_code} at {names.post(a.post_id)}",
                            c,
                            a.post_id,
                            a.date,
                            a.shift_code,
                        )
                    )
                    break
    return out


def _nights(district: District, week, names) -> list[Breach]:
    out = []
    for a in week:
        if district.shifts[a.shift_code].is_night and not district.cadres[a.cadre_id].night_ok:
            out.append(
                Breach(
                    "night",
                    f"{names.cadre(a.cadre_id)} may not do night shifts but has "
                    f"{names.shift(a.shift_code)} on {day_label(a.date)} at {names.post(a.post_id)}",
                    a.cadre_id,
                    a.post_id,
                    a.date,
                    a.shift_code,
                )
            )
    return out


def _locks(district: District, week, locks, names) -> list[Breach]:
    have = {(a.date, a.cadre_id, a.post_id, a.shift_code) for a in week}
    out = []
    for lk in locks:
        if (lk.date, lk.cadre_id, lk.post_id, lk.shift_code) not in have:
            out.append(
                Breach(
                    "lock",
                    f"locked shift {lk.shift_code} of {names.cadre(lk.cadre_id)} at "
                    f"{names.post(lk.post_id)} on {day_label(lk.date)} is not in the roster",
                    lk.cadre_id,
                    lk.post_id,
                    lk.date,
                    lk.shift_code,
                )
            )
    return out


def _unavailable(district: District, week, names) -> list[Breach]:
    """Rule 9: nobody works a day (or shift) they declared themselves unavailable."""
    out = []
    for a in week:
        for w in district.wishes_of(a.cadre_id):
            if w.kind == "unavailable" and w.covers(a.date, a.shift_code):
                note = f" ({w.note})" if w.note else ""
                out.append(
                    Breach(
                        "unavailable",
                        f"{names.cadre(a.cadre_id)} is unavailable {w.describe()}{note} but "
                        f"has shift {a.shift_code} on {day_label(a.date)} at "
                        f"{names.post(a.post_id)}",
                        a.cadre_id,
                        a.post_id,
                        a.date,
                        a.shift_code,
                    )
                )
                break
    return out


def _unit_quotas(district: District, week, names) -> list[Breach]:
    """Rule 9: a dispatching unit has at most its quota of cadres on duty on a day (a
    home day: none). The breach names the last of them (by code): one to move."""
    if not district.unit_days:
        return []
    on_duty: dict[tuple[int, dt.date], dict[int, Assignment]] = defaultdict(dict)
    for a in week:
        on_duty[district.cadres[a.cadre_id].unit_id, a.date][a.cadre_id] = a
    out = []
    for (unit, day), cadres in sorted(on_duty.items()):
        quota = district.unit_quota(unit, day)
        if quota is None or len(cadres) <= quota:
            continue
        last = max(cadres.values(), key=lambda a: district.cadres[a.cadre_id].code)
        name = district.units[unit].name if unit in district.units else f"unit #{unit}"
        what = "needs all its cadres at home" if quota == 0 else f"spares at most {quota}"
        out.append(
            Breach(
                "unit_quota",
                f"{name} {what} on {day_label(day)} but {len(cadres)} of its cadres are on "
                f"duty (e.g. {names.cadre(last.cadre_id)} at {names.post(last.post_id)})",
                last.cadre_id,
                last.post_id,
                day,
                last.shift_code,
            )
        )
    return out


def quota_mates(district: District, cadre_ids) -> set[int]:
    """The cadres whose duties a unit-quota check of `cadre_ids` needs: every cadre of
    their units that have a quota (for checking a change to a few cadres' weeks)."""
    units = {u.unit_id for u in district.unit_days}
    mine = {district.cadres[c].unit_id for c in cadre_ids if c in district.cadres} & units
    if not mine:
        return set()
    return {c for c, x in district.cadres.items() if x.unit_id in mine}


def unavailable_days(district: District, days) -> set[tuple]:
    """(cadre, day) for a whole day and (cadre, day, shift) for one shift that `unavailable`
    wishes close, and (cadre, day) for every cadre of a unit on its home days (quota 0)."""
    out: set[tuple] = set()
    for w in district.wishes:
        if w.kind == "unavailable":
            for day in days:
                if w.covers_day(day):
                    out.add((w.cadre_id, day, w.shift) if w.shift else (w.cadre_id, day))
    home = {(u, day) for day in days for u in district.units if district.unit_quota(u, day) == 0}
    if home:
        for c, x in district.cadres.items():
            for day in days:
                if (x.unit_id, day) in home:
                    out.add((c, day))
    return out
