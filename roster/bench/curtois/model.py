"""Curtois & Qu employee shift-scheduling instances solved as a `schedule.PostModel` built
from the product's own rule functions (`roster.solver.hard`) and the benchmark's extra
rules (`rules.py`); the reader is `instance.py`.

An instance is one "post" whose employees are the cadres, over a horizon of whole weeks
starting on a Monday. The mapping, rule by rule:
- at most one shift a day: `hard.one_shift_a_day`;
- fixed days off, and shift types an employee may not work (maximum 0): no variable, as
  `hard.allowed_shifts` does for an absent cadre;
- shifts that may not follow each other: `hard.forbidden_successions` (the rest-hours rule
  of the cadre model is that rule over the pairs too close for `min_rest_hours`);
- maximum consecutive working days: `hard.consecutive_days` with per-employee limits;
- per-type maxima, minimum/maximum total minutes, minimum consecutive working days and days
  off, maximum working weekends: `rules.max_shifts_of_type`, `rules.total_minutes`,
  `hard.min_consecutive_days`, `hard.min_consecutive_days_off`, `rules.max_working_weekends`;
- cover with under/over weights and weighted on/off requests: `rules.cover_deviation` and
  `rules.shift_requests`.

`solve` runs that model with CP-SAT beside a column-generation bound (`bound.py`),
searches from the master's solution (dives that fix single shifts, CP-SAT around the
master's settled shifts) and by neighbourhoods, and reports the objective recomputed from
the chosen shifts. The instances' own checker is `check.py`, which
shares no code with this module.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from roster.bench.curtois import rules
from roster.bench.curtois.instance import Cover, Instance
from roster.solver import hard
from roster.solver.schedule import PostModel

# --- the instance as a post's model -----------------------------------------------------


def build(inst: Instance) -> PostModel:
    """The instance as one post whose cadres are the employees (cadre i = `inst.staff[i]`),
    built from the rule functions of the cadre model."""
    shift_ids = [s.id for s in inst.shifts]
    req: list[dict[str, int]] = [{} for _ in range(inst.horizon)]
    weights: dict[tuple[int, str], tuple[int, int]] = {}
    for cv in inst.cover:
        req[cv.day][cv.shift] = cv.requirement
        weights[cv.day, cv.shift] = (cv.under_weight, cv.over_weight)
    people = range(len(inst.staff))
    pm = PostModel(
        week=None,  # type: ignore[arg-type]  # no cadre week: every limit is passed in
        post_id=0,
        cadres=list(people),
        shifts=shift_ids,
        req=req,
        locked={},
        external={},
        locked_count={},
    )
    for c, e in enumerate(inst.staff):
        off = inst.days_off.get(e.id, frozenset())
        for d in range(inst.horizon):
            if d in off:
                continue  # a fixed day off is an absence: no variable
            for s in shift_ids:
                if e.max_shifts.get(s, inst.horizon) > 0:
                    pm.x[c, d, s] = pm.model.new_bool_var(f"x_{c}_{d}_{s}")
    staff = inst.staff
    hard.one_shift_a_day(pm)
    hard.forbidden_successions(pm, [(s.id, t, 1) for s in inst.shifts for t in s.not_followed_by])
    rules.max_shifts_of_type(
        pm,
        {
            (c, s): m
            for c, e in enumerate(staff)
            for s, m in e.max_shifts.items()
            if 0 < m < inst.horizon
        },
    )
    rules.total_minutes(
        pm,
        {s.id: s.minutes for s in inst.shifts},
        {c: (e.min_minutes, e.max_minutes) for c, e in enumerate(staff)},
    )
    hard.consecutive_days(pm, {c: e.max_consecutive for c, e in enumerate(staff)})
    hard.min_consecutive_days(pm, {c: e.min_consecutive for c, e in enumerate(staff)})
    hard.min_consecutive_days_off(pm, {c: e.min_days_off for c, e in enumerate(staff)})
    rules.max_working_weekends(
        pm, {c: e.max_weekends for c, e in enumerate(staff)}, inst.weekends()
    )
    index = {e.id: c for c, e in enumerate(staff)}
    pm.penalties = {
        "cover": rules.cover_deviation(pm, weights),
        "requests": rules.shift_requests(
            pm,
            [(index[r.employee], r.day, r.shift, r.weight) for r in inst.on_requests],
            [(index[r.employee], r.day, r.shift, r.weight) for r in inst.off_requests],
        ),
    }
    pm.model.minimize(sum(w * v for terms in pm.penalties.values() for v, w in terms))
    return pm


# --- solving ----------------------------------------------------------------------------

Shift = tuple[str, int, str]  # (employee id, day, shift id)


def penalty(inst: Instance, roster: list[Shift]) -> int:
    """The objective of a roster (the soft rules), recomputed from its shifts."""
    worked = {(e, d): s for e, d, s in roster}
    total = sum(r.weight for r in inst.on_requests if worked.get((r.employee, r.day)) != r.shift)
    total += sum(r.weight for r in inst.off_requests if worked.get((r.employee, r.day)) == r.shift)
    count: dict[tuple[int, str], int] = {}
    for _, d, s in roster:
        count[d, s] = count.get((d, s), 0) + 1
    for cv in inst.cover:
        have = count.get((cv.day, cv.shift), 0)
        total += cv.under_weight * max(0, cv.requirement - have)
        total += cv.over_weight * max(0, have - cv.requirement)
    return total


@dataclass
class Solution:
    instance: str
    size: str
    objective: int
    bound: int
    roster: list[Shift]
    seconds: float
    stats: dict = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        return self.objective == self.bound


class _Incumbent:
    """The best roster found so far, by any stage (thread-safe)."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.lock = threading.Lock()
        self.value = math.inf
        self.roster: list[Shift] = []
        self.source = ""
        self.found_at = 0.0
        self.t0 = time.perf_counter()

    def offer(self, roster: list[Shift], source: str) -> bool:
        value = penalty(self.inst, roster)
        with self.lock:
            if value < self.value:
                self.value, self.roster, self.source = value, roster, source
                self.found_at = time.perf_counter() - self.t0
                return True
        return False


