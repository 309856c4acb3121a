"""Relief requests (issue 5): cover an absence in the week with the fewest changes.

The core the CLI (`roster relief`, `roster recall`) and the screens call; it never imports
Textual. Plain values in, plain values out:

- `relief_options(district, roster, cadre_id, start, end, history=...)` lists the ways to
  cover the shifts the absent cadre leaves free from `start` to `end`, best first;
- `apply_option(db, request, option, actor)` re-checks one and writes it in one transaction
  (roster, absence, settled request, audit);
- `messages_for(option)` gives the text message for each person whose week changes;
- `record_request` stores an open request, `recall` records a recall (and its request).

How an option is found. The absent cadre's shifts in the span are freed (a shift whose post
and shift stay covered without them needs nobody). Candidates are the active cadres living
within commute of the post, free of absence that day and allowed the shift:
- swap: a colleague deployed at the same post who rests that day works it, and the absent
  cadre works one of the colleague's days in return (on a day they are free);
- take_over: such a colleague simply works the extra day;
- shift_change: a colleague on an over-staffed shift of the same post changes shift;
- reserve: a cadre deployed nowhere this week takes it;
- lightly_used: a cadre deployed at another post, resting that day, is lent for it;
- lend: a cadre on an over-staffed shift of another post is lent for the day;
- resolve (last resort, when the above leave shifts uncovered): the affected post's shifts
  from `start` on are solved again with its cadres and a few nearby spare ones, everything
  else fixed (the per-post CP-SAT model of `solver.schedule`, plus a cost per changed cell).
A person may take several of the freed shifts; options of two or more people combine
persons who cover disjoint parts. Added shifts carry the source `relief`.

Ranking: fewest uncovered shifts, then fewest people disturbed (the absent cadre is not
counted), then cost, then kind (swap first, resolve last). The cost is in the weights of
`Settings`, term by term (`ReliefOption.cost_terms`):
commute (weight_commute per km travelled more, one way, per shift), workload
(weight_fairness per extra shift of someone else), continuity (weight_continuity per person
sent to a post that is neither theirs this week nor last week's), fairness_nights /
fairness_weekends (the change in the post's spread, as `solver.soft` counts it but over all
shifts), party_post (weight_party_post per day a post loses its only party member on duty)
and unmet (weight_unmet per shift left uncovered).

Every option offered is checked by the independent checker before it is offered: the
changed cadres' weeks with their history (`check_roster`, coverage off; the other cadres'
weeks do not change, and every hard rule but coverage is about one cadre's week, so this
is the whole week's verdict for rules 1 and 3-8) must add no breach, and no cell the option
touches may end up short unless the option says it leaves that shift uncovered.
`apply_option` checks the whole week again, coverage included, before writing.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import sqlite_utils

from roster import store
from roster.access import NotAllowed, access_for, refuse
from roster.domain import ABSENCE_KINDS, Absence, Assignment, Cadre, District, Roster, week_days
from roster.domain import week_start as monday_of
from roster.geo import commute_km, within_commute
from roster.solver.checker import Breach, check_roster, unavailable_days
from roster.solver.prepare import EARTH_RADIUS_KM, forbidden_successions
from roster.solver.soft import NIGHT_TOLERANCE, WEEKEND_TOLERANCE, spread_excess

RELIEF_SOURCE = "relief"
KINDS = (
    "swap",
    "take_over",
    "shift_change",
    "reserve",
    "lightly_used",
    "lend",
    "mixed",
    "resolve",
    "nothing_to_cover",
)
KIND_RANK = {k: i for i, k in enumerate(KINDS)}
DEFAULT_LIMIT = 10
RESOLVE_EXTRA_CADRES = 6  # spare cadres nearby offered to the re-solve of a post
RESOLVE_TIME_LIMIT = 1.0
CHANGE_WEIGHT = 50  # re-solve: cost of each changed cell (below unmet, above fairness)
PARTITION_MAX = 5  # exact set partitions of the freed shifts up to this many; greedy above


class ReliefError(ValueError):
    """The request cannot be handled as asked; the message says what to fix."""


class StaleOption(ReliefError):
    """The option no longer fits the stored roster: compute the options again."""


# --- values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One assignment added to or removed from the week."""

    action: str  # "add" | "remove"
    cadre_id: int
    date: dt.date
    post_id: int
    shift_code: str
    source: str = RELIEF_SOURCE

    @property
    def key(self) -> tuple[dt.date, int, int, str]:
        return (self.date, self.cadre_id, self.post_id, self.shift_code)

    def assignment(self) -> Assignment:
        return Assignment(
            self.date, self.cadre_id, self.post_id, self.shift_code, False, self.source
        )


@dataclass(frozen=True)
class Uncovered:
    """A freed shift the option leaves uncovered, and why nobody takes it."""

    post_id: int
    date: dt.date
    shift_code: str
    why: str


@dataclass(frozen=True)
class Effect:
    """A soft rule the option makes worse, with its cost and the reason in words."""

    rule: str
    cost: int
    detail: str


@dataclass(frozen=True)
class PersonEffect:
    """How one person's week changes: shifts, nights, weekend shifts, km travelled."""

    cadre_id: int
    shifts_before: int
    shifts_after: int
    nights_delta: int
    weekends_delta: int
    km_delta: float


