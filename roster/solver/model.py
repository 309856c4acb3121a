"""`solve_week`: the weekly roster in two exact stages, with an honest bound.

0. Team floors (`team_floors`): where last week's cadres of a post are exactly the cadres
   it needs, their shift model is solved first (its result is cached for stage 2) and
   what it costs beyond the flow's view becomes part of the bound (`deploy.py`).
1. Deployment (`deploy.py`): a min-cost flow over every eligible (cadre, post) pair puts
   each cadre at one post (or in reserve). Bisection over the longest commute on the
   relaxed flow gives the lower bound of the whole objective (argument in `deploy.py`) and
   the longest commute worth allowing; the exact flow (nights, absence days) then deploys.
2. Shifts (`schedule.py`): one small exact CP-SAT model per post (hard rules in `hard.py`,
   penalties in `soft.py`), threads = `num_workers` (0: all cores).
3. Where a post's model leaves shifts unmet or an unfair spread, the flow is asked for one
   more cadre there (worth what it would save); where nights were spread unfairly, each
   night-capable cadre beyond the post's night seats is priced at that cost (a post whose
   few nights cannot be spread evenly is fair with one night-capable cadre and day-only
   others); the changed posts are solved again, for a few rounds while time allows; the
   best roster seen is kept.

The objective reported is recomputed on the finished roster by `soft.roster_penalties`
(the sum of each rule's cost), so it never depends on a model's own accounting; the bound
is the deployment bound, valid for every roster (`deploy.py`), capped by the objective.
It sees unmet shifts by counts, cadres short of a full week, and the shift-stage floors of
teams kept together; what it cannot see (fairness of new teams, party_group, nights held
exactly) is what the gap measures.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from roster.domain import Assignment, District
from roster.domain import week_start as monday_of
from roster.solver import explain, soft, window, wishes
from roster.solver.checker import Breach, check_roster
from roster.solver.deploy import (
    DeploymentBound,
    DeploymentFlow,
    FlowResult,
    bound_with_longest_commute,
    fits,
    greedy_deployment,
    night_prices,
    polish_prices,
    timed_flow,
    unmet_charge,
)
from roster.solver.prepare import Week, prepare_week
from roster.solver.schedule import Scheduler, solve_floor, to_assignments


@dataclass(frozen=True)
class Unmet:
    post_id: int
    date: dt.date
    shift_code: str
    required: int
    covered: int

    @property
    def missing(self) -> int:
        return self.required - self.covered


@dataclass(frozen=True)
class Progress:
    objective: float | None  # None until a whole roster exists
    bound: float
    gap: float | None
    seconds: float
    stage: str = ""


class SolveControl:
    """Lets another thread stop a running solve; the solve then returns its best roster."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._targets: list = []

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            targets = list(self._targets)
        for target in targets:
            target.stop_search() if hasattr(target, "stop_search") else target.stop()

    def attach(self, target) -> None:
        """Register something with `stop_search()` or `stop()` (a CpSolver, a Scheduler)."""
        with self._lock:
            self._targets.append(target)
        if self.stopped:
            target.stop_search() if hasattr(target, "stop_search") else target.stop()

    def detach(self, target) -> None:
        with self._lock:
            if target in self._targets:
                self._targets.remove(target)


@dataclass
class SolveResult:
    status: str  # optimal | feasible | stopped
    objective: int
    bound: int
    gap: float
    seconds: float
    assignments: list[Assignment]
    unmet: list[Unmet]
    explanations: list[str]
    penalties: dict[str, int]
    lock_breaches: list[Breach] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    district: District | None = field(default=None, repr=False, compare=False)
    fairness: dict = field(default_factory=dict)  # `window.fairness_figures`
    post_changes: dict = field(default_factory=dict)  # `window.post_changes`
    changes: dict = field(default_factory=dict)  # `window.changes` (vs the current roster)

    def to_json(self) -> dict:
        """The `solve --json` object: JSON-safe, dates ISO, cadres and posts by id and code."""
        d = self.district
        cadre_code = {c: x.code for c, x in d.cadres.items()} if d else {}
        post = {p: x for p, x in d.posts.items()} if d else {}
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "assignments": [
                {
                    "date": a.date.isoformat(),
                    "cadre_id": a.cadre_id,
                    "cadre_code": cadre_code.get(a.cadre_id),
                    "post_id": a.post_id,
                    "post_code": post[a.post_id].code if a.post_id in post else None,
                    "shift_code": a.shift_code,
                    "locked": a.locked,
                    "source": a.source,
                }
                for a in self.assignments
            ],
            "unmet": [
                {
                    "post_id": u.post_id,
                    "post_code": post[u.post_id].code if u.post_id in post else None,
                    "post_name": post[u.post_id].name if u.post_id in post else None,
                    "date": u.date.isoformat(),
                    "shift_code": u.shift_code,
                    "required": u.required,
                    "covered": u.covered,
                }
                for u in self.unmet
            ],
            "explanations": list(self.explanations),
            "penalties": dict(self.penalties),
            "lock_breaches": [b.to_json() for b in self.lock_breaches],
            "stats": dict(self.stats),
            "fairness": dict(self.fairness),
            "post_changes": dict(self.post_changes),
            "changes": dict(self.changes),
        }