class _Collect(cp_model.CpSolverSolutionCallback):
    """Hands each improving solution of a CP-SAT search to the incumbent, and stops the
    search once it meets a proven bound."""

    def __init__(self, read: Callable[[cp_model.CpSolverSolutionCallback], list[Shift]],
                 incumbent: _Incumbent, source: str, floor: Callable[[], int]):  # fmt: skip
        super().__init__()
        self.read, self.incumbent, self.source, self.floor = read, incumbent, source, floor

    def on_solution_callback(self) -> None:
        self.incumbent.offer(self.read(self), self.source)
        if self.objective_value <= self.floor():
            self.stop_search()


def _roster_of(pm: PostModel, inst: Instance, value: Callable) -> list[Shift]:
    return [(inst.staff[c].id, d, s) for (c, d, s), v in pm.x.items() if value(v)]


class _Neighbourhoods:
    """Large neighbourhood search on the rule model: free the shifts of a few employees
    (or of everyone over a few days), keep the rest of the best roster as it is, and let
    CP-SAT re-solve that part exactly; the sizes grow while the parts solve to optimality
    and shrink while they do not."""

    def __init__(
        self, pm: PostModel, inst: Instance, incumbent: _Incumbent, floor: Callable[[], int]
    ):
        self.pm, self.inst, self.incumbent = pm, inst, incumbent
        self.base = pm.model.clone()
        self.base.add(_objective(pm) >= floor())
        self.floor = floor
        self.index = {e.id: c for c, e in enumerate(inst.staff)}
        self.keys_of: dict[int, list] = {}
        for key in pm.x:
            self.keys_of.setdefault(key[0], []).append(key)
        self.people = max(2, min(len(inst.staff), 6))
        self.days = max(2, min(inst.horizon, 4))
        self.lock = threading.Lock()
        self.steps = 0

    def done(self) -> bool:
        return self.incumbent.value <= self.floor()

    def step(self, rng: random.Random, limit: float, seed: int) -> None:
        with self.incumbent.lock:
            roster = list(self.incumbent.roster)
        chosen = {(self.index[e], d, s) for e, d, s in roster}
        with self.lock:
            self.steps += 1
            by_people = rng.random() < 0.6
            size = self.people if by_people else self.days
        focus = _focus(self.inst, roster, rng)
        if by_people:
            d, s = focus
            able = [c for c in range(len(self.inst.staff)) if (c, d, s) in self.pm.x]
            rng.shuffle(able)
            free_people = set(able[: max(1, size - 1)])
            others = [c for c in range(len(self.inst.staff)) if c not in free_people]
            free_people |= set(rng.sample(others, min(len(others), size - len(free_people))))
            free = [k for c in free_people for k in self.keys_of[c]]
        else:
            d = focus[0]
            first = max(0, min(self.inst.horizon - size, d - rng.randrange(size)))
            free = [k for k in self.pm.x if first <= k[1] < first + size]
        free_set = set(free)
        model = self.base.clone()
        variables = model.proto.variables
        for key, var in self.pm.x.items():
            if key not in free_set:
                dom = variables[var.index].domain
                dom[0] = dom[1] = int(key in chosen)
        for key in free:
            model.add_hint(self.pm.x[key], key in chosen)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = limit
        collect = _Collect(
            lambda cb: _roster_of(self.pm, self.inst, cb.boolean_value),
            self.incumbent,
            "neighbourhoods",
            self.floor,
        )
        status = solver.solve(model, collect)
        with self.lock:  # grow while the parts are solved exactly, shrink otherwise
            step = 1 if status == cp_model.OPTIMAL else -1
            if by_people:
                self.people = max(2, min(len(self.inst.staff), self.people + step))
            else:
                self.days = max(2, min(self.inst.horizon, self.days + step))

    def run(self, deadline: float, seed: int) -> None:
        rng = random.Random(seed)
        while not self.done() and time.perf_counter() < deadline - 0.05:
            self.step(rng, min(2.0, deadline - time.perf_counter()), seed)
            seed += 1


