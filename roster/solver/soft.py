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
- fairness_nights: district-wide, over the window of `fairness_weeks` weeks: a cadre with h
  nights in the window before this week who does x more pays w·x·(2h + x) (that is
  w·((h + x)² − h²): the sum of squares of window night counts, less what history already
  fixed). Each further night costs more the more nights its cadre has had, so nights go to
  whoever had fewest, wherever they serve; deployment decides who that can be.
- fairness_weekends: at each post, the cumulative count (past weeks plus this week) of
  Saturday/Sunday shifts of the cadres there who are free all week: each unit by which
  the most loaded exceeds the least loaded by more than one (the best whole numbers allow).
- rotation: `weight_rotation` per breach of a rotation rule: a cadre moved (while
  available) before `min_stint_weeks` weeks at their post; a cadre doing a night-heavy
  week (NIGHT_HEAVY nights or more) after `max_night_weeks` night-heavy weeks in a row;
  and `weight_turnover` for each cadre beyond `max_team_turnover` of a post's last-week
  team who leaves it while available (at least one may always leave).
- stability: a re-solve of a week that has a roster pays `weight_stability` (draft) or
  `weight_stability_published` per duty of that roster it does not keep.
- week_end: each cadre who works the last `max_consecutive_days` days of the week (their
  run reaches the limit on Sunday, so next Monday is lost to whatever post they serve
  then): teams that change from week to week need Monday hands.
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
from roster.i18n import N_
from roster.solver import wishes
from roster.solver.hard import work_literal
from roster.solver.prepare import NIGHT_HEAVY, Week

# the soft rules' names as people see them (the codes stay English in --json and stats)
RULE_NAMES = (
    N_("unmet"), N_("continuity"), N_("commute"), N_("commute_max"), N_("fairness_nights"),
    N_("fairness_weekends"), N_("rotation"), N_("stability"), N_("week_end"), N_("party_post"),
    N_("party_group"), N_("unit_spread"), N_("reserve"), N_("wish_avoid"), N_("wish_prefer"),
)  # fmt: skip

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
    "rotation",
    "stability",
    "week_end",
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


def moving_cost(week: Week) -> np.ndarray:
    """Per cadre index, what deploying the cadre away from a post costs exactly, by rule:
    rotation (a stint cut short) away from last week's post, stability (every duty of the
    current roster there) away from the current roster's post."""
    s = week.settings
    stint = np.zeros(len(week.cadre_ids), dtype=np.int64)
    stable = np.zeros(len(week.cadre_ids), dtype=np.int64)
    for c in week.prev_post:
        if c in week.cadre_index and short_stint(week, c):
            stint[week.cadre_index[c]] = s.weight_rotation
    for c, p in week.current_post.items():
        if c in week.cadre_index:
            n = sum(1 for q, _, _ in week.current.get(c, ()) if q == p)
            stable[week.cadre_index[c]] = week.stability_weight * n
    return stint, stable


def short_stint(week: Week, cadre_id: int) -> bool:
    """rotation: moving this cadre now (available, at their post fewer than
    `min_stint_weeks` weeks) is a planned move before the stint is over."""
    return (
        cadre_id in week.prev_post
        and week.cap.get(cadre_id, 0) > 0
        and week.stint.get(cadre_id, 0) < week.settings.min_stint_weeks
    )


def arc_costs(week: Week, arc_c: np.ndarray, arc_p: np.ndarray, km: np.ndarray) -> np.ndarray:
    """The linear deployment cost of each pair: commute + continuity + unit_spread, and
    the stint and stability costs of moving away (exact per pair)."""
    stint, stable = moving_cost(week)
    prev = np.array([week.prev_post.get(c, -1) for c in week.cadre_ids])[arc_c]
    cur = np.array([week.current_post.get(c, -1) for c in week.cadre_ids])[arc_c]
    posts = np.array(week.post_ids)[arc_p]
    return (
        commute_cost(week, km)
        + continuity_cost(week, arc_c, arc_p)
        + unit_spread_cost(week, arc_c, arc_p)
        + np.where((prev >= 0) & (prev != posts), stint[arc_c], 0)
        + np.where((cur >= 0) & (cur != posts), stable[arc_c], 0)
    )


