"""Cadres' wishes and units' quotas in the solver: availability, soft terms, the report.

- `unavailable` (hard rule 9): `restrict` takes the shifts a wish covers out of the
  `allowed` shifts of the week (`prepare.prepare_week`), so neither stage ever offers them.
- Unit quotas (hard rule 9: a dispatching unit spares at most `max_cadres` of its cadres on a
  day; 0 = a home day): `restrict` leaves each such day open to at most that many of the
  unit's cadres (locks counted first). It chooses up front which cadres keep the day, so the
  two stages need no rule spanning posts: it closes the day for those with the most open
  days (a cadre with seven open days can lose one and still work a full week), those who
  wish to avoid it first and those who prefer it last, rotating ties so that the same people
  are not always kept home. The checker counts the real rule.
- `avoid` and `prefer` (soft): `post_terms` adds their penalty terms to a post's shift
  model (`schedule.build`) and `roster_penalties` prices them on a finished roster:
  - wish_avoid: each shift worked that an avoid wish covers, at the wish's weight;
  - wish_prefer: for a deployed cadre, each day a prefer wish covers that they do not work
    (a wish without a shift) or work another shift than the one preferred, at its weight;
    days the cadre cannot work at their post (no demand, absence, a hard rule) cost nothing.
  A cadre not deployed this week pays no prefer cost: a wish is about days and shifts,
  not about being sent at all.
- `report`: how many wishes of the week were met, and each unmet one with the reason.

Imports nothing of OR-Tools at module level; the checker does not use this module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from roster.domain import Assignment, District, Wish, most_working_days
from roster.i18n import N_

AVOID, PREFER, UNAVAILABLE = "avoid", "prefer", "unavailable"


@dataclass(frozen=True)
class WishDay:
    """One wish on one day of the week: `shift` None = every shift of the day."""

    wish: Wish
    day: int  # 0 = Monday
    shift: str | None
    weight: int


# --- availability ----------------------------------------------------------------------


def restrict(
    district: District,
    days: list[dt.date],
    allowed: dict[int, list[frozenset[str]]],
    locks: list[Assignment] | tuple = (),
    worked: dict[int, set[dt.date]] | None = None,
) -> None:
    """Rule 9 in `allowed` (cadre -> per day the shifts open), in place: no shift an
    `unavailable` wish covers, and each unit's quota of cadres per day (module doc;
    `worked`: the dates each cadre worked in the weeks before, to keep last week's days)."""
    for w in district.wishes:
        if w.kind != UNAVAILABLE or w.cadre_id not in allowed:
            continue
        per_day = allowed[w.cadre_id]
        for i, day in enumerate(days):
            if per_day[i] and w.covers_day(day):
                per_day[i] = per_day[i] - {w.shift} if w.shift else frozenset()
    if district.unit_days:
        _quotas(district, days, allowed, locks, worked or {})


def _quotas(district, days, allowed, locks, worked) -> None:
    by_unit: dict[int, list[int]] = defaultdict(list)
    for c in sorted(allowed, key=lambda c: district.cadres[c].code):
        by_unit[district.cadres[c].unit_id].append(c)
    locked: dict[tuple[int, int], set[int]] = defaultdict(set)
    day_index = {day: i for i, day in enumerate(days)}
    for a in locks:
        if a.date in day_index and a.cadre_id in district.cadres:
            locked[district.cadres[a.cadre_id].unit_id, day_index[a.date]].add(a.cadre_id)
    for unit, members in by_unit.items():
        for i, day in enumerate(days):
            quota = district.unit_quota(unit, day)
            if quota is None:
                continue
            fixed = locked.get((unit, i), set())
            open_ = [c for c in members if allowed[c][i] and c not in fixed]
            room = max(0, quota - len(fixed))
            if len(open_) <= room:
                continue

            rank = {c: n for n, c in enumerate(members)}
            keep = sorted(
                open_,
                key=lambda c: _keep_first(district, allowed, rank, c, i, day, worked.get(c, ())),
            )
            for c in keep[room:]:
                allowed[c][i] = frozenset()