class _PriceNeighbourhoods:
    """Large neighbourhood search by column generation: free a few employees, keep the
    others' rosters, and solve the free employees' part as its own master problem (the
    cover they still owe, their requests). Its proven bound says at once when no better
    part exists; otherwise a dive through it gives new rosters for them."""

    def __init__(
        self,
        inst: Instance,
        incumbent: _Incumbent,
        floor: Callable[[], int],
        pool: dict[int, list[frozenset]] | None = None,
    ):
        self.inst, self.incumbent, self.floor = inst, incumbent, floor
        self.pool = pool or {}  # rosters seen per employee (the whole master's columns)
        self.index = {e.id: c for c, e in enumerate(inst.staff)}
        self.size = max(2, min(len(inst.staff), 6))
        self.steps = 0

    def step(self, rng: random.Random, limit: float) -> None:
        from roster.bench.curtois.bound import ColumnGeneration

        inst = self.inst
        deadline = time.perf_counter() + limit
        with self.incumbent.lock:
            roster, value = list(self.incumbent.roster), self.incumbent.value
        self.steps += 1
        mine: dict[int, set] = {c: set() for c in range(len(inst.staff))}
        for e, d, s in roster:
            mine[self.index[e]].add((d, s))
        focus = _focus(inst, roster, rng)
        able = [c for c in mine if self._can(c, *focus)]
        rng.shuffle(able)
        free = set(able[: max(1, self.size // 2)])
        others = [c for c in mine if c not in free]
        free |= set(rng.sample(others, min(len(others), self.size - len(free))))
        free_list = sorted(free)
        kept = [(e, d, s) for e, d, s in roster if self.index[e] not in free]
        count: dict[tuple[int, str], int] = {}
        for _, d, s in kept:
            count[d, s] = count.get((d, s), 0) + 1
        staff_ids = {inst.staff[c].id for c in free_list}
        part = Instance(
            inst.name,
            inst.horizon,
            inst.shifts,
            [inst.staff[c] for c in free_list],
            {e: inst.days_off.get(e, frozenset()) for e in staff_ids},
            [r for r in inst.on_requests if r.employee in staff_ids],
            [r for r in inst.off_requests if r.employee in staff_ids],
            [
                Cover(
                    cv.day,
                    cv.shift,
                    cv.requirement - count.get((cv.day, cv.shift), 0),
                    cv.under_weight,
                    cv.over_weight,
                )  # fmt: skip
                for cv in inst.cover
            ],
        )
        cg = ColumnGeneration(part)
        for i, c in enumerate(free_list):
            cg.add(i, frozenset(mine[c]))
            for r in self.pool.get(c, ()):
                cg.add(i, r)
        kept_cost = value - penalty(part, [(inst.staff[c].id, d, s) for c in free_list
                                           for d, s in mine[c]])  # fmt: skip
        target = value - kept_cost  # the free employees' part now: beat it
        result = cg.run(deadline, upper=lambda: target)
        if result.bound >= target or time.perf_counter() >= deadline:
            self.size += 1  # nothing better here: look wider, then start small again
            if self.size > min(len(inst.staff), 14):
                self.size = min(len(inst.staff), 4)
            return
        rosters = cg.dive(deadline, upper=lambda: target)
        if rosters is not None:
            new = kept + [
                (inst.staff[free_list[i]].id, d, s) for i, r in rosters.items() for d, s in r
            ]
            self.incumbent.offer(new, "price neighbourhoods")

    def _can(self, c: int, d: int, s: str) -> bool:
        e = self.inst.staff[c]
        return d not in self.inst.days_off.get(e.id, ()) and e.max_shifts.get(s, 1) > 0


def _focus(inst: Instance, roster: list[Shift], rng: random.Random) -> tuple[int, str]:
    """A (day, shift) to work around: one whose cover costs, drawn by its cost."""
    count: dict[tuple[int, str], int] = {}
    for _, d, s in roster:
        count[d, s] = count.get((d, s), 0) + 1
    cells, costs = [], []
    for cv in inst.cover:
        have = count.get((cv.day, cv.shift), 0)
        cost = cv.under_weight * max(0, cv.requirement - have)
        cost += cv.over_weight * max(0, have - cv.requirement)
        if cost:
            cells.append((cv.day, cv.shift))
            costs.append(cost)
    if not cells:
        cv = rng.choice(inst.cover)
        return cv.day, cv.shift
    return rng.choices(cells, weights=costs)[0]


def _objective(pm: PostModel):
    return sum(w * v for terms in pm.penalties.values() for v, w in terms)


def solve(
    inst: Instance,
    time_limit: float = 60.0,
    *,
    workers: int = 2,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> Solution:
    """The best roster found within `time_limit` seconds and a proven lower bound.

    1. Column generation (`curtois_bound`) proves a lower bound while the rule model
       (`build`) searches with CP-SAT on a second thread (small instances end there,
       proven optimal); the model's rosters become columns.
    2. Rosters from the master: each employee's heaviest column at once (improved by
       exact best responses), then a dive that fixes single shifts with column generation
       at each node (`ColumnGeneration.dive_shifts`, until 80 % of the time at most),
       while the other thread runs CP-SAT on the rule model with every shift the master
       settles fixed (`_follow_the_master`, one worker) until the dive ends.
    3. Until the time is up or the roster meets the bound: large neighbourhood search by
       column generation over a few employees on this thread (`_PriceNeighbourhoods`),
       and by CP-SAT on the rule model on the other (`_Neighbourhoods`); between steps,
       another dive with its order of fixes shaken, when 1.5 times the first dive's time
       is left (small instances get many; pruned as soon as they cannot win).
    With `workers=1` the same stages run one after the other on one thread.
    The objective is recomputed from the roster (`penalty`), never taken from a model.
    """
    from roster.bench.curtois.bound import ColumnGeneration

    t0 = time.perf_counter()
    deadline = t0 + time_limit
    say = log or (lambda _msg: None)
    incumbent = _Incumbent(inst)
    stats: dict = {}
    proven = [0]  # the best proven lower bound so far
    index = {e.id: c for c, e in enumerate(inst.staff)}

    pm = build(inst)
    stats["build_s"] = round(time.perf_counter() - t0, 2)

    first = cp_model.CpSolver()
    first.parameters.num_workers = 1
    first.parameters.random_seed = seed
    first.parameters.max_time_in_seconds = max(0.1, (0.2 if workers > 1 else 0.1) * time_limit)
    collect = _Collect(
        lambda cb: _roster_of(pm, inst, cb.boolean_value), incumbent, "model", lambda: proven[0]
    )
    outcome: dict = {}
    lns: list[_Neighbourhoods] = []
    go = threading.Event()

    def model_search() -> None:
        status = first.solve(pm.model, collect)
        if status == cp_model.OPTIMAL:
            proven[0] = max(proven[0], int(first.objective_value))
        elif status == cp_model.FEASIBLE:
            proven[0] = max(proven[0], math.ceil(first.best_objective_bound - 1e-6))
        outcome["status"] = status

    guide: list[dict] = []  # the master's shares, once column generation is done
    guided = threading.Event()  # the shares are there (or never will be)
    guiding = cp_model.CpSolver()  # the master-guided search, while the dive runs
    guiding.parameters.num_workers = 1
    guiding_on = threading.Event()

    def second_thread() -> None:
        model_search()
        guided.wait()
        with lock:
            if guide and not go.is_set() and not finished():
                guiding_on.set()
        if guiding_on.is_set():
            _follow_the_master(pm, guide[0], incumbent, proven[0], guiding, seed, deadline)
            guiding_on.clear()
        go.wait()
        if lns:
            lns[0].run(deadline, seed + 1000)

    lock = threading.Lock()

    def stop_guiding() -> None:
        """End the master-guided search (also one about to start) and start the other
        thread's neighbourhoods."""
        with lock:
            guided.set()
            go.set()
        while guiding_on.is_set():  # a stop before its solve begins would be lost
            guiding.stop_search()
            time.sleep(0.02)

    thread = None
    if workers > 1:
        thread = threading.Thread(target=second_thread, daemon=True)
        thread.start()
    else:
        model_search()

    def finished() -> bool:
        return bool(incumbent.roster) and incumbent.value <= proven[0]

    # 1. the bound
    cg = ColumnGeneration(inst)
    fed: list[float] = [math.inf]

    def feed() -> None:
        """Offer the best roster so far to the master as columns."""
        with incumbent.lock:
            value, roster = incumbent.value, incumbent.roster
        if value < fed[0]:
            fed[0] = value
            by: dict[int, set] = {c: set() for c in range(len(inst.staff))}
            for e, d, s in roster:
                by[index[e]].add((d, s))
            for c, shifts in by.items():
                cg.add(c, frozenset(shifts))

    def offer(rosters: dict[int, frozenset] | None, source: str) -> None:
        if rosters is not None:
            incumbent.offer(
                [(inst.staff[c].id, d, s) for c, r in rosters.items() for d, s in r], source
            )

    if not finished():
        result = cg.run(
            t0 + 0.4 * time_limit,
            upper=lambda: -math.inf if finished() else incumbent.value,
            before_iteration=feed,
        )
        proven[0] = max(proven[0], result.bound)
        stats.update(cg_s=round(result.seconds, 2), cg_iterations=result.iterations,
                     cg_bound=result.bound, cg_master=round(result.master, 2))  # fmt: skip
        say(f"{inst.name}: bound {proven[0]} after column generation ({result.iterations} "
            f"iterations, {result.seconds:.1f}s); best so far {incumbent.value}")  # fmt: skip

    # 2. rosters from the master: at once, then by a dive; the other thread improves them
    rng = random.Random(seed)
    pool: dict[int, list[frozenset]] = {}
    by_model = _Neighbourhoods(pm, inst, incumbent, lambda: proven[0])
    if not finished():
        t1 = time.perf_counter()
        shares = cg.shares()
        if thread is not None:
            guide.append(shares)
            lns.append(by_model)
            guided.set()
        offer(cg.best_responses(cg.rounded(), rng, t0 + 0.5 * time_limit), "master")
        dived = cg.dive_shifts(t0 + 0.8 * time_limit, upper=lambda: incumbent.value)
        if dived is not None:
            offer(cg.best_responses(dived, rng, t0 + 0.85 * time_limit), "dive")
        stats["dive_s"] = round(time.perf_counter() - t1, 2)
        say(f"{inst.name}: {incumbent.value} after the dive ({incumbent.source})")
        if thread is None and not finished():
            _follow_the_master(
                pm, shares, incumbent, proven[0], guiding, seed, t0 + 0.65 * time_limit
            )
            say(f"{inst.name}: {incumbent.value} after the master-guided search")
        stop_guiding()
        for col in cg.columns:
            pool.setdefault(col.employee, []).append(col.roster)

    # 3. large neighbourhood search, and more dives while there is time for them
    if not finished() and incumbent.roster:
        by_price = _PriceNeighbourhoods(inst, incumbent, lambda: proven[0], pool)
        dive_s = stats.get("dive_s", 0.0)
        dives = 0

        def left() -> float:
            return deadline - 0.05 - time.perf_counter()

        while not finished() and left() > 0:
            by_price.step(rng, min(3.0, left()))
            if thread is None and left() > 0:
                by_model.step(rng, min(2.0, left()), seed)
            if not finished() and left() > 1.5 * dive_s:
                dives += 1
                dived = cg.dive_shifts(
                    time.perf_counter() + 1.5 * dive_s, upper=lambda: incumbent.value, rng=rng
                )
                if dived is not None:
                    offer(cg.best_responses(dived, rng, deadline), "dive")
        stats.update(price_steps=by_price.steps, dives=dives)
    stats.update(lns_steps=by_model.steps)
    stop_guiding()
    first.stop_search()
    if thread is not None:
        thread.join()
    roster = sorted(incumbent.roster, key=lambda r: (index[r[0]], r[1]))
    value = int(incumbent.value) if incumbent.roster else -1
    stats.update(source=incumbent.source, found_at_s=round(incumbent.found_at, 2))
    return Solution(
        inst.name,
        inst.size,
        value,
        min(value, proven[0]),
        roster,
        time.perf_counter() - t0,
        stats,
    )


def _follow_the_master(
    pm: PostModel,
    shares: dict[tuple[int, int, str], float],
    incumbent: _Incumbent,
    floor: int,
    solver: cp_model.CpSolver,
    seed: int,
    deadline: float,
) -> None:
    """The rule model with every shift the master's solution settles (works it wholly, or
    not at all) fixed that way, hinted with the rest rounded: CP-SAT fills in the shifts
    the master left fractional (RINS with the master's solution)."""
    model = pm.model.clone()
    variables = model.proto.variables
    for key, var in pm.x.items():
        v = shares.get(key, 0.0)
        if v <= 1e-6 or v >= 1 - 1e-6:
            dom = variables[var.index].domain
            dom[0] = dom[1] = int(v > 0.5)
        model.add_hint(var, v > 0.5)
    model.add(_objective(pm) >= floor)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
    inst = incumbent.inst
    solver.solve(
        model,
        _Collect(
            lambda cb: _roster_of(pm, inst, cb.boolean_value),
            incumbent,
            "master-guided",
            lambda: floor,
        ),  # fmt: skip
    )
