"""The last resort: the affected posts' shifts from the first day away on are solved again
(the per-post CP-SAT model, plus a cost per changed cell), everything else fixed."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from roster.i18n import N_
from roster.i18n.said import Day, Said
from roster.relief.compose import make_option
from roster.relief.options import Change, ReliefOption
from roster.relief.verdict import offered_breaches
from roster.relief.week_index import Request, WeekIndex

RESOLVE_EXTRA_CADRES = 6  # spare cadres nearby offered to the re-solve of a post
RESOLVE_TIME_LIMIT = 1.0
CHANGE_WEIGHT = 50  # re-solve: cost of each changed cell (below unmet, above fairness)


def resolve_locally(week: WeekIndex, req: Request) -> ReliefOption | None:
    """Solve again the shifts, from the first day of the absence on, of each post that has
    freed shifts, with its cadres and a few spare ones nearby; everything else fixed."""
    from ortools.sat.python import cp_model

    from roster.solver.prepare import prepare_week
    from roster.solver.schedule import build

    district = req.district
    x = req.cadre_id
    posts = sorted({f.a.post_id for f in req.todo})
    used: set[int] = set()
    model_cadres: dict[int, list[int]] = {}
    for p in posts:
        own = [c for c in week.at_post.get(p, []) if c != x]
        spare = []
        for c, _km in week.reach(p):
            if len(spare) >= RESOLVE_EXTRA_CADRES:
                break
            cadre = district.cadres[c]
            if c == x or c in used or c in own or cadre.status != "active":
                continue
            if len(week.by_cadre.get(c, {})) < 7 - week.settings.min_rest_days:
                spare.append(c)
        model_cadres[p] = own + spare
        used |= set(own) | set(spare)
    free = {
        (a.date, a.cadre_id, a.post_id, a.shift_code)
        for p in posts
        for c in model_cadres[p]
        for a in week.by_cadre.get(c, {}).values()
        if a.post_id == p and a.date >= req.start and not a.locked
    }
    freed_keys = {(f.a.date, x, f.a.post_id, f.a.shift_code) for f in req.freed}
    locks = [
        replace(a, locked=True)
        for a in week.assignments
        if (a.date, a.cadre_id, a.post_id, a.shift_code) not in free | freed_keys
    ]
    history = [a for by in (week.history_of, week.after_of) for items in by.values() for a in items]
    wk = prepare_week(district, week.monday, history, locks)
    day_of = {d: i for i, d in enumerate(wk.days)}
    changes: list[Change] = []
    for p in posts:
        pm = build(wk, p, model_cadres[p])
        current = {(day_of[d], c, s) for d, c, pp, s in free if pp == p}
        objective = [w * v for terms in pm.penalties.values() for v, w in terms]
        moved = []
        for (c, d, s), var in pm.x.items():
            moved.append(1 - var if (d, c, s) in current else var)
            pm.model.add_hint(var, 1 if (d, c, s) in current else 0)
        pm.model.minimize(sum(objective) + CHANGE_WEIGHT * sum(moved))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = RESOLVE_TIME_LIMIT
        status = solver.solve(pm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        chosen = {(d, c, s) for (c, d, s), var in pm.x.items() if solver.boolean_value(var)}
        for d, c, s in sorted(chosen - current):
            changes.append(Change("add", c, wk.days[d], p, s))
        for d, c, s in sorted(current - chosen):
            a = week.by_cadre[c][wk.days[d]]
            changes.append(Change("remove", c, a.date, p, s, a.source))
    cover: Counter = Counter()
    for ch in changes:
        cover[ch.post_id, ch.date, ch.shift_code] += 1 if ch.action == "add" else -1
    covered = {f.index for f in req.todo if cover[f.a.post_id, f.a.date, f.a.shift_code] >= 1}
    if not covered:
        return None
    people = sorted({ch.cadre_id for ch in changes}, key=lambda c: district.cadres[c].code)
    names = "、".join(district.cadres[c].name for c in people)
    where = "、".join(district.posts[p].name for p in posts)
    left = len(req.todo) - len(covered)
    values = dict(
        posts=where, day=Day(req.start, req.start.strftime("%a %m-%d")), n=len(people),
        names=names, left=left,
    )  # fmt: skip
    summary = Said(
        N_("re-solve {posts} from {day} on: {n} people's shifts change ({names}); {left} "
           "shift(s) stay uncovered")
        if left
        else N_("re-solve {posts} from {day} on: {n} people's shifts change ({names})"),
        **values,
    )  # fmt: skip
    option = make_option(week, req, [], kind="resolve", changes=changes, covered=covered,
                     summary=summary)  # fmt: skip
    if offered_breaches(week, req, option):
        return None
    return option
