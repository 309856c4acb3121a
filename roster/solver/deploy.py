"""Stage 1: deployment, each cadre to at most one post for the week.

A min-cost flow over every eligible (cadre, post) pair. Each cadre node supplies one unit,
which reaches the sink either directly (not deployed: the reserve) or through one post.
A post's demand becomes "seats": with at most `dmax` shifts per cadre a week and one a
day, a post with k cadres leaves at least U(k) = max(S − dmax·k, Σ_d max(0, need_d − k), 0)
shifts unmet (`shortfall_curve`), a convex function of k, so it is a chain of parallel
arcs into the sink whose negative costs give back the weight of the slots each further
seat saves. Night shifts get their own seats that only night-capable cadres reach (the
same bound for nights); a post with both takes half of each bound (½a + ½b ≤ max(a, b)). A post's first party member earns back the
party_post cost. Commute, continuity and unit_spread are costs on the pairs.

The bound. For any roster, its deployment pays in this flow at most what the roster pays
for those rules (the seat terms are lower bounds of W·unmet; at a post with nights a party
member who may not do nights may fill a night seat, which only widens the choice; every
other term is exact), and party_group, fairness and the rest are ≥ 0, but for two
additions that make the relaxation see more of the shift stage, each argued the same way
(a routing of the roster's deployment exists whose flow cost is at most the roster's cost):

- Cadres short of a full week (`partial_charges`): at a post with k ≤ seats cadres, each
  tight day a cadre cannot work and each shift below `dmax` it cannot work raise the
  unmet lower bound, so its pair pays W·δ (half at posts with nights, where the seat
  terms are halves too). With k > seats the roster routes that cadre through a bypass arc
  to the sink priced as one cadre beyond the seats (reserve), leaving ≥ seats cadres on
  the seat chain, so no unmet is charged. Valid when at most one such cadre per post is
  charged (so the bypass never leaves the seat chain short) and the bypassed cadre loses
  nothing else: it is not counted in the night pool (none charged who may do nights at a
  post with nights) and no party credit is lost (posts where a charged cadre is a party
  member give no party credit at all).
- Team floors (`model.team_floors`): where last week's cadres of a post are exactly its
  seats, their own shift model (CP-SAT's proven bound) costs at least f beyond the flow's
  unmet charge: α = min(f − charge, w_continuity) is added as a constant, taken back on
  every option of a member away from the post (other posts, idle) and by one extra seat
  arc at the post (reserve − α). A roster keeping the team alone pays α ≤ f; one where a
  member leaves gets α back at least once (never more than the α it paid: that member
  pays continuity ≥ α for leaving); one that adds a cadre to the team gets α back on the
  extra seat. Every case is ≤ the roster's own cost.

So the flow optimum F(∞) is a lower bound of the whole objective but for commute_max. For
that: let F(T) be the optimum when pairs longer than T km are removed; F is
non-increasing, and a roster whose longest commute is T (whole km, as the rule counts it)
costs at least F(T) + w·T. Hence a roster whose longest commute is in (a, b] costs at
least F(b) + w·(a + 1), and the bound is the least of these over a partition of
[0, T∞] refined by bisection (T∞ = longest commute used by the unrestricted optimum,
beyond which F is flat), and F(0).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from roster.solver import soft
from roster.solver.prepare import Week

BIG = 1 << 20
TIE = 8  # cost scale of an exact flow that prefers some pairs on ties (`prefer`)


def shortfall_curve(dmax: int, total: int, per_day: list[int]) -> list[int]:
    """U(k), k = 0, 1, …: a lower bound of unmet shifts with k cadres at a post.

    Each cadre works at most `dmax` shifts a week and one a day, so
    U(k) = max(total − dmax·k, Σ_d max(0, need_d − k), 0): convex and non-increasing.
    """
    curve = []
    k = 0
    while True:
        u = max(total - dmax * k, sum(max(0, n - k) for n in per_day), 0)
        curve.append(u)
        if u == 0:
            return curve
        k += 1


def seat_gains(week: Week, post_id: int) -> list[int]:
    """What each further cadre at a post saves of the unmet bound (non-increasing)."""
    per_day = [sum(day.values()) for day in week.req.get(post_id, [])]
    curve = shortfall_curve(week.dmax, week.demand_total.get(post_id, 0), per_day)
    return [a - b for a, b in zip(curve, curve[1:], strict=False)]


def night_gains(week: Week, post_id: int) -> list[int]:
    """The same for night shifts and night-capable cadres."""
    per_day = [
        sum(n for s, n in day.items() if s in week.night_codes) for day in week.req.get(post_id, [])
    ]
    curve = shortfall_curve(week.dmax, week.demand_night.get(post_id, 0), per_day)
    return [a - b for a, b in zip(curve, curve[1:], strict=False)]


def unmet_charge(week: Week, post_id: int, k: int, n: int) -> int:
    """What the relaxed flow charges at most for unmet shifts at a post with k cadres of
    whom n may do nights (its seats and night seats left empty)."""
    share = 2 if week.demand_night.get(post_id, 0) else 1
    w = week.settings.weight_unmet
    seats = [w * g // share for g in seat_gains(week, post_id)]
    nights = [w * g // share for g in night_gains(week, post_id)]
    return sum(seats[k:]) + sum(nights[n:])


def partial_arcs(week: Week, arc_c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indexes of the arcs whose cadre is short of a full week (fewer shifts than `dmax`,
    or a day on which some shift they could otherwise work is closed to them: an absence,
    or the rest after last week's last shifts), with every cadre's capacity and free days."""
    cap = np.array([week.cap.get(c, 0) for c in week.cadre_ids])
    free = np.array([[bool(x) for x in week.allowed[c]] for c in week.cadre_ids], dtype=bool)
    night = week.night_codes
    every = len(week.shift_codes)
    days = len(week.shift_codes) - len(night)
    full = np.array(
        [
            all(
                len(x) == (every if week.district.cadres[c].night_ok else days)
                for x in week.allowed[c]
            )
            for c in week.cadre_ids
        ]
    )
    partial = (cap < week.dmax) | ~full
    return np.nonzero(partial[arc_c])[0], cap, free