def _keep_first(district, allowed, rank, c: int, i: int, day: dt.date, worked) -> tuple:
    """Who keeps a day a unit's quota limits: those who prefer it, then those who worked
    that weekday last week, then those who worked at all last week (the roster tends to
    repeat), then those with fewest open days, then by a rotation (so that other cadres
    are kept on other days)."""
    wish = 0
    for w in district.wishes_of(c):
        if w.kind in (AVOID, PREFER) and w.covers_day(day):
            wish = 1 if w.kind == PREFER else -1
    opened = sum(1 for x in allowed[c] if x)
    last = day - dt.timedelta(days=7)
    served = any(last - dt.timedelta(days=k) in worked for k in range(-6 + i, i + 1))
    return (-wish, last not in worked, not served, opened, (rank[c] + 3 * i) % len(rank))


def placing_week(week):
    """The week as the deployment stage should see it to place cadres: each cadre's avoid
    days (and avoided shifts) closed, as if unavailable, so that the flow puts them where
    colleagues can take those days. Only the placement sees this: the bound is computed
    on the true week and the post models may still use an avoided day, at its cost."""
    cached = week.cache.get("placing_week")
    if cached is not None:
        return cached
    avoid = {
        c: [x for x in items if x.wish.kind == AVOID] for c, items in week_wishes(week).items()
    }
    avoid = {c: items for c, items in avoid.items() if items and c in week.allowed}
    if not avoid:
        week.cache["placing_week"] = week
        return week
    from dataclasses import replace

    allowed = dict(week.allowed)
    cap = dict(week.cap)
    for c, items in avoid.items():
        per_day = list(allowed[c])
        for x in items:
            per_day[x.day] = per_day[x.day] - {x.shift} if x.shift else frozenset()
        allowed[c] = per_day
        cap[c] = min(cap[c], most_working_days([bool(d) for d in per_day], week.run_before.get(c, 0),
                                       week.settings))  # fmt: skip
    placing = replace(week, allowed=allowed, cap=cap, cache={})
    week.cache["placing_week"] = placing
    return placing


# --- unit quotas, lazily -------------------------------------------------------------------

QUOTA_NOTE = "unit quota"
# why a wish went unmet (`report`'s reasons: codes in --json, shown as people read them)
UNMET_REASONS = (
    N_("coverage"), N_("rest"), N_("locked"), N_("another hard rule"), N_("another soft rule"),
)  # fmt: skip


def keep_quotas(solve_once, district: District, week_start: dt.date, **options):
    """Solve with `solve_once` keeping units' quotas, paying for them only where they bind.

    A first solve ignores the quotas (half the time limit); if its roster keeps every
    quota anyway it is the answer. Otherwise each (unit, day) with a quota is closed for
    all but `max_cadres` of the unit's cadres — those who worked that day in the first
    roster first (locked ones always), then as `_keep_first` ranks — and the week is
    solved again in the time left. The closures are `unavailable` wishes (negative ids,
    note "unit quota") of the second solve only; the result is reported on `district`.
    """
    import time

    if not district.unit_days:
        return solve_once(district, week_start, **options)
    t0 = time.perf_counter()
    limit = options.pop("time_limit", 10.0)
    free = replace(district, unit_days=[])
    first = solve_once(free, week_start, time_limit=max(0.5, limit / 2), **options)
    closures = quota_closures(district, week_start, first.assignments, options.get("locks", ()))
    if closures is None:  # (a stopped solve is solved again too: it must keep the quotas)
        first.district = district
        return first
    closed = replace(district, wishes=[*district.wishes, *closures])
    left = max(0.5, limit - (time.perf_counter() - t0))
    second = solve_once(closed, week_start, time_limit=left, **options)
    second.district = district
    second.seconds = time.perf_counter() - t0
    second.stats["quota_resolve"] = True
    return second


def quota_closures(district: District, week_start: dt.date, assignments, locks=()):
    """The days to close so that no unit exceeds its quota (module doc), as `unavailable`
    wishes; None when `assignments` keep every quota already."""
    from roster.domain import week_days
    from roster.domain import week_start as monday_of

    days = week_days(monday_of(week_start))
    worked: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for a in assignments:
        if a.cadre_id in district.cadres:
            worked[district.cadres[a.cadre_id].unit_id, a.date].add(a.cadre_id)
    fixed: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for a in locks:
        if a.cadre_id in district.cadres:
            fixed[district.cadres[a.cadre_id].unit_id, a.date].add(a.cadre_id)
    members: dict[int, list[int]] = defaultdict(list)
    for c in sorted(district.cadres, key=lambda c: district.cadres[c].code):
        members[district.cadres[c].unit_id].append(c)
    exceeded = False
    out: list[Wish] = []
    for unit, cadres in members.items():
        rank = {c: n for n, c in enumerate(cadres)}
        for i, day in enumerate(days):
            quota = district.unit_quota(unit, day)
            if quota is None:
                continue
            on = worked.get((unit, day), set())
            exceeded |= len(on) > quota
            must = fixed.get((unit, day), set())
            order = sorted(
                cadres, key=lambda c: (c not in must, c not in on, (rank[c] + 3 * i) % len(rank))
            )
            keep = set(order[: max(quota, len(must))])
            for c in cadres:
                if c not in keep:
                    out.append(Wish(-1 - len(out), c, UNAVAILABLE, day, note=QUOTA_NOTE))
    return out if exceeded else None