@dataclass
class ReliefOption:
    """One way to cover an absence. `changes` include the absent cadre's freed shifts."""

    kind: str
    summary: str
    cadre_id: int
    start: dt.date
    end: dt.date
    week_start: dt.date
    roster_version: int
    published: bool
    changes: tuple[Change, ...]
    disturbed: tuple[int, ...]  # cadres other than the absent one whose week changes
    cost: int
    cost_terms: dict[str, int]
    worsened: tuple[Effect, ...]
    people: tuple[PersonEffect, ...]
    uncovered: tuple[Uncovered, ...]
    freed: int  # shifts the absent cadre had in the span
    parts: tuple[str, ...] = ()  # the kind of each disturbed person's part
    rank: int = 0  # 1 = best
    district: District | None = field(default=None, repr=False, compare=False)
    _week: _Week | None = field(default=None, repr=False, compare=False)

    @property
    def complete(self) -> bool:
        return not self.uncovered

    @property
    def commute_km(self) -> float:
        """Change in km travelled (one way, summed over shifts) by the people disturbed."""
        return round(sum(p.km_delta for p in self.people if p.cadre_id != self.cadre_id), 1)

    @property
    def added(self) -> list[Change]:
        return [c for c in self.changes if c.action == "add"]

    @property
    def removed(self) -> list[Change]:
        return [c for c in self.changes if c.action == "remove"]

    def sort_key(self) -> tuple:
        codes = tuple(sorted(self._code(c) for c in self.disturbed))
        return (len(self.uncovered), len(self.disturbed), self.cost, KIND_RANK[self.kind], codes)

    def _code(self, cadre_id: int) -> str:
        d = self.district
        return d.cadres[cadre_id].code if d and cadre_id in d.cadres else str(cadre_id)

    def to_json(self) -> dict:
        d = self.district

        def cadre(cid: int) -> dict:
            c = d.cadres.get(cid) if d else None
            return {"cadre_id": cid, "cadre_code": c.code if c else None,
                    "cadre_name": c.name if c else None}  # fmt: skip

        def post(pid: int) -> dict:
            p = d.posts.get(pid) if d else None
            return {"post_id": pid, "post_code": p.code if p else None,
                    "post_name": p.name if p else None}  # fmt: skip

        return {
            "rank": self.rank,
            "kind": self.kind,
            "parts": list(self.parts),
            "summary": self.summary,
            "complete": self.complete,
            "cadre": cadre(self.cadre_id),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "week": self.week_start.isoformat(),
            "roster_version": self.roster_version,
            "published": self.published,
            "freed": self.freed,
            "disturbed": [cadre(c) for c in self.disturbed],
            "people_disturbed": len(self.disturbed),
            "changes": [
                {
                    "action": c.action,
                    **cadre(c.cadre_id),
                    "date": c.date.isoformat(),
                    **post(c.post_id),
                    "shift_code": c.shift_code,
                    "source": c.source,
                }
                for c in self.changes
            ],
            "cost": self.cost,
            "cost_terms": dict(self.cost_terms),
            "commute_km": self.commute_km,
            "fairness": [
                {
                    **cadre(p.cadre_id),
                    "shifts_before": p.shifts_before,
                    "shifts_after": p.shifts_after,
                    "nights_delta": p.nights_delta,
                    "weekends_delta": p.weekends_delta,
                    "km_delta": round(p.km_delta, 1),
                }
                for p in self.people
            ],
            "worsened": [
                {"rule": e.rule, "cost": e.cost, "detail": e.detail} for e in self.worsened
            ],
            "uncovered": [
                {
                    **post(u.post_id),
                    "date": u.date.isoformat(),
                    "shift_code": u.shift_code,
                    "why": u.why,
                }
                for u in self.uncovered
            ],  # fmt: skip
        }


@dataclass(frozen=True)
class ReliefMessage:
    """The text message for one person whose week changed."""

    cadre_id: int
    code: str
    name: str
    phone: str
    text: str


@dataclass(frozen=True)
class Applied:
    request_id: int
    roster_version: int
    published: bool
    messages: tuple[ReliefMessage, ...]


@dataclass(frozen=True)
class Recalled:
    request_id: int
    start: dt.date
    end: dt.date
    status_set: bool  # cadres.status became 'recalled' now
    note: str


# --- the week as relief sees it ----------------------------------------------------------


@dataclass
class _Freed:
    """A shift of the absent cadre in the span; `need` is how many more the cell needs."""

    index: int
    a: Assignment
    need: int


@dataclass
class _Move:
    """One person's part of an option."""

    cadre_id: int
    kind: str
    covers: frozenset[int]  # indices of the freed shifts taken
    changes: tuple[Change, ...]
    x_days: tuple[dt.date, ...] = ()  # days the absent cadre works in return (swap)
    takes_from: tuple[tuple[int, dt.date, str], ...] = ()  # over-staffed cells left
    cost: int = 0


@dataclass
class _Request:
    cadre_id: int
    start: dt.date
    end: dt.date
    span: set[dt.date]
    district: District  # with the absence added
    freed: list[_Freed]  # every shift of the absent cadre in the span
    todo: list[_Freed]  # those that need someone
    x_days: dict[dt.date, str]  # the absent cadre's week without the freed shifts
    reasons: dict[int, Counter]  # freed index -> why candidates could not take it
    moves: list[_Move] = field(default_factory=list)
    base_breaches: dict[int, set] = field(default_factory=dict)  # cadre -> breach keys
    checked: dict[tuple, list[str]] = field(default_factory=dict)  # (cadre, week) -> new ones


class _Week:
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
        self.lat = np.radians(np.array([c.home_lat for c in cadres], dtype=float))
        self.lon = np.radians(np.array([c.home_lon for c in cadres], dtype=float))
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
        lat2, lon2 = math.radians(post.lat), math.radians(post.lon)
        a = (
            np.sin((lat2 - self.lat) / 2) ** 2
            + np.cos(self.lat) * math.cos(lat2) * np.sin((lon2 - self.lon) / 2) ** 2
        )
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)) * self.settings.road_factor
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
        counting their history; else the rule it breaks (a quick filter: the checker has
        the last word)."""
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
        seq = self.before.get(cadre_id, []) + sorted(
            ((d - self.monday).days, code) for d, code in days.items()
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
            locks=locks,
            coverage=False,
        )


_CACHE: dict[str, tuple] = {}


def _week_for(district: District, roster: Roster, history: Sequence[Assignment]) -> _Week:
    """The indexes of this district and roster, reused while neither object nor the
    roster's version changes (the screens and the benchmark ask many times)."""
    hit = _CACHE.get("week")
    if hit is not None:
        d, r, version, h, n, week = hit
        if d is district and r is roster and version == roster.version and h is history:
            if n == len(roster.assignments):
                return week
    week = _Week(district, roster, history)
    _CACHE["week"] = (district, roster, roster.version, history, len(roster.assignments), week)
    return week


# --- options ---------------------------------------------------------------------------


def relief_options(
    district: District,
    roster: Roster,
    cadre_id: int,
    start: dt.date,
    end: dt.date,
    *,
    history: Sequence[Assignment] = (),
    limit: int = DEFAULT_LIMIT,
    resolve: bool = True,
) -> list[ReliefOption]:
    """Ranked ways to cover `cadre_id`'s absence from `start` to `end` (within the roster's
    week), each checked by the independent checker. See the module doc for the ranking.

    An option that cannot cover every freed shift says which and why (`uncovered`); when
    nothing at all can be covered the list holds one option that only frees the shifts.
    Raises ReliefError for an unknown cadre or dates outside the roster's week.
    """
    week = _week_for(district, roster, history)
    req = _request(week, cadre_id, start, end)
    if not req.todo:
        return [_nothing_to_cover(week, req)]
    moves = req.moves = _moves(week, req)
    options = _compose(week, req, moves, limit)
    best = min(options, key=ReliefOption.sort_key) if options else None
    if resolve and (best is None or best.uncovered):
        solved = _resolve(week, req)
        if solved is not None and (best is None or len(solved.uncovered) < len(best.uncovered)):
            options.append(solved)
    if not options:
        options.append(_leave_uncovered(week, req))
    options.sort(key=ReliefOption.sort_key)
    for i, option in enumerate(options, start=1):
        option.rank = i
    return options