def partial_cadre_shortfall(week: Week, arc_c: np.ndarray, arc_p: np.ndarray) -> np.ndarray:
    """Per pair, the shifts a cadre short of a full week would leave unmet at the post if
    the post had no other slack: days on which the post needs every seat and the cadre can
    work none of its shifts, fewer shifts than `dmax` beyond the post's spare capacity, or
    a day off forced by last week's run (`run_shortfall`)."""
    out = run_shortfall(week, arc_c, arc_p)
    sel, cap, _ = partial_arcs(week, arc_c)
    for i in sel.tolist():
        ci, pi = int(arc_c[i]), int(arc_p[i])
        c, p = week.cadre_ids[ci], week.post_ids[pi]
        req = week.req.get(p, [])
        seats = week.seats(p)
        spare = seats * week.dmax - week.demand_total.get(p, 0)
        by_days = sum(
            1
            for d, day in enumerate(req)
            if day and sum(day.values()) >= seats and not (week.allowed[c][d] & day.keys())
        )
        out[i] = max(out[i], by_days, max(0, week.dmax - int(cap[ci]) - spare))
    return out


def run_shortfall(week: Week, arc_c: np.ndarray, arc_p: np.ndarray) -> np.ndarray:
    """Per pair, 1 where a run of days carried over from last week forces the cadre a day
    off within the post's leading days that need every seat (r days worked before Monday
    leave at most `max_consecutive_days` − r days before a day off)."""
    limit = max(1, week.settings.max_consecutive_days)
    window = np.array([limit - week.run_before.get(c, 0) + 1 for c in week.cadre_ids])
    lead = np.zeros(len(week.post_ids), dtype=np.int64)
    for pi, p in enumerate(week.post_ids):
        seats = week.seats(p)
        for day in week.req.get(p, []):
            if not day or sum(day.values()) < seats:
                break
            lead[pi] += 1
    w = window[arc_c]
    return ((w >= 1) & (w <= lead[arc_p])).astype(np.int64)


def partial_charges(
    week: Week,
    arc_c: np.ndarray,
    arc_p: np.ndarray,
    km_of: np.ndarray,
    skip_posts: set[int] = frozenset(),
) -> np.ndarray:
    """Per pair, unmet shifts a cadre short of a full week provably causes at a post that
    has no cadre beyond its seats (the bound's version of `partial_cadre_shortfall`).

    With k ≤ seats cadres at post p every tight day (need ≥ seats ≥ k) on which cadre c
    cannot work leaves one more shift unmet than the count-based curve U(k) says, and every
    shift c cannot work below `dmax` lowers the week's capacity by one; as
    max(A + x, B + y) ≥ max(A, B) + min(x, y) the charge is min(tight days missed, dmax −
    shifts c can work there). Only where the charge cannot add up with another's: a post
    that more than one such cadre can reach gets none, nor does a night-capable cadre at
    a post with nights (see `DeploymentFlow` for how the charge is cancelled when the post
    has a cadre to spare), nor posts in `skip_posts`.
    """
    out = np.zeros(len(arc_c), dtype=np.int64)
    sel, cap, free = partial_arcs(week, arc_c)
    if not len(sel):
        return out
    night_ok = [week.district.cadres[c].night_ok for c in week.cadre_ids]
    for i in sel.tolist():
        ci, pi = int(arc_c[i]), int(arc_p[i])
        c, p = week.cadre_ids[ci], week.post_ids[pi]
        if p in skip_posts or (night_ok[ci] and week.demand_night.get(p, 0)):
            continue
        req = week.req.get(p, [])
        seats = week.seats(p)
        works = [bool(week.allowed[c][d] & day.keys()) for d, day in enumerate(req)]
        tight = [sum(day.values()) >= seats and bool(day) for day in req]
        by_days = sum(1 for d in range(len(req)) if tight[d] and not works[d])
        by_cap = week.dmax - min(int(cap[ci]), sum(works))
        out[i] = max(0, min(by_days, by_cap))
    # one charged cadre per post: the one nearest to it (ties: the lower index)
    charged = np.nonzero(out)[0]
    if len(charged):
        order = charged[np.lexsort((arc_c[charged], km_of[charged]))]
        _, first = np.unique(arc_p[order], return_index=True)
        keep = np.zeros(len(arc_c), dtype=bool)
        keep[order[first]] = True
        out[~keep] = 0
    return out


def expected_nights(week: Week, post_id: int) -> int:
    """Nights each night-capable cadre of a post does if its night seats share them."""
    nights = week.demand_night.get(post_id, 0)
    return round(nights / max(1, week.seats(post_id))) if nights else 0