# --- the week's wish days ---------------------------------------------------------------


def week_wishes(week) -> dict[int, list[WishDay]]:
    """Cadre -> every avoid/prefer wish on each day of this week (cached on the week)."""
    cached = week.cache.get("wish_days")
    if cached is None:
        cached = wish_days(week.district, week.days)
        week.cache["wish_days"] = cached
    return cached


def wish_days(district: District, days: list[dt.date], kinds=(AVOID, PREFER)) -> dict:
    out: dict[int, list[WishDay]] = defaultdict(list)
    settings = district.settings
    for w in district.wishes:
        if w.kind not in kinds or w.cadre_id not in district.cadres:
            continue
        for i, day in enumerate(days):
            if w.covers_day(day):
                out[w.cadre_id].append(WishDay(w, i, w.shift or None, w.weight_in(settings)))
    return dict(out)


def profile(week, cadre_id: int) -> tuple:
    """What a post's model knows of a cadre's wishes (equal profiles are interchangeable)."""
    return tuple(
        sorted(
            (x.wish.kind, x.day, x.shift or "", x.weight)
            for x in week_wishes(week).get(cadre_id, ())
        )
    )


# --- penalty terms of a post's shift model -----------------------------------------------


def post_terms(pm) -> dict[str, list[tuple[object, int]]]:
    """wish_avoid and wish_prefer terms of a post's model (`schedule.PostModel`)."""
    avoid: list[tuple[object, int]] = []
    prefer: list[tuple[object, int]] = []
    wishes = week_wishes(pm.week)
    for c in pm.cadres:
        for x in wishes.get(c, ()):
            free = {s: v for s in pm.shifts if (v := pm.x.get((c, x.day, s))) is not None}
            if not free:
                continue  # a locked or closed day: nothing the model can change
            if x.wish.kind == AVOID:
                avoid += [(v, x.weight) for s, v in free.items() if x.shift in (None, s)]
            elif x.shift is None:
                prefer.append((1 - sum(free.values()), x.weight))
            else:
                prefer += [(v, x.weight) for s, v in free.items() if s != x.shift]
    return {"wish_avoid": avoid, "wish_prefer": prefer}


# --- the cost on a finished roster, and the report ----------------------------------------


def _worked(assignments: list[Assignment]) -> dict[tuple[int, dt.date], list[Assignment]]:
    out: dict[tuple[int, dt.date], list[Assignment]] = defaultdict(list)
    for a in assignments:
        out[a.cadre_id, a.date].append(a)
    return out


def _could_work(week, cadre_id: int, post_id: int | None, x: WishDay) -> bool:
    """The deployed cadre could work the preferred day (or shift) at their post."""
    if post_id is None:
        return False
    demand = week.req.get(post_id, [{}] * 7)[x.day]
    codes = week.allowed[cadre_id][x.day] & demand.keys()
    return bool(codes if x.shift is None else codes & {x.shift})


def outcomes(week, assignments: list[Assignment], deployment: dict[int, int]):
    """Each wish day of the week with its cost (0 = met), as (WishDay, cadre, cost)."""
    worked = _worked(assignments)
    for c, items in sorted(week_wishes(week).items()):
        for x in items:
            day = week.days[x.day]
            mine = worked.get((c, day), [])
            if x.wish.kind == AVOID:
                cost = x.weight * sum(1 for a in mine if x.shift in (None, a.shift_code))
            elif c not in deployment or not _could_work(week, c, deployment[c], x):
                cost = 0
            elif x.shift is None:
                cost = 0 if mine else x.weight
            else:
                cost = x.weight * sum(1 for a in mine if a.shift_code != x.shift)
            yield x, c, cost