def _request(week: _Week, cadre_id: int, start: dt.date, end: dt.date) -> _Request:
    district = week.district
    if cadre_id not in district.cadres:
        raise ReliefError(f"no cadre with id {cadre_id}: give a cadre's code or exact name")
    if end < start:
        raise ReliefError(
            f"the last day {end} is before the first day {start}: swap --from and --to"
        )
    sunday = week.monday + dt.timedelta(days=6)
    if start < week.monday or end > sunday:
        raise ReliefError(
            f"{start} to {end} is not within the roster's week ({week.monday} to {sunday}); "
            "give days of that week, one request per week"
        )
    span = {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
    with_absence = _with_absence(district, Absence(-1, cadre_id, start, end, "relief", ""))
    mine = week.by_cadre.get(cadre_id, {})
    freed = []
    for day in sorted(d for d in mine if d in span):
        a = mine[day]
        cell = (a.post_id, a.date, a.shift_code)
        need = district.required(*cell) - (week.cells[cell] - 1)
        freed.append(_Freed(len(freed), a, need))
    x_days = {d: a.shift_code for d, a in mine.items() if d not in span}
    return _Request(
        cadre_id=cadre_id,
        start=start,
        end=end,
        span=span,
        district=with_absence,
        freed=freed,
        todo=[f for f in freed if f.need > 0],
        x_days=x_days,
        reasons={f.index: Counter() for f in freed},
    )


def _with_absence(district: District, absence: Absence) -> District:
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


def _moves(week: _Week, req: _Request) -> list[_Move]:
    """Every person's feasible ways to take some of the freed shifts."""
    x = req.cadre_id
    items: dict[int, list[tuple[_Freed, Assignment | None]]] = defaultdict(list)
    empty: dict[dt.date, Assignment] = {}
    for f in req.todo:
        a = f.a
        day, cell = a.date, (a.post_id, a.shift_code)
        night = a.shift_code in week.night_codes
        reasons = req.reasons[f.index]
        busy = status = no_night = absent = 0
        for c, _km in week.reach(a.post_id):
            cur = week.by_cadre.get(c, empty).get(day)
            if cur is not None and (
                cur.locked
                or (cur.post_id, day, cur.shift_code) not in week.over
                or (cur.post_id, cur.shift_code) == cell
            ):
                busy += c != x  # on duty where they are needed (most cadres, most days)
            elif c == x:
                continue
            elif c not in week.able:
                status += 1
            elif night and c not in week.night_ok:
                no_night += 1
            elif (c, day) in week.away or (c, day, a.shift_code) in week.away:
                absent += 1
            else:
                items[c].append((f, cur))
        reasons.update(
            reach=len(week.reach(a.post_id)) - (x in dict(week.reach(a.post_id))),
            busy=busy, status=status, night=no_night, absent=absent,
        )  # fmt: skip
    moves: list[_Move] = []
    for c, mine in items.items():
        base = week.days_of(c)
        for subset in _subsets(mine, req.reasons, week, c, base):
            moves.append(_person_move(week, req, c, subset))
        if week.deployment.get(c) is not None:
            moves += _swaps(week, req, c, [(f, cur) for f, cur in mine if cur is None], base)
    return moves


def _subsets(mine, reasons, week: _Week, c: int, base: dict[dt.date, str]):
    """The feasible subsets of the shifts one person could take (all, for a few shifts;
    greedy runs in both orders for more)."""
    singles = []
    for f, cur in mine:
        days = dict(base)
        days[f.a.date] = f.a.shift_code
        broken = week.fits(c, days)
        if broken is None:
            singles.append((f, cur))
        else:
            reasons[f.index][broken] += 1
    if len(singles) <= 1:
        return [singles] if singles else []

    def ok(group) -> bool:
        days = dict(base)
        for f, _cur in group:
            days[f.a.date] = f.a.shift_code
        return week.fits(c, days) is None

    out = [[s] for s in singles]
    if len(singles) <= 4:
        for size in range(2, len(singles) + 1):
            out += [list(g) for g in itertools.combinations(singles, size) if ok(g)]
        return out
    for order in (singles, singles[::-1]):
        group: list = []
        for s in order:
            if ok([*group, s]):
                group.append(s)
        if len(group) > 1:
            out.append(group)
    return out


def _person_move(week: _Week, req: _Request, c: int, subset) -> _Move:
    changes, taken = [], []
    for f, cur in subset:
        a = f.a
        if cur is not None:
            changes.append(Change("remove", c, cur.date, cur.post_id, cur.shift_code, cur.source))
            taken.append((cur.post_id, cur.date, cur.shift_code))
        changes.append(Change("add", c, a.date, a.post_id, a.shift_code))
    home = week.deployment.get(c)
    posts = {f.a.post_id for f, _ in subset}
    if any(cur is not None and cur.post_id != f.a.post_id for f, cur in subset):
        kind = "lend"
    elif any(cur is not None for _f, cur in subset):
        kind = "shift_change"
    elif home is None:
        kind = "reserve"
    elif posts == {home}:
        kind = "take_over"
    else:
        kind = "lightly_used"
    return _Move(c, kind, frozenset(f.index for f, _ in subset), tuple(changes),
                 takes_from=tuple(taken))  # fmt: skip


def _swaps(week: _Week, req: _Request, c: int, free, base) -> list[_Move]:
    """A colleague of the same post works the freed days and the absent cadre works as
    many of the colleague's days in return, on days they are free."""
    home = week.deployment[c]
    free = [(f, cur) for f, cur in free if f.a.post_id == home]
    if not free:
        return []
    x = req.cadre_id
    xc = req.district.cadres[x]
    if xc.status != "active" or not within_commute(
        xc, week.district.posts[home], week.settings.road_factor
    ):
        return []
    back = []
    for day, a in sorted(week.by_cadre.get(c, {}).items()):
        if (
            a.post_id == home
            and not a.locked
            and day not in req.span
            and day not in req.x_days
            and not req.district.absent(x, day)
            and not req.district.unavailable(x, day, a.shift_code)
            and (xc.night_ok or a.shift_code not in week.night_codes)
        ):
            back.append(a)
    if not back:
        return []
    out = []
    for size in range(len(free), 0, -1):
        for group in itertools.combinations(free, size):
            for n in range(min(size, len(back)), 0, -1):
                found = None
                for given in itertools.combinations(back, n):
                    days = dict(base)
                    for a in given:
                        del days[a.date]
                    for f, _ in group:
                        days[f.a.date] = f.a.shift_code
                    if week.fits(c, days) is not None:
                        continue
                    xdays = dict(req.x_days)
                    for a in given:
                        xdays[a.date] = a.shift_code
                    if week.fits(x, xdays) is not None:
                        continue
                    found = given
                    break
                if found is not None:
                    changes = [Change("add", c, f.a.date, f.a.post_id, f.a.shift_code)
                               for f, _ in group]  # fmt: skip
                    for a in found:
                        changes.append(Change("remove", c, a.date, a.post_id, a.shift_code,
                                              a.source))  # fmt: skip
                        changes.append(Change("add", x, a.date, a.post_id, a.shift_code))
                    out.append(
                        _Move(c, "swap", frozenset(f.index for f, _ in group), tuple(changes),
                              x_days=tuple(a.date for a in found))
                    )  # fmt: skip
                    break
    return out


def _partitions(items: list[int]):
    """Every way to split `items` into non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


def _compatible(week: _Week, req: _Request, moves: Sequence[_Move]) -> bool:
    """Moves that can be made together: distinct people, over-staffed cells not emptied
    twice, the absent cadre's days in return (swaps) possible together."""
    if len({m.cadre_id for m in moves}) < len(moves):
        return False
    taken = Counter(cell for m in moves for cell in m.takes_from)
    for cell, n in taken.items():
        if week.cells[cell] - n < week.district.required(*cell):
            return False
    back = [d for m in moves for d in m.x_days]
    if len(back) > 1:
        if len(set(back)) < len(back):
            return False
        days = dict(req.x_days)
        for m in moves:
            for ch in m.changes:
                if ch.cadre_id == req.cadre_id and ch.action == "add":
                    days[ch.date] = ch.shift_code
        if week.fits(req.cadre_id, days) is not None:
            return False
    return True


def _compose(week: _Week, req: _Request, moves: list[_Move], limit: int) -> list[ReliefOption]:
    """Options of one person, then of several covering disjoint parts; each is checked.

    Moves are first ranked by the cost terms of the person alone (commute, workload,
    continuity); the best `limit` of each kind and set of shifts are costed exactly (with
    fairness and party terms) and combined; the rest are not offered."""
    district = week.district

    def order(m: _Move) -> tuple:
        return (m.cost, KIND_RANK[m.kind], district.cadres[m.cadre_id].code)

    for m in moves:
        m.cost = _quick_cost(week, m)
    moves.sort(key=order)
    kept: dict[tuple, list[_Move]] = defaultdict(list)
    for m in moves:
        group = kept[m.covers, m.kind]
        if len(group) < limit:
            group.append(m)
    moves = [m for group in kept.values() for m in group]
    for m in moves:
        m.cost = _evaluate(week, req, [m])[0]
    moves.sort(key=order)
    by_cover: dict[frozenset, list[_Move]] = defaultdict(list)
    for m in moves:
        by_cover[m.covers].append(m)
    coverable = sorted({i for m in moves for i in m.covers})
    target = frozenset(coverable)
    combos: list[list[_Move]] = []
    singles = by_cover.get(target, [])
    combos += [[m] for m in _diverse(singles, limit)]
    if len(combos) < limit and len(coverable) > 1 and len(coverable) <= PARTITION_MAX:
        for blocks in _partitions(coverable):  # exact: the best three of each block
            groups = [by_cover.get(frozenset(b), [])[:3] for b in blocks]
            if len(blocks) > 1 and all(groups):
                combos += [list(pick) for pick in itertools.product(*groups)
                           if _compatible(week, req, pick)]  # fmt: skip
    if len(combos) < limit and moves:
        combos += _greedy(week, req, moves, target)
    seen: set[frozenset] = set()
    options = []
    for group in combos:
        key = frozenset(ch for m in group for ch in m.changes)
        if key in seen:
            continue
        seen.add(key)
        options.append(_option(week, req, group))
    # keep only the best coverage reached, then the best `limit`, checked
    if options:
        most = min(len(o.uncovered) for o in options)
        options = [o for o in options if len(o.uncovered) == most]
    options.sort(key=ReliefOption.sort_key)
    checked = []
    for option in options:
        if len(checked) >= limit:
            break
        if not _offered_breaches(week, req, option):
            checked.append(option)
    return checked


def _quick_cost(week: _Week, m: _Move) -> int:
    """The cost terms of one person's part that need nothing but their own changes."""
    s = week.settings
    c = m.cadre_id
    sign = {"add": 1, "remove": -1}
    mine = [ch for ch in m.changes if ch.cadre_id == c]
    shifts = sum(sign[ch.action] for ch in mine)
    km = sum(sign[ch.action] * week.km(c, ch.post_id) for ch in mine)
    cost = s.weight_fairness * max(0, shifts) + s.weight_commute * int(round(km))
    own = {week.deployment.get(c), week.prev_post.get(c)}
    if any(ch.action == "add" and ch.post_id not in own for ch in mine):
        cost += s.weight_continuity
    return cost


def _diverse(moves: list[_Move], limit: int) -> list[_Move]:
    """The best moves, at most `limit`, with the best of each kind kept in."""
    firsts = {}
    for m in moves:
        firsts.setdefault(m.kind, m)
    chosen = list(firsts.values())
    for m in moves:
        if len(chosen) >= limit:
            break
        if m not in chosen:
            chosen.append(m)
    return chosen


def _greedy(week: _Week, req: _Request, moves: list[_Move], target: frozenset) -> list:
    """A few covers built greedily (most shifts first, then cost), from different starts."""
    ranked = sorted(moves, key=lambda m: (-len(m.covers), m.cost))
    out = []
    for first in ranked[:5]:
        group, covered = [first], set(first.covers)
        while covered != target:
            best = None
            for m in ranked:  # most shifts first, then cheapest: the first that fits
                if not (m.covers & covered) and _compatible(week, req, [*group, m]):
                    best = m
                    break
            if best is None:
                break
            group.append(best)
            covered |= best.covers
        out.append(group)
    return out


# --- costs -------------------------------------------------------------------------------


def _evaluate(
    week: _Week,
    req: _Request,
    moves: Sequence[_Move],
    changes: Sequence[Change] | None = None,
    covered: set[int] | None = None,
):
    """(cost, terms, worsened effects, person effects) of the moves (or of `changes`
    covering `covered`) on top of the freed roster (the absent cadre's shifts removed)."""
    s = week.settings
    district = week.district
    x = req.cadre_id
    if changes is None:
        changes = [ch for m in moves for ch in m.changes]
    if covered is None:
        covered = {i for m in moves for i in m.covers}
    uncovered = [f for f in req.todo if f.index not in covered]
    delta: dict[int, list[Change]] = defaultdict(list)
    for ch in changes:
        delta[ch.cadre_id].append(ch)
    terms: Counter = Counter()
    worsened: list[Effect] = []
    people = []

    def worse(rule: str, cost: int, detail: str) -> None:
        terms[rule] += cost
        if cost > 0:
            worsened.append(Effect(rule, cost, detail))

    names = {c: district.cadres[c].name for c in [*delta, x]}
    sign = {"add": 1, "remove": -1}
    for c, chs in [*delta.items(), *([] if x in delta else [(x, [])])]:
        dn = sum(sign[ch.action] * (ch.shift_code in week.night_codes) for ch in chs)
        dw = sum(sign[ch.action] * (ch.date.isoweekday() >= 6) for ch in chs)
        dk = sum(sign[ch.action] * week.km(c, ch.post_id) for ch in chs)
        ds = sum(sign[ch.action] for ch in chs)
        before = len(week.by_cadre.get(c, {}))
        after = before + ds - (len(req.freed) if c == x else 0)
        people.append(PersonEffect(c, before, after, dn, dw, dk))
        if c == x:
            continue
        if ds > 0:
            shifts = f"{names[c]} works {before + ds} shifts instead of {before}"
            worse("workload", s.weight_fairness * ds, shifts)
        if int(round(dk)):
            worse(
                "commute", s.weight_commute * int(round(dk)), f"{names[c]} travels {dk:.1f} km more"
            )
        own = {week.deployment.get(c), week.prev_post.get(c)}
        away = sorted({ch.post_id for ch in chs if ch.action == "add"} - own)
        if away:
            where = "、".join(district.posts[p].name for p in away)
            worse(
                "continuity",
                s.weight_continuity,
                f"{names[c]} serves at {where}, not their own post",
            )
    # fairness at the posts whose people changed
    posts = {f.a.post_id for f in req.freed} | {
        week.deployment[c] for c in delta if c in week.deployment
    }
    dn = {p.cadre_id: p.nights_delta for p in people}
    dw = {p.cadre_id: p.weekends_delta for p in people}
    for p in sorted(posts):
        members = [c for c in week.at_post.get(p, []) if c != x]
        if not any(c in delta for c in members):
            continue
        ok_night = [c for c in members if district.cadres[c].night_ok]
        for rule, group, hist, cur, d, tol in (
            ("fairness_nights", ok_night, week.hist_nights, week.week_nights, dn, NIGHT_TOLERANCE),
            ("fairness_weekends", members, week.hist_weekends, week.week_weekends, dw,
             WEEKEND_TOLERANCE),
        ):  # fmt: skip
            before = spread_excess([hist[c] + cur[c] for c in group], tol)
            after = spread_excess([hist[c] + cur[c] + d.get(c, 0) for c in group], tol)
            if after != before:
                what = "night" if rule == "fairness_nights" else "weekend"
                name = district.posts[p].name
                spread = f"{name}: the spread of {what} shifts grows by {after - before}"
                worse(rule, s.weight_fairness * (after - before), spread)
    # party member on duty at the post that day
    for f in req.freed:
        a = f.a
        if not district.cadres[x].party_member:
            continue
        here = (a.post_id, a.date)
        left = {
            ch.cadre_id for ch in changes if ch.action == "remove" and (ch.post_id, ch.date) == here
        }
        on = [c for c in week.on_post_day.get(here, ()) if c != x and c not in left]
        on += [
            ch.cadre_id for ch in changes if ch.action == "add" and (ch.post_id, ch.date) == here
        ]
        if not any(district.cadres[c].party_member for c in on):
            where = district.posts[a.post_id].name
            worse(
                "party_post", s.weight_party_post, f"no party member on duty at {where} on {a.date}"
            )
    if uncovered:
        terms["unmet"] += s.weight_unmet * len(uncovered)
    return sum(terms.values()), dict(terms), worsened, people


def _option(week: _Week, req: _Request, moves: Sequence[_Move], *, kind: str | None = None,
            changes: Sequence[Change] | None = None, covered: set[int] | None = None,
            summary: str | None = None) -> ReliefOption:  # fmt: skip
    """The option of these moves (or of explicit changes, for the re-solve)."""
    district = week.district
    x = req.cadre_id
    freed_changes = [
        Change("remove", x, f.a.date, f.a.post_id, f.a.shift_code, f.a.source) for f in req.freed
    ]
    extra = list(changes) if changes is not None else [ch for m in moves for ch in m.changes]
    if covered is None:
        covered = {i for m in moves for i in m.covers}
    cost, terms, worsened, people = _evaluate(week, req, moves, extra, covered)
    uncovered = tuple(
        Uncovered(f.a.post_id, f.a.date, f.a.shift_code, _why(week, req, f))
        for f in req.todo
        if f.index not in covered
    )
    disturbed = tuple(sorted({ch.cadre_id for ch in extra if ch.cadre_id != x},
                             key=lambda c: district.cadres[c].code))  # fmt: skip
    if kind is None:
        kinds = {m.kind for m in moves}
        kind = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "nothing_to_cover")
    return ReliefOption(
        kind=kind,
        summary=summary or _summary(week, req, moves, uncovered),
        cadre_id=x,
        start=req.start,
        end=req.end,
        week_start=week.monday,
        roster_version=week.roster.version,
        published=week.roster.status == "published",
        changes=tuple(freed_changes + _merge(extra)),
        disturbed=disturbed,
        cost=cost,
        cost_terms=terms,
        worsened=tuple(worsened),
        people=tuple(sorted(people, key=lambda p: district.cadres[p.cadre_id].code)),
        uncovered=uncovered,
        freed=len(req.freed),
        parts=tuple(m.kind for m in moves) if moves else ((kind,) if disturbed else ()),
        district=district,
        _week=week,
    )