def idle_cost(week: Week, cadre_id: int) -> int:
    """What leaving a cadre undeployed costs exactly: continuity, a stint cut short, the
    current roster's duties."""
    stint, stable = week.cache.get("moving") or week.cache.setdefault("moving", moving_cost(week))
    ci = week.cadre_index[cadre_id]
    return continuity_idle_cost(week, cadre_id) + int(stint[ci]) + int(stable[ci])


def night_share(week: Week, cadre_id: int, nights: int) -> int:
    """fairness_nights of one cadre doing `nights` this week (module doc)."""
    h = week.hist_nights.get(cadre_id, 0)
    return week.settings.weight_night_share * nights * (2 * h + nights)


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
    post_idx = np.nonzero(np.bincount(week.arc_p[mask], minlength=len(week.post_ids)))[0]
    posts = {week.post_ids[i] for i in post_idx.tolist()}
    # distinct (cadre, group) pairs as one integer key each (1-d unique: sorts integers)
    group_ids, group_at = np.unique(groups, return_inverse=True)
    n_groups = max(1, len(group_ids))
    keys = np.unique(week.arc_c[mask].astype(np.int64) * n_groups + group_at[week.arc_p[mask]])
    per_group = np.bincount(keys % n_groups, minlength=n_groups)
    reach = Counter({int(group_ids[g]): int(n) for g, n in enumerate(per_group.tolist()) if n})
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
    nights: Counter = Counter()
    for a in assignments:
        if a.source != "relief" and deployment.get(a.cadre_id) == a.post_id:
            by_post[a.post_id].append(a)
        if a.shift_code in week.night_codes:
            nights[a.cadre_id] += 1
    for c, n in nights.items():
        pen["fairness_nights"] += night_share(week, c, n)
    for p, cs in at_post.items():
        _, weekends = post_fairness(week, cs, by_post.get(p, []))
        pen["fairness_weekends"] += weekends
    pen.update(wishes.roster_penalties(week, assignments, deployment))
    breaches = rotation_breaches(week, deployment, nights)
    pen["rotation"] = (breaches["stint"] + breaches["night_weeks"]) * s.weight_rotation
    pen["rotation"] += breaches["turnover"] * s.weight_turnover
    pen["week_end"] = s.weight_week_end * sum(
        1 for c in worked_days(assignments).values() if week_end_run(week, c)
    )
    if week.current:
        kept = {
            (a.cadre_id, a.post_id, (a.date - week.monday).days, a.shift_code) for a in assignments
        }
        pen["stability"] = week.stability_weight * sum(
            1
            for c, duties in week.current.items()
            for p, d, sh in duties
            if (c, p, d, sh) not in kept
        )
    return pen


def worked_days(assignments: list[Assignment]) -> dict[int, set[int]]:
    days: dict[int, set[int]] = defaultdict(set)
    for a in assignments:
        days[a.cadre_id].add(a.date.weekday())
    return days


def week_end_run(week: Week, days: set[int]) -> bool:
    """week_end: the run ending on Sunday reaches `max_consecutive_days`."""
    limit = max(1, week.settings.max_consecutive_days)
    return limit <= 7 and all(d in days for d in range(7 - limit, 7))


def rotation_breaches(week: Week, deployment: dict[int, int], nights: Counter) -> dict[str, int]:
    """How often each rotation rule is broken (see the module doc)."""
    s = week.settings
    out = {"stint": 0, "turnover": 0, "night_weeks": 0}
    team: dict[int, list[int]] = defaultdict(list)
    for c, p in week.prev_post.items():
        team[p].append(c)
        if deployment.get(c) != p and short_stint(week, c):
            out["stint"] += 1
    for p, members in team.items():
        leaving = sum(1 for c in members if week.cap.get(c, 0) > 0 and deployment.get(c) != p)
        out["turnover"] += max(0, leaving - allowed_leavers(s.max_team_turnover, len(members)))
    for c, n in week.night_streak.items():
        if n >= s.max_night_weeks and nights.get(c, 0) >= NIGHT_HEAVY:
            out["night_weeks"] += 1
    return out


def allowed_leavers(share: float, team: int) -> int:
    """Cadres of a team of `team` that may leave it in one week (at least one)."""
    return max(1, int(share * team + 1e-9))