def night_estimate(week: Week, arc_c: np.ndarray, arc_p: np.ndarray) -> np.ndarray:
    """Per pair (exact flow, a heuristic): what a night-capable cadre at a post with nights
    would pay for fairness_nights (and rotation, after too many night-heavy weeks) doing
    the post's expected share of nights."""
    from roster.solver.prepare import NIGHT_HEAVY

    s = week.settings
    n_hat = np.array([expected_nights(week, p) for p in week.post_ids])[arc_p]
    ok = np.array([week.district.cadres[c].night_ok for c in week.cadre_ids])[arc_c]
    h = np.array([week.hist_nights.get(c, 0) for c in week.cadre_ids])[arc_c]
    streak = np.array([week.night_streak.get(c, 0) for c in week.cadre_ids])[arc_c]
    cost = s.weight_night_share * n_hat * (2 * h + n_hat)
    cost = cost + np.where(
        (streak >= s.max_night_weeks) & (n_hat >= NIGHT_HEAVY), s.weight_rotation, 0
    )
    return np.where(ok & (n_hat > 0), cost, 0).astype(np.int64)


def lagrange_nights(week: Week, post_id: int) -> int:
    """Night shifts of a post its own cadres must work or leave unmet (locked ones, which
    may be relief from elsewhere, not counted)."""
    locked = sum(1 for a in week.locks if a.post_id == post_id and a.shift_code in week.night_codes)
    return max(0, week.demand_night.get(post_id, 0) - locked)


def best_nights(week: Week, cadre_id: int, lam: int) -> tuple[int, int]:
    """(x, g): the nights x ≤ the cadre's capacity minimising night_share(x) − λ·x, and
    that minimum g ≤ 0 (each further night costs w·(2h + 2x − 1))."""
    w = week.settings.weight_night_share
    h = week.hist_nights.get(cadre_id, 0)
    x, g = 0, 0
    while x < week.cap.get(cadre_id, 0):
        marginal = w * (2 * h + 2 * x + 1) - lam
        if marginal >= 0:
            break
        x, g = x + 1, g + marginal
    return x, g


def night_credit(
    week: Week, arc_c: np.ndarray, arc_p: np.ndarray, lam: dict[int, int]
) -> np.ndarray:
    """Per pair (the bound): g_c(λ_p) = min_x night_share_c(x) − λ_p·x for a night-capable
    cadre at a post with price λ_p, 0 elsewhere.

    Why it bounds (Lagrangian relaxation of "the nights of p are worked by p's cadres or
    unmet"): for every x, night_share_c(x) ≥ g_c(λ) + λ·x, so the night cost of p's
    cadres is at least Σ g_c(λ_p) + λ_p·(N_p − u_p), where N_p is the post's nights
    (`lagrange_nights`) and u_p its unmet nights; the constant λ_p·N_p is added to the
    flow and λ_p·u_p is taken from the weight of unmet nights on the night seats
    (λ_p ≤ W/2, the night seats' share of it). Valid for every λ ≥ 0: the prices are
    chosen to raise the bound (`night_prices`).
    """
    out = np.zeros(len(arc_c), dtype=np.int64)
    ok = np.array([week.district.cadres[c].night_ok for c in week.cadre_ids])
    lam_of = np.array([lam.get(p, 0) for p in week.post_ids])
    sel = np.nonzero(ok[arc_c] & (lam_of[arc_p] > 0))[0]
    memo: dict[tuple[int, int], int] = {}
    for i in sel.tolist():
        ci, pi = int(arc_c[i]), int(arc_p[i])
        key = (ci, int(lam_of[pi]))
        if key not in memo:
            memo[key] = best_nights(week, week.cadre_ids[ci], key[1])[1]
        out[i] = memo[key]
    return out


GREEDY_ROUNDS = 100  # at most, in `greedy_deployment` (its deadline stops it first)
FLOW_RATE = 1e-6  # seconds per eligible pair to build and solve a flow of 1e6 pairs


def flow_seconds(week: Week) -> float:
    """What building and solving one more deployment flow of this week should take: the
    slowest rate timed so far on this week (seconds per eligible pair), else `FLOW_RATE`
    growing with the cube root of the size (measured: 0.75 µs a pair at 0.16 M pairs,
    1.2 µs at 2.6 M, 3.2 µs at 41 M). OR-Tools' min-cost flow cannot be interrupted, so
    callers check that this fits first."""
    arcs = max(1, len(week.arc_c))
    prior = FLOW_RATE * max(1.0, arcs / 1e6) ** (1 / 3)
    return week.cache.get("flow_rate", prior) * arcs


def timed_flow(week: Week, start: float) -> None:
    """Record the rate of a flow built and solved since `start` (for `flow_seconds`)."""
    rate = (time.perf_counter() - start) / max(1, len(week.arc_c))
    week.cache["flow_rate"] = max(rate, week.cache.get("flow_rate", 0.0))


def fits(week: Week, deadline: float, seconds: float | None = None) -> bool:
    """Whether a flow taking `seconds` (default `flow_seconds`) ends before `deadline`."""
    need = flow_seconds(week) if seconds is None else seconds
    return time.perf_counter() + need <= deadline


