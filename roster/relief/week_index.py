"""The week as relief sees it: indexes over one stored roster (who works where and when,
who lives within reach of a post, history before the week) that every request of the week
reuses, and a request (the absent cadre's freed shifts) read against them."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from roster.domain import Absence, Assignment, District, Roster, week_days
from roster.geo import commute_km, distance_matrix, within_commute
from roster.i18n import _
from roster.relief.options import RELIEF_SOURCE, Change, ReliefError
from roster.solver.checker import Breach, check_roster, unavailable_days
from roster.solver.prepare import forbidden_successions


@dataclass
class Freed:
    """A shift of the absent cadre in the span; `need` is how many more the cell needs."""

    index: int
    a: Assignment
    need: int


@dataclass
class Move:
    """One person's part of an option."""

    cadre_id: int
    kind: str
    covers: frozenset[int]  # indices of the freed shifts taken
    changes: tuple[Change, ...]
    x_days: tuple[dt.date, ...] = ()  # days the absent cadre works in return (swap)
    takes_from: tuple[tuple[int, dt.date, str], ...] = ()  # over-staffed cells left
    cost: int = 0


@dataclass
class Request:
    cadre_id: int
    start: dt.date
    end: dt.date
    span: set[dt.date]
    district: District  # with the absence added
    freed: list[Freed]  # every shift of the absent cadre in the span
    todo: list[Freed]  # those that need someone
    x_days: dict[dt.date, str]  # the absent cadre's week without the freed shifts
    reasons: dict[int, Counter]  # freed index -> why candidates could not take it
    moves: list[Move] = field(default_factory=list)
    base_breaches: dict[int, set] = field(default_factory=dict)  # cadre -> breach keys
    checked: dict[tuple, list[str]] = field(default_factory=dict)  # (cadre, week) -> new ones