def relative_gap(objective: float, bound: float) -> float:
    if objective == 0:
        return 0.0
    return max(0.0, (objective - bound) / abs(objective))


def solve_week(district: District, week_start: dt.date, **options) -> SolveResult:
    """The draft roster of the week containing `week_start` (see module doc); options as
    `solve_week_once`. Units' quotas are kept lazily (`wishes.keep_quotas`): solved
    without them first, and again only if the roster gives a unit more than its quota."""
    return wishes.keep_quotas(solve_week_once, district, week_start, **options)


def solve_week_once(
    district: District,
    week_start: dt.date,
    *,
    history: list[Assignment] | tuple = (),
    locks: list[Assignment] | tuple = (),
    time_limit: float = 10.0,
    seed: int = 0,
    num_workers: int = 2,
    progress: Callable[[Progress], None] | None = None,
    control: SolveControl | None = None,
    current: list[Assignment] | tuple = (),
    published: bool = False,
) -> SolveResult:
    """The draft roster of the week containing `week_start` (see module doc).

    Locks are kept exactly as given, even one that breaks a hard rule: such a lock is
    listed in `lock_breaches` and in the explanations (the checker will report it too).
    `current`: the roster the week has now (a re-solve pays per duty of it it changes,
    more when `published`); `history` should reach `fairness_weeks` − 1 weeks back.
    """
    t0 = time.perf_counter()
    deadline = t0 + max(0.5, time_limit)
    threads = num_workers if num_workers > 0 else os.cpu_count() or 1
    control = control or SolveControl()
    monday = monday_of(week_start)
    history = list(history)
    locks = [
        Assignment(a.date, a.cadre_id, a.post_id, a.shift_code, True, a.source)
        for a in locks
        if monday <= a.date < monday + dt.timedelta(days=7)
    ]
    current = [a for a in current if monday <= a.date < monday + dt.timedelta(days=7)]
    week = prepare_week(district, monday, history, locks, current, published)
    lock_breaches = check_roster(district, monday, locks, history, coverage=False)
    stats: dict = {"prepare_s": round(time.perf_counter() - t0, 3)}

    def report(objective: float | None, bound: float, stage: str) -> None:
        if progress is not None:
            progress(
                Progress(
                    objective,
                    bound,
                    None if objective is None else relative_gap(objective, bound),
                    time.perf_counter() - t0,
                    stage,
                )
            )

    # stage 0: the floors of teams kept from last week (their shift models, solved once)
    scheduler = Scheduler(week, seed=seed)
    control.attach(scheduler)
    t1 = time.perf_counter()
    floors = team_floors(week, scheduler, t0 + 0.3 * (deadline - t0), threads)
    stats.update(floors_s=round(time.perf_counter() - t1, 3), team_floors=len(floors))

    # stage 1: the bound, and the longest commute worth allowing
    t1 = time.perf_counter()
    flow_deadline = t0 + 0.3 * (deadline - t0)
    # the stages' shares of the time are when they stop starting flows; a flow starts only
    # if it should end by a later share (`flow_seconds`: min-cost flows cannot be
    # interrupted), so that the time limit holds at any size
    lam, bound_flow, priced = night_prices(
        week, floors, t0 + 0.15 * (deadline - t0), hard=flow_deadline
    )
    bound_by = t0 + POLISH_SHARE * (deadline - t0)
    if bound_flow is None and fits(week, flow_deadline):
        bound_flow = DeploymentFlow(week, floors=floors)
    if bound_flow is not None:
        dep = bound_with_longest_commute(
            bound_flow, deadline=flow_deadline, control=control, hard=bound_by
        )
    else:
        # no flow fits before the bound's share of the time: nothing proven but ≥ 0
        dep = DeploymentBound(0, FlowResult(0, {}, 0, 0), 0, 0, 0.0, proven=False)
    stats.update(
        bound_s=round(time.perf_counter() - t1, 3),
        bound_flows=dep.evaluations + priced,
        night_price=max(lam.values(), default=0),
        bound_proven=dep.proven,
    )
    # no roster exists yet: the flow's value is not the roster's objective, so none is shown
    report(None, dep.bound, "bound")

    # stage 1b + 2: deploy, schedule each post, ask for more cadres where a post's shift
    # model leaves shifts unmet, and keep the best roster seen
    solved: dict[int, tuple[frozenset, list[Assignment], bool]] = {}
    more: dict[int, list[int]] = {}
    night_price: dict[int, int] = {}
    leave_price: dict[int, int] = {}
    best = None
    rounds = stalled = 0
    threshold: int | None = dep.best.max_km if dep.proven else None
    kept = current_deployment(week)
    if kept:
        # a re-solve starts from what the week holds: anything else must beat it by more
        # than the stability cost of the duties it changes
        t3 = time.perf_counter()
        assignments, all_optimal = schedule_posts(week, scheduler, kept, solved, deadline, threads)
        stats["schedule_s"] = round(time.perf_counter() - t3, 3)
        unmet = unmet_slots(week, assignments)
        penalties = soft.roster_penalties(week, assignments, sum(u.missing for u in unmet))
        best = (sum(penalties.values()), assignments, unmet, penalties, kept, all_optimal)
        report(best[0], min(dep.bound, best[0]), "roster")
    while True:
        t2 = time.perf_counter()
        placing = wishes.placing_week(week)  # avoid days closed for the placement only
        # a round needs a flow and the posts' models: without time for both, the best
        # roster so far stands, and the first one is deployed greedily
        by = deadline if best is None else t2 + 0.5 * (deadline - t2)
        if not fits(week, by):
            if best is not None:
                break
            # a quarter of the time left, so that the posts' models have the rest
            placed = FlowResult(0, greedy_deployment(placing, t2 + 0.25 * (deadline - t2)), 0, 0)
            stats["greedy"] = True
        else:
            began = time.perf_counter()
            flow = DeploymentFlow(
                placing,
                exact=True,
                more=more,
                night_price=night_price,
                leave_price=leave_price,
                lam=lam,
                prefer=best[4] if best is not None else None,
            )
            placed = flow.solve(threshold)
            timed_flow(week, began)
            if placed.unfilled and threshold is not None and fits(week, deadline, flow.solve_s):
                wider = flow.solve(None)
                if wider.unfilled < placed.unfilled:
                    placed, threshold = wider, None
        rounds += 1
        stats["deploy_s"] = round(stats.get("deploy_s", 0) + time.perf_counter() - t2, 3)
        t3 = time.perf_counter()
        assignments, all_optimal = schedule_posts(
            week, scheduler, placed.deployment, solved, deadline, threads
        )
        unmet = unmet_slots(week, assignments)
        if unmet:
            placed.deployment, assignments, all_optimal = repair_unmet(
                week, scheduler, placed.deployment, solved, unmet, deadline, threads
            )
            unmet = unmet_slots(week, assignments)
        stats["schedule_s"] = round(stats.get("schedule_s", 0) + time.perf_counter() - t3, 3)
        penalties = soft.roster_penalties(week, assignments, sum(u.missing for u in unmet))
        objective = sum(penalties.values())
        if best is None or objective < best[0]:
            stalled = 0 if best is None or objective < best[0] * (1 - STALL) else stalled + 1
            best = (objective, assignments, unmet, penalties, placed.deployment, all_optimal)
        else:
            stalled += 1
        report(best[0], min(dep.bound, best[0]), "roster")
        if stalled >= 2 and not best[2]:
            break  # two rounds without a real gain and nothing unmet
        wanting = posts_wanting_a_cadre(week, placed.deployment, assignments, unmet)
        leaving = window.turnover_excess(week, placed.deployment)
        if not (wanting or leaving) or control.stopped or rounds >= MAX_ROUNDS:
            break
        for q in leaving:
            # a team losing too many: staying is worth a breach more to each member
            leave_price[q] = leave_price.get(q, 0) + week.settings.weight_turnover
        share = ROUNDS_SHARE if not best[2] else ROUNDS_SHARE_UNMET
        if time.perf_counter() > t0 + share * (deadline - t0):
            break
        for p, price in unfair_nights(week, placed.deployment, assignments).items():
            night_price[p] = max(night_price.get(p, 0), price)
        count: dict[int, int] = defaultdict(int)
        for p in placed.deployment.values():
            count[p] += 1
        for p, gain in wanting.items():
            # seats beyond the post's own, enough for one more cadre than it has now
            extra = max(1, count[p] + 1 - week.seats(p))
            prev = more.get(p, [])[:extra]
            more[p] = [max(g, gain) for g in prev] + [gain] * (extra - len(prev))
    control.detach(scheduler)
    objective, assignments, unmet, penalties, deployment, all_optimal = best
    stats.update(
        rounds=rounds,
        posts_solved=len(solved),
        post_models=len(scheduler.cache),
        all_posts_optimal=all_optimal,
    )
    polish_by = t0 + POLISH_SHARE * (deadline - t0)
    if (
        lam
        and not control.stopped
        and time.perf_counter() < polish_by - 0.3
        and fits(week, polish_by)
    ):
        # time left before the rounds' share of the limit: raise the bound (a roster
        # exists now, so its objective steers the price steps)
        t4 = time.perf_counter()
        lam2, flow2, tried = polish_prices(
            week, floors, lam, objective, polish_by - 0.3, hard=polish_by
        )
        if flow2 is not None and lam2 != lam:
            dep2 = bound_with_longest_commute(
                flow2, deadline=polish_by, control=control, hard=t0 + 0.5 * (deadline - t0)
            )
            if dep2.bound > dep.bound:
                dep = dep2
            tried += dep2.evaluations
        stats.update(polish_s=round(time.perf_counter() - t4, 3), polish_flows=tried)
    bound = min(dep.bound, objective)
    gap = relative_gap(objective, bound)
    if control.stopped:
        status = "stopped"
    elif objective == bound:
        status = "optimal"
    else:
        status = "feasible"
    explanations = explain.explain(week, deployment, assignments, unmet, lock_breaches, deadline)
    stats["wishes"] = wishes.report(week, assignments, deployment)
    fairness = window.fairness_figures(week, assignments)
    moves = window.post_changes(week, assignments)
    changes = window.changes(week, assignments)
    seconds = time.perf_counter() - t0
    report(objective, bound, "done")
    assignments.sort(key=lambda a: (a.date, a.post_id, a.shift_code, a.cadre_id))
    return SolveResult(
        status=status,
        objective=int(objective),
        bound=int(bound),
        gap=gap,
        seconds=seconds,
        assignments=assignments,
        unmet=unmet,
        explanations=explanations,
        penalties=penalties,
        lock_breaches=lock_breaches,
        stats=stats,
        district=district,
        fairness=fairness,
        post_changes=moves,
        changes=changes,
    )


