"""Hard rules (SPEC §3) as CP-SAT constraints of one post's week, one function per rule.

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
        for d in range(7):
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


def consecutive_days(pm: PostModel) -> None:
    """Rule 4: never more than `max_consecutive_days` working days in a row, counting the
    run of worked days that ended last week's roster."""
    limit = pm.week.settings.max_consecutive_days
    for c in pm.cadres:
        run = pm.week.run_before.get(c, 0)
        # days -limit..6; a history day is worked iff it is within the closing run
        for first in range(-limit, 7 - limit):
            days = range(first, first + limit + 1)
            fixed = sum(
                1 for d in days if (d < 0 and -d <= run) or (d >= 0 and pm.fixed_work(c, d))
            )
            free = [v for d in days if d >= 0 for v in pm.free_vars(c, d)]
            if free and fixed <= limit:
                pm.model.add(sum(free) <= limit - fixed)


def rest_hours(pm: PostModel) -> None:
    """Rule 5: at least `min_rest_hours` between the end of a shift and the next start
    (e.g. no day shift the morning a night shift ends)."""
    week = pm.week
    for c in pm.cadres:
        for s, t, k in week.forbidden:
            for d in range(7 - k):
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


HARD_RULES = (one_shift_a_day, coverage, rest_days, consecutive_days, rest_hours, locks)


def add_all(pm: PostModel) -> None:
    for rule in HARD_RULES:
        rule(pm)