def _merge(changes: Sequence[Change]) -> list[Change]:
    """Changes in date order, an add and a remove of the same assignment cancelled."""
    adds = {c.key: c for c in changes if c.action == "add"}
    removes = {c.key: c for c in changes if c.action == "remove"}
    both = adds.keys() & removes.keys()
    out = [c for c in changes if c.key not in both]
    return sorted(out, key=lambda c: (c.date, c.action != "remove", c.cadre_id))


REASON_WORDS = {
    "busy": "are on duty that day where they are needed",
    "rest_days": "would have no day off this week",
    "consecutive_days": "would work too many days in a row",
    "rest_hours": "would not have the rest hours between shifts",
    "night": "may not work nights",
    "absent": "are absent that day",
    "status": "are not active (on leave, recalled or withdrawn)",
}


def _why(week: _Week, req: _Request, f: _Freed) -> str:
    """Why nobody covers a freed shift, in words a coordinator can act on."""
    district = week.district
    post = district.posts[f.a.post_id]
    counts = req.reasons[f.index]
    total = counts.get("reach", 0)
    if not total:
        return f"no other cadre lives within commute of {post.name}"
    able = sorted({m.cadre_id for m in req.moves if f.index in m.covers},
                  key=lambda c: district.cadres[c].code)  # fmt: skip
    if able:
        names = "、".join(district.cadres[c].name for c in able[:5])
        return (
            f"those who could take it ({names}) are needed for the other days of this "
            "absence or cannot take them together"
        )
    parts = [f"{counts[k]} {words}" for k, words in REASON_WORDS.items() if counts.get(k)]
    return f"none of the {total} cadres within commute of {post.name} can take it: " + "; ".join(
        parts
    )