def post_fairness(week: Week, cadres: list[int], shifts: list[Assignment]) -> tuple[int, int]:
    """(0, fairness_weekends) of one post, given its cadres and shifts: nights are shared
    district-wide (`night_share`), so no post compares its own cadres' nights."""
    weekends: Counter = Counter()
    for a in shifts:
        if a.date.isoweekday() >= 6:
            weekends[a.cadre_id] += 1
    free = [c for c in cadres if fairness_member(week, c)]
    w = week.settings.weight_fairness
    return (
        0,
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


def night_count(pm, c: int):
    """A cadre's nights this week in a post's model (fixed ones included)."""
    week = pm.week
    free = [v for (cc, _, s), v in pm.x.items() if cc == c and s in week.night_codes]
    fixed = sum(1 for d in range(pm.n_days) for s in pm.fixed_codes(c, d) if s in week.night_codes)
    return free, fixed


def fairness_nights(pm) -> list[tuple[object, int]]:
    """fairness_nights: w·x·(2h + x) for a cadre with h nights in the window doing x now."""
    week = pm.week
    terms: list[tuple[object, int]] = []
    w = week.settings.weight_night_share
    for c in pm.cadres:
        free, fixed = night_count(pm, c)
        if not free:
            continue
        h = week.hist_nights.get(c, 0)
        n = pm.model.new_int_var(0, len(free) + fixed, f"nights_{c}")
        pm.model.add(n == sum(free) + fixed)
        top = len(free) + fixed
        sq = pm.model.new_int_var(0, top * top, f"nights_sq_{c}")
        for k in range(top):
            # x² ≥ (2k + 1)·x − k(k + 1) on whole numbers, equal at k and k + 1: linear
            # cuts whose maximum is x² (the model minimises sq)
            pm.model.add(sq >= (2 * k + 1) * n - k * (k + 1))
        terms += [(sq, w), (n, 2 * h * w)]
    return terms


def rotation(pm) -> list[tuple[object, int]]:
    """rotation in a post's model: a night-heavy week after `max_night_weeks` of them."""
    week = pm.week
    terms: list[tuple[object, int]] = []
    for c in pm.cadres:
        if week.night_streak.get(c, 0) < week.settings.max_night_weeks:
            continue
        free, fixed = night_count(pm, c)
        if len(free) + fixed < NIGHT_HEAVY:
            continue
        heavy = pm.model.new_bool_var(f"heavy_{c}")
        pm.model.add(sum(free) + fixed <= NIGHT_HEAVY - 1 + 7 * heavy)
        terms.append((heavy, week.settings.weight_rotation))
    return terms


def stability(pm) -> list[tuple[object, int]]:
    """stability in a post's model: each current duty here that is not kept."""
    week = pm.week
    terms: list[tuple[object, int]] = []
    if not week.stability_weight:
        return terms
    for c in pm.cadres:
        for p, d, s in week.current.get(c, ()):
            if p == pm.post_id:
                term = pm.term(c, d, s)
                if not isinstance(term, int):
                    terms.append((1 - term, week.stability_weight))
    return terms


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


def week_end(pm) -> list[tuple[object, int]]:
    """week_end in a post's model: a cadre working each of the week's last
    `max_consecutive_days` days."""
    week = pm.week
    limit = max(1, week.settings.max_consecutive_days)
    if limit > pm.n_days or not week.settings.weight_week_end:
        return []
    terms: list[tuple[object, int]] = []
    for c in pm.cadres:
        lits = [work_literal(pm, c, d) for d in range(pm.n_days - limit, pm.n_days)]
        if any(isinstance(x, int) and x == 0 for x in lits):
            continue
        free = [x for x in lits if not isinstance(x, int)]
        run = pm.model.new_bool_var(f"week_end_{c}")
        pm.model.add(run >= sum(free) - (len(free) - 1))
        terms.append((run, week.settings.weight_week_end))
    return terms


SCHEDULE_RULES = (unmet, fairness_nights, fairness_weekends, rotation, stability, week_end)


# --- penalty terms of longer horizons (the Curtois & Qu benchmark, `curtois.py`) ---------
