"""Rules only the Curtois & Qu instances have, on the shared shift model (`PostModel`):
per-type maxima, minimum and maximum total minutes, a limit on working weekends, cover with
under/over weights and weighted shift requests. The cadre model never uses them; the
benchmark builds its model from these and the product's own rules in `roster.solver.hard`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from roster.solver.hard import work_literal
from roster.solver.schedule import PostModel


def max_shifts_of_type(pm: PostModel, limits: Mapping[tuple[int, str], int]) -> None:
    """At most `limits[cadre, shift]` shifts of that type over the model's days."""
    for (c, s), most in limits.items():
        fixed = sum(s in pm.fixed_codes(c, d) for d in range(pm.n_days))
        free = [pm.x[c, d, s] for d in range(pm.n_days) if (c, d, s) in pm.x]
        if free and fixed <= most:
            pm.model.add(sum(free) <= most - fixed)


def total_minutes(
    pm: PostModel, minutes: Mapping[str, int], bounds: Mapping[int, tuple[int, int]]
) -> None:
    """Between `bounds[cadre]` = (least, most) minutes of shifts over the model's days."""
    for c, (least, most) in bounds.items():
        fixed = sum(minutes[s] for d in range(pm.n_days) for s in pm.fixed_codes(c, d))
        free = [
            (pm.x[c, d, s], minutes[s])
            for d in range(pm.n_days)
            for s in pm.shifts
            if (c, d, s) in pm.x
        ]
        if not free:
            continue
        total = sum(m * v for v, m in free)
        if fixed <= most:
            pm.model.add(total <= most - fixed)
        if least - fixed > 0 and sum(m for _, m in free) >= least - fixed:
            pm.model.add(total >= least - fixed)


def max_working_weekends(
    pm: PostModel, limits: Mapping[int, int], weekends: Iterable[tuple[int, ...]]
) -> None:
    """At most `limits[cadre]` weekends with a worked day (each weekend: its days)."""
    weekends = [tuple(w) for w in weekends]
    for c, most in limits.items():
        flags = []
        fixed = 0
        for i, days in enumerate(weekends):
            lits = [work_literal(pm, c, d) for d in days]
            if any(isinstance(v, int) and v for v in lits):
                fixed += 1
                continue
            lits = [v for v in lits if not isinstance(v, int)]
            if not lits:
                continue
            if len(lits) == 1:
                flags.append(lits[0])
                continue
            worked = pm.model.new_bool_var(f"weekend_{c}_{i}")
            for v in lits:
                pm.model.add_implication(v, worked)
            pm.model.add_bool_or([worked.Not(), *lits])
            flags.append(worked)
        if flags and fixed <= most and len(flags) + fixed > most:
            pm.model.add(sum(flags) <= most - fixed)


def cover_deviation(
    pm, weights: dict[tuple[int, str], tuple[int, int]]
) -> list[tuple[object, int]]:
    """Cover both ways: for each (day, shift) in `weights` = (under, over), each shift
    missing against `pm.req` costs `under`, each one beyond it `over` (nothing is capped:
    the slack of a shortfall is `pm.unmet`, as in rule 2)."""
    terms: list[tuple[object, int]] = []
    for (d, s), (under, over) in weights.items():
        need = pm.req[d].get(s, 0) - pm.locked_count.get((d, s), 0)
        cover = [pm.x[c, d, s] for c in pm.cadres if (c, d, s) in pm.x]
        most = len(cover)
        short = pm.model.new_int_var(0, max(0, need), f"under_{d}_{s}")
        extra = pm.model.new_int_var(0, max(0, most - need), f"over_{d}_{s}")
        pm.model.add(sum(cover) + short - extra == need)
        pm.unmet[d, s] = short
        terms += [(short, under), (extra, over)]
    return terms


def shift_requests(
    pm, on: list[tuple[int, int, str, int]], off: list[tuple[int, int, str, int]]
) -> list[tuple[object, int]]:
    """Requests (cadre, day, shift, weight): an unmet request to work that shift costs its
    weight, and so does a shift worked against a request to be off it."""
    terms: list[tuple[object, int]] = []
    for c, d, s, w in on:
        terms.append((1 - pm.term(c, d, s), w))
    for c, d, s, w in off:
        terms.append((pm.term(c, d, s), w))
    return terms