def _summary(week: _Week, req: _Request, moves: Sequence[_Move], uncovered) -> str:
    district = week.district
    x = district.cadres[req.cadre_id]
    parts = []
    for m in moves:
        c = district.cadres[m.cadre_id]
        who = f"{c.name} ({c.code})"
        took = [ch for ch in m.changes if ch.cadre_id == m.cadre_id and ch.action == "add"]
        what = "; ".join(_cell_words(district, ch) for ch in took)
        if m.kind == "swap":
            back = "; ".join(
                _cell_words(district, ch)
                for ch in m.changes
                if ch.cadre_id == req.cadre_id and ch.action == "add"
            )
            parts.append(f"{who} of the same post takes {what}; {x.name} works {back} in return")
        elif m.kind == "take_over":
            parts.append(f"{who} of the same post, resting then, takes {what}")
        elif m.kind == "shift_change":
            parts.append(f"{who} moves from an over-staffed shift to {what}")
        elif m.kind == "reserve":
            parts.append(f"{who}, in reserve nearby, takes {what}")
        elif m.kind == "lightly_used":
            home = district.posts[week.deployment[m.cadre_id]].name
            parts.append(f"{who} of {home}, resting then, is lent for {what}")
        else:
            home = district.posts[m.takes_from[0][0]].name
            parts.append(f"{who} leaves over-staffed {home} for {what}")
    if uncovered:
        parts.append(
            f"{len(uncovered)} shift(s) stay uncovered: "
            + "; ".join(f"{u.date.strftime('%a %m-%d')} {u.shift_code}" for u in uncovered)
        )
    return ". ".join(parts) or "nobody takes the freed shifts"


