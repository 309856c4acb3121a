"""What an option costs, term by term in the weights of the district's settings: commute,
workload, continuity, the spread of nights and weekends at a post, a post left without a
party member, shifts left uncovered."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from roster.i18n import N_
from roster.i18n.said import Said, ngettext
from roster.relief.options import Change, Effect, PersonEffect
from roster.relief.week_index import Move, Request, WeekIndex
from roster.solver.soft import NIGHT_TOLERANCE, WEEKEND_TOLERANCE, spread_excess


def quick_cost(week: WeekIndex, m: Move) -> int:
    """The cost terms of one person's part that need nothing but their own changes."""
    s = week.settings
    c = m.cadre_id
    sign = {"add": 1, "remove": -1}
    mine = [ch for ch in m.changes if ch.cadre_id == c]
    shifts = sum(sign[ch.action] for ch in mine)
    km = sum(sign[ch.action] * week.km(c, ch.post_id) for ch in mine)
    cost = s.weight_fairness * max(0, shifts) + s.weight_commute * int(round(km))
    own = {week.deployment.get(c), week.prev_post.get(c)}
    if any(ch.action == "add" and ch.post_id not in own for ch in mine):
        cost += s.weight_continuity
    return cost


def evaluate(
    week: WeekIndex,
    req: Request,
    moves: Sequence[Move],
    changes: Sequence[Change] | None = None,
    covered: set[int] | None = None,
):
    """(cost, terms, worsened effects, person effects) of the moves (or of `changes`
    covering `covered`) on top of the freed roster (the absent cadre's shifts removed)."""
    s = week.settings
    district = week.district
    x = req.cadre_id
    if changes is None:
        changes = [ch for m in moves for ch in m.changes]
    if covered is None:
        covered = {i for m in moves for i in m.covers}
    uncovered = [f for f in req.todo if f.index not in covered]
    delta: dict[int, list[Change]] = defaultdict(list)
    for ch in changes:
        delta[ch.cadre_id].append(ch)
    terms: Counter = Counter()
    worsened: list[Effect] = []
    people = []

    def worse(rule: str, cost: int, detail: Said) -> None:
        terms[rule] += cost
        if cost > 0:
            worsened.append(Effect(rule, cost, detail))

    names = {c: district.cadres[c].name for c in [*delta, x]}
    sign = {"add": 1, "remove": -1}
    for c, chs in [*delta.items(), *([] if x in delta else [(x, [])])]:
        dn = sum(sign[ch.action] * (ch.shift_code in week.night_codes) for ch in chs)
        dw = sum(sign[ch.action] * (ch.date.isoweekday() >= 6) for ch in chs)
        dk = sum(sign[ch.action] * week.km(c, ch.post_id) for ch in chs)
        ds = sum(sign[ch.action] for ch in chs)
        before = len(week.by_cadre.get(c, {}))
        after = before + ds - (len(req.freed) if c == x else 0)
        people.append(PersonEffect(c, before, after, dn, dw, dk))
        if c == x:
            continue
        if ds > 0:
            shifts = ngettext(
                "{cadre} works {after} shift instead of {before}",
                "{cadre} works {after} shifts instead of {before}",
                before + ds, cadre=names[c], after=before + ds, before=before,
            )  # fmt: skip
            worse("workload", s.weight_fairness * ds, shifts)
        if int(round(dk)):
            worse(
                "commute", s.weight_commute * int(round(dk)),
                Said(N_("{cadre} travels {km:.1f} km more"), cadre=names[c], km=dk),
            )  # fmt: skip
        own = {week.deployment.get(c), week.prev_post.get(c)}
        away = sorted({ch.post_id for ch in chs if ch.action == "add"} - own)
        if away:
            where = "、".join(district.posts[p].name for p in away)
            worse(
                "continuity",
                s.weight_continuity,
                Said(
                    N_("{cadre} serves at {posts}, not their own post"), cadre=names[c], posts=where
                ),  # fmt: skip
            )
    # fairness at the posts whose people changed
    posts = {f.a.post_id for f in req.freed} | {
        week.deployment[c] for c in delta if c in week.deployment
    }
    dn = {p.cadre_id: p.nights_delta for p in people}
    dw = {p.cadre_id: p.weekends_delta for p in people}
    for p in sorted(posts):
        members = [c for c in week.at_post.get(p, []) if c != x]
        if not any(c in delta for c in members):
            continue
        ok_night = [c for c in members if district.cadres[c].night_ok]
        for rule, group, hist, cur, d, tol in (
            ("fairness_nights", ok_night, week.hist_nights, week.week_nights, dn, NIGHT_TOLERANCE),
            ("fairness_weekends", members, week.hist_weekends, week.week_weekends, dw,
             WEEKEND_TOLERANCE),
        ):  # fmt: skip
            before = spread_excess([hist[c] + cur[c] for c in group], tol)
            after = spread_excess([hist[c] + cur[c] + d.get(c, 0) for c in group], tol)
            if after != before:
                what = (
                    N_("{post}: the spread of night shifts grows by {n}")
                    if rule == "fairness_nights"
                    else N_("{post}: the spread of weekend shifts grows by {n}")
                )
                spread = Said(what, post=district.posts[p].name, n=after - before)
                worse(rule, s.weight_fairness * (after - before), spread)
    # party member on duty at the post that day
    for f in req.freed:
        a = f.a
        if not district.cadres[x].party_member:
            continue
        here = (a.post_id, a.date)
        left = {
            ch.cadre_id for ch in changes if ch.action == "remove" and (ch.post_id, ch.date) == here
        }
        on = [c for c in week.on_post_day.get(here, ()) if c != x and c not in left]
        on += [
            ch.cadre_id for ch in changes if ch.action == "add" and (ch.post_id, ch.date) == here
        ]
        if not any(district.cadres[c].party_member for c in on):
            where = district.posts[a.post_id].name
            worse(
                "party_post", s.weight_party_post,
                Said(N_("no party member on duty at {post} on {day}"), post=where, day=a.date),
            )  # fmt: skip
    if uncovered:
        terms["unmet"] += s.weight_unmet * len(uncovered)
    return sum(terms.values()), dict(terms), worsened, people
