"""Stage 2: the shifts of each post's cadres, one small exact CP-SAT model per post.

Given the deployment, posts share nothing (a cadre is at one post; shifts a cadre works
elsewhere are locked relief days, constants here), so the week splits into independent
models of a few cadres × 7 days × the post's shifts. Posts whose models are identical up
to which cadre is which (same demand, same cadre profiles) share one solve.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from roster.domain import Assignment
from roster.solver import hard, soft, wishes
from roster.solver.prepare import Week


@dataclass
class PostModel:
    """The CP-SAT model of one post's week."""

    week: Week
    post_id: int
    cadres: list[int]
    shifts: list[str]
    req: list[dict[str, int]]
    locked: dict[int, set[tuple[int, str]]]  # shifts locked at this post
    external: dict[int, dict[int, str]]  # day -> shift locked at another post
    locked_count: dict[tuple[int, str], int]  # every lock at this post, whoever it is
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[tuple[int, int, str], cp_model.IntVar] = field(default_factory=dict)
    unmet: dict[tuple[int, str], cp_model.IntVar] = field(default_factory=dict)
    penalties: dict[str, list[tuple[cp_model.LinearExprT, int]]] = field(default_factory=dict)
    aux: dict[str, dict] = field(default_factory=dict)  # variables rules share (work_literal)

    def fixed_shift(self, c: int, d: int) -> str | None:
        for day, s in self.locked.get(c, ()):
            if day == d:
                return s
        return self.external.get(c, {}).get(d)

    def fixed_work(self, c: int, d: int) -> int:
        here = sum(1 for day, _ in self.locked.get(c, ()) if day == d)
        return here + (1 if d in self.external.get(c, {}) else 0)

    def free_vars(self, c: int, d: int) -> list[cp_model.IntVar]:
        return [self.x[c, d, s] for s in self.shifts if (c, d, s) in self.x]

    def term(self, c: int, d: int, s: str) -> cp_model.IntVar | int:
        """The variable of (cadre, day, shift), or 1/0 when it is fixed or impossible."""
        var = self.x.get((c, d, s))
        if var is not None:
            return var
        return 1 if s in self.fixed_codes(c, d) else 0

    def fixed_codes(self, c: int, d: int) -> set[str]:
        codes = {s for day, s in self.locked.get(c, ()) if day == d}
        ext = self.external.get(c, {}).get(d)
        if ext:
            codes.add(ext)
        return codes

    def works(self, c: int, d: int) -> cp_model.LinearExprT:
        return sum(self.free_vars(c, d)) + self.fixed_work(c, d)

    @property
    def n_days(self) -> int:
        """Days in the model: 7 for a post's week, the horizon for a benchmark instance."""
        return len(self.req)


def build(week: Week, post_id: int, cadres: list[int]) -> PostModel:
    day_index = {day: i for i, day in enumerate(week.days)}
    locked: dict[int, set[tuple[int, str]]] = {}
    external: dict[int, dict[int, str]] = {}
    for c in cadres:
        for a in week.locks_by_cadre.get(c, ()):
            d = day_index[a.date]
            if a.post_id == post_id:
                locked.setdefault(c, set()).add((d, a.shift_code))
            else:
                external.setdefault(c, {})[d] = a.shift_code
    locked_count: dict[tuple[int, str], int] = {}
    for a in week.locks:
        if a.post_id == post_id:
            key = (day_index[a.date], a.shift_code)
            locked_count[key] = locked_count.get(key, 0) + 1
    pm = PostModel(
        week=week,
        post_id=post_id,
        cadres=list(cadres),
        shifts=week.shifts_at(post_id),
        req=week.req.get(post_id, [{} for _ in range(7)]),
        locked=locked,
        external=external,
        locked_count=locked_count,
    )
    for c in cadres:
        for d in range(7):
            if pm.fixed_work(c, d):
                continue
            for s in hard.allowed_shifts(pm, c, d):
                pm.x[c, d, s] = pm.model.new_bool_var(f"x_{c}_{d}_{s}")
    hard.add_all(pm)
    pm.penalties = {rule.__name__: rule(pm) for rule in soft.SCHEDULE_RULES}
    pm.penalties.update(wishes.post_terms(pm))  # wish_avoid, wish_prefer
    objective = [w * v for terms in pm.penalties.values() for v, w in terms]
    if objective:
        pm.model.minimize(sum(objective))
    return pm


