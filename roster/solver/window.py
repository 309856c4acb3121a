"""Figures of the rotation over weeks: fairness in the window, who changed post and why.

Plain Python over a prepared `Week` and a finished roster; the solve and the plan report
them (`SolveResult.fairness`, `.post_changes`, `.changes`), nothing here decides anything.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from roster.domain import Assignment
from roster.i18n import N_
from roster.solver import soft
from roster.solver.prepare import Week

# the causes `post_changes` and `changes` count by (their keys, shown as people read them)
CAUSES = (N_("rotation"), N_("absence"), N_("coverage"), N_("demand"), N_("trade-off"))


def gini(values: list[int]) -> float:
    """The Gini coefficient of non-negative counts (zeros included); 0 when all are 0."""
    n, total = len(values), sum(values)
    if not n or not total:
        return 0.0
    cum = sum((i + 1) * v for i, v in enumerate(sorted(values)))
    return 2 * cum / (n * total) - (n + 1) / n


def shares(values: list[int]) -> dict:
    """none, most, the top 10 %'s share and the Gini of per-cadre counts."""
    vals = sorted(values, reverse=True)
    total = sum(vals)
    top = vals[: max(1, len(vals) // 10)]
    return {
        "cadres": len(vals),
        "total": total,
        "none": sum(1 for v in vals if v == 0),
        "max": vals[0] if vals else 0,
        "top10_share": round(sum(top) / total, 3) if total else 0.0,
        "gini": round(gini(vals), 3),
    }


def night_reach(week: Week) -> list[int]:
    """Active night-capable cadres who live within commute of a post with nights."""
    district = week.district
    night_posts = [i for i, p in enumerate(week.post_ids) if week.demand_night.get(p, 0)]
    if not night_posts:
        return []
    limit = np.array([district.cadres[c].max_commute_km for c in week.cadre_ids])
    near = (week.km[:, night_posts] <= limit[:, None] + 1e-6).any(axis=1)
    return [
        c
        for i, c in enumerate(week.cadre_ids)
        if near[i] and district.cadres[c].night_ok and district.cadres[c].status == "active"
    ]


def fairness_figures(week: Week, assignments: list[Assignment]) -> dict:
    """The window (`fairness_weeks` weeks: history and this week): nights among the cadres
    who could do them, weekend duties among all active cadres."""
    nights: Counter = Counter()
    weekends: Counter = Counter()
    for a in assignments:
        if a.shift_code in week.night_codes:
            nights[a.cadre_id] += 1
        if a.date.isoweekday() >= 6:
            weekends[a.cadre_id] += 1
    active = [c for c in week.cadre_ids if week.district.cadres[c].status == "active"]
    reach = night_reach(week)
    return {
        "weeks": week.settings.fairness_weeks,
        "nights": shares([week.hist_nights.get(c, 0) + nights[c] for c in reach]),
        "weekends": shares([week.hist_weekends.get(c, 0) + weekends[c] for c in active]),
    }


def turnover_excess(week: Week, deployment: dict[int, int]) -> dict[int, int]:
    """Posts whose last-week team loses more available cadres than `max_team_turnover`
    allows, with how many too many."""
    team: dict[int, list[int]] = defaultdict(list)
    for c, p in week.prev_post.items():
        team[p].append(c)
    out = {}
    for p, members in team.items():
        leaving = sum(1 for c in members if week.cap.get(c, 0) > 0 and deployment.get(c) != p)
        allowed = soft.allowed_leavers(week.settings.max_team_turnover, len(members))
        if leaving > allowed:
            out[p] = leaving - allowed
    return out


def post_changes(week: Week, assignments: list[Assignment]) -> dict:
    """Cadres serving a post both weeks whose post changed since last week, by cause:
    absence (theirs, or of a last-week member of the post they went to), coverage (their
    last post needs fewer cadres than its team, or the one they went to more than its
    available team), rotation (a planned move: the rest)."""
    deployment = soft.deployment_of(week, assignments)
    team: dict[int, list[int]] = defaultdict(list)
    for c, p in week.prev_post.items():
        team[p].append(c)

    def free(c: int) -> bool:
        return all(week.allowed.get(c, ())) and week.cap.get(c, 0) > 0

    out = {"total": 0, "rotation": 0, "absence": 0, "coverage": 0}
    for c, p in deployment.items():
        q = week.prev_post.get(c)
        if q is None or q == p:
            continue
        out["total"] += 1
        if not free(c) or any(not free(m) for m in team.get(p, ())):
            out["absence"] += 1
        elif week.seats(q) < len(team[q]) or week.seats(p) > sum(1 for m in team[p] if free(m)):
            out["coverage"] += 1
        else:
            out["rotation"] += 1
    return out


def changes(week: Week, assignments: list[Assignment]) -> dict:
    """Against the roster the week had before this solve: duties not kept and cadres at
    another post, and why a duty went: its cadre may no longer work that day (absence),
    its post no longer needs that shift (demand), or the solve found it worth changing
    (trade-off: locks, history, the rules)."""
    if not week.current:
        return {}
    kept = {(a.cadre_id, a.post_id, (a.date - week.monday).days, a.shift_code) for a in assignments}
    deployment = soft.deployment_of(week, assignments)
    why = {"absence": 0, "demand": 0, "trade-off": 0}
    total = changed = 0
    for c, duties in week.current.items():
        for p, d, s in duties:
            total += 1
            if (c, p, d, s) in kept:
                continue
            changed += 1
            if s not in week.allowed.get(c, [frozenset()] * 7)[d]:
                why["absence"] += 1
            elif not week.req.get(p, [{}] * 7)[d].get(s, 0):
                why["demand"] += 1
            else:
                why["trade-off"] += 1
    moved = sum(1 for c, p in week.current_post.items() if deployment.get(c) != p)
    return {"duties": total, "duties_changed": changed, "cadres_changed_post": moved, "why": why}