def roster_penalties(week, assignments: list[Assignment], deployment: dict[int, int]):
    """wish_avoid and wish_prefer on a finished roster (module doc)."""
    pen = {"wish_avoid": 0, "wish_prefer": 0}
    for x, _c, cost in outcomes(week, assignments, deployment):
        pen[f"wish_{x.wish.kind}"] += cost
    return pen


def report(week, assignments: list[Assignment], deployment: dict[int, int]) -> dict:
    """How many of the week's wishes were met (a wish is met when every day of it this
    week is), and each unmet one with its days and the reason, JSON-safe."""
    district = week.district
    unavailable = {w.id for w in district.wishes if w.kind == UNAVAILABLE}
    relevant: set[int] = {
        w.id
        for w in district.wishes
        if w.kind == UNAVAILABLE and w.id >= 0 and any(map(w.covers_day, week.days))
    }
    unmet: dict[int, list[tuple[WishDay, str]]] = defaultdict(list)
    wishes: dict[int, Wish] = {}
    for x, c, cost in outcomes(week, assignments, deployment):
        relevant.add(x.wish.id)
        wishes[x.wish.id] = x.wish
        if cost:
            unmet[x.wish.id].append((x, _reason(week, assignments, c, x)))
    worked = _worked(assignments)
    for w in district.wishes:  # a hard wish broken: only a lock does that
        if w.id in unavailable and w.id in relevant:
            for i, day in enumerate(week.days):
                if any(w.covers(day, a.shift_code) for a in worked.get((w.cadre_id, day), ())):
                    wishes[w.id] = w
                    unmet[w.id].append((WishDay(w, i, w.shift or None, 0), "locked"))
    listed = []
    for wid in sorted(unmet, key=lambda i: (district.cadres[wishes[i].cadre_id].code, i)):
        w = wishes[wid]
        cadre = district.cadres[w.cadre_id]
        listed.append(
            {
                "wish_id": wid,
                "cadre_code": cadre.code,
                "cadre_name": cadre.name,
                "kind": w.kind,
                "when": w.describe(),
                "days": [week.days[x.day].isoformat() for x, _ in unmet[wid]],
                "reasons": sorted({r for _, r in unmet[wid]}),
                "note": w.note,
            }
        )
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    kinds = {w.id: w.kind for w in district.wishes}
    for wid in relevant:
        kind = kinds[wid]
        by_kind[kind][0] += 1
        by_kind[kind][1] += wid not in unmet
    return {
        "total": len(relevant),
        "met": len(relevant) - len(unmet),
        "by_kind": {k: {"total": t, "met": m} for k, (t, m) in sorted(by_kind.items())},
        "unmet": listed,
    }


def _reason(week, assignments: list[Assignment], c: int, x: WishDay) -> str:
    """Why a wish day went unmet, in the words of the rules: coverage (the post needed
    them), rest (working would break a rest rule), locked, or another hard rule."""
    day = week.days[x.day]
    mine = [a for a in assignments if a.cadre_id == c and a.date == day]
    if x.wish.kind == AVOID:
        if any(a.locked for a in mine):
            return "locked"
        a = mine[0]
        have = sum(
            1
            for b in assignments
            if b.date == day and b.post_id == a.post_id and b.shift_code == a.shift_code
        )
        need = week.req.get(a.post_id, [{}] * 7)[x.day].get(a.shift_code, 0)
        return "coverage" if have <= need else "another soft rule"
    if any(a.locked for a in mine):
        return "locked"
    if x.shift is not None and x.shift not in week.allowed[c][x.day]:
        return "another hard rule"
    days_worked = {a.date for a in assignments if a.cadre_id == c}
    if not mine and len(days_worked) >= 7 - week.settings.min_rest_days:
        return "rest"
    if not mine and _run_through(days_worked, day, week, c) > week.settings.max_consecutive_days:
        return "rest"
    if x.shift is not None and mine:
        before = {
            a.shift_code for a in assignments if a.cadre_id == c and (a.date - day).days == -1
        }
        if any((s, x.shift, 1) in week.forbidden for s in before):
            return "rest"
    return "coverage"


def _run_through(days_worked: set[dt.date], day: dt.date, week, c: int) -> int:
    """Days in a row worked if `day` were worked too (counting last week's closing run)."""
    one = dt.timedelta(days=1)
    n, d = 1, day - one
    while d in days_worked:
        n, d = n + 1, d - one
    if d == week.monday - one:
        n += week.run_before.get(c, 0)
    d = day + one
    while d in days_worked:
        n, d = n + 1, d + one
    return n