def profile(week: Week, post_id: int, c: int) -> tuple:
    """What the model of a post knows about a cadre: equal profiles are interchangeable."""
    return (
        tuple(tuple(sorted(x)) for x in week.allowed[c]),
        week.run_before.get(c, 0),
        week.run_after.get(c, 0),
        tuple(sorted(week.before.get(c, ()))),
        week.hist_nights.get(c, 0),
        week.hist_weekends.get(c, 0),
        week.night_streak.get(c, 0),
        tuple(sorted((d, s) for q, d, s in week.current.get(c, ()) if q == post_id)),
        soft.fairness_member(week, c),
        wishes.profile(week, c),
        week.district.cadres[c].night_ok,
        tuple(
            sorted(
                ((a.date - week.monday).days, a.shift_code, a.post_id == post_id)
                for a in week.locks_by_cadre.get(c, ())
            )
        ),
    )


def signature(week: Week, post_id: int, cadres: list[int]) -> tuple[tuple, list[int]]:
    profiles = sorted((profile(week, post_id, c), c) for c in cadres)
    demand = tuple(tuple(sorted(day.items())) for day in week.req.get(post_id, []))
    others = tuple(
        sorted(
            ((a.date - week.monday).days, a.shift_code)
            for a in week.locks
            if a.post_id == post_id and a.cadre_id not in cadres
        )
    )
    return (demand, others, tuple(p for p, _ in profiles)), [c for _, c in profiles]


# the night share's cuts (`soft.fairness_nights`) prove optimality through the LP only at
# level 2 in one worker: a 9-cadre post with history took 10 s at the default, 0.01 s here
LINEARIZATION = 2


@dataclass
class PostResult:
    shifts: list[tuple[int, int, str]]  # (cadre, day, shift) chosen, locked ones excluded
    unmet: dict[tuple[int, str], int]
    optimal: bool


class Scheduler:
    """Solves the posts of a deployment, sharing solves between identical posts."""

    def __init__(self, week: Week, *, seed: int = 0):
        self.week = week
        self.seed = seed
        self.cache: dict[tuple, tuple[PostResult, list[int]]] = {}
        self._lock = threading.Lock()
        self._running: set[cp_model.CpSolver] = set()
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True
        with self._lock:
            for solver in self._running:
                solver.stop_search()

    def solve_post(self, post_id: int, cadres: list[int], time_limit: float) -> PostResult:
        key, order = signature(self.week, post_id, cadres)
        hit = self.cache.get(key)
        if hit is not None:
            result, cached_order = hit
            rename = dict(zip(cached_order, order, strict=True))
            return PostResult(
                [(rename[c], d, s) for c, d, s in result.shifts], result.unmet, result.optimal
            )
        pm = build(self.week, post_id, order)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = LINEARIZATION
        solver.parameters.random_seed = self.seed
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
        with self._lock:
            self._running.add(solver)
        if self.stopped:
            solver.parameters.max_time_in_seconds = 0.05
        status = solver.solve(pm.model)
        with self._lock:
            self._running.discard(solver)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # stopped before a first solution: a short unstoppable retry; nothing at all
            # is always feasible (every shift unmet), so this cannot fail twice in practice
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.max_time_in_seconds = 0.5
            status = solver.solve(pm.model)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return PostResult([], {}, False)
        shifts = [(c, d, s) for (c, d, s), v in pm.x.items() if solver.boolean_value(v)]
        unmet = {k: int(solver.value(v)) for k, v in pm.unmet.items() if solver.value(v)}
        result = PostResult(shifts, unmet, status == cp_model.OPTIMAL)
        if result.optimal:  # one found in a hurry is solved again when time allows
            self.cache[key] = (result, order)
        return result


def to_assignments(week: Week, post_id: int, result: PostResult) -> list[Assignment]:
    return [
        Assignment(week.monday + dt.timedelta(days=d), c, post_id, s, False, "solver")
        for c, d, s in result.shifts
    ]


def solve_floor(
    scheduler: Scheduler, post_id: int, cadres: list[int], time_limit: float
) -> tuple[int, int]:
    """(lower bound, best value) of a post's shift model for exactly these cadres: the
    least W·unmet + fairness any schedule of theirs can cost (CP-SAT's proven bound, equal
    to the value when solved to optimality). The solution joins the scheduler's cache, so
    a deployment that keeps these cadres together is not solved twice."""
    week = scheduler.week
    key, order = signature(week, post_id, cadres)
    floors = scheduler.__dict__.setdefault("floors", {})
    if key in floors:
        return floors[key]
    pm = build(week, post_id, order)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = LINEARIZATION
    solver.parameters.random_seed = scheduler.seed
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    status = solver.solve(pm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0, 0
    value = round(solver.objective_value)
    bound = value if status == cp_model.OPTIMAL else int(solver.best_objective_bound + 1e-6)
    if key not in scheduler.cache:
        shifts = [(c, d, s) for (c, d, s), v in pm.x.items() if solver.boolean_value(v)]
        unmet = {k: int(solver.value(v)) for k, v in pm.unmet.items() if solver.value(v)}
        scheduler.cache[key] = (PostResult(shifts, unmet, status == cp_model.OPTIMAL), order)
    floors[key] = (max(0, bound), value)
    return floors[key]