def greedy_deployment(week: Week, deadline: float = math.inf) -> dict[int, int]:
    """A deployment without a flow, for when no flow fits in the time left: in rounds,
    each cadre not yet placed asks for the nearest post that still has seats, and each
    post takes the nearest of those asking up to its free seats (until no one is placed
    or `deadline`); locks decide where they say. Each round is linear in the pairs."""
    out = dict(week.lock_post)
    free = np.array([week.seats(p) if week.demand_total.get(p, 0) else 0 for p in week.post_ids])
    placed = np.zeros(len(week.cadre_ids), dtype=bool)
    for c, p in out.items():
        if c in week.cadre_index:
            placed[week.cadre_index[c]] = True
        if p in week.post_index:
            free[week.post_index[p]] -= 1
    arc_c, arc_p, km = week.arc_c, week.arc_p, week.arc_km
    if len(arc_c) > 1 and (arc_c[1:] < arc_c[:-1]).any():
        order = np.argsort(arc_c, kind="stable")
        arc_c, arc_p, km = arc_c[order], arc_p[order], km[order]
    for round_ in range(GREEDY_ROUNDS):
        if round_ and time.perf_counter() > deadline:
            break  # the first round runs whatever the time: a roster needs a deployment
        keep = ~placed[arc_c] & (free[arc_p] > 0)
        arc_c, arc_p, km = arc_c[keep], arc_p[keep], km[keep]
        if not len(arc_c):
            break
        # each cadre's nearest post still open (pairs are grouped by cadre)
        starts = np.flatnonzero(np.r_[True, arc_c[1:] != arc_c[:-1]])
        nearest = np.minimum.reduceat(km, starts)
        lengths = np.diff(np.r_[starts, len(arc_c)])
        ask = np.flatnonzero(km == np.repeat(nearest, lengths))
        _, first = np.unique(arc_c[ask], return_index=True)  # one post per cadre
        ask = ask[first]
        ask = ask[np.lexsort((km[ask], arc_p[ask]))]  # by post, nearest first
        ps = arc_p[ask]
        start = np.searchsorted(ps, ps)  # first asker of each one's post
        rank = np.arange(len(ps)) - start
        take = ask[rank < free[ps]]
        if not len(take):
            break
        placed[arc_c[take]] = True
        np.subtract.at(free, arc_p[take], 1)
        for ci, pi in zip(arc_c[take].tolist(), arc_p[take].tolist(), strict=True):
            out[week.cadre_ids[ci]] = week.post_ids[pi]
    return out


