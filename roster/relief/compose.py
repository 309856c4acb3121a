"""Combining people's parts into options: one person, or several covering disjoint parts
(exact partitions for a few shifts, greedy above); each option costed, described and
checked before it is offered."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence

from roster.i18n import N_
from roster.i18n.said import Said
from roster.relief.costs import evaluate, quick_cost
from roster.relief.options import DEFAULT_LIMIT, KIND_RANK, Change, ReliefOption, Uncovered
from roster.relief.verdict import offered_breaches
from roster.relief.week_index import Move, Request, WeekIndex
from roster.relief.wording import summarise, why_uncovered

PARTITION_MAX = 5  # exact set partitions of the freed shifts up to this many; greedy above


def partitions(items: list[int]):
    """Every way to split `items` into non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


def compatible(week: WeekIndex, req: Request, moves: Sequence[Move]) -> bool:
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


def compose(week: WeekIndex, req: Request, moves: list[Move], limit: int) -> list[ReliefOption]:
    """Options of one person, then of several covering disjoint parts; each is checked.

    Moves are first ranked by the cost terms of the person alone (commute, workload,
    continuity); the best `pool` of each kind and set of shifts are costed exactly (with
    fairness and party terms) and combined; the rest are not offered. The pool never
    shrinks below DEFAULT_LIMIT, so that option N is the same option whatever `limit` (up to
    DEFAULT_LIMIT) was asked: `roster relief … --limit 3` then `--apply 2` applies what
    the longer list called 2."""
    district = week.district
    pool = max(limit, DEFAULT_LIMIT)

    def order(m: Move) -> tuple:
        return (m.cost, KIND_RANK[m.kind], district.cadres[m.cadre_id].code)

    for m in moves:
        m.cost = quick_cost(week, m)
    moves.sort(key=order)
    kept: dict[tuple, list[Move]] = defaultdict(list)
    for m in moves:
        group = kept[m.covers, m.kind]
        if len(group) < pool:
            group.append(m)
    moves = [m for group in kept.values() for m in group]
    for m in moves:
        m.cost = evaluate(week, req, [m])[0]
    moves.sort(key=order)
    by_cover: dict[frozenset, list[Move]] = defaultdict(list)
    for m in moves:
        by_cover[m.covers].append(m)
    coverable = sorted({i for m in moves for i in m.covers})
    target = frozenset(coverable)
    combos: list[list[Move]] = []
    singles = by_cover.get(target, [])
    combos += [[m] for m in diverse(singles, pool)]
    if len(combos) < pool and len(coverable) > 1 and len(coverable) <= PARTITION_MAX:
        for blocks in partitions(coverable):  # exact: the best three of each block
            groups = [by_cover.get(frozenset(b), [])[:3] for b in blocks]
            if len(blocks) > 1 and all(groups):
                combos += [list(pick) for pick in itertools.product(*groups)
                           if compatible(week, req, pick)]  # fmt: skip
    if len(combos) < pool and moves:
        combos += greedy(week, req, moves, target)
    seen: set[frozenset] = set()
    options = []
    for group in combos:
        key = frozenset(ch for m in group for ch in m.changes)
        if key in seen:
            continue
        seen.add(key)
        options.append(make_option(week, req, group))
    # keep only the best coverage reached, then the best `limit`, checked
    if options:
        most = min(len(o.uncovered) for o in options)
        options = [o for o in options if len(o.uncovered) == most]
    options.sort(key=ReliefOption.sort_key)
    checked = []
    for option in options:
        if len(checked) >= limit:
            break
        if not offered_breaches(week, req, option):
            checked.append(option)
    return checked


def diverse(moves: list[Move], limit: int) -> list[Move]:
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


def greedy(week: WeekIndex, req: Request, moves: list[Move], target: frozenset) -> list:
    """A few covers built greedily (most shifts first, then cost), from different starts."""
    ranked = sorted(moves, key=lambda m: (-len(m.covers), m.cost))
    out = []
    for first in ranked[:5]:
        group, covered = [first], set(first.covers)
        while covered != target:
            best = None
            for m in ranked:  # most shifts first, then cheapest: the first that fits
                if not (m.covers & covered) and compatible(week, req, [*group, m]):
                    best = m
                    break
            if best is None:
                break
            group.append(best)
            covered |= best.covers
        out.append(group)
    return out


def make_option(
    week: WeekIndex,
    req: Request,
    moves: Sequence[Move],
    *,
    kind: str | None = None,
    changes: Sequence[Change] | None = None,
    covered: set[int] | None = None,
    summary: Said | None = None,
) -> ReliefOption:
    """The option of these moves (or of explicit changes, for the re-solve)."""
    district = week.district
    x = req.cadre_id
    freed_changes = [
        Change("remove", x, f.a.date, f.a.post_id, f.a.shift_code, f.a.source) for f in req.freed
    ]
    extra = list(changes) if changes is not None else [ch for m in moves for ch in m.changes]
    if covered is None:
        covered = {i for m in moves for i in m.covers}
    cost, terms, worsened, people = evaluate(week, req, moves, extra, covered)
    uncovered = tuple(
        Uncovered(f.a.post_id, f.a.date, f.a.shift_code, why_uncovered(week, req, f))
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
        said=summary or summarise(week, req, moves, uncovered),
        cadre_id=x,
        start=req.start,
        end=req.end,
        week_start=week.monday,
        roster_version=week.roster.version,
        published=week.roster.status == "published",
        changes=tuple(freed_changes + merged(extra)),
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


def merged(changes: Sequence[Change]) -> list[Change]:
    """Changes in date order, an add and a remove of the same assignment cancelled."""
    adds = {c.key: c for c in changes if c.action == "add"}
    removes = {c.key: c for c in changes if c.action == "remove"}
    both = adds.keys() & removes.keys()
    out = [c for c in changes if c.key not in both]
    return sorted(out, key=lambda c: (c.date, c.action != "remove", c.cadre_id))


def nothing_to_cover(week: WeekIndex, req: Request) -> ReliefOption:
    x = week.district.cadres[req.cadre_id]
    if req.freed:
        summary = Said(
            N_("{cadre}'s shifts from {start} to {end} are over-staffed: nobody needs to take "
               "them; applying frees them and records the absence"),
            cadre=x.name, start=req.start, end=req.end,
        )  # fmt: skip
    else:
        summary = Said(
            N_("{cadre} has no duty from {start} to {end}: nothing to cover; applying records "
               "the absence"),
            cadre=x.name, start=req.start, end=req.end,
        )  # fmt: skip
    option = make_option(week, req, [], kind="nothing_to_cover", changes=[], covered=set(),
                     summary=summary)  # fmt: skip
    option.rank = 1
    return option


def leave_uncovered(week: WeekIndex, req: Request) -> ReliefOption:
    return make_option(week, req, [], kind="nothing_to_cover", changes=[], covered=set(),
                   summary=Said(N_("nobody can take the freed shifts: they stay uncovered")))  # fmt: skip