def _cell_words(district: District, ch: Change) -> str:
    shift = district.shifts[ch.shift_code]
    return f"{ch.date.strftime('%a %m-%d')} {shift.name} at {district.posts[ch.post_id].name}"


def _nothing_to_cover(week: _Week, req: _Request) -> ReliefOption:
    x = week.district.cadres[req.cadre_id]
    if req.freed:
        summary = (
            f"{x.name}'s shifts from {req.start} to {req.end} are over-staffed: nobody "
            "needs to take them; applying frees them and records the absence"
        )
    else:
        summary = (
            f"{x.name} has no duty from {req.start} to {req.end}: nothing to cover; "
            "applying records the absence"
        )
    option = _option(week, req, [], kind="nothing_to_cover", changes=[], covered=set(),
                     summary=summary)  # fmt: skip
    option.rank = 1
    return option


def _leave_uncovered(week: _Week, req: _Request) -> ReliefOption:
    return _option(week, req, [], kind="nothing_to_cover", changes=[], covered=set(),
                   summary="nobody can take the freed shifts: they stay uncovered")  # fmt: skip


# --- the checker's verdict on an option ------------------------------------------------------


def _offered_breaches(week: _Week, req: _Request, option: ReliefOption) -> list[str]:
    """What the checker says against an option, as text (empty: it may be offered).

    The changed cadres' weeks are checked with their history against every hard rule
    (coverage apart) and must add no breach; each cell the option touches must be covered
    at least as before unless the option names it uncovered."""
    x = option.cadre_id
    district = req.district
    new_week: dict[int, dict[tuple, Assignment]] = {}
    for ch in option.changes:
        if ch.cadre_id not in new_week:
            new_week[ch.cadre_id] = {
                (a.date, a.cadre_id, a.post_id, a.shift_code): a
                for a in week.by_cadre.get(ch.cadre_id, {}).values()
            }
    delta: Counter = Counter()
    problems = []
    for ch in option.changes:
        mine = new_week[ch.cadre_id]
        if ch.action == "remove":
            if ch.key not in mine:
                problems.append(f"removes a shift that is not in the roster: {ch}")
            mine.pop(ch.key, None)
            delta[ch.post_id, ch.date, ch.shift_code] -= 1
        else:
            mine[ch.key] = ch.assignment()
            delta[ch.post_id, ch.date, ch.shift_code] += 1
    for c, mine in new_week.items():
        locks = [a for a in week.locks if a.cadre_id == c and not (c == x and a.date in req.span)]
        before = req.base_breaches.get(c)
        if before is None:
            before = {_key(b) for b in week.base_breaches(district, c, locks)}
            req.base_breaches[c] = before
        key = (c, frozenset(mine))
        after = req.checked.get(key)
        if after is None:
            after = req.checked[key] = [
                b.message
                for b in check_roster(district, week.monday, list(mine.values()),
                                      week.history_of.get(c, ()), locks=locks, coverage=False)
                if _key(b) not in before
            ]  # fmt: skip
        problems += after
    named = {(u.post_id, u.date, u.shift_code) for u in option.uncovered}
    for cell, n in delta.items():
        if n >= 0 or cell in named:
            continue
        have = week.cells[cell] + n
        need = min(district.required(*cell), week.cells[cell])  # no worse than before
        if have < need:
            problems.append(f"post {cell[0]} on {cell[1]} shift {cell[2]}: {have} of {need}")
    return problems


def _key(b: Breach) -> tuple:
    return (b.rule, b.cadre_id, b.post_id, b.date, b.shift_code, b.message)


# --- the last resort: a local re-solve ----------------------------------------------------------


