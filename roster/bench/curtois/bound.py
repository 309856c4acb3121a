"""A proven lower bound for Curtois & Qu instances: column generation over each employee's
feasible fortnights/months (Dantzig–Wolfe), priced exactly by dynamic programming.

Why: the per-(employee, day, shift) model's linear relaxation spreads fractions of shifts
over the employees and ignores that each one's month must be a whole, rule-abiding
sequence; its bound on Instance 2 stays near 220 against an optimum of 828. The master
problem here chooses a convex combination of whole rosters per employee to meet the cover,
which is the relaxation of "one feasible roster each"; its value is within a few units of
the optimum on most of these instances, though not all (Instance 9: 405.7 against 439,
with the pricing checked exact at the final duals, so the gap is the relaxation's own and
only branching would close it).

The bound is Lagrangian, so it holds at every iteration, not only at convergence: for any
cover duals `pi` with `-over <= pi <= under`,
    bound(pi) = sum(pi * requirement) + sum over employees of min over rosters of
                (request cost of the roster - sum of pi over its shifts),
and the inner minimum is computed exactly by `Pricer` (a shortest path over the states of
the rules: shift class, run length, minutes, weekends, capped shift counts).

The master also gives rosters: its heaviest columns, exact best responses per employee,
and dives (fixing whole rosters, `dive`, or single worked shifts as branch-and-price
branches, `dive_shifts`, which the pricing keeps through `ColumnGeneration.forced`).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from roster.bench.curtois.instance import Instance

INF = np.inf
EDGE_STATES = 12_000  # `Pricer` takes the edge form up to this many states a day
FORBIDDEN = 1e7  # the master's cost of a column the dive has ruled out
Roster = frozenset  # of (day, shift id): one employee's worked shifts


class Pricer:
    """The cheapest roster of one employee for given per-(day, shift) costs, exactly.

    States per day: the class of the last shift worked (shifts that forbid the same
    successors, are forbidden after the same ones and count alike), the run of worked
    days (1..max, and a separate "exempt" run for one that began on day 0 while shorter
    than the minimum), or the run of days off (1..min, and the exempt one from day 0);
    then resources, each a count: shifts of each length (their minutes are checked at
    the end), working weekends, and shifts of a type whose maximum can bind. A type's
    count is only tracked once a cheapest roster broke its maximum (the search without it
    is a relaxation: when its best roster keeps every maximum it is the best roster).
    Infeasible states hold +inf.

    A day's step runs in one of two forms with the same minimum: up to `EDGE_STATES`
    states, as fixed edge lists built once per kind of day (`_edges`: a gather and a
    minimum over the day's whole state vector, then each state's cost: a few numpy
    calls a day);
    above, where the edge lists' memory traffic costs more than the per-call overhead,
    as moves of slices of the resource axes per class (`_solve_sliced`). Both reuse
    their arrays between calls; a call's arrays only live until its roster is traced.
    """

    def __init__(self, inst: Instance, c: int):
        e = inst.staff[c]
        self.horizon = horizon = inst.horizon
        off = inst.days_off.get(e.id, frozenset())
        self.open = [d not in off for d in range(horizon)]
        self.shifts = shifts = [s for s in inst.shifts if e.max_shifts.get(s.id, horizon) > 0]
        self.ids = [s.id for s in shifts]
        open_days = sum(self.open)
        self.min_minutes, self.max_minutes = e.min_minutes, e.max_minutes
        self.runmax = max(1, min(e.max_consecutive, horizon))
        self.minc = max(1, e.min_consecutive)
        self.minoff = max(1, e.min_days_off)
        weekends = len(inst.weekends())
        self.wcap = e.max_weekends if e.max_weekends < weekends else None
        limit = {s.id: min(e.max_shifts.get(s.id, horizon), open_days) for s in shifts}
        self.lengths = sorted({s.minutes for s in shifts})
        self.group_cap = [
            min(e.max_minutes // m, sum(limit[s.id] for s in shifts if s.minutes == m))
            for m in self.lengths
        ]
        self.limit = limit
        # types whose maximum is below what their length group allows anyway
        self.may_bind = [
            s.id for s in shifts if limit[s.id] < self.group_cap[self.lengths.index(s.minutes)]
        ]
        self.tracked: list[str] = []
        self.n_exempt = min(self.minc - 1, self.runmax)
        self.nw = self.runmax + self.n_exempt
        self.no = self.minoff + 1  # off runs 1..minoff (capped), then the exempt one
        self._setup()

    def _setup(self) -> None:
        """Classes and resource axes for the currently tracked types.

        A tracked type t of length group G is counted directly (0..max) or, when that is
        fewer values, through the other shifts of G, capped at cap(G) - max(t): the cap
        absorbs, and at the end t's count = n(G) - other <= max(t) is checked (a capped
        "other" always passes, since n(G) <= cap(G))."""
        shifts, ids = self.shifts, self.ids
        allowed = set(ids)
        forbids = {s.id: frozenset(s.not_followed_by) & allowed for s in shifts}
        forbidden_by = {t: frozenset(s for s in ids if t in forbids[s]) for t in ids}
        ng = len(self.lengths)
        self.wdim = ng if self.wcap is not None else None
        caps = list(self.group_cap)
        if self.wcap is not None:
            caps.append(self.wcap)
        minutes_of = {s.id: s.minutes for s in shifts}
        tracked = []  # (type, its dim, its group dim, counted through the others)
        for t in self.tracked:
            g = self.lengths.index(minutes_of[t])
            direct, other = self.limit[t], self.group_cap[g] - self.limit[t]
            tracked.append((t, len(caps), g, other < direct))
            caps.append(min(direct, other))
        self.caps = caps
        self.res_shape = tuple(cap + 1 for cap in caps)

        def counts(s) -> tuple[tuple[int, bool], ...]:
            """(dim, absorbing) of each count a shift of type s adds one to."""
            g = self.lengths.index(s.minutes)
            out = [(g, False)]
            for t, dim, tg, through_others in tracked:
                if not through_others and s.id == t:
                    out.append((dim, False))
                elif through_others and tg == g and s.id != t:
                    out.append((dim, True))
            return tuple(out)

        key = {s.id: (forbids[s.id], forbidden_by[s.id], counts(s)) for s in shifts}
        keys = list(dict.fromkeys(key[s] for s in ids))
        self.classes = [[k for k, s in enumerate(ids) if key[s] == kk] for kk in keys]
        self.counts = [kk[2] for kk in keys]
        n = len(keys)
        members = [{ids[k] for k in cl} for cl in self.classes]
        # pred[j]: classes whose shifts may be followed the next day by one of class j
        self.pred = [tuple(i for i in range(n) if not (keys[j][1] & members[i])) for j in range(n)]
        grid = np.indices(self.res_shape, sparse=True)
        minutes = sum(m * grid[g] for g, m in enumerate(self.lengths))
        ok = (minutes >= self.min_minutes) & (minutes <= self.max_minutes)
        for t, dim, g, through_others in tracked:
            if through_others:
                ok = ok & (grid[g] - grid[dim] <= self.limit[t])
        self.final_ok = np.broadcast_to(ok, self.res_shape)
        self._move_cache: dict[tuple[int, bool], list[tuple[tuple, tuple]] | None] = {}
        # the day's states, flattened: work (class, run, resources), then off (run,
        # resources), then one +inf slot that padding edges read
        self.n_work = n * self.nw * math.prod(self.res_shape)
        self.n_states = self.n_work + self.no * math.prod(self.res_shape)
        self._edge_cache: dict[tuple[bool, bool], tuple[np.ndarray, ...]] = {}
        # each form's arrays, allocated at its first use and reused by every call
        self._buffer: np.ndarray | None = None
        self._sliced: tuple[np.ndarray, ...] | None = None

    # -- resources -------------------------------------------------------------------

    def _moves(self, j: int, weekend: bool) -> list[tuple[tuple, tuple]] | None:
        """Source and target slices of the resource axes for working a shift of class j:
        the first pair moves every state, the others (absorbing caps) merge by minimum;
        None when a count that cannot absorb is already at its cap of 0."""
        key = (j, weekend)
        if key not in self._move_cache:
            dims = list(self.counts[j])
            if weekend and self.wdim is not None:
                dims.append((self.wdim, False))
            moves: list[tuple[tuple, tuple]] | None = None
            if all(self.caps[dim] > 0 or absorbs for dim, absorbs in dims):
                options = []
                for dim, absorbs in dims:
                    cap = self.caps[dim]
                    opts = [(slice(0, cap), slice(1, cap + 1))] if cap else []
                    if absorbs:
                        opts.append((slice(cap, cap + 1), slice(cap, cap + 1)))
                    options.append((dim, opts))
                moves = []
                for combo in itertools.product(*(opts for _, opts in options)):
                    src = [slice(None)] * len(self.res_shape)
                    dst = [slice(None)] * len(self.res_shape)
                    for (dim, _), (a, b) in zip(options, combo, strict=True):
                        src[dim], dst[dim] = a, b
                    moves.append((tuple(src), tuple(dst)))
            self._move_cache[key] = moves
        return self._move_cache[key]

    def _apply(self, source: np.ndarray, target: np.ndarray, moves, cost: float, lead=()):
        """target[moved state] = source[state] + cost (the target holds +inf before)."""
        first, *rest = moves
        np.add(source[(*lead, *first[0])], cost, out=target[(*lead, *first[1])])
        for a, b in rest:
            view = target[(*lead, *b)]
            np.minimum(view, source[(*lead, *a)] + cost, out=view)

    def _continue(self, work: np.ndarray, p: tuple[int, ...], out: np.ndarray) -> np.ndarray:
        """Work run states of yesterday, at their least over the classes p -> today's,
        one more day in the run (into `out`; its run 0 is not read)."""
        r, nc = self.runmax, len(self.classes)
        if len(p) == nc:
            prev = work
        elif p == tuple(range(p[0], p[-1] + 1)):
            prev = work[p[0] : p[-1] + 1]
        else:
            prev = work[list(p)]
        np.min(prev[:, : r - 1], axis=0, out=out[1:r])
        if self.n_exempt:
            out[r:].fill(INF)
            exempt = np.min(prev[:, r:], axis=0)
            for t in range(self.n_exempt):  # exempt run t + 1 -> run t + 2
                if t + 1 >= r:
                    continue
                if t + 2 < self.minc:
                    np.minimum(out[r + t + 1], exempt[t], out=out[r + t + 1])
                else:
                    np.minimum(out[t + 1], exempt[t], out=out[t + 1])
        return out

    def _edges(self, weekend: bool, saturday: bool) -> tuple[np.ndarray, ...]:
        """Yesterday -> today for a day after the first, as edges into each state, k-th
        edge of state t at [k, t]: their source states; missing edges read the +inf
        slot. Every edge into a state costs the same (0 into a day off, the class's cost
        into work), so today's value of a state is the least source value over its edges
        plus that cost, the same number the rules compute (x -> x + c is monotone, so min
        and + commute). Off run 0 after a work run is left out: `_solve_edges` takes it as
        a minimum over a view. Also returns a scratch array for the gathered values."""
        key = (weekend, saturday)
        if key in self._edge_cache:
            return self._edge_cache[key]
        nc, r, rs = len(self.classes), self.runmax, self.res_shape
        n = self.n_states
        work = np.arange(self.n_work).reshape(nc, self.nw, *rs)
        off = self.n_work + np.arange(n - self.n_work).reshape(self.no, *rs)
        tgt: list[np.ndarray] = []
        src: list[np.ndarray] = []

        def edge(target: np.ndarray, source: np.ndarray) -> None:
            target, source = np.broadcast_arrays(target, source)
            tgt.append(target.ravel())
            src.append(source.ravel())

        last = self.minoff - 1
        # a day off after days off
        for run in range(1, self.minoff):
            edge(off[run], off[run - 1])
        edge(off[last], off[last])
        edge(off[self.minoff], off[self.minoff])
        # one more day in a run (`_continue`): today's run <- yesterday's
        steps = [(run, run - 1) for run in range(1, r)]
        for t in range(self.n_exempt):
            if t + 1 < r:
                steps.append((r + t + 1 if t + 2 < self.minc else t + 1, r + t))
        for j in range(nc):
            moves = self._moves(j, weekend)
            if moves is not None:  # a new run
                for a, b in moves:
                    for o in (last, self.minoff):
                        edge(work[j, 0][b], off[o][a])
            if not self.pred[j] or r == 1:
                continue
            moves = self._moves(j, saturday)
            if moves is None:
                continue
            for a, b in moves:
                for i in self.pred[j]:
                    for run, before in steps:
                        edge(work[j, run][b], work[i, before][a])
        target = np.concatenate(tgt)
        order = np.argsort(target, kind="stable")
        target = target[order]
        counts = np.bincount(target, minlength=n)
        rank = np.arange(len(target)) - (np.cumsum(counts) - counts)[target]
        k = max(1, int(counts.max()))
        sources = np.full((k, n), n, dtype=np.intp)
        sources[rank, target] = np.concatenate(src)[order]
        out = (sources.ravel(), np.empty(k * n))
        self._edge_cache[key] = out
        return out

    # -- the shortest path -----------------------------------------------------------

    def solve(
        self, cost: list[list[float]], work: frozenset[int] = frozenset()
    ) -> tuple[float, Roster | None]:
        """`cost[d][k]`: the cost of working shift `ids[k]` on day d (0 for a day off;
        +inf bars the shift); `work`: days that may not be days off.
        Returns the least total and a roster reaching it (None if there is none)."""
        while True:
            value, roster = self._solve(cost, work)
            if roster is None:
                return value, roster
            broken = [
                t
                for t in self.may_bind
                if t not in self.tracked and sum(s == t for _, s in roster) > self.limit[t]
            ]
            if not broken:
                return value, roster
            self.tracked += broken
            self._setup()

    def _solve(self, cost: list[list[float]], must: frozenset[int]) -> tuple[float, Roster | None]:
        """The least total over the current states and a roster reaching it."""
        if self.n_states <= EDGE_STATES:
            return self._solve_edges(cost, must)
        return self._solve_sliced(cost, must)

    def _solve_edges(
        self, cost: list[list[float]], must: frozenset[int]
    ) -> tuple[float, Roster | None]:
        """`_solve` over the edge lists of `_edges`."""
        days = self.horizon
        nc = len(self.classes)
        rs = self.res_shape
        zero = (0,) * len(rs)
        # each class's cheapest member per day (the first on ties) and its cost
        table = np.array(cost, dtype=float).reshape(days, len(self.ids))
        member = np.empty((days, nc), dtype=np.intp)
        slot_cost = np.empty((days, 1 + nc))
        for j, cl in enumerate(self.classes):
            member[:, j] = np.asarray(cl)[np.argmin(table[:, cl], axis=1)]
        slot_cost[:, 1:] = np.take_along_axis(table, member, axis=1)
        slot_cost[:, 0] = 0.0
        slot_cost[[d for d in must if 0 <= d < days], 0] = INF
        slot_cost[[d for d in range(days) if not self.open[d]], 1:] = INF
        best_member = member.tolist()
        if self._buffer is None:
            self._buffer = np.full((days, self.n_states + 1), INF)
        buf = self._buffer
        n_work, n_states = self.n_work, self.n_states
        works = buf[:, :n_work].reshape(days, nc, self.nw, *rs)
        offs = buf[:, n_work:n_states].reshape(days, self.no, *rs)
        buf[0, :n_states] = INF
        work, off = works[0], offs[0]
        if 0 not in must:
            off[(self.minoff, *zero)] = 0.0
        if self.open[0]:
            start = self.runmax if self.n_exempt else 0
            base = np.full(rs, INF)
            base[zero] = 0.0
            for j in range(nc):
                moves = self._moves(j, False)  # day 0 is a Monday
                if moves is not None:
                    self._apply(base, work[j, start], moves, float(slot_cost[0, 1 + j]))
        short = min(self.minc, self.runmax + 1) - 1
        ended = np.empty(rs)
        minimum, add = np.minimum, np.add
        edges = [self._edges(d % 7 in (5, 6), d % 7 == 5) for d in range(7)]
        for d in range(1, days):
            source, values = edges[d % 7]
            buf[d - 1].take(source, out=values, mode="clip")
            today = buf[d, :n_states]
            minimum.reduce(values.reshape(-1, n_states), axis=0, out=today)
            # every edge into a state has its cost: a day off, or working its class
            work_today = today[:n_work].reshape(nc, -1)
            add(work_today, slot_cost[d, 1:, None], out=work_today)
            add(today[n_work:], slot_cost[d, 0], out=today[n_work:])
            # a day off after a run of at least minc days or an exempt one
            ended_before = works[d - 1, :, short:].reshape(-1, *rs)
            minimum.reduce(ended_before, axis=0, out=ended, initial=INF)
            add(ended, slot_cost[d, 0], out=ended)
            minimum(offs[d, 0], ended, out=offs[d, 0])
        return self._finish(works, offs, cost, best_member)

    def _solve_sliced(
        self, cost: list[list[float]], must: frozenset[int]
    ) -> tuple[float, Roster | None]:
        """`_solve` over slices of the resource axes (the moves of `_moves`)."""
        days = self.horizon
        nc = len(self.classes)
        rs = self.res_shape
        zero = (0,) * len(rs)
        best_member: list[list[int]] = []
        if self._sliced is None:
            self._sliced = (
                np.empty((days, nc, self.nw, *rs)),
                np.empty((days, self.no, *rs)),
                np.empty(rs),
                np.empty((len(set(self.pred)), self.nw, *rs)),
            )
        works, offs, from_off_buffer, pred_min_buffer = self._sliced
        works.fill(INF)  # days off are all written from day 1 on
        offs[0].fill(INF)
        last = self.minoff - 1
        short = min(self.minc, self.runmax + 1) - 1
        for d in range(days):
            member = [min(cl, key=lambda k, d=d: cost[d][k]) for cl in self.classes]
            best_member.append(member)
            cls_cost = [cost[d][k] for k in member]
            work, off = works[d], offs[d]
            weekend, saturday = d % 7 in (5, 6), d % 7 == 5
            if d == 0:
                if 0 not in must:
                    off[(self.minoff, *zero)] = 0.0
                if self.open[0]:
                    start = self.runmax if self.n_exempt else 0
                    base = np.full(rs, INF)
                    base[zero] = 0.0
                    for j in range(nc):
                        moves = self._moves(j, weekend)
                        if moves is not None:
                            self._apply(base, work[j, start], moves, cls_cost[j])
                continue
            pw, po = works[d - 1], offs[d - 1]
            # a day off: after a run of at least minc days or an exempt one, or days off
            np.minimum(
                pw[:, short : self.runmax].min(axis=(0, 1), initial=INF),
                pw[:, self.runmax :].min(axis=(0, 1), initial=INF),
                out=off[0],
            )
            off[1 : self.minoff] = po[:last]
            np.minimum(off[last], po[last], out=off[last])
            off[self.minoff] = po[self.minoff]
            if d in must:
                off.fill(INF)
            if not self.open[d]:
                continue
            from_off = np.minimum(po[last], po[self.minoff], out=from_off_buffer)
            pred_min: dict[tuple[int, ...], np.ndarray] = {}
            for j in range(nc):
                moves = self._moves(j, weekend)
                if moves is not None:  # a new run
                    self._apply(from_off, work[j, 0], moves, cls_cost[j])
                p = self.pred[j]
                if not p or self.runmax == 1:
                    continue
                moves = self._moves(j, saturday)
                if moves is None:
                    continue
                if p not in pred_min:
                    pred_min[p] = self._continue(pw, p, pred_min_buffer[len(pred_min)])
                # one more day in a run
                self._apply(pred_min[p], work[j], moves, cls_cost[j], (slice(1, None),))
        return self._finish(works, offs, cost, best_member)

    def _finish(self, works, offs, cost, best_member) -> tuple[float, Roster | None]:
        """The best allowed final state of the last day, and the roster that reaches it."""
        best, state = INF, None
        for kind, arr in (("w", works[-1]), ("o", offs[-1])):
            masked = np.where(self.final_ok, arr, INF)
            if masked.size and masked.min() < best:
                best = float(masked.min())
                idx = np.unravel_index(int(np.argmin(masked)), masked.shape)
                state = (kind, tuple(int(i) for i in idx))
        if state is None:
            return INF, None
        return best, self._trace(works, offs, cost, best_member, state, best)

    def _trace(self, works, offs, cost, best_member, state, value) -> Roster:
        """Walk back from the best final state, one matching predecessor a day."""
        roster = []
        r, ex = self.runmax, self.n_exempt
        for d in range(self.horizon - 1, 0, -1):
            kind, idx = state
            weekend, saturday = d % 7 in (5, 6), d % 7 == 5
            cands: list[tuple[str, tuple[int, ...]]] = []
            if kind == "w":
                j, run, *res = idx
                k = best_member[d][j]
                roster.append((d, self.ids[k]))
                prev = value - cost[d][k]
                options = [[v] for v in res]
                for dim, absorbs in self.counts[j]:
                    options[dim] = [res[dim] - 1]
                    if absorbs and res[dim] == self.caps[dim]:
                        options[dim].append(res[dim])
                if self.wdim is not None and (saturday or (weekend and run == 0)):
                    options[self.wdim] = [res[self.wdim] - 1]
                before = list(itertools.product(*options))
                if run == 0:  # a new run: after days off
                    cands = [
                        ("o", (o, *rr)) for rr in before for o in (self.minoff - 1, self.minoff)
                    ]
                else:
                    if run < r:
                        sources = [run - 1]
                        if run - 1 < ex and run + 1 >= self.minc:
                            sources.append(r + run - 1)  # exempt run `run` -> run + 1
                    else:
                        sources = [run - 1]  # exempt run from the exempt run before
                    cands = [
                        ("w", (i, s, *rr)) for rr in before for i in self.pred[j] for s in sources
                    ]
            else:
                run, *res = idx
                prev = value
                if run == self.minoff:
                    cands = [("o", (self.minoff, *res))]
                else:
                    if run == 0:
                        cands += [
                            ("w", (i, s, *res))
                            for i in range(len(self.classes))
                            for s in [*range(self.minc - 1, r), *range(r, r + ex)]
                        ]
                    if run > 0:
                        cands.append(("o", (run - 1, *res)))
                    if run == self.minoff - 1:
                        cands.append(("o", (run, *res)))
            for ck, ci in cands:
                if min(ci) < 0:
                    continue
                v = (works if ck == "w" else offs)[d - 1][ci]
                if v < INF and abs(v - prev) <= 1e-9 * max(1.0, abs(prev)):
                    state, value = (ck, ci), float(v)
                    break
            else:  # pragma: no cover - the forward pass guarantees a predecessor
                raise AssertionError(f"no predecessor on day {d} for {state}")
        kind, idx = state
        if kind == "w":
            roster.append((0, self.ids[best_member[0][idx[0]]]))
        return frozenset(roster)


# --- the master problem ----------------------------------------------------------------


@dataclass
class Column:
    employee: int
    roster: Roster
    cost: int  # request cost


@dataclass
class BoundResult:
    bound: int  # proven lower bound of the objective
    value: float  # the best Lagrangian value (bound = its ceiling)
    master: float  # the restricted master's value at the end (>= the LP bound)
    iterations: int
    seconds: float
    columns: list[Column] = field(default_factory=list)
    converged: bool = False


class ColumnGeneration:
    """Dantzig–Wolfe master over per-employee rosters, with Wentges dual smoothing."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.pricers = [Pricer(inst, c) for c in range(len(inst.staff))]
        self.cover = {(cv.day, cv.shift): cv for cv in inst.cover}
        index = {e.id: c for c, e in enumerate(inst.staff)}
        self.on: list[dict[tuple[int, str], int]] = [{} for _ in inst.staff]
        self.off: list[dict[tuple[int, str], int]] = [{} for _ in inst.staff]
        for r in inst.on_requests:
            key = (r.day, r.shift)
            self.on[index[r.employee]][key] = self.on[index[r.employee]].get(key, 0) + r.weight
        for r in inst.off_requests:
            key = (r.day, r.shift)
            self.off[index[r.employee]][key] = self.off[index[r.employee]].get(key, 0) + r.weight
        self.columns: list[Column] = []
        self.vars: list = []  # the master's variable of each column
        self.of_employee: dict[int, list[int]] = {}  # the columns of each employee
        self.seen: set[tuple[int, Roster]] = set()
        self.forced: dict[int, dict[int, str]] = {}  # employee -> day -> shift, in a dive
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        # warm re-solves after columns are added or priced out: GLOP's presolve would
        # start each solve from scratch
        self.lp.SetSolverSpecificParametersAsString("use_preprocessing: false")
        self.rows = {}
        for key, cv in self.cover.items():
            row = self.lp.Add(self.lp.Sum([]) == cv.requirement)
            under = self.lp.NumVar(0, self.lp.infinity(), "")
            over = self.lp.NumVar(0, self.lp.infinity(), "")
            row.SetCoefficient(under, 1)
            row.SetCoefficient(over, -1)
            self.lp.Objective().SetCoefficient(under, cv.under_weight)
            self.lp.Objective().SetCoefficient(over, cv.over_weight)
            self.rows[key] = row
        self.conv = [self.lp.Add(self.lp.Sum([]) == 1) for _ in inst.staff]
        self.lp.Objective().SetMinimization()

    def roster_cost(self, c: int, roster: Roster) -> int:
        on = sum(w for k, w in self.on[c].items() if k not in roster)
        return on + sum(w for k, w in self.off[c].items() if k in roster)

    def add(self, c: int, roster: Roster) -> bool:
        if (c, roster) in self.seen:
            return False
        self.seen.add((c, roster))
        col = Column(c, roster, self.roster_cost(c, roster))
        self.columns.append(col)
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        self.vars.append(var)
        self.of_employee.setdefault(c, []).append(len(self.columns) - 1)
        self.lp.Objective().SetCoefficient(var, col.cost)
        self.conv[c].SetCoefficient(var, 1)
        for key in roster:
            if key in self.rows:
                self.rows[key].SetCoefficient(var, 1)
        return True

    def price(self, c: int, pi: dict[tuple[int, str], float]) -> tuple[float, Roster | None]:
        """The least reduced cost (without the convexity dual) of employee c's rosters
        (those that work every shift `forced[c]` names, while a dive fixes some)."""
        p = self.pricers[c]
        on, off = self.on[c], self.off[c]
        cost = [
            [-pi.get((d, s), 0.0) - on.get((d, s), 0) + off.get((d, s), 0) for s in p.ids]
            for d in range(p.horizon)
        ]
        forced = self.forced.get(c, {})
        for d, s in forced.items():
            cost[d] = [x if t == s else INF for t, x in zip(p.ids, cost[d], strict=True)]
        value, roster = p.solve(cost, frozenset(forced))
        return value + sum(on.values()), roster

    def lagrangian(self, pi: dict, mins: list[float]) -> float:
        return sum(pi[k] * cv.requirement for k, cv in self.cover.items()) + sum(mins)

    def clip(self, pi: dict) -> dict:
        return {
            k: min(cv.under_weight, max(-cv.over_weight, pi.get(k, 0.0)))
            for k, cv in self.cover.items()
        }

    def run(
        self,
        deadline: float,
        *,
        upper: Callable[[], float] | None = None,
        alpha: float = 0.5,
        before_iteration: Callable[[], None] | None = None,
    ) -> BoundResult:
        """Generate columns until the bound meets the master (or `upper()`, the best known
        objective: a bound equal to it proves it optimal) or the deadline passes."""
        t0 = time.perf_counter()
        n = len(self.inst.staff)
        zero = dict.fromkeys(self.cover, 0.0)
        if not self.columns:
            for c in range(n):
                _, roster = self.price(c, zero)
                if roster is None:
                    raise ValueError(f"employee {self.inst.staff[c].id} has no feasible roster")
                self.add(c, roster)
        best_value, stab = -INF, None
        master = INF
        iterations = 0
        converged = False
        while time.perf_counter() < deadline:
            iterations += 1
            if before_iteration is not None:
                before_iteration()
            self.lp.Solve()
            master = self.lp.Objective().Value()
            out = self.clip({k: row.dual_value() for k, row in self.rows.items()})
            mu = [row.dual_value() for row in self.conv]
            a = alpha if stab is not None else 0.0
            while True:
                pi = out if a == 0 else {k: a * stab[k] + (1 - a) * out[k] for k in out}
                mins, added = [], 0
                for c in range(n):
                    value, roster = self.price(c, pi)
                    mins.append(value)
                    if roster is None:
                        continue
                    # keep it if it prices out against the master's own duals
                    rc = self.roster_cost(c, roster) - sum(out.get(k, 0.0) for k in roster)
                    if rc - mu[c] < -1e-6 and self.add(c, roster):
                        added += 1
                value = self.lagrangian(pi, mins)
                if value > best_value:
                    best_value, stab = value, pi
                if added or a == 0:
                    break
                a = 0.0  # mispricing: price at the master's duals
            proven = math.ceil(best_value - 1e-6)
            if not added or proven >= math.ceil(master - 1e-6):
                converged = True  # the master is the LP optimum, or nothing more to prove
                break
            if upper is not None and proven >= upper():
                break  # the best roster found is optimal
        return BoundResult(
            bound=math.ceil(best_value - 1e-6) if best_value > -INF else 0,
            value=best_value,
            master=master,
            iterations=iterations,
            seconds=time.perf_counter() - t0,
            columns=list(self.columns),
            converged=converged,
        )

    def shares(self) -> dict[tuple[int, int, str], float]:
        """How much of each (employee, day, shift) the master's solution works (0..1)."""
        self.lp.Solve()
        out: dict[tuple[int, int, str], float] = {}
        for col, var in zip(self.columns, self.vars, strict=True):
            v = var.solution_value()
            if v > 1e-9:
                for d, s in col.roster:
                    key = (col.employee, d, s)
                    out[key] = out.get(key, 0.0) + v
        return out

    def rounded(self) -> dict[int, Roster]:
        """Each employee's heaviest column in the master's solution: a roster at once."""
        self.lp.Solve()
        best: dict[int, tuple[float, Roster]] = {}
        for col, var in zip(self.columns, self.vars, strict=True):
            if var.solution_value() > best.get(col.employee, (-1.0, None))[0]:
                best[col.employee] = (var.solution_value(), col.roster)
        return {c: r for c, (_, r) in best.items()}

    def dive(
        self,
        deadline: float,
        *,
        upper: Callable[[], float] = lambda: INF,
        fix_above: float = 0.9,
        node_iterations: int = 4,
        share: float = 0.1,
    ) -> dict[int, Roster] | None:
        """A roster for everyone by diving: solve the master (generating columns for the
        employees still free), fix every free employee whose master solution is (almost)
        one roster to it, or else the `share` closest to that, and repeat. When the time
        runs out the free employees take their heaviest column at once. None when the
        master's value reaches `upper()` (the dive cannot beat it)."""
        n = len(self.inst.staff)
        fixed: dict[int, int] = {}
        barred: list[int] = []
        try:
            while True:
                if time.perf_counter() >= deadline:
                    node_iterations, fix_above = 0, -1.0  # out of time: round the rest
                for _ in range(node_iterations):
                    self.lp.Solve()
                    if self.lp.Objective().Value() >= upper() - 1e-6:
                        return None
                    out = self.clip({k: row.dual_value() for k, row in self.rows.items()})
                    mu = [row.dual_value() for row in self.conv]
                    added = 0
                    for c in range(n):
                        if c in fixed:
                            continue
                        value, roster = self.price(c, out)
                        if roster is not None and value - mu[c] < -1e-6:
                            added += self.add(c, roster)
                    if not added:
                        break
                else:
                    self.lp.Solve()
                best: dict[int, tuple[float, int]] = {}
                for j, (col, var) in enumerate(zip(self.columns, self.vars, strict=True)):
                    c = col.employee
                    if c not in fixed and var.solution_value() > best.get(c, (-1.0, -1))[0]:
                        best[c] = (var.solution_value(), j)
                chosen = [c for c, (v, _) in best.items() if v >= fix_above]
                if not chosen:  # the share of the free employees nearest to one roster
                    chosen = sorted(best, key=lambda c: -best[c][0])
                    chosen = chosen[: max(1, int(share * len(best)))]
                for c in chosen:  # priced out rather than bounded: GLOP re-solves warm
                    fixed[c] = best[c][1]
                    for j, col in enumerate(self.columns):
                        if col.employee == c and j != fixed[c]:
                            self.lp.Objective().SetCoefficient(self.vars[j], FORBIDDEN)
                            barred.append(j)
                if len(fixed) == n:
                    return {c: self.columns[j].roster for c, j in fixed.items()}
        finally:
            for j in barred:
                self.lp.Objective().SetCoefficient(self.vars[j], self.columns[j].cost)

    def dive_shifts(
        self,
        deadline: float,
        *,
        upper: Callable[[], float] = lambda: INF,
        node_iterations: int = 3,
        share: float = 0.05,
        whole: bool = True,
        rng: random.Random | None = None,
    ) -> dict[int, Roster] | None:
        """A roster for everyone by diving on single shifts (the branching of
        branch-and-price on "employee c works shift s on day d"): solve the master,
        generating columns that keep the shifts fixed so far, then fix the worked shifts
        the master's solution holds wholly and the `share` of its fractional ones nearest
        to whole, and repeat until the master's solution is one roster per employee (a
        larger share once 70 % and 90 % of the time are gone). Gentler on the
        master's value than fixing whole rosters. When the time runs out each
        employee takes the heaviest column that keeps the fixed shifts. An employee whose
        shifts are all fixed and whose master solution is one roster is priced only when
        the others have no column to add.
        With `whole=False` only the whole shifts of employees the master gives one roster
        are fixed. With `rng`, the order of the fractional shifts is shaken a little
        (another dive each time). None when the master's value reaches `upper()`."""
        n = len(self.inst.staff)
        self.forced = {}
        barred: list[int] = []
        settled: set[int] = set()  # one whole roster in the master, every shift of it fixed
        start = time.perf_counter()

        def bar(c: int) -> None:
            need = self.forced[c]
            for j in self.of_employee[c]:
                col = self.columns[j]
                if self.lp_cost(j) < FORBIDDEN:
                    if any((d, s) not in col.roster for d, s in need.items()):
                        self.lp.Objective().SetCoefficient(self.vars[j], FORBIDDEN)
                        barred.append(j)

        try:
            while True:
                late = time.perf_counter() >= deadline
                converged = False
                for _ in range(0 if late else node_iterations):
                    self.lp.Solve()
                    out = self.clip({k: row.dual_value() for k, row in self.rows.items()})
                    mu = [row.dual_value() for row in self.conv]
                    added = 0
                    # the settled employees could only add shifts on their days off: they
                    # are priced once the others have nothing more to give
                    for group in ([c for c in range(n) if c not in settled], sorted(settled)):
                        for c in group:
                            value, roster = self.price(c, out)
                            if roster is not None and value - mu[c] < -1e-6:
                                added += self.add(c, roster)
                        if added:
                            break
                    if not added:
                        converged = True
                        break
                else:
                    self.lp.Solve()
                # only a converged master bounds the node (while columns are missing after
                # a fix, its value can be far above)
                if converged and self.lp.Objective().Value() >= upper() - 1e-6:
                    return None
                heaviest: dict[int, tuple[float, int]] = {}
                cells: dict[tuple[int, int, str], float] = {}
                for j, (col, var) in enumerate(zip(self.columns, self.vars, strict=True)):
                    v = var.solution_value()
                    c = col.employee
                    if self.lp_cost(j) < FORBIDDEN and v > heaviest.get(c, (-1.0, -1))[0]:
                        heaviest[c] = (v, j)
                    if v > 1e-9:
                        for d, s in col.roster:
                            cells[c, d, s] = cells.get((c, d, s), 0.0) + v
                if late or all(v >= 1 - 1e-6 for v, _ in heaviest.values()):
                    if len(heaviest) < n:
                        return None  # pragma: no cover - every employee keeps a column
                    return {c: self.columns[j].roster for c, (_, j) in heaviest.items()}
                settled.update(c for c, (v, _) in heaviest.items() if v >= 1 - 1e-6)
                full = [k for k, v in cells.items() if v >= 1 - 1e-6 and (whole or k[0] in settled)]
                part = [k for k, v in cells.items() if 1e-6 < v < 1 - 1e-6]
                if rng is None:
                    part.sort(key=lambda k: -cells[k])
                else:  # a dive of its own: nearest to whole, give or take a fifth
                    part.sort(key=lambda k: -cells[k] * rng.uniform(0.8, 1.0))
                chosen = [k for k in full if k[1] not in self.forced.get(k[0], {})]
                # faster as the time runs out: twice the share after 70 % of it, ...
                used = (time.perf_counter() - start) / max(1e-9, deadline - start)
                quicken = 1 if used < 0.7 else 2 if used < 0.9 else 4
                chosen += part[: max(1, int(quicken * share * len(part)))]
                touched = set()
                for c, d, s in chosen:
                    if d in self.forced.get(c, {}):
                        continue
                    self.forced.setdefault(c, {})[d] = s
                    touched.add(c)
                if touched:
                    out = self.clip({k: row.dual_value() for k, row in self.rows.items()})
                for c in touched:
                    bar(c)
                    _, roster = self.price(c, out)  # a column that keeps the new fixes
                    if roster is not None:
                        self.add(c, roster)
        finally:
            self.forced = {}
            for j in barred:
                self.lp.Objective().SetCoefficient(self.vars[j], self.columns[j].cost)

    def lp_cost(self, j: int) -> float:
        return self.lp.Objective().GetCoefficient(self.vars[j])

    def best_responses(self, rosters: dict[int, Roster], rng, deadline: float) -> dict[int, Roster]:
        """Local search: in turn, give each employee the roster that is best for the whole
        objective with everyone else's as they are (exact, by the pricing search); until
        no one's change helps."""
        rosters = dict(rosters)
        count: dict[tuple[int, str], int] = {}
        for r in rosters.values():
            for key in r:
                count[key] = count.get(key, 0) + 1
        order = list(rosters)
        improved = True
        while improved and time.perf_counter() < deadline:
            improved = False
            rng.shuffle(order)
            for c in order:
                for key in rosters[c]:
                    count[key] -= 1
                # the cover's marginal cost of one more shift there, given everyone else
                pi = {}
                for key, cv in self.cover.items():
                    pi[key] = (
                        cv.under_weight if count.get(key, 0) < cv.requirement else -cv.over_weight
                    )
                value, roster = self.price(c, pi)
                now = self.roster_cost(c, rosters[c]) - sum(pi.get(k, 0.0) for k in rosters[c])
                if roster is not None and value < now - 1e-6:
                    rosters[c] = roster
                    improved = True
                for key in rosters[c]:
                    count[key] = count.get(key, 0) + 1
        return rosters
