"""Soft rules, one function per rule, and the plain-Python cost of a roster.

Each rule exists in up to three forms that must agree:
- a cost on a (cadre, post) pair or a post's seats for the deployment flow (`deploy.py`),
- penalty terms (CP-SAT variables with weights) for the models of `deploy.py` and
  `schedule.py`,
- its exact cost on a finished roster, computed here by `roster_penalties`: that is what
  the solve reports as each rule's cost and what the objective is the sum of.

Rules and their meaning (weights are `Settings.weight_*`):
- unmet: every required shift nobody covers (coverage is a hard rule that degrades).
- continuity: each available cadre who served a post last week and is not deployed there.
- commute: road km of each deployed cadre's commute (rounded to whole km).
- commute_max: km of the longest commute of anyone deployed ("no one far worse off").
- fairness_nights / fairness_weekends: at each post, the cumulative count (past weeks plus
  this week) of night shifts, and of Saturday/Sunday shifts, of the cadres there who are
  free all week: each unit by which the most loaded exceeds the least loaded by more than
  a tolerance: one for weekends (the best whole numbers allow), two for nights (a night
  shift forbids the next morning's day shift, so nights come in blocks: a tight post may
  have to give a weekend's block to one cadre; rotation over the weeks evens it out).
- party_post: each day of demand at a post with no party member deployed there, where a
  party member could have been (one lives within commute).
- party_group: each party member a work group lacks below three (a branch needs three),
  as far as party members within reach allow.
- unit_spread: each deployed cadre outside their dispatching unit's home work group (where
  most of the unit served last week, else where most of its cadres live nearest): keeps a
  unit's people together in few groups.
- reserve: each cadre deployed to a post beyond the cadres its demand needs; what is not
  used up on over-staffing stays free for relief in that town.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from roster.domain import Assignment
from roster.solver import wishes
from roster.solver.prepare import Week

RULES = (
    "unmet",
    "continuity",
    "commute",
    "commute_max",
    "fairness_nights",
    "fairness_weekends",
    "party_post",
    "party_group",
    "unit_spread",
    "reserve",
    "wish_avoid",
    "wish_prefer",
)


# --- deployment costs on (cadre, post) pairs -------------------------------------------


def commute_cost(week: Week, km: np.ndarray) -> np.ndarray:
    """commute: weight per whole km of the home-to-post road distance."""
    return week.settings.weight_commute * np.rint(km).astype(np.int64)


def continuity_cost(week: Week, arc_c: np.ndarray, arc_p: np.ndarray) -> np.ndarray:
    """continuity: deploying a cadre anywhere but last week's post costs the weight."""
    prev = np.array([week.prev_post.get(c, -1) for c in week.cadre_ids])[arc_c]
    posts = np.array(week.post_ids)[arc_p]
    moved = (prev >= 0) & (prev != posts)
    return week.settings.weight_continuity * moved.astype(np.int64)


def continuity_idle_cost(week: Week, cadre_id: int) -> int:
    """continuity: leaving a cadre who served last week undeployed (while available)."""
    if cadre_id in week.prev_post and week.cap.get(cadre_id, 0) > 0:
        return week.settings.weight_continuity
    return 0


def unit_spread_cost(week: Week, arc_c: np.ndarray, arc_p: np.ndarray) -> np.ndarray:
    """unit_spread: deploying a cadre outside their unit's home work group."""
    district = week.district
    home = np.array(
        [week.anchor_group.get(district.cadres[c].unit_id, -1) for c in week.cadre_ids]
    )[arc_c]
    group = np.array([district.posts[p].work_group_id for p in week.post_ids])[arc_p]
    return week.settings.weight_unit_spread * (home != group).astype(np.int64)


def party_post_value(week: Week, post_id: int) -> int:
    """party_post: what a post without a party member costs (per day of demand)."""
    return week.settings.weight_party_post * week.demand_days.get(post_id, 0)


def arc_costs(week: Week, arc_c: np.ndarray, arc_p: np.ndarray, km: np.ndarray) -> np.ndarray:
    """The linear deployment cost of each pair: commute + continuity + unit_spread."""
    return (
        commute_cost(week, km)
        + continuity_cost(week, arc_c, arc_p)
        + unit_spread_cost(week, arc_c, arc_p)
    )


# --- the exact cost of a roster ---------------------------------------------------------


def deployment_of(week: Week, assignments: list[Assignment]) -> dict[int, int]:
    """Each cadre's post this week: where their non-relief shifts are (most of them)."""
    count: dict[int, Counter] = defaultdict(Counter)
    for a in assignments:
        if a.source != "relief":
            count[a.cadre_id][a.post_id] += 1
    return {c: min(n.items(), key=lambda kv: (-kv[1], kv[0]))[0] for c, n in count.items()}


def eligible_party(week: Week) -> tuple[set[int], Counter]:
    """Posts some party member can reach, and party members that can reach each group."""
    cached = week.cache.get("eligible_party")
    if cached is not None:
        return cached
    district = week.district
    party = np.array([district.cadres[c].party_member for c in week.cadre_ids], dtype=bool)
    groups = np.array([district.posts[p].work_group_id for p in week.post_ids])
    mask = party[week.arc_c]
    post_idx = np.unique(week.arc_p[mask])
    posts = {week.post_ids[i] for i in post_idx.tolist()}
    pairs = np.unique(np.stack([week.arc_c[mask], groups[week.arc_p[mask]]]), axis=1)
    reach = Counter(pairs[1].tolist()) if pairs.size else Counter()
    week.cache["eligible_party"] = (posts, reach)
    return posts, reach