def _resolve(week: _Week, req: _Request) -> ReliefOption | None:
    """Solve again the shifts, from the first day of the absence on, of each post that has
    freed shifts, with its cadres and a few spare ones nearby; everything else fixed."""
    from ortools.sat.python import cp_model

    from roster.solver.prepare import prepare_week
    from roster.solver.schedule import build

    district = req.district
    x = req.cadre_id
    posts = sorted({f.a.post_id for f in req.todo})
    used: set[int] = set()
    model_cadres: dict[int, list[int]] = {}
    for p in posts:
        own = [c for c in week.at_post.get(p, []) if c != x]
        spare = []
        for c, _km in week.reach(p):
            if len(spare) >= RESOLVE_EXTRA_CADRES:
                break
            cadre = district.cadres[c]
            if c == x or c in used or c in own or cadre.status != "active":
                continue
            if len(week.by_cadre.get(c, {})) < 7 - week.settings.min_rest_days:
                spare.append(c)
        model_cadres[p] = own + spare
        used |= set(own) | set(spare)
    free = {
        (a.date, a.cadre_id, a.post_id, a.shift_code)
        for p in posts
        for c in model_cadres[p]
        for a in week.by_cadre.get(c, {}).values()
        if a.post_id == p and a.date >= req.start and not a.locked
    }
    freed_keys = {(f.a.date, x, f.a.post_id, f.a.shift_code) for f in req.freed}
    locks = [
        replace(a, locked=True)
        for a in week.assignments
        if (a.date, a.cadre_id, a.post_id, a.shift_code) not in free | freed_keys
    ]
    history = [a for items in week.history_of.values() for a in items]
    wk = prepare_week(district, week.monday, history, locks)
    day_of = {d: i for i, d in enumerate(wk.days)}
    changes: list[Change] = []
    for p in posts:
        pm = build(wk, p, model_cadres[p])
        current = {(day_of[d], c, s) for d, c, pp, s in free if pp == p}
        objective = [w * v for terms in pm.penalties.values() for v, w in terms]
        moved = []
        for (c, d, s), var in pm.x.items():
            moved.append(1 - var if (d, c, s) in current else var)
            pm.model.add_hint(var, 1 if (d, c, s) in current else 0)
        pm.model.minimize(sum(objective) + CHANGE_WEIGHT * sum(moved))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = RESOLVE_TIME_LIMIT
        status = solver.solve(pm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        chosen = {(d, c, s) for (c, d, s), var in pm.x.items() if solver.boolean_value(var)}
        for d, c, s in sorted(chosen - current):
            changes.append(Change("add", c, wk.days[d], p, s))
        for d, c, s in sorted(current - chosen):
            a = week.by_cadre[c][wk.days[d]]
            changes.append(Change("remove", c, a.date, p, s, a.source))
    cover: Counter = Counter()
    for ch in changes:
        cover[ch.post_id, ch.date, ch.shift_code] += 1 if ch.action == "add" else -1
    covered = {f.index for f in req.todo if cover[f.a.post_id, f.a.date, f.a.shift_code] >= 1}
    if not covered:
        return None
    people = sorted({ch.cadre_id for ch in changes}, key=lambda c: district.cadres[c].code)
    names = "、".join(district.cadres[c].name for c in people)
    where = "、".join(district.posts[p].name for p in posts)
    left = len(req.todo) - len(covered)
    summary = (
        f"re-solve {where} from {req.start.strftime('%a %m-%d')} on: {len(people)} "
        f"people's shifts change ({names})" + (f"; {left} shift(s) stay uncovered" if left else "")
    )
    option = _option(week, req, [], kind="resolve", changes=changes, covered=covered,
                     summary=summary)  # fmt: skip
    if _offered_breaches(week, req, option):
        return None
    return option


# --- messages ----------------------------------------------------------------------------------


def messages_for(option: ReliefOption) -> list[ReliefMessage]:
    """The text message for each person whose week the option changes, the absent cadre
    included: their week as it now is (`exports.sms_text`), what changed, and the address
    and a contact (a party member deployed there, else a colleague) of each post they are
    newly sent to. The option must come from `relief_options`."""
    from roster.exports import days_zh, duties, shift_label, sms_text

    base, district = option._week, option.district
    if base is None or district is None:
        raise ReliefError("messages need an option made by relief_options")
    by_cadre: dict[int, list[Change]] = defaultdict(list)
    for ch in option.changes:
        by_cadre[ch.cadre_id].append(ch)
    out = []
    for cid in sorted(by_cadre, key=lambda c: district.cadres[c].code):
        cadre = district.cadres[cid]
        chs = by_cadre[cid]
        now = duties(district, _week_after(base, cid, chs))
        text = sms_text(cadre, option.week_start, now, changed=True)
        text = text.removesuffix("请准时到岗。")
        lines = []
        if cid == option.cadre_id:
            span = [
                option.start + dt.timedelta(days=i)
                for i in range((option.end - option.start).days + 1)
            ]
            lines.append(f"{days_zh(span)}准假")
        for verb, action in (("新增", "add"), ("取消", "remove")):
            groups: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
            for ch in chs:
                if ch.action == action:
                    groups[ch.post_id, ch.shift_code].append(ch.date)
            for (p, s), days in groups.items():
                lines.append(
                    f"{verb}{days_zh(days)}{district.posts[p].name}"
                    + shift_label(district.shifts[s])
                )
        text += "变动：" + "；".join(lines) + "。"
        for p in sorted({ch.post_id for ch in chs if ch.action == "add"}):
            text += _post_contact(district, base, p, cid)
        if now:
            text += "请准时到岗。"
        out.append(ReliefMessage(cid, cadre.code, cadre.name, cadre.phone, text))
    return out


def _week_after(base: _Week, cadre_id: int, changes: Sequence[Change]) -> list[Assignment]:
    mine = {(a.date, a.cadre_id, a.post_id, a.shift_code): a
            for a in base.by_cadre.get(cadre_id, {}).values()}  # fmt: skip
    for ch in changes:
        if ch.action == "remove":
            mine.pop(ch.key, None)
        else:
            mine[ch.key] = ch.assignment()
    return sorted(mine.values(), key=lambda a: a.date)


def _post_contact(district: District, base: _Week | None, post_id: int, cadre_id: int) -> str:
    """ "地址：…；联系人：name phone": a party member deployed there, else a colleague."""
    post = district.posts[post_id]
    text = f"地址：{post.address or district.towns[post.town_id].name + post.name}"
    team = [c for c in (base.at_post.get(post_id, []) if base else []) if c != cadre_id]
    team.sort(key=lambda c: (not district.cadres[c].party_member, district.cadres[c].code))
    if team:
        contact = district.cadres[team[0]]
        text += f"；联系人：{contact.name} {contact.phone}"
    return text + "。"


# --- requests and writing ------------------------------------------------------------------------


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
        raise ReliefError(f"{len(named)} cadres are called {text} ({codes}): give the code")
    raise ReliefError(
        f"no cadre with code or name {text!r}: check the code (e.g. in `roster export --by cadre`)"
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
        return _record(db, cadre_id, start, end, reason, actor)


def _record(db, cadre_id, start, end, reason, actor) -> int:
    rows = list(
        db["relief_requests"].rows_where(
            "cadre_id = ? and start_date = ? and end_date = ? and status = 'open'",
            [cadre_id, start.isoformat(), end.isoformat()],
        )
    )
    if rows:
        if reason and reason != rows[0]["reason"]:
            db["relief_requests"].update(rows[0]["id"], {"reason": reason})
        return rows[0]["id"]
    rid = db["relief_requests"].insert(
        {"cadre_id": cadre_id, "start_date": start.isoformat(), "end_date": end.isoformat(),
         "reason": reason, "status": "open", "resolution": "", "created_at": store.now_iso()}
    ).last_pk  # fmt: skip
    store.add_audit(
        db,
        "relief.request",
        {"week": monday_of(start).isoformat(), "request": rid, "cadre_id": cadre_id,
         "start": start.isoformat(), "end": end.isoformat(), "reason": reason},
        actor,
    )  # fmt: skip
    return rid


@contextmanager
def _write_transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE: the checks read what the write then replaces, with no one between."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def _require_towns_of(
    db, access, district: District, posts: set[int], what: str, *, none_needs_district=False
) -> None:
    """Refuse (audited) unless `access` may change every town of `posts`."""
    try:
        if access.read_only:
            raise NotAllowed(f"{access.describe()}; cannot {what}")
        if not posts and none_needs_district:
            access.require_district(what)
        for p in sorted(posts):
            town = district.towns[district.posts[p].town_id]
            access.require_town(town.id, town.name, what)
    except NotAllowed as e:
        refuse(db, access, what, str(e))
        raise


def apply_option(
    db: sqlite_utils.Database,
    request: int | tuple[int | str, dt.date, dt.date, str],
    option: ReliefOption,
    actor: str | None = None,
    *,
    kind: str | None = None,
) -> Applied:
    """Settle a relief request with `option`, in one transaction.

    `request` is an open request's id, or (cadre id or code, start, end, reason): then the
    open request for those days is used, or one is recorded. The whole week is checked
    again (every hard rule; coverage may fall short only on the shifts the option leaves
    uncovered); then the roster is saved with the version the option was computed from
    (`store.StaleRoster` otherwise), the absence recorded, the request marked settled with
    the option as its resolution, and the audit written (`relief.settle`, and
    `relief.published` when the week was published). Town coordinators may settle only
    requests whose posts are all in their towns (`NotAllowed`, the refusal audited).
    """
    actor = actor or store.current_actor()
    district = store.load_district(db)
    if isinstance(request, int):
        rows = list(db["relief_requests"].rows_where("id = ?", [request]))
        if not rows:
            raise ReliefError(f"no relief request #{request}")
        row = rows[0]
        if row["status"] != "open":
            raise ReliefError(f"relief request #{request} is already {row['status']}")
        cadre_id = row["cadre_id"]
        start = dt.date.fromisoformat(row["start_date"])
        end = dt.date.fromisoformat(row["end_date"])
        reason = row["reason"]
        request_id: int | None = request
    else:
        who, start, end, reason = request
        cadre_id = who if isinstance(who, int) else find_cadre(district, who).id
        request_id = None
    if (cadre_id, start, end) != (option.cadre_id, option.start, option.end):
        raise ReliefError(
            "this option was computed for another request: compute the options of this one"
        )
    posts = {ch.post_id for ch in option.changes}
    access = access_for(db, actor)
    what = f"settle the relief request of {district.cadres[cadre_id].name}"
    _require_towns_of(db, access, district, posts, what)
    monday = option.week_start
    with _write_transaction(db):
        roster = store.get_roster(db, monday)
        if roster is None:
            raise ReliefError(f"no roster for the week of {monday}: solve it first")
        if roster.version != option.roster_version:
            raise store.StaleRoster(monday, roster.version, option.roster_version)
        new = _applied(roster.assignments, option)
        absence = Absence(-1, cadre_id, start, end, kind or absence_kind(reason), reason)
        checked = replace(district, absences=[*district.absences, absence])
        problems = whole_week_breaches(checked, roster, new, option, store.history(db, monday))
        if problems:
            raise StaleOption(
                "the checker refuses this option now: " + "; ".join(problems[:3])
                + " — compute the options again"
            )  # fmt: skip
        saved = store.save_roster(
            db,
            monday,
            new,
            stats={**roster.stats, "edited": True},
            action="relief.apply",
            actor=actor,
            expected_version=option.roster_version,
        )
        if not any(
            a.cadre_id == cadre_id and a.start_date <= start and a.end_date >= end
            for a in district.absences
        ):
            db["absences"].insert(
                {"cadre_id": cadre_id, "start_date": start.isoformat(),
                 "end_date": end.isoformat(), "kind": absence.kind, "note": reason}
            )  # fmt: skip
        if request_id is None:
            request_id = _record(db, cadre_id, start, end, reason, actor)
        resolution = {
            "option": option.to_json(),
            "settled_at": store.now_iso(),
            "settled_by": actor,
            "roster_version": saved.version,
        }
        db["relief_requests"].update(
            request_id,
            {"status": "settled", "resolution": json.dumps(resolution, ensure_ascii=False)},
        )
        details = {
            "week": monday.isoformat(),
            "request": request_id,
            "cadre": district.cadres[cadre_id].code,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "reason": reason,
            "kind": option.kind,
            "summary": option.summary,
            "disturbed": [district.cadres[c].code for c in option.disturbed],
            "uncovered": len(option.uncovered),
            "version": saved.version,
        }
        store.add_audit(db, "relief.settle", details, actor)
        published = roster.status == "published"
        if published:
            store.add_audit(
                db,
                "relief.published",
                {**details, "cells": _cells_changed(district, option)},
                actor,
            )
    return Applied(request_id, saved.version, published, tuple(messages_for(option)))


def _applied(assignments: Iterable[Assignment], option: ReliefOption) -> list[Assignment]:
    current = {(a.date, a.cadre_id, a.post_id, a.shift_code): a for a in assignments}
    for ch in option.changes:
        if ch.action == "remove":
            if ch.key not in current:
                raise StaleOption(f"the roster no longer has {ch.key}: compute the options again")
            del current[ch.key]
    for ch in option.changes:
        if ch.action == "add":
            if any(k[0] == ch.date and k[1] == ch.cadre_id for k in current):
                raise StaleOption(
                    f"cadre #{ch.cadre_id} is already on duty on {ch.date}: "
                    "compute the options again"
                )
            current[ch.key] = ch.assignment()
    return sorted(current.values(), key=lambda a: (a.date, a.post_id, a.shift_code, a.cadre_id))


def whole_week_breaches(
    district: District,
    roster: Roster,
    new: list[Assignment],
    option: ReliefOption,
    history: Sequence[Assignment] = (),
) -> list[str]:
    """The whole-week checker's objections to `new` (the roster after the option), given
    the district with the absence recorded: every breach the old roster did not have,
    except coverage on the shifts the option says it leaves uncovered."""
    monday = roster.week_start
    span_locks = [
        a
        for a in roster.assignments
        if a.locked and not (a.cadre_id == option.cadre_id and option.start <= a.date <= option.end)
    ]
    before = check_roster(district, monday, roster.assignments, history, locks=span_locks)
    after = check_roster(district, monday, new, history, locks=span_locks)
    named = {(u.post_id, u.date, u.shift_code) for u in option.uncovered}
    short_before = {(b.post_id, b.date, b.shift_code) for b in before if b.rule == "coverage"}
    known = {_key(b) for b in before if b.rule != "coverage"}
    problems = []
    for b in after:
        if b.rule == "coverage":
            cell = (b.post_id, b.date, b.shift_code)
            if cell not in named and cell not in short_before:
                problems.append(b.message)
        elif _key(b) not in known:
            problems.append(b.message)
    return problems


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
        raise ReliefError(f"{cadre.name} ({cadre.code}) is already {cadre.status}")
    monday = monday_of(from_date)
    end = monday + dt.timedelta(days=6)
    access = access_for(db, actor)
    what = f"recall {cadre.name}"
    roster = store.get_roster(db, monday)
    mine = [a for a in (roster.assignments if roster else []) if a.cadre_id == cadre.id]
    # deployed nowhere that week: no town to judge by, so it takes a district coordinator
    posts = {a.post_id for a in mine}
    _require_towns_of(db, access, district, posts, what, none_needs_district=True)
    status_set = not any(a.date < from_date for a in mine)
    away_until = end if status_set else from_date + dt.timedelta(days=365)
    with _write_transaction(db):
        db["absences"].insert(
            {"cadre_id": cadre.id, "start_date": from_date.isoformat(),
             "end_date": away_until.isoformat(), "kind": "recalled", "note": reason}
        )  # fmt: skip
        if status_set:
            db["cadres"].update(cadre.id, {"status": "recalled"})
        request_id = _record(db, cadre.id, from_date, end, reason or "recalled", actor)
        note = f"{cadre.name} ({cadre.code}) is recalled from {from_date}"
        if not status_set:
            note += (
                f"; having served earlier in the week of {monday}, their status stays active "
                f"for now and the recall is recorded as an absence to {away_until}: set the "
                "status to recalled once that week is over"
            )
        store.add_audit(
            db,
            "relief.recall",
            {"week": monday.isoformat(), "cadre": cadre.code, "from": from_date.isoformat(),
             "reason": reason, "request": request_id, "status_set": status_set,
             "absent_until": away_until.isoformat()},
            actor,
        )  # fmt: skip
    return Recalled(request_id, from_date, end, status_set, note)