def night_prices(
    week: Week, floors=None, deadline: float = 0.0, rounds: int = 6, hard: float = math.inf
):
    """Prices λ_p for the bound (`night_credit`): a district-wide start (the price at which
    the night-capable cadres who can reach nights would want as many nights as there are),
    then subgradient steps per post on the unrestricted flow, until `deadline`, each only
    if it fits before `hard` (`flow_seconds`); returns (λ, its flow, tried)."""
    w = week.settings
    posts = [p for p in week.post_ids if week.demand_night.get(p, 0)]
    if not posts or w.weight_night_share <= 0:
        return {}, None, 0
    cap_lam = w.weight_unmet // 2
    need = sum(lagrange_nights(week, p) for p in posts)
    has_night = np.array([week.demand_night.get(p, 0) > 0 for p in week.post_ids])
    reach = sorted(
        {
            week.cadre_ids[int(ci)]
            for ci in np.unique(week.arc_c[has_night[week.arc_p]]).tolist()
            if week.district.cadres[week.cadre_ids[int(ci)]].night_ok
        }
    )
    lo, hi = 0, cap_lam
    while lo < hi:
        mid = (lo + hi) // 2
        if sum(best_nights(week, c, mid)[0] for c in reach) >= need:
            hi = mid
        else:
            lo = mid + 1
    lam = dict.fromkeys(posts, lo)
    best = None
    tried = 0
    step = max(1, lo // 4)
    for _ in range(rounds):
        if not fits(week, hard):
            break
        began = time.perf_counter()
        flow = DeploymentFlow(week, floors=floors, lam=lam)
        res = flow.solve()
        timed_flow(week, began)
        tried += 1
        if best is None or res.cost > best[1].cost:
            best = (dict(lam), res, flow)
        if time.perf_counter() > deadline:
            break
        done: dict[int, int] = dict.fromkeys(posts, 0)
        for c, p in res.deployment.items():
            if p in done and week.district.cadres[c].night_ok:
                done[p] += best_nights(week, c, lam[p])[0]
        changed = False
        for p in posts:
            sub = lagrange_nights(week, p) - done[p]
            new = min(cap_lam, max(0, lam[p] + step * (1 if sub > 0 else -1 if sub < 0 else 0)))
            changed |= new != lam[p]
            lam[p] = new
        if not changed:
            break
        step = max(1, step // 2)
    if best is None:
        return {}, None, 0
    return best[0], best[2], tried


THETA = 0.2  # first Polyak step: a fifth of the way to the objective (which over-estimates)


def polish_prices(
    week: Week, floors, lam: dict[int, int], upper: float, deadline: float, hard: float = math.inf
) -> tuple[dict[int, int], DeploymentFlow | None, int]:
    """More subgradient steps on the prices once a roster exists: Polyak steps
    θ·(objective − L(λ))/‖s‖² along s_p = the post's nights − the nights its cadres'
    credits assume, θ halved after three steps without a better bound. Returns the
    prices of the best bound seen, its flow, and the flows solved. Steps start until
    `deadline` while they fit before `hard` (`flow_seconds`)."""
    cap_lam = week.settings.weight_unmet // 2
    lam = dict(lam)
    best: tuple[int, dict[int, int], DeploymentFlow] | None = None
    theta, no_gain, tried = THETA, 0, 0
    ok = week.district.cadres
    while time.perf_counter() < deadline and fits(week, hard):
        began = time.perf_counter()
        flow = DeploymentFlow(week, floors=floors, lam=lam)
        res = flow.solve()
        timed_flow(week, began)
        tried += 1
        if best is None or res.cost > best[0]:
            best, no_gain = (res.cost, dict(lam), flow), 0
        else:
            no_gain += 1
            if no_gain >= 3:
                theta, no_gain = theta / 2, 0
        done = dict.fromkeys(lam, 0)
        for c, p in res.deployment.items():
            if p in done and ok[c].night_ok:
                done[p] += best_nights(week, c, lam[p])[0]
        sub = {p: lagrange_nights(week, p) - done[p] for p in lam}
        norm = sum(v * v for v in sub.values())
        step = theta * (upper - res.cost) / norm if norm else 0
        if step <= 0 or theta < THETA / 64:
            break
        for p, v in sub.items():
            lam[p] = int(round(min(cap_lam, max(0, lam[p] + step * v))))
    if best is None:
        return lam, None, tried
    return best[1], best[2], tried


def turnover_gates(week: Week, arc_c, arc_p, pair_head, sink: int):
    """Exact flow: `max_team_turnover` as a bonus for staying. Where at least k of a post's
    last-week team must stay (its available members less those allowed to leave), each
    member's arc to that post goes through a gate whose first k units earn the rotation
    weight back: a team losing more than its share pays it for each cadre too many, as the
    roster does (one gate per entry node, the allowance to leave shared out over them:
    a heuristic). Yields (new pair heads, gate arcs) once, or nothing."""
    team: dict[int, list[int]] = {}
    for c, q in week.prev_post.items():
        team.setdefault(q, []).append(c)
    prev = np.full(len(week.cadre_ids), -1)
    for c, q in week.prev_post.items():
        if c in week.cadre_index and q in week.post_index:
            prev[week.cadre_index[c]] = week.post_index[q]
    stay = prev[arc_c] == arc_p
    if not stay.any():
        return
    n_c = len(week.cadre_ids)
    entry = pair_head - n_c - 4 * arc_p
    head = pair_head.copy()
    gates = []
    bonus = week.settings.weight_turnover
    base = sink + 1 + len(week.post_ids)  # after the night credit pools
    for q, members in team.items():
        if q not in week.post_index or not bonus:
            continue
        qi = week.post_index[q]
        avail = sum(1 for c in members if week.cap.get(c, 0) > 0)
        k = avail - soft.allowed_leavers(week.settings.max_team_turnover, len(members))
        if k <= 0:
            continue
        sel = stay & (arc_p == qi) & (pair_head != sink)
        kinds, sizes = np.unique(entry[sel], return_counts=True)
        # the team's allowance to leave shared out over the gates, largest shares first
        share = sizes * (len(members) - k) / max(1, int(sizes.sum()))
        allow = np.floor(share).astype(int)
        for j in np.argsort(-(share - allow), kind="stable")[: len(members) - k - allow.sum()]:
            allow[j] += 1
        for e, size, free in zip(kinds.tolist(), sizes.tolist(), allow.tolist(), strict=True):
            gate = base + 4 * qi + int(e)
            head[sel & (entry == e)] = gate
            gates += [(gate, n_c + 4 * qi + int(e), 1, -bonus)] * max(0, size - free)
            gates.append((gate, n_c + 4 * qi + int(e), BIG, 0))
    yield head, gates


@dataclass
class FlowResult:
    cost: int  # the flow objective, constant included: a lower bound (see module doc)
    deployment: dict[int, int]  # cadre id -> post id
    max_km: int  # longest commute used, whole km
    unfilled: int  # seats left empty (each worth at least one unmet shift)


class DeploymentFlow:
    """The flow network of a week, built once and solved for several km thresholds.

    `exact=False` is the relaxation whose optimum bounds the objective (module doc).
    `exact=True` builds the deployment the roster will use: night seats only for cadres
    who may do nights (a party member who may do nights is credited on the night side and
    one who may not on the other: a post can then be credited twice, harmless for a
    heuristic); a cadre who cannot work the post's tight days or enough shifts pays, on
    that pair, the unmet shifts they would cause there alone; `more` asks for more
    cadres at posts whose shift model found too few or was unfair for want of one more
    cadre (each further seat with what the shift model says it would save);
    `night_price` charges each night-capable cadre beyond a post's night seats what its
    night fairness cost (a lone night-capable cadre is never compared, so a post where
    nights cannot be spread evenly is fair with one).
    """

    def __init__(
        self,
        week: Week,
        *,
        exact: bool = False,
        more: dict[int, list[int]] | None = None,
        floors: dict[int, tuple[int, list[int]]] | None = None,
        night_price: dict[int, int] | None = None,
        lam: dict[int, int] | None = None,
        leave_price: dict[int, int] | None = None,
        prefer: dict[int, int] | None = None,
    ):
        self.week = week
        self.solve_s = 0.0  # the slowest of its solves so far
        s = week.settings
        district = week.district
        more = more or {}
        night_price = (night_price or {}) if exact else {}
        floors = {p: f for p, f in (floors or {}).items() if f[0] > 0}
        n_c, n_p = len(week.cadre_ids), len(week.post_ids)
        self.sink = n_c + 4 * n_p

        # pairs: eligible ones, and the forced pair of each cadre deployed by locks
        arc_c, arc_p, km = week.arc_c, week.arc_p, week.arc_km
        lock_to = np.full(n_c, -1)
        for c, p in week.lock_post.items():
            if c in week.cadre_index and p in week.post_index:
                lock_to[week.cadre_index[c]] = week.post_index[p]
        if (lock_to >= 0).any():
            keep = (lock_to[arc_c] < 0) | (lock_to[arc_c] == arc_p)
            arc_c, arc_p, km = arc_c[keep], arc_p[keep], km[keep]
            have = set(
                zip(
                    arc_c[lock_to[arc_c] >= 0].tolist(),
                    arc_p[lock_to[arc_c] >= 0].tolist(),
                    strict=False,
                )
            )
            extra = [
                (ci, int(pi)) for ci, pi in enumerate(lock_to) if pi >= 0 and (ci, pi) not in have
            ]
            if extra:
                ex_c = np.array([e[0] for e in extra])
                ex_p = np.array([e[1] for e in extra])
                ex_km = week.km[ex_c, ex_p]
                arc_c = np.concatenate([arc_c, ex_c])
                arc_p = np.concatenate([arc_p, ex_p])
                km = np.concatenate([km, ex_km])
        self.arc_c, self.arc_p, self.km = arc_c, arc_p, km
        self.km_int = np.rint(km).astype(np.int64)
        self.forced = (lock_to[arc_c] >= 0) & (lock_to[arc_c] == arc_p)
        self.pair_cost = soft.arc_costs(week, arc_c, arc_p, km)
        w = s.weight_unmet
        lam = {p: v for p, v in (lam or {}).items() if v > 0}
        self.lam = lam
        if exact:
            self.pair_cost = self.pair_cost + w * partial_cadre_shortfall(week, arc_c, arc_p)
            est = night_estimate(week, arc_c, arc_p)
            self.pair_cost = self.pair_cost + est
            credit_lam, lam = lam, {}
            leave = np.zeros(n_c, dtype=np.int64)
            prev = np.full(n_c, -1)
            for c, q in week.prev_post.items():
                if q in (leave_price or {}) and c in week.cadre_index:
                    leave[week.cadre_index[c]] = leave_price[q]
                    prev[week.cadre_index[c]] = week.post_index[q]
            gone = (prev[arc_c] >= 0) & (prev[arc_c] != arc_p)
            self.pair_cost = self.pair_cost + np.where(gone, leave[arc_c], 0)
        else:
            credit_lam = {}
        if lam:
            self.pair_cost = self.pair_cost + night_credit(week, arc_c, arc_p, lam)

        party = np.array([district.cadres[c].party_member for c in week.cadre_ids])
        night_ok = np.array([district.cadres[c].night_ok for c in week.cadre_ids])
        has_night = np.array([week.demand_night.get(p, 0) > 0 for p in week.post_ids])
        party_posts, _ = soft.eligible_party(week)
        beta = np.array(
            [soft.party_post_value(week, p) if p in party_posts else 0 for p in week.post_ids]
        )
        charged = np.zeros(0, dtype=np.int64)
        if not exact:
            delta = partial_charges(week, arc_c, arc_p, km, set(floors))
            half = np.where(has_night[arc_p], 2, 1)
            charged = np.nonzero(delta)[0]
            # a party member who bypasses the seats would lose the post's party credit:
            # where one may, the flow credits no party member at all
            beta[np.unique(arc_p[charged][party[arc_c[charged]]])] = 0
        # nodes of a post: 0 party members' entry, 1 night pool, 2 party credited (exact:
        # party members who may not do nights), 3 all. In the relaxation party members of
        # both kinds share one credit, so at a post with nights one who may not do nights
        # can reach the night seats: that only widens the choice, so lowers the bound.
        pc, nc, hn = party[arc_c], night_ok[arc_c], has_night[arc_p]
        credit = pc & (beta[arc_p] > 0)
        if exact:
            entry = np.where(hn & nc, np.where(credit, 0, 1), np.where(credit & hn, 2, 3))
            entry = np.where(credit & ~hn, 0, entry)
        else:
            entry = np.where(credit, 0, np.where(hn & nc, 1, 3))
        self.pair_head = n_c + 4 * arc_p + entry

        # team floors (module doc): each member's options away from the team's post, and
        # their idle arc, are worth the floor back
        member_floor = np.zeros(n_c, dtype=np.int64)
        member_post = np.full(n_c, -1)
        for p, (alpha, members) in floors.items():
            for c in members:
                ci = week.cadre_index[c]
                member_floor[ci], member_post[ci] = alpha, week.post_index[p]
        away = (member_post[arc_c] >= 0) & (member_post[arc_c] != arc_p)
        self.pair_cost = self.pair_cost - np.where(away, member_floor[arc_c], 0)
        if len(charged):
            # cadres short of a full week: charged where they take a seat, or a bypass to
            # the sink as one cadre beyond the seats
            self.pair_cost = self.pair_cost + w * delta // half
            self.arc_c = np.concatenate([self.arc_c, arc_c[charged]])
            self.arc_p = np.concatenate([self.arc_p, arc_p[charged]])
            self.km = np.concatenate([self.km, km[charged]])
            self.km_int = np.concatenate([self.km_int, self.km_int[charged]])
            self.forced = np.concatenate([self.forced, self.forced[charged]])
            bypass = self.pair_cost[charged] - w * delta[charged] // half[charged]
            self.pair_cost = np.concatenate([self.pair_cost, bypass + s.weight_reserve])
            self.pair_head = np.concatenate([self.pair_head, np.full(len(charged), self.sink)])
        if exact:
            # a night-capable cadre at a post with nights may also serve its days only
            # (others do the nights): a second arc, without the night cost, to the day side
            dup = np.nonzero(est > 0)[0]
            self.arc_c = np.concatenate([self.arc_c, self.arc_c[dup]])
            self.arc_p = np.concatenate([self.arc_p, self.arc_p[dup]])
            self.km = np.concatenate([self.km, self.km[dup]])
            self.km_int = np.concatenate([self.km_int, self.km_int[dup]])
            self.forced = np.concatenate([self.forced, self.forced[dup]])
            self.pair_cost = np.concatenate([self.pair_cost, self.pair_cost[dup] - est[dup]])
            day_side = n_c + 4 * self.arc_p[dup] + 3
            self.pair_head = np.concatenate([self.pair_head, day_side])

        tails, heads, caps, costs = [], [], [], []
        constant = 0

        def arc(t: int, h: int, cap: int, cost: int) -> None:
            tails.append(t)
            heads.append(h)
            caps.append(cap)
            costs.append(cost)

        for i, p in enumerate(week.post_ids):
            base = n_c + 4 * i
            total, nights = week.demand_total.get(p, 0), week.demand_night.get(p, 0)
            if total == 0:
                continue
            share = 2 if nights else 1  # ½a + ½b on posts with nights
            b = int(beta[i])
            if b:
                constant += b
                if exact:
                    for tail, head in ((base, base + (1 if nights else 3)), (base + 2, base + 3)):
                        arc(tail, head, 1, -b)
                        arc(tail, head, BIG, 0)
                else:
                    arc(base + 0, base + 2, 1, -b)
                    arc(base + 0, base + 2, BIG, 0)
                    if nights:
                        arc(base + 2, base + 1, BIG, 0)
                    arc(base + 2, base + 3, BIG, 0)
            seats = [w * g // share for g in seat_gains(week, p)] + more.get(p, [])
            lam_p = lam.get(p, 0)
            if lam_p:
                # the Lagrangian price of the nights (`night_credit`): λ per night to be done
                # here, paid back by the unmet nights' weight on the night seats
                constant += lam_p * lagrange_nights(week, p)
            pool = base + 1
            if credit_lam.get(p, 0) and nights:
                # exact flow: what a share of nights is worth at the post's price, credited
                # to as many night-capable cadres as there are shares (`night_estimate`
                # charges each one what their own share costs them)
                pool = self.sink + 1 + i
                n_hat = expected_nights(week, p)
                for _ in range(-(-lagrange_nights(week, p) // max(1, n_hat))):
                    arc(base + 1, pool, 1, -credit_lam[p] * n_hat)
                arc(base + 1, pool, BIG, 0)
            for gains, tail, head, extra_cost in (
                ([w * g // share - lam_p * g for g in night_gains(week, p)], pool, base + 3, 0),
                (seats, base + 3, self.sink, s.weight_reserve),
            ):
                for gain in gains:
                    arc(tail, head, 1, -gain)
                    constant += gain
                if head != self.sink and p in night_price:
                    # fewer night-capable cadres: each beyond the night seats pays what
                    # the post's night fairness cost (a heuristic: exact flow only)
                    arc(tail, head, BIG, night_price[p])
                    continue
                if head == self.sink and p in floors:
                    # a team floor: paid unless a member leaves or a cadre joins the team
                    alpha = floors[p][0]
                    constant += alpha
                    arc(tail, head, 1, extra_cost - alpha)
                arc(tail, head, BIG, extra_cost)
        if exact:
            for head, cost in turnover_gates(
                week, self.arc_c, self.arc_p, self.pair_head, self.sink
            ):
                for t, h, cap, k in cost:
                    arc(t, h, cap, k)
                self.pair_head = head
        self.post_arcs = (np.array(tails), np.array(heads), np.array(caps), np.array(costs))
        self.constant = constant

        # cadres: supply one unit each if they can work, idle arc unless locks deploy them
        self.supplies = np.zeros(self.sink + 1, dtype=np.int64)  # extra nodes: supply 0
        idle_t, idle_c = [], []
        for ci, c in enumerate(week.cadre_ids):
            if week.cap.get(c, 0) <= 0 and lock_to[ci] < 0:
                continue
            self.supplies[ci] = 1
            if lock_to[ci] < 0:
                idle_t.append(ci)
                extra = (leave_price or {}).get(week.prev_post.get(c, -1), 0) if exact else 0
                idle_c.append(soft.idle_cost(week, c) + extra - int(member_floor[ci]))
        self.supplies[self.sink] = -int(self.supplies[: self.sink].sum())
        self.idle = (np.array(idle_t, dtype=np.int64), np.array(idle_c, dtype=np.int64))
        self.prefer = None
        if exact and prefer:
            want = np.array([week.post_index.get(prefer.get(c, -1), -1) for c in week.cadre_ids])
            self.prefer = (want[self.arc_c] == self.arc_p).astype(np.int64)

    def solve(self, threshold: int | None = None) -> FlowResult:
        """Optimal deployment using only pairs of at most `threshold` km (all if None)."""
        began = time.perf_counter()
        smcf = min_cost_flow.SimpleMinCostFlow()
        caps = np.ones(len(self.arc_c), dtype=np.int64)
        if threshold is not None:
            caps = np.where((self.km_int <= threshold) | self.forced, 1, 0)
        # ties broken towards `prefer` (exact flow): costs × TIE, one less on preferred pairs
        scale = TIE if self.prefer is not None else 1
        pair_cost = self.pair_cost * scale
        if self.prefer is not None:
            pair_cost = pair_cost - self.prefer
        pair_arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            self.arc_c.astype(np.int64), self.pair_head.astype(np.int64), caps, pair_cost
        )
        t, h, c, k = self.post_arcs
        seat_arcs = None
        if len(t):
            seat_arcs = smcf.add_arcs_with_capacity_and_unit_cost(t, h, c, k * scale)
        it, ic = self.idle
        if len(it):
            smcf.add_arcs_with_capacity_and_unit_cost(
                it, np.full(len(it), self.sink), np.ones(len(it), dtype=np.int64), ic * scale
            )
        smcf.set_nodes_supplies(np.arange(self.sink + 1), self.supplies)
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise RuntimeError(f"deployment flow failed: status {status}")
        flows = smcf.flows(pair_arcs)
        used = np.nonzero(flows)[0]
        deployment = {
            self.week.cadre_ids[int(self.arc_c[a])]: self.week.post_ids[int(self.arc_p[a])]
            for a in used
        }
        max_km = int(self.km_int[used].max()) if len(used) else 0
        unfilled = 0
        if seat_arcs is not None:
            seat = (k < 0) & (h == self.sink)
            unfilled = int((c[seat] - smcf.flows(seat_arcs[seat])).sum())
        cost = -(-int(smcf.optimal_cost()) // scale)  # exact when scale is 1
        self.solve_s = max(self.solve_s, time.perf_counter() - began)
        return FlowResult(cost + self.constant, deployment, max_km, unfilled)


@dataclass
class DeploymentBound:
    bound: int  # lower bound of the whole objective (see module doc)
    best: FlowResult  # the flow solution of least F(T) + w·T seen
    best_value: int
    evaluations: int
    seconds: float
    proven: bool = True  # False: no flow fitted in the time (bound 0, `best` empty)


def bound_with_longest_commute(
    flow: DeploymentFlow,
    *,
    deadline: float,
    rel_tol: float = 0.001,
    control=None,
    hard: float = math.inf,
) -> DeploymentBound:
    """Bisect the km threshold T for the least F(T) + w·T and a bound on it: steps start
    until `deadline`, each only if it fits before `hard` (its flow's solve time so far)."""
    start = time.perf_counter()
    w = flow.week.settings.weight_commute_max
    solve_guess = flow_seconds(flow.week) / 2  # a solve alone, before one is timed
    if not fits(flow.week, hard, solve_guess):
        # no flow fits before the deadline: nothing is proven beyond an objective ≥ 0
        none = FlowResult(0, {}, 0, 0)
        return DeploymentBound(0, none, 0, 0, time.perf_counter() - start, proven=False)
    top = flow.solve()
    f: dict[int, int] = {top.max_km: top.cost}
    results = {top.max_km: top}
    evaluations = 1
    if w == 0 or top.max_km == 0:
        return DeploymentBound(top.cost, top, top.cost, 1, time.perf_counter() - start)
    if not fits(flow.week, hard, flow.solve_s):
        return DeploymentBound(
            top.cost, top, top.cost + w * top.max_km, 1, time.perf_counter() - start
        )
    f[0] = flow.solve(0).cost
    evaluations += 1

    def interval_bounds() -> list[tuple[int, int, int]]:
        # longest commutes are whole km: a roster whose longest is in (a, b] costs at least
        # F(b) + w·(a + 1)
        points = sorted(f)
        return [(f[b] + w * (a + 1), a, b) for a, b in zip(points, points[1:], strict=False)]

    while (
        time.perf_counter() < deadline
        and fits(flow.week, hard, flow.solve_s)
        and not (control is not None and control.stopped)
    ):
        best_value = min(f[t] + w * t for t in f)
        candidates = [iv for iv in interval_bounds() if iv[2] - iv[1] > 1]
        lb = min(min(iv[0] for iv in interval_bounds()), f[0])
        if not candidates or best_value - lb <= rel_tol * max(1, abs(best_value)):
            break
        value, a, b = min(candidates)
        if value >= best_value:
            break
        mid = (a + b) // 2
        res = flow.solve(mid)
        evaluations += 1
        f[mid] = res.cost
        results[mid] = res
    best_t = min((t for t in results), key=lambda t: results[t].cost + w * results[t].max_km)
    best = results[best_t]
    best_value = best.cost + w * best.max_km
    lb = min(min(iv[0] for iv in interval_bounds()), f[0])
    return DeploymentBound(lb, best, best_value, evaluations, time.perf_counter() - start)
