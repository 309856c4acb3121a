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
from typing import Any

from roster.domain import Assignment, District, week_days
from roster.domain import week_start as monday_of
from roster.geo import commute_km
from roster.i18n import N_, WEEKDAYS_EN
from roster.i18n.said import Day, Joined, Said, english

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
# the rules' names as people see them (the codes stay English where stored or in --json)
RULE_NAMES = (
    N_("one_post"), N_("one_shift"), N_("coverage"), N_("commute"), N_("rest_days"),
    N_("consecutive_days"), N_("min_consecutive_days"), N_("min_consecutive_days_off"),
    N_("rest_hours"), N_("absence"), N_("status"), N_("night"), N_("lock"), N_("unavailable"),
    N_("unit_quota"), N_("unknown"),
)  # fmt: skip
# a cadre's status and an absence's kind, as a breach names them
STATUS_WORDS = {
    "active": N_("active"), "on_leave": N_("on leave"), "recalled": N_("recalled"),
    "withdrawn": N_("withdrawn"),
}  # fmt: skip
ABSENCE_KINDS = (
    N_("sick"), N_("family"), N_("leave"), N_("training"), N_("recalled"), N_("other"),
)  # fmt: skip
TRANSPORTS = (N_("walk"), N_("bicycle"), N_("e-bike"), N_("bus"), N_("car"))


@dataclass(frozen=True)
class Breach:
    rule: str  # a key of RULE_NUMBERS
    said: (
        Any  # the sentence: a `roster.i18n.said.Said` (English and the language spoken) or English
    )
    cadre_id: int | None = None
    post_id: int | None = None
    date: dt.date | None = None
    shift_code: str | None = None

    @property
    def number(self) -> int:
        return RULE_NUMBERS.get(self.rule, 0)

    @property
    def message(self) -> str:
        """The breach in the language spoken (to show)."""
        return str(self.said)

    @property
    def record(self) -> str:
        """The breach in English (to store in the audit, to compare, for `--json`)."""
        return english(self.said)

    @property
    def key(self) -> tuple:
        """What makes two breaches the same breach (found by two checks of one roster)."""
        return (self.rule, self.cadre_id, self.post_id, self.date, self.shift_code, self.record)

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "rule_number": self.number,
            "message": self.record,
            "cadre_id": self.cadre_id,
            "post_id": self.post_id,
            "date": self.date.isoformat() if self.date else None,
            "shift_code": self.shift_code,
        }


def day_label(day: dt.date) -> Day:
    """A day as a breach names it: `Mon 2026-12-07` in English, `12月7日 周一` in Chinese."""
    return Day(day, f"{WEEKDAYS_EN[day.weekday()]} {day.isoformat()}")


