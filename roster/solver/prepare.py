"""The week as the solver sees it: demand, availability, history, locks and eligible pairs.

Everything here is computed once per solve from the plain domain values and shared by the
deployment stage (`deploy.py`), the shift scheduling stage (`schedule.py`) and the
explanations (`explain.py`). The independent checker does not use this module.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from roster.domain import (
    Assignment,
    District,
    Settings,
    most_working_days,
    posts_of,
    week_days,
)
from roster.geo import distance_matrix, within_commute
from roster.solver import wishes


@dataclass
class Week:
    """Pre-computed facts of one week; indices are positions in `cadre_ids` / `post_ids`."""

    district: District
    monday: dt.date
    days: list[dt.date]
    settings: Settings
    shift_codes: list[str]
    night_codes: set[str]
    # post id -> one dict per day: shift code -> required (> 0 only)
    req: dict[int, list[dict[str, int]]]
    demand_total: dict[int, int]
    demand_night: dict[int, int]
    demand_days: dict[int, int]  # days with any demand
    post_ids: list[int]
    cadre_ids: list[int]  # every cadre of the district, in code order
    # cadre id -> per day the shift codes the cadre may work (absence, status, nights, history)
    allowed: dict[int, list[frozenset[str]]]
    cap: dict[int, int]  # most shifts the cadre can work this week
    dmax: int  # most shifts anybody can work in a week (rest rules)
    prev_post: dict[int, int]
    run_before: dict[int, int]  # consecutive worked days ending the day before Monday
    before: dict[int, list[tuple[int, str]]]  # (day offset < 0, shift) worked just before Monday
    hist_nights: dict[int, int]
    hist_weekends: dict[int, int]
    locks: list[Assignment]
    locks_by_cadre: dict[int, list[Assignment]]
    lock_post: dict[int, int]  # deployment fixed by locks
    # forbidden successions: (shift s, shift t, k) = t may not start k days after s
    forbidden: set[tuple[str, str, int]]
    max_gap: int
    # eligible (cadre, post) pairs: indices into cadre_ids / post_ids and road km
    arc_c: np.ndarray = field(repr=False)
    arc_p: np.ndarray = field(repr=False)
    arc_km: np.ndarray = field(repr=False)
    km: np.ndarray = field(repr=False, default=None)  # cadre index x post index road km
    anchor_group: dict[int, int] = field(default_factory=dict)  # unit id -> work group id
    cadre_index: dict[int, int] = field(default_factory=dict)
    # consecutive worked days beginning the Monday after (the next stored week)
    run_after: dict[int, int] = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False)
    post_index: dict[int, int] = field(default_factory=dict)
    # rotation over weeks (docs/rotation.md)
    stint: dict[int, int] = field(default_factory=dict)  # weeks in a row at prev_post
    night_streak: dict[int, int] = field(default_factory=dict)  # night-heavy weeks in a row
    # the roster this week already has (a re-solve stays close to it), by cadre
    current: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # (post, day, s)
    current_post: dict[int, int] = field(default_factory=dict)
    stability_weight: int = 0  # per changed duty of `current`

    def km_of(self, cadre_id: int, post_id: int) -> float:
        return float(self.km[self.cadre_index[cadre_id], self.post_index[post_id]])

    def shifts_at(self, post_id: int) -> list[str]:
        codes = {s for day in self.req.get(post_id, []) for s in day}
        return [s for s in self.shift_codes if s in codes]

    def seats(self, post_id: int) -> int:
        """Cadres a post needs: enough for its week at `dmax` shifts each, and for its
        busiest day at one shift each."""
        busiest = max((sum(day.values()) for day in self.req.get(post_id, [])), default=0)
        return max(math.ceil(self.demand_total.get(post_id, 0) / self.dmax), busiest)

    def night_seats(self, post_id: int) -> int:
        busiest = max(
            (
                sum(n for s, n in day.items() if s in self.night_codes)
                for day in self.req.get(post_id, [])
            ),
            default=0,
        )
        return max(math.ceil(self.demand_night.get(post_id, 0) / self.dmax), busiest)


def max_work_days(settings: Settings) -> int:
    """Most days worked in 7 with `min_rest_days` off and runs of at most `max_consecutive_days`."""
    run = max(1, settings.max_consecutive_days)
    by_runs = 7 - 7 // (run + 1)
    return max(0, min(7 - settings.min_rest_days, by_runs))


def km_matrix(district: District, cadre_ids: list[int], post_ids: list[int]) -> np.ndarray:
    """Road km between every home and every post (great circle times the road factor)."""
    homes = [(district.cadres[c].home_lat, district.cadres[c].home_lon) for c in cadre_ids]
    places = [(district.posts[p].lat, district.posts[p].lon) for p in post_ids]
    return distance_matrix(homes, places, district.settings.road_factor)


def forbidden_successions(district: District, settings: Settings) -> tuple[set, int]:
    """Pairs of shifts too close for `min_rest_hours` (rule 5), by days between their starts."""
    forbidden: set[tuple[str, str, int]] = set()
    gap = 0
    for s in district.shifts.values():
        for t in district.shifts.values():
            k = 1
            while s.rest_hours_before(t, k) < settings.min_rest_hours:
                forbidden.add((s.code, t.code, k))
                gap = max(gap, k)
                k += 1
    return forbidden, gap


def prepare_week(
    district: District,
    monday: dt.date,
    history: list[Assignment] | tuple = (),
    locks: list[Assignment] | tuple = (),
    current: list[Assignment] | tuple = (),
    published: bool = False,
) -> Week:
    """`current`: the roster this week already has (a re-solve pays
    `weight_stability`, or `weight_stability_published` when `published`, per duty of it
    that changes)."""
    settings = district.settings
    days = week_days(monday)
    shift_codes = sorted(district.shifts)
    night_codes = {c for c, s in district.shifts.items() if s.is_night}
    post_ids = sorted(district.posts, key=lambda p: district.posts[p].code)
    cadre_ids = sorted(district.cadres, key=lambda c: district.cadres[c].code)

    req: dict[int, list[dict[str, int]]] = {}
    for d in district.demand:
        if d.post_id in district.posts and d.shift_code in district.shifts:
            req.setdefault(d.post_id, [{} for _ in days])
    for p in list(req):
        for i, day in enumerate(days):
            for s in shift_codes:
                n = district.required(p, day, s)
                if n > 0:
                    req[p][i][s] = n
    demand_total = {p: sum(sum(x.values()) for x in r) for p, r in req.items()}
    demand_night = {
        p: sum(n for x in r for s, n in x.items() if s in night_codes) for p, r in req.items()
    }
    demand_days = {p: sum(1 for x in r if x) for p, r in req.items()}

    forbidden, max_gap = forbidden_successions(district, settings)

    # history
    prev_week = {monday - dt.timedelta(days=7 - i) for i in range(7)}
    last_week: list[Assignment] = []
    worked_dates: dict[int, set[dt.date]] = defaultdict(set)
    before: dict[int, list[tuple[int, str]]] = defaultdict(list)
    hist_nights: Counter = Counter()
    hist_weekends: Counter = Counter()
    window_start = monday - dt.timedelta(weeks=max(1, settings.fairness_weeks) - 1)
    # weeks before this one, newest first: each cadre's shifts per post, and nights
    weeks_back = max(settings.min_stint_weeks, settings.max_night_weeks, 1) + 1
    posts_back: list[dict[int, Counter]] = [defaultdict(Counter) for _ in range(weeks_back)]
    nights_back: list[Counter] = [Counter() for _ in range(weeks_back)]
    for a in history:
        if a.date >= monday:
            continue
        back = ((monday - a.date).days - 1) // 7  # 0: the week just before
        if back < weeks_back:
            if a.source != "relief":
                posts_back[back][a.cadre_id][a.post_id] += 1
            if a.shift_code in night_codes:
                nights_back[back][a.cadre_id] += 1
        worked_dates[a.cadre_id].add(a.date)
        if a.date in prev_week:
            last_week.append(a)
        offset = (a.date - monday).days
        if offset >= -max(1, max_gap):
            before[a.cadre_id].append((offset, a.shift_code))
        if a.date < window_start:
            continue
        if a.shift_code in night_codes:
            hist_nights[a.cadre_id] += 1
        if a.date.isoweekday() >= 6:
            hist_weekends[a.cadre_id] += 1
    # each cadre's post last week (relief loans aside), as the editor and relief count it
    prev_post = posts_of(a for a in last_week if a.post_id in district.posts)
    stint: dict[int, int] = {}
    for c, p in prev_post.items():
        n = 0
        while n < weeks_back and posts_back[n].get(c) and main_post(posts_back[n][c]) == p:
            n += 1
        stint[c] = n
    night_streak: dict[int, int] = {}
    for c in nights_back[0]:
        n = 0
        while n < weeks_back and nights_back[n][c] >= NIGHT_HEAVY:
            n += 1
        if n:
            night_streak[c] = n
    run_before: dict[int, int] = {}
    for c, dates in worked_dates.items():
        n, day = 0, monday - dt.timedelta(days=1)
        while day in dates:
            n += 1
            day -= dt.timedelta(days=1)
        run_before[c] = n

    # the week after, when it is already stored (days after Sunday in `history`): its first
    # duties are constants the week's last days must rest before (rules 4 and 5)
    sunday = days[-1]
    after: dict[int, list[tuple[int, str]]] = defaultdict(list)
    dates_after: dict[int, set[dt.date]] = defaultdict(set)
    for a in history:
        if a.date > sunday:
            dates_after[a.cadre_id].add(a.date)
            if (a.date - sunday).days <= max(1, max_gap):
                after[a.cadre_id].append(((a.date - monday).days, a.shift_code))
    run_after: dict[int, int] = {}
    for c, dates in dates_after.items():
        n, day = 0, sunday + dt.timedelta(days=1)
        while day in dates:
            n += 1
            day += dt.timedelta(days=1)
        run_after[c] = n

    # locks
    locks = [a for a in locks if monday <= a.date < monday + dt.timedelta(days=7)]
    locks_by_cadre: dict[int, list[Assignment]] = defaultdict(list)
    for a in locks:
        locks_by_cadre[a.cadre_id].append(a)
    lock_post: dict[int, int] = {}
    for c, items in locks_by_cadre.items():
        own = Counter(a.post_id for a in items if a.source != "relief")
        if own:
            lock_post[c] = min(own.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    # availability per cadre and day
    absent: dict[int, set[dt.date]] = defaultdict(set)
    for ab in district.absences:
        for day in days:
            if ab.covers(day):
                absent[ab.cadre_id].add(day)
    allowed: dict[int, list[frozenset[str]]] = {}
    cap: dict[int, int] = {}
    all_codes = frozenset(shift_codes)
    day_codes = frozenset(s for s in shift_codes if s not in night_codes)
    for c in cadre_ids:
        cadre = district.cadres[c]
        codes = all_codes if cadre.night_ok else day_codes
        per_day = []
        for i, day in enumerate(days):
            if cadre.status != "active" or day in absent[c]:
                per_day.append(frozenset())
                continue
            ok = set(codes)
            for offset, s in before.get(c, []):
                for t in list(ok):
                    if (s, t, i - offset) in forbidden:
                        ok.discard(t)
            for offset, s in after.get(c, []):
                for t in list(ok):
                    if (t, s, offset - i) in forbidden:
                        ok.discard(t)
            per_day.append(frozenset(ok))
        if run_before.get(c, 0) >= max(1, settings.max_consecutive_days):
            per_day[0] = frozenset()  # a run that already reached the limit: Monday off
        allowed[c] = per_day
    # rule 9: `unavailable` wishes and units' quotas close days (solver/wishes.py)
    wishes.restrict(district, days, allowed, locks, worked_dates)
    for c in cadre_ids:
        mask = [bool(x) for x in allowed[c]]
        cap[c] = most_working_days(mask, run_before.get(c, 0), settings)

    # eligible pairs: within commute, able to work at least one day there
    km = km_matrix(district, cadre_ids, post_ids)
    max_km = np.array([district.cadres[c].max_commute_km for c in cadre_ids])[:, None]
    ok = km <= max_km + 1e-6
    border = np.argwhere(ok & (km > max_km - 1e-6))
    for ci, pi in border:  # settle the knife-edge cases exactly as the checker does
        cadre, post = district.cadres[cadre_ids[ci]], district.posts[post_ids[pi]]
        ok[ci, pi] = within_commute(cadre, post, settings.road_factor)
    has_demand = np.array([demand_total.get(p, 0) > 0 for p in post_ids])
    usable = np.array([cap[c] > 0 for c in cadre_ids])
    ok &= has_demand[None, :] & usable[:, None]
    arc_c, arc_p = np.nonzero(ok)
    arc_km = km[arc_c, arc_p]

    week = Week(
        district=district,
        monday=monday,
        days=days,
        settings=settings,
        shift_codes=shift_codes,
        night_codes=night_codes,
        req=req,
        demand_total=demand_total,
        demand_night=demand_night,
        demand_days=demand_days,
        post_ids=post_ids,
        cadre_ids=cadre_ids,
        allowed=allowed,
        cap=cap,
        dmax=max_work_days(settings),
        prev_post=prev_post,
        run_before=run_before,
        run_after=run_after,
        before=dict(before),
        hist_nights=dict(hist_nights),
        hist_weekends=dict(hist_weekends),
        locks=locks,
        locks_by_cadre=dict(locks_by_cadre),
        lock_post=lock_post,
        forbidden=forbidden,
        max_gap=max_gap,
        arc_c=arc_c,
        arc_p=arc_p,
        arc_km=arc_km,
        km=km,
        cadre_index={c: i for i, c in enumerate(cadre_ids)},
        post_index={p: i for i, p in enumerate(post_ids)},
    )
    week.anchor_group = anchor_groups(week, km)
    week.stint = stint
    week.night_streak = night_streak
    day_of = {day: i for i, day in enumerate(days)}
    own: dict[int, Counter] = defaultdict(Counter)
    for a in current:
        if a.date in day_of and a.cadre_id in district.cadres and a.post_id in district.posts:
            week.current.setdefault(a.cadre_id, []).append(
                (a.post_id, day_of[a.date], a.shift_code)
            )
            if a.source != "relief":
                own[a.cadre_id][a.post_id] += 1
    week.current_post = {c: main_post(n) for c, n in own.items()}
    if week.current:
        week.stability_weight = (
            settings.weight_stability_published if published else settings.weight_stability
        )
    return week


NIGHT_HEAVY = 3  # nights that make a week night-heavy (`max_night_weeks`)


def main_post(count: Counter) -> int:
    """The post of most shifts (ties: the lower id): a cadre's deployment that week."""
    return min(count.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def anchor_groups(week: Week, km: np.ndarray) -> dict[int, int]:
    """Each dispatching unit's home work group: where most of its cadres served last week,
    else the group holding the nearest post of most of its cadres."""
    district = week.district
    served: dict[int, Counter] = defaultdict(Counter)
    near: dict[int, Counter] = defaultdict(Counter)
    for c, p in week.prev_post.items():
        if c in district.cadres:
            served[district.cadres[c].unit_id][district.posts[p].work_group_id] += 1
    if week.post_ids:
        nearest = km.argmin(axis=1)
        for ci, c in enumerate(week.cadre_ids):
            post = district.posts[week.post_ids[int(nearest[ci])]]
            near[district.cadres[c].unit_id][post.work_group_id] += 1
    anchors = {}
    for unit in set(served) | set(near):
        votes = served[unit] or near[unit]
        anchors[unit] = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return anchors