def roster_penalties(
    week: Week,
    assignments: list[Assignment],
    unmet_slots: int,
) -> dict[str, int]:
    """Each soft rule's cost on a finished roster (the objective is their sum)."""
    s = week.settings
    district = week.district
    deployment = deployment_of(week, assignments)
    pen = dict.fromkeys(RULES, 0)
    pen["unmet"] = s.weight_unmet * unmet_slots

    for c in week.cadre_ids:
        prev = week.prev_post.get(c)
        if prev is not None and week.cap.get(c, 0) > 0 and deployment.get(c) != prev:
            pen["continuity"] += s.weight_continuity
    kms = [int(round(week.km_of(c, p))) for c, p in deployment.items()]
    pen["commute"] = s.weight_commute * sum(kms)
    pen["commute_max"] = s.weight_commute_max * max(kms, default=0)
    for c, p in deployment.items():
        unit = district.cadres[c].unit_id
        if week.anchor_group.get(unit, -1) != district.posts[p].work_group_id:
            pen["unit_spread"] += s.weight_unit_spread

    at_post: dict[int, list[int]] = defaultdict(list)
    for c, p in deployment.items():
        at_post[p].append(c)
    for p, cs in at_post.items():
        pen["reserve"] += s.weight_reserve * max(0, len(cs) - week.seats(p))

    party_posts, party_reach = eligible_party(week)
    for p in party_posts:
        if not any(district.cadres[c].party_member for c in at_post.get(p, [])):
            pen["party_post"] += party_post_value(week, p)
    party_in_group: Counter = Counter()
    for c, p in deployment.items():
        if district.cadres[c].party_member:
            party_in_group[district.posts[p].work_group_id] += 1
    for g, reach in party_reach.items():
        pen["party_group"] += s.weight_party_group * max(0, min(3, reach) - party_in_group[g])

    by_post: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.source != "relief" and deployment.get(a.cadre_id) == a.post_id:
            by_post[a.post_id].append(a)
    for p, cs in at_post.items():
        nights, weekends = post_fairness(week, cs, by_post.get(p, []))
        pen["fairness_nights"] += nights
        pen["fairness_weekends"] += weekends
    pen.update(wishes.roster_penalties(week, assignments, deployment))
    return pen


def post_fairness(week: Week, cadres: list[int], shifts: list[Assignment]) -> tuple[int, int]:
    """fairness_nights and fairness_weekends of one post, given its cadres and shifts."""
    district = week.district
    nights: Counter = Counter()
    weekends: Counter = Counter()
    for a in shifts:
        if a.shift_code in week.night_codes:
            nights[a.cadre_id] += 1
        if a.date.isoweekday() >= 6:
            weekends[a.cadre_id] += 1
    free = [c for c in cadres if fairness_member(week, c)]
    night_group = [c for c in free if district.cadres[c].night_ok]
    w = week.settings.weight_fairness
    return (
        w
        * spread_excess(
            [week.hist_nights.get(c, 0) + nights[c] for c in night_group], NIGHT_TOLERANCE
        ),
        w
        * spread_excess(
            [week.hist_weekends.get(c, 0) + weekends[c] for c in free], WEEKEND_TOLERANCE
        ),
    )


def fairness_member(week: Week, cadre_id: int) -> bool:
    """Fairness compares cadres free all week (no absence, no lock): others have less to give."""
    return all(week.allowed[cadre_id]) and cadre_id not in week.locks_by_cadre


NIGHT_TOLERANCE = 2
WEEKEND_TOLERANCE = 1


def spread_excess(values: list[int], tolerance: int) -> int:
    """How far the most loaded exceeds the least loaded beyond `tolerance`."""
    if len(values) < 2:
        return 0
    return max(0, max(values) - min(values) - tolerance)


# --- penalty terms of a post's shift model (`schedule.PostModel`) -----------------------


def unmet(pm) -> list[tuple[object, int]]:
    """unmet: each required shift left uncovered (the slack of rule 2)."""
    return [(v, pm.week.settings.weight_unmet) for v in pm.unmet.values()]


def _spread_terms(pm, members: list[int], counts: dict[int, object], name: str, tolerance: int):
    if len(members) < 2:
        return []
    excess = pm.model.new_int_var(0, 10_000, f"{name}_excess")
    for a in members:
        for b in members:
            if a != b:
                pm.model.add(excess >= counts[a] - counts[b] - tolerance)
    return [(excess, pm.week.settings.weight_fairness)]


def fairness_nights(pm) -> list[tuple[object, int]]:
    """fairness_nights: cumulative night shifts of the post's night-capable cadres free all
    week differ by at most NIGHT_TOLERANCE (the excess is paid)."""
    week = pm.week
    members = [
        c for c in pm.cadres if fairness_member(week, c) and week.district.cadres[c].night_ok
    ]
    counts = {
        c: week.hist_nights.get(c, 0)
        + sum(v for (cc, _, s), v in pm.x.items() if cc == c and s in week.night_codes)
        for c in members
    }
    return _spread_terms(pm, members, counts, "nights", NIGHT_TOLERANCE)


def fairness_weekends(pm) -> list[tuple[object, int]]:
    """fairness_weekends: cumulative Saturday/Sunday shifts of the post's cadres free all
    week differ by at most WEEKEND_TOLERANCE (the excess is paid)."""
    week = pm.week
    weekend = {d for d, day in enumerate(week.days) if day.isoweekday() >= 6}
    members = [c for c in pm.cadres if fairness_member(week, c)]
    counts = {
        c: week.hist_weekends.get(c, 0)
        + sum(v for (cc, d, _), v in pm.x.items() if cc == c and d in weekend)
        for c in members
    }
    return _spread_terms(pm, members, counts, "weekends", WEEKEND_TOLERANCE)


SCHEDULE_RULES = (unmet, fairness_nights, fairness_weekends)


# --- penalty terms of longer horizons (the Curtois & Qu benchmark, `curtois.py`) ---------