MAX_ROUNDS = 8
POST_FLOOR = 0.3  # seconds a post's model may take while the time limit allows
ROUNDS_SHARE = 0.5  # repair rounds start only in the first half of the time limit,
ROUNDS_SHARE_UNMET = 0.8  # or later while shifts are left unmet
POLISH_SHARE = 0.45  # time left before this share of the limit raises the bound
REPAIR_RATE = 1e-6  # seconds per pair at a short post to list the cadres who could join
STALL = 0.002  # a round gaining less than this share of the objective counts as no gain


def repair_unmet(
    week: Week,
    scheduler: Scheduler,
    deployment: dict[int, int],
    solved: dict,
    unmet: list[Unmet],
    deadline: float,
    threads: int = 1,
) -> tuple[dict[int, int], list[Assignment], bool]:
    """Posts left short get one more cadre each, from the undeployed who can reach them
    (nearest first, night-capable first where nights are short), kept where the post's
    model then leaves fewer shifts unmet. Cheaper than another deployment round: teams
    mixed from several posts may start the week with rest days the seat count cannot see
    (runs of days and nights carried over from last week)."""
    short: dict[int, int] = defaultdict(int)
    night_short: set[int] = set()
    for u in unmet:
        short[u.post_id] += u.missing
        if u.shift_code in week.night_codes:
            night_short.add(u.post_id)
    deployment = dict(deployment)
    if time.perf_counter() > deadline:
        assignments, all_optimal = schedule_posts(
            week, scheduler, deployment, solved, deadline, threads
        )
        return deployment, assignments, all_optimal
    used = set(deployment) | set(week.lock_post)
    near: dict[int, list[tuple[float, int]]] = defaultdict(list)
    is_short = np.zeros(len(week.post_ids), dtype=bool)
    is_short[[week.post_index[p] for p in short if p in week.post_index]] = True
    sel = np.nonzero(is_short[week.arc_p])[0]  # only the pairs at short posts
    if time.perf_counter() + REPAIR_RATE * len(sel) > deadline:
        # no time to look through them: the posts stay short
        assignments, all_optimal = schedule_posts(
            week, scheduler, deployment, solved, deadline, threads
        )
        return deployment, assignments, all_optimal
    for ci, pi, km in zip(
        week.arc_c[sel].tolist(), week.arc_p[sel].tolist(), week.arc_km[sel].tolist(), strict=True
    ):
        p = week.post_ids[pi]
        c = week.cadre_ids[ci]
        if c not in used:
            near[p].append((km, c))
    for p in sorted(short, key=lambda p: -short[p]):
        if time.perf_counter() > deadline:
            break
        team = sorted(c for c, q in deployment.items() if q == p)
        ok = week.district.cadres
        # where nights are short a night-capable cadre; at a post with nights, whoever
        # had fewest nights (the night share); then the shortest commute
        nights = week.demand_night.get(p, 0) > 0
        options = sorted(
            (
                (
                    p in night_short and not ok[c].night_ok,
                    week.hist_nights.get(c, 0) if nights and ok[c].night_ok else 0,
                    km,
                    c,
                )
                for km, c in near.get(p, [])
            ),
        )
        for *_, c in options[:2]:
            if c in used:
                continue
            result = scheduler.solve_post(
                p, team + [c], min(0.5, max(0.05, deadline - time.perf_counter()))
            )
            if sum(result.unmet.values()) < short[p]:
                deployment[c] = p
                used.add(c)
                solved[p] = (frozenset(team + [c]), to_assignments(week, p, result), result.optimal)
                break
    assignments, all_optimal = schedule_posts(
        week, scheduler, deployment, solved, deadline, threads
    )
    return deployment, assignments, all_optimal