class _Names:
    def __init__(self, district: District):
        self.d = district

    def cadre(self, cadre_id: int) -> str | Said:
        c = self.d.cadres.get(cadre_id)
        return f"{c.name} ({c.code})" if c else Said(N_("cadre #{id}"), id=cadre_id)

    def post(self, post_id: int) -> str | Said:
        p = self.d.posts.get(post_id)
        return f"{p.name} ({p.code})" if p else Said(N_("post #{id}"), id=post_id)

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
            problems.append(Said(N_("cadre #{id} does not exist"), id=a.cadre_id))
        if a.post_id not in district.posts:
            problems.append(Said(N_("post #{id} does not exist"), id=a.post_id))
        if a.shift_code not in district.shifts:
            problems.append(Said(N_("shift {code} does not exist"), code=repr(a.shift_code)))
        if problems:
            breaches.append(
                Breach(
                    "unknown",
                    Said(N_("{day}: {problems}"), day=day_label(a.date), problems=Joined(problems)),
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
            where = Joined((names.post(p) for p in posts), ", ", "、")
            out.append(
                Breach(
                    "one_post",
                    Said(
                        N_(
                            "{cadre} is deployed to {n} posts this week ({posts}); "
                            "only relief may lend a cadre to another post"
                        ),
                        cadre=names.cadre(c),
                        n=len(posts),
                        posts=where,
                    ),  # fmt: skip
                    c,
                    posts[1],
                )
            )
        per_day: dict[dt.date, list[Assignment]] = defaultdict(list)
        for a in items:
            per_day[a.date].append(a)
        for day, same in sorted(per_day.items()):
            if len(same) > 1:
                what = Joined(
                    (
                        Said(
                            N_("{shift} at {post}"), shift=a.shift_code, post=names.post(a.post_id)
                        )
                        for a in same
                    ),
                    ", ",
                    "，",
                )
                out.append(
                    Breach(
                        "one_shift",
                        Said(
                            N_("{cadre} has {n} shifts on {day} ({shifts})"),
                            cadre=names.cadre(c),
                            n=len(same),
                            day=day_label(day),
                            shifts=what,
                        ),  # fmt: skip
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
                            Said(
                                N_(
                                    "post {post} on {day}, shift {shift}: {have} of {need} "
                                    "required on duty"
                                ),
                                post=names.post(p),
                                day=day_label(day),
                                shift=names.shift(code),
                                have=have,
                                need=need,
                            ),  # fmt: skip
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
                        Said(
                            N_(
                                "{cadre} lives {km:.1f} km from {post}, beyond their "
                                "{most:g} km ({transport})"
                            ),
                            cadre=names.cadre(c),
                            km=km,
                            post=names.post(p),
                            most=cadre.max_commute_km,
                            transport=Said(cadre.transport),
                        ),  # fmt: skip
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
                    Said(
                        N_("{cadre} has {off} day(s) off this week; at least {least} required"),
                        cadre=names.cadre(c),
                        off=off,
                        least=s.min_rest_days,
                    ),  # fmt: skip
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
                        Said(
                            N_(
                                "{cadre} works {n} days in a row ({first} to {last}); at most "
                                "{most} allowed"
                            ),
                            cadre=names.cadre(c),
                            n=length,
                            first=first.isoformat(),
                            last=last.isoformat(),
                            most=s.max_consecutive_days,
                        ),  # fmt: skip
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
                what = (
                    N_("{cadre} works {n} day(s) in a row from {day}; at least {least} required")
                    if kind
                    else N_(
                        "{cadre} is off {n} day(s) in a row from {day}; at least {least} required"
                    )
                )
                rule = "min_consecutive_days" if kind else "min_consecutive_days_off"
                out.append(
                    Breach(
                        rule,
                        Said(
                            what,
                            cadre=names.cadre(c),
                            n=length,
                            day=day_label(monday + dt.timedelta(days=start)),
                            least=least[kind],
                        ),  # fmt: skip
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
                        Said(
                            N_(
                                "{cadre}: {rest:g} h between {shift_a} on {day_a} and {shift_b} "
                                "on {day_b}; at least {least:g} h required"
                            ),
                            cadre=names.cadre(c),
                            rest=rest,
                            shift_a=a.shift_code,
                            day_a=day_label(a.date),
                            shift_b=b.shift_code,
                            day_b=day_label(b.date),
                            least=district.settings.min_rest_hours,
                        ),  # fmt: skip
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
                    Said(
                        N_("{cadre} is {status} but has {n} shift(s) this week"),
                        cadre=names.cadre(c),
                        status=Said(STATUS_WORDS.get(cadre.status, cadre.status.replace("_", " "))),
                        n=len(items),
                    ),
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
                            Said(
                                N_(
                                    "{cadre} is absent ({kind}) on {day} but has shift {shift} "
                                    "at {post}"
                                ),
                                cadre=names.cadre(c),
                                kind=Said(ab.kind),
                                day=day_label(a.date),
                                shift=a.shift_code,
                                post=names.post(a.post_id),
                            ),  # fmt: skip
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
                    Said(
                        N_("{cadre} may not do night shifts but has {shift} on {day} at {post}"),
                        cadre=names.cadre(a.cadre_id),
                        shift=names.shift(a.shift_code),
                        day=day_label(a.date),
                        post=names.post(a.post_id),
                    ),  # fmt: skip
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
                    Said(
                        N_(
                            "locked shift {shift} of {cadre} at {post} on {day} is not in the "
                            "roster"
                        ),
                        shift=lk.shift_code,
                        cadre=names.cadre(lk.cadre_id),
                        post=names.post(lk.post_id),
                        day=day_label(lk.date),
                    ),  # fmt: skip
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
                # the note inside the sentence's own brackets in Chinese: "（周一，出庭）"
                note = Said(N_(" ({note})"), note=w.note) if w.note else ""
                out.append(
                    Breach(
                        "unavailable",
                        Said(
                            N_(
                                "{cadre} is unavailable {when}{note} but has shift {shift} on "
                                "{day} at {post}"
                            ),
                            cadre=names.cadre(a.cadre_id),
                            when=w.when(),  # the record: English
                            note=note,
                            shift=a.shift_code,
                            day=day_label(a.date),
                            post=names.post(a.post_id),
                        ),  # fmt: skip
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
        name = (
            district.units[unit].name if unit in district.units else Said(N_("unit #{id}"), id=unit)
        )
        what = (
            N_("{unit} needs all its cadres at home on {day} but {n} of its cadres are on duty "
               "(e.g. {cadre} at {post})")
            if quota == 0
            else N_("{unit} spares at most {quota} on {day} but {n} of its cadres are on duty "
                    "(e.g. {cadre} at {post})")
        )  # fmt: skip
        out.append(
            Breach(
                "unit_quota",
                Said(
                    what,
                    unit=name,
                    quota=quota,
                    day=day_label(day),
                    n=len(cadres),
                    cadre=names.cadre(last.cadre_id),
                    post=names.post(last.post_id),
                ),  # fmt: skip
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
