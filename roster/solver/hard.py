"""Hard rules as CP-SAT constraints of one post's week, one function per rule.

The shift model of a post (`schedule.PostModel`) holds a Boolean per (cadre, day, shift)
the cadre may work, and constants for what is fixed: locked shifts (rule 8), shifts the
cadre works elsewhere this week (a relief lock) and the end of last week's roster. A rule
whose constants alone already break it (a lock that breaks a hard rule) is left out for
that cadre and day: the lock is kept as given and reported, never silently dropped.

Rules 1 (one post a week: the deployment stage gives each cadre one post), 3 (commute:
only eligible pairs are deployed), 6 (absence, status) and 7 (nights) are enforced by
which variables exist; `allowed_shifts` says which.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roster.solver.schedule import PostModel


def allowed_shifts(pm: PostModel, cadre_id: int, day: int) -> list[str]:
    """Rules 6 and 7 (and rule 5 against last week's last shifts): the shifts a cadre may
    take at this post on a day: none when absent or not active, no night shift unless
    night-capable, none too soon after last week's last shift."""
    week = pm.week
    return [s for s in pm.shifts if s in week.allowed[cadre_id][day]]


def one_shift_a_day(pm: PostModel) -> None:
    """Rule 1: at most one shift a day; a day with a locked shift (here or elsewhere) gets
    no other (`PostModel` makes no variable for it)."""
    for c in pm.cadres:
        for d in range(pm.n_days):
            free = pm.free_vars(c, d)
            if len(free) > 1:
                pm.model.add_at_most_one(free)


def coverage(pm: PostModel) -> None:
    """Rule 2: each day and shift has its demand, unless the slack `unmet` (paid at
    `weight_unmet`) takes it; no more than needed unless locks put more there."""
    for d in range(7):
        for s in pm.shifts:
            need = pm.req[d].get(s, 0)
            cover = [pm.x[c, d, s] for c in pm.cadres if (c, d, s) in pm.x]
            locked = pm.locked_count.get((d, s), 0)
            if cover:
                pm.model.add(sum(cover) <= max(need, locked) - locked)
            if need > locked:
                short = pm.model.new_int_var(0, need - locked, f"unmet_{d}_{s}")
                pm.unmet[d, s] = short
                pm.model.add(sum(cover) + short >= need - locked)


def rest_days(pm: PostModel) -> None:
    """Rule 4: at least `min_rest_days` days off in the week."""
    most = 7 - pm.week.settings.min_rest_days
    for c in pm.cadres:
        fixed = sum(pm.fixed_work(c, d) > 0 for d in range(7))
        free = [v for d in range(7) for v in pm.free_vars(c, d)]
        if free and fixed <= most:
            pm.model.add(sum(free) <= most - fixed)


def consecutive_days(pm: PostModel, limits: Mapping[int, int] | None = None) -> None:
    """Rule 4: never more than `max_consecutive_days` working days in a row, counting the
    run of worked days that ended last week's roster and the run that begins the next
    stored week (`limits`: a limit per cadre instead, for a model without a week, e.g. a
    benchmark instance)."""
    for c in pm.cadres:
        if limits is None:
            limit = pm.week.settings.max_consecutive_days
            run = pm.week.run_before.get(c, 0)
            run_after = pm.week.run_after.get(c, 0)
        else:
            limit, run, run_after = limits[c], 0, 0
        n = pm.n_days
        # windows of limit + 1 days, from limit days before Monday to (when the next
        # stored week begins with worked days) ones reaching past Sunday; a day outside
        # the week is worked iff it is in the run that ends before it or begins after it
        for first in range(-limit, n if run_after else n - limit):
            days = range(first, first + limit + 1)
            fixed = sum(
                1
                for d in days
                if (d < 0 and -d <= run)
                or (d >= n and d - n < run_after)
                or (0 <= d < n and pm.fixed_work(c, d))
            )
            free = [v for d in days if 0 <= d < n for v in pm.free_vars(c, d)]
            if free and fixed <= limit:
                pm.model.add(sum(free) <= limit - fixed)


def rest_hours(pm: PostModel) -> None:
    """Rule 5: at least `min_rest_hours` between the end of a shift and the next start
    (e.g. no day shift the morning a night shift ends): the forbidden successions of the
    pairs of shifts too close together."""
    forbidden_successions(pm, pm.week.forbidden)


def forbidden_successions(pm: PostModel, forbidden: Iterable[tuple[str, str, int]]) -> None:
    """Shift `t` may not start `k` days after shift `s`, for each (s, t, k) in `forbidden`."""
    for c in pm.cadres:
        for s, t, k in forbidden:
            for d in range(pm.n_days - k):
                a = pm.term(c, d, s)
                b = pm.term(c, d + k, t)
                if (isinstance(a, int) and not a) or (isinstance(b, int) and not b):
                    continue
                if isinstance(a, int) and isinstance(b, int):
                    continue  # both fixed: a lock breaks it, kept and reported
                if isinstance(a, int):
                    if a:
                        pm.model.add(b == 0)
                elif isinstance(b, int):
                    if b:
                        pm.model.add(a == 0)
                else:
                    pm.model.add_implication(a, b.Not())


def locks(pm: PostModel) -> None:
    """Rule 8: a locked shift stays exactly as it is: `PostModel` keeps it as a constant
    (in the roster as given) and makes no other variable on that cadre's day."""


# --- rules of longer horizons -----------------------------------------------------------
# Each takes its limits as arguments and works on any `PostModel` (locked and relief shifts
# count as the constants they are); the cadre model switches the minimum runs on through
# `Settings` (`min_runs`, off by default), the Curtois & Qu benchmark uses them directly.


def work_literal(pm: PostModel, c: int, d: int):
    """The cadre works on day `d`: a Boolean (one of the shift variables when there is
    only one, else a new one equal to their sum), or 1/0 when fixed."""
    cache = pm.aux.setdefault("work", {})
    if (c, d) not in cache:
        free = pm.free_vars(c, d)
        if pm.fixed_work(c, d):
            lit = 1
        elif not free:
            lit = 0
        elif len(free) == 1:
            lit = free[0]
        else:
            lit = pm.model.new_bool_var(f"w_{c}_{d}")
            pm.model.add(sum(free) == lit)
        cache[c, d] = lit
    return cache[c, d]


def _clause(pm: PostModel, positive: Iterable, negative: Iterable = ()) -> None:
    """One of `positive` holds or one of `negative` fails; constants decide on their own,
    and a clause the constants alone break is left out (a lock breaks it, reported)."""
    lits = []
    for v in positive:
        if isinstance(v, int):
            if v:
                return
        else:
            lits.append(v)
    for v in negative:
        if isinstance(v, int):
            if not v:
                return
        else:
            lits.append(v.Not())
    if lits:
        pm.model.add_bool_or(lits)


def min_consecutive_days(pm: PostModel, limits: Mapping[int, int]) -> None:
    """A run of worked days lasts at least `limits[cadre]` days, except a run that starts
    on the first day (it may continue one before the model) or is cut by the last day."""
    for c, least in limits.items():
        for s in range(1, pm.n_days):
            for j in range(1, min(least, pm.n_days - s)):
                # a run starting on day s reaches day s + j
                _clause(
                    pm,
                    [work_literal(pm, c, s - 1), work_literal(pm, c, s + j)],
                    [work_literal(pm, c, s)],
                )


def min_consecutive_days_off(pm: PostModel, limits: Mapping[int, int]) -> None:
    """A run of days off lasts at least `limits[cadre]` days, except a run that starts on
    the first day or is cut by the last day."""
    for c, least in limits.items():
        for s in range(1, pm.n_days):
            for j in range(1, min(least, pm.n_days - s)):
                # days off starting on day s reach day s + j
                _clause(
                    pm,
                    [work_literal(pm, c, s)],
                    [work_literal(pm, c, s - 1), work_literal(pm, c, s + j)],
                )


def min_runs(pm: PostModel) -> None:
    """Rule 4 options (`Settings.min_consecutive_days` / `min_consecutive_days_off`, 1 = off,
    the default): runs of worked days and of days off within the week are at least that
    long, except a run starting on Monday (it may continue last week's) or reaching Sunday
    (it may go on next week)."""
    settings = pm.week.settings
    if settings.min_consecutive_days > 1:
        min_consecutive_days(pm, dict.fromkeys(pm.cadres, settings.min_consecutive_days))
    if settings.min_consecutive_days_off > 1:
        min_consecutive_days_off(pm, dict.fromkeys(pm.cadres, settings.min_consecutive_days_off))


HARD_RULES = (
    one_shift_a_day,
    coverage,
    rest_days,
    consecutive_days,
    rest_hours,
    locks,
    min_runs,
)


def add_all(pm: PostModel) -> None:
    """Every hard rule of the cadre model on a post's week."""
    for rule in HARD_RULES:
        rule(pm)