def current_deployment(week: Week) -> dict[int, int]:
    """The deployment of the roster the week holds, as far as it is still possible: cadres
    who can work and still reach the post; locks decide where they say."""
    if not week.current_post:
        return {}
    eligible = set(
        zip(
            [week.cadre_ids[i] for i in week.arc_c.tolist()],
            [week.post_ids[i] for i in week.arc_p.tolist()],
            strict=True,
        )
    )
    out = {c: p for c, p in week.current_post.items() if (c, p) in eligible}
    out.update(week.lock_post)
    return out


def teams(week: Week) -> dict[int, list[int]]:
    """Each post's team: the cadres who served it last week and can work this week, where
    they are exactly the cadres the post needs and no lock touches the post or them."""
    by_post: dict[int, list[int]] = defaultdict(list)
    for c, p in week.prev_post.items():
        if week.cap.get(c, 0) > 0 and c in week.cadre_index:
            by_post[p].append(c)
    locked_posts = {a.post_id for a in week.locks}
    out = {}
    for p, members in by_post.items():
        if p not in week.post_index or not week.demand_total.get(p, 0) or p in locked_posts:
            continue
        if week.demand_night.get(p, 0):
            continue  # their nights are priced in the bound (`deploy.night_credit`)
        if len(members) != week.seats(p) or any(c in week.locks_by_cadre for c in members):
            continue
        out[p] = sorted(members)
    return out