class WeekIndex:
    """Indexes over one stored roster that every request of the week reuses."""

    def __init__(self, district: District, roster: Roster, history: Sequence[Assignment]):
        self.district = district
        self.roster = roster
        self.monday = roster.week_start
        self.days = week_days(self.monday)
        self.settings = district.settings
        self.night_codes = {c for c, s in district.shifts.items() if s.is_night}
        self.forbidden, self.max_gap = forbidden_successions(district, district.settings)
        in_week = set(self.days)
        self.assignments = [a for a in roster.assignments if a.date in in_week]
        self.by_cadre: dict[int, dict[dt.date, Assignment]] = defaultdict(dict)
        self.cells: Counter = Counter()
        self.on_post_day: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
        home: dict[int, Counter] = defaultdict(Counter)
        for a in self.assignments:
            self.by_cadre[a.cadre_id][a.date] = a
            self.cells[a.post_id, a.date, a.shift_code] += 1
            self.on_post_day[a.post_id, a.date].append(a.cadre_id)
            if a.source != RELIEF_SOURCE:
                home[a.cadre_id][a.post_id] += 1
        self.deployment = {
            c: min(n.items(), key=lambda kv: (-kv[1], kv[0]))[0] for c, n in home.items()
        }
        self.at_post: dict[int, list[int]] = defaultdict(list)
        for c, p in sorted(self.deployment.items()):
            self.at_post[p].append(c)
        self.locks = [a for a in self.assignments if a.locked]
        self.over = {cell for cell, n in self.cells.items() if n > district.required(*cell)}
        self.shifts_of = {
            c: {d: a.shift_code for d, a in mine.items()} for c, mine in self.by_cadre.items()
        }
        self.away = {
            (ab.cadre_id, day) for ab in district.absences for day in self.days if ab.covers(day)
        }
        self.away |= unavailable_days(district, self.days)  # rule 9: wishes, unit home days
        self.able = {c for c, x in district.cadres.items() if x.status == "active"}
        self.night_ok = {c for c, x in district.cadres.items() if x.night_ok}

        past = [a for a in history if a.date < self.monday]
        self.history_of: dict[int, list[Assignment]] = defaultdict(list)
        for a in past:
            self.history_of[a.cadre_id].append(a)
        # The stored week after (days after Sunday in `history`, see `store.neighbours`):
        # rest rules look across that boundary too.
        self.after_of: dict[int, list[Assignment]] = defaultdict(list)
        for a in history:
            if a.date > self.days[-1]:
                self.after_of[a.cadre_id].append(a)
        self.after: dict[int, list[tuple[int, str]]] = {}
        self.run_after: dict[int, int] = {}
        for c, items in self.after_of.items():
            dates = {a.date for a in items}
            n, day = 0, self.monday + dt.timedelta(days=7)
            while day in dates:
                n, day = n + 1, day + dt.timedelta(days=1)
            self.run_after[c] = n
            self.after[c] = sorted(
                ((a.date - self.monday).days, a.shift_code)
                for a in items
                if (a.date - self.monday).days <= 6 + max(1, self.max_gap)
                and a.shift_code in district.shifts
            )
        self.before: dict[int, list[tuple[int, str]]] = {}
        self.run_before: dict[int, int] = {}
        self.hist_nights: Counter = Counter()
        self.hist_weekends: Counter = Counter()
        prev_week = {self.monday - dt.timedelta(days=k) for k in range(1, 8)}
        prev: dict[int, Counter] = defaultdict(Counter)
        for c, items in self.history_of.items():
            dates = {a.date for a in items}
            n, day = 0, self.monday - dt.timedelta(days=1)
            while day in dates:
                n, day = n + 1, day - dt.timedelta(days=1)
            self.run_before[c] = n
            self.before[c] = sorted(
                ((a.date - self.monday).days, a.shift_code)
                for a in items
                if (self.monday - a.date).days <= max(1, self.max_gap)
                and a.shift_code in district.shifts
            )
            for a in items:
                self.hist_nights[c] += a.shift_code in self.night_codes
                self.hist_weekends[c] += a.date.isoweekday() >= 6
                if a.date in prev_week:
                    prev[c][a.post_id] += 1
        self.prev_post = {c: n.most_common(1)[0][0] for c, n in prev.items()}
        self.week_nights: Counter = Counter()
        self.week_weekends: Counter = Counter()
        for a in self.assignments:
            self.week_nights[a.cadre_id] += a.shift_code in self.night_codes
            self.week_weekends[a.cadre_id] += a.date.isoweekday() >= 6

        ids = sorted(district.cadres, key=lambda c: district.cadres[c].code)
        self.ids = np.array(ids, dtype=np.int64)
        cadres = [district.cadres[c] for c in ids]
        self.homes = [(c.home_lat, c.home_lon) for c in cadres]
        self.max_km = np.array([c.max_commute_km for c in cadres], dtype=float)
        self._reach: dict[int, list[tuple[int, float]]] = {}
        self._km: dict[tuple[int, int], float] = {}
        self._checked: dict[int, list[Breach]] = {}

    # --- lookups ---------------------------------------------------------------------

    def reach(self, post_id: int) -> list[tuple[int, float]]:
        """Cadres living within commute of a post, nearest first, with the road km."""
        hit = self._reach.get(post_id)
        if hit is not None:
            return hit
        post = self.district.posts[post_id]
        km = distance_matrix(self.homes, [(post.lat, post.lon)], self.settings.road_factor)[:, 0]
        ok = km <= self.max_km + 1e-6
        out = []
        for i in np.nonzero(ok)[0][np.argsort(km[ok], kind="stable")]:
            c = int(self.ids[i])
            if km[i] > self.max_km[i] - 1e-6 and not within_commute(
                self.district.cadres[c], post, self.settings.road_factor
            ):
                continue  # the knife-edge cases settled exactly as the checker does
            out.append((c, float(km[i])))
            self._km.setdefault((c, post_id), float(km[i]))
        self._reach[post_id] = out
        return out

    def km(self, cadre_id: int, post_id: int) -> float:
        key = (cadre_id, post_id)
        if key not in self._km:
            self._km[key] = commute_km(
                self.district.cadres[cadre_id],
                self.district.posts[post_id],
                self.settings.road_factor,
            )
        return self._km[key]

    def days_of(self, cadre_id: int) -> dict[dt.date, str]:
        return dict(self.shifts_of.get(cadre_id, {}))

    def fits(self, cadre_id: int, days: dict[dt.date, str]) -> str | None:
        """None when a week of `days` (date -> shift) keeps rules 1, 4 and 5 for the cadre,
        counting the stored weeks before and after; else the rule it breaks (a quick filter:
        the checker has the last word)."""
        s = self.settings
        if len(days) > 7 - s.min_rest_days:
            return "rest_days"
        run = self.run_before.get(cadre_id, 0)
        for day in self.days:
            if day in days:
                run += 1
                if run > s.max_consecutive_days:
                    return "consecutive_days"
            else:
                run = 0
        if run and run + self.run_after.get(cadre_id, 0) > s.max_consecutive_days:
            return "consecutive_days"
        seq = (
            self.before.get(cadre_id, [])
            + sorted(((d - self.monday).days, code) for d, code in days.items())
            + self.after.get(cadre_id, [])
        )
        for i, (d1, s1) in enumerate(seq):
            for d2, s2 in seq[i + 1 :]:
                k = d2 - d1
                if k > self.max_gap:
                    break
                if k >= 1 and (s1, s2, k) in self.forbidden:
                    return "rest_hours"
        return None

    def base_breaches(self, district: District, cadre_id: int, locks) -> list[Breach]:
        return check_roster(
            district,
            self.monday,
            list(self.by_cadre.get(cadre_id, {}).values()),
            self.history_of.get(cadre_id, ()),
            following=self.after_of.get(cadre_id, ()),
            locks=locks,
            coverage=False,
        )