def team_floors(
    week: Week, scheduler: Scheduler, deadline: float, threads: int = 1
) -> dict[int, tuple[int, list[int]]]:
    """Per post, what its team's shift model costs at least beyond the flow's unmet
    charge, if the team stays together alone (`deploy` module doc: team floors)."""
    todo = teams(week)
    if not todo:
        return {}
    night_ok = week.district.cadres
    cap = week.settings.weight_continuity
    out: dict[int, tuple[int, list[int]]] = {}

    def one(item: tuple[int, list[int]]) -> None:
        p, members = item
        remaining = deadline - time.perf_counter()
        if remaining <= 0.02:
            return
        floor, _ = solve_floor(scheduler, p, members, min(0.5, remaining))
        n = sum(1 for c in members if night_ok[c].night_ok)
        # at most what a member pays for leaving (continuity), so that several members
        # leaving never gain the flow more than the floor (see `deploy` module doc)
        alpha = min(floor - unmet_charge(week, p, len(members), n), cap)
        if alpha > 0:
            out[p] = (alpha, members)

    items = sorted(todo.items())
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, items))
    else:
        for item in items:
            one(item)
    return out


def posts_wanting_a_cadre(
    week: Week, deployment: dict[int, int], assignments: list[Assignment], unmet: list[Unmet]
) -> dict[int, int]:
    """Posts whose shift model left shifts unmet or an unfair spread, with what one more
    cadre there could save at most (unmet shifts at their weight, else the fairness cost)."""
    wanting: dict[int, int] = defaultdict(int)
    for u in unmet:
        wanting[u.post_id] += week.settings.weight_unmet * u.missing
    at_post, shifts = teams_and_shifts(deployment, assignments)
    for p, cs in at_post.items():
        if p not in wanting:
            cost = sum(soft.post_fairness(week, cs, shifts.get(p, [])))
            if cost:
                wanting[p] = cost
    return dict(wanting)


def teams_and_shifts(
    deployment: dict[int, int], assignments: list[Assignment]
) -> tuple[dict[int, list[int]], dict[int, list[Assignment]]]:
    """Per post: the cadres deployed there, and their own shifts there (relief excluded)."""
    at_post: dict[int, list[int]] = defaultdict(list)
    for c, p in deployment.items():
        at_post[p].append(c)
    shifts: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.source != "relief" and deployment.get(a.cadre_id) == a.post_id:
            shifts[a.post_id].append(a)
    return at_post, shifts


def unfair_nights(
    week: Week, deployment: dict[int, int], assignments: list[Assignment]
) -> dict[int, int]:
    """Posts whose night fairness cost something, with that cost."""
    at_post, shifts = teams_and_shifts(deployment, assignments)
    out = {}
    for p, cs in at_post.items():
        nights, _ = soft.post_fairness(week, cs, shifts.get(p, []))
        if nights:
            out[p] = nights
    return out


def schedule_posts(
    week: Week,
    scheduler: Scheduler,
    deployment: dict[int, int],
    solved: dict[int, tuple[frozenset, list[Assignment], bool]],
    deadline: float,
    threads: int = 1,
) -> tuple[list[Assignment], bool]:
    """Every post's shifts for this deployment (re-using posts whose cadres are unchanged);
    locked shifts are part of the roster as given."""
    at_post: dict[int, list[int]] = defaultdict(list)
    for c, p in sorted(deployment.items()):
        at_post[p].append(c)
    for c, p in week.lock_post.items():
        if deployment.get(c) != p:
            at_post[p].append(c)
    assignments: list[Assignment] = list(week.locks)
    all_optimal = True
    posts = [p for p in week.post_ids if at_post.get(p)]
    todo = [
        p
        for p in posts
        if p not in solved or solved[p][0] != frozenset(at_post[p]) or not solved[p][2]
    ]

    def one(i: int, p: int) -> None:
        if time.perf_counter() > deadline:
            return  # past the time limit: the post's shifts stay unmet (see below)
        remaining = max(0.05, deadline - time.perf_counter())
        share = remaining / max(1, len(todo) - i)
        # at least POST_FLOOR s while time remains: a post's model is small, most finish
        # in milliseconds, and a first solution found in a hurry can leave shifts unmet
        slice_ = max(share * 4, min(POST_FLOOR, remaining))
        result = scheduler.solve_post(p, at_post[p], max(0.05, min(slice_, remaining)))
        solved[p] = (frozenset(at_post[p]), to_assignments(week, p, result), result.optimal)

    if threads > 1 and len(todo) > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(len(todo)), todo))
    else:
        for i, p in enumerate(todo):
            one(i, p)
    for p in posts:
        if p not in solved or solved[p][0] != frozenset(at_post[p]):
            all_optimal = False  # not scheduled before the time limit
            continue
        assignments += solved[p][1]
        all_optimal &= solved[p][2]
    return assignments, all_optimal


def unmet_slots(week: Week, assignments: list[Assignment]) -> list[Unmet]:
    covered: dict[tuple[int, dt.date, str], int] = defaultdict(int)
    for a in assignments:
        covered[a.post_id, a.date, a.shift_code] += 1
    out = []
    for p in week.post_ids:
        for d, shifts in enumerate(week.req.get(p, [])):
            day = week.days[d]
            for s, need in sorted(shifts.items()):
                have = covered.get((p, day, s), 0)
                if have < need:
                    out.append(Unmet(p, day, s, need, have))
    return out