_CACHE: dict[str, tuple] = {}


def week_for(district: District, roster: Roster, history: Sequence[Assignment]) -> WeekIndex:
    """The indexes of this district and roster, reused while neither object nor the
    roster's version changes (the screens and the benchmark ask many times)."""
    hit = _CACHE.get("week")
    if hit is not None:
        d, r, version, h, n, week = hit
        if d is district and r is roster and version == roster.version and h is history:
            if n == len(roster.assignments):
                return week
    week = WeekIndex(district, roster, history)
    _CACHE["week"] = (district, roster, roster.version, history, len(roster.assignments), week)
    return week


def make_request(week: WeekIndex, cadre_id: int, start: dt.date, end: dt.date) -> Request:
    district = week.district
    if cadre_id not in district.cadres:
        raise ReliefError(
            _("no cadre with id {id}: give a cadre's code or exact name").format(id=cadre_id)
        )
    if end < start:
        raise ReliefError(
            _("the last day {end} is before the first day {start}: swap --from and --to").format(
                end=end, start=start
            )
        )
    sunday = week.monday + dt.timedelta(days=6)
    if start < week.monday or end > sunday:
        raise ReliefError(
            _(
                "{start} to {end} is not within the roster's week ({monday} to {sunday}); "
                "give days of that week, one request per week"
            ).format(start=start, end=end, monday=week.monday, sunday=sunday)
        )
    span = {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
    away = with_absence(district, Absence(-1, cadre_id, start, end, "relief", ""))
    mine = week.by_cadre.get(cadre_id, {})
    freed = []
    for day in sorted(d for d in mine if d in span):
        a = mine[day]
        cell = (a.post_id, a.date, a.shift_code)
        need = district.required(*cell) - (week.cells[cell] - 1)
        freed.append(Freed(len(freed), a, need))
    x_days = {d: a.shift_code for d, a in mine.items() if d not in span}
    return Request(
        cadre_id=cadre_id,
        start=start,
        end=end,
        span=span,
        district=away,
        freed=freed,
        todo=[f for f in freed if f.need > 0],
        x_days=x_days,
        reasons={f.index: Counter() for f in freed},
    )


def with_absence(district: District, absence: Absence) -> District:
    """The district with one more absence, sharing everything else (no re-indexing of
    the demand: a request is answered many times a minute)."""
    out = copy.copy(district)
    out.absences = [*district.absences, absence]
    if isinstance(getattr(district, "_absences", None), dict):
        out._absences = dict(district._absences)
        out._absences[absence.cadre_id] = [*out._absences.get(absence.cadre_id, []), absence]
    else:
        out.reindex()
    return out
