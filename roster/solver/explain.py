"""Why a week cannot be fully covered, in words a coordinator can act on.

`capacity_findings` runs before any search (well under a second on the demo): per post,
the cadres within commute against the cadres its demand needs, the night-capable ones
against its nights, the cadres free on each day against that day's demand, and a global
check: a set of posts that together need more cadres than live within reach of any of
them (found from the deployment flow, which is a proof by Hall's theorem). `explain`
turns the unmet slots of a roster into one line per post with the binding reason.

The lines are English (a solve's result keeps them so, and they are stored with a roster);
`shown(line)` is a line in the language spoken, for lines this process worked out.
`records(lines)` are those lines as data (`Said.to_record`), stored beside them (a roster's
`stats["explanations_said"]`), and `shown_stored(lines, records)` says stored lines in the
language spoken in any process (lines without a record, as old rosters have, stay English).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict

import numpy as np

from roster.domain import Assignment, District
from roster.domain import week_start as monday_of
from roster.i18n import N_, WEEKDAYS_EN
from roster.i18n.said import Day, Joined, Said, from_record
from roster.solver.checker import Breach
from roster.solver.prepare import Week, prepare_week

EXPLAIN_RATE = 2e-7  # seconds per eligible pair to work out the reasons (0.15 µs measured)
_SAID: dict[str, Said] = {}  # the lines worked out here, by their English (`shown`)
_SAID_MAX = 5000


def shown(line: str) -> str:
    """An explanation line (English, as a solve returns and stores it) in the language
    spoken, when this process worked it out; otherwise as it is."""
    said = _SAID.get(line)
    return line if said is None else str(said)


def records(lines) -> list[dict | None]:
    """Each line (English) as data to store beside it, when this process worked it out
    (else None)."""
    return [None if (said := _SAID.get(line)) is None else said.to_record() for line in lines]


def shown_stored(lines, said_records=None) -> list[str]:
    """Stored explanation lines in the language spoken: by their records (`records`) where
    a record says the same English as its line, else as `shown` says them."""
    said_records = list(said_records or [])
    out = []
    for i, line in enumerate(lines):
        text = None
        record = said_records[i] if i < len(said_records) else None
        if isinstance(record, dict):
            try:
                said = from_record(record)
                if isinstance(said, Said) and said.english == line:
                    text = str(said)
            except (KeyError, IndexError, TypeError, ValueError):  # not a record of this line
                text = None
        out.append(shown(line) if text is None else text)
    return out


def _lines(said: list[Said]) -> list[str]:
    """`said` as English lines, remembered for `shown`."""
    if len(_SAID) > _SAID_MAX:
        _SAID.clear()
    out = []
    for x in said:
        line = x.english
        _SAID[line] = x
        out.append(line)
    return out


def post_label(week: Week, post_id: int) -> Said:
    p = week.district.posts[post_id]
    return Said(N_("post {name} ({code})"), name=p.name, code=p.code)


def candidates(week: Week) -> dict[int, list[int]]:
    """Cadres who could serve each post: within commute and free some day (or locked)."""
    cached = week.cache.get("candidates")
    if cached is not None:
        return cached
    out: dict[int, list[int]] = defaultdict(list)
    week.cache["candidates"] = out
    order = np.argsort(week.arc_p, kind="stable")  # each post's pairs in their order
    ids = np.asarray(week.cadre_ids)[week.arc_c[order]]
    counts = np.bincount(week.arc_p, minlength=len(week.post_ids))
    for pi, chunk in enumerate(np.split(ids, np.cumsum(counts)[:-1])):
        if len(chunk):
            out[week.post_ids[pi]] = chunk.tolist()
    for c, p in week.lock_post.items():
        if c not in out[p]:
            out[p].append(c)
    return out


def capacity_findings(week: Week, posts=None, deadline: float = math.inf) -> dict[int, list[Said]]:
    """Per post (of `posts`, default all), the capacity limits its demand runs into
    (empty when none; posts after `deadline` are left out)."""
    near = candidates(week)
    night = week.night_codes
    found: dict[int, list[Said]] = defaultdict(list)
    # who may work which shift on which day, as one array (counted per post below)
    code_at = {s: i for i, s in enumerate(week.shift_codes)}
    can = np.zeros((len(week.cadre_ids), len(week.days), len(code_at)), dtype=bool)
    for ci, c in enumerate(week.cadre_ids):
        for d, codes in enumerate(week.allowed.get(c, ())):
            for s in codes:
                if s in code_at:
                    can[ci, d, code_at[s]] = True
    night_ok = np.array([week.district.cadres[c].night_ok for c in week.cadre_ids], dtype=bool)
    for p in week.post_ids if posts is None else [p for p in week.post_ids if p in posts]:
        if time.perf_counter() > deadline:
            break
        total = week.demand_total.get(p, 0)
        if not total:
            continue
        label = post_label(week, p)
        cs = near.get(p, [])
        seats = week.seats(p)
        if len(cs) < seats:
            who = (
                Said(N_("only {n} active cadres"), n=len(cs)) if cs else Said(N_("no active cadre"))
            )
            found[p].append(
                Said(
                    N_(
                        "{post}: {total} shifts a week need {seats} cadres (at most {most} "
                        "shifts each), {who} within commute"
                    ),
                    post=label,
                    total=total,
                    seats=seats,
                    most=week.dmax,
                    who=who,
                )  # fmt: skip
            )
        nights = week.demand_night.get(p, 0)
        idx = np.array([week.cadre_index[c] for c in cs if c in week.cadre_index], dtype=int)
        n_night = int(night_ok[idx].sum())
        if nights and n_night < week.night_seats(p):
            found[p].append(
                Said(
                    N_(
                        "{post}: {nights} night shifts a week, only {n} cadres within commute "
                        "may do nights"
                    ),
                    post=label,
                    nights=nights,
                    n=n_night,
                )  # fmt: skip
            )
        for d, shifts in enumerate(week.req.get(p, [])):
            need = sum(shifts.values())
            cols = [code_at[s] for s in shifts]
            n_free = int(can[idx, d][:, cols].any(axis=1).sum())
            if need > n_free:
                found[p].append(
                    Said(
                        N_(
                            "{post} on {day}: {need} on duty needed, only {n} cadres within "
                            "commute are free that day (absences, rest after last week)"
                        ),
                        post=label,
                        day=day_name(week, d),
                        need=need,
                        n=n_free,
                    )  # fmt: skip
                )
            need_n = sum(n for s, n in shifts.items() if s in night)
            if need_n:
                cols_n = [code_at[s] for s in shifts if s in night]
                n_free_n = int(can[idx, d][:, cols_n].any(axis=1).sum())
                if need_n > n_free_n and need <= n_free:
                    found[p].append(
                        Said(
                            N_(
                                "{post} on {day}: {need} on night duty needed, only {n} "
                                "night-capable cadres within commute are free that day"
                            ),
                            post=label,
                            day=day_name(week, d),
                            need=need_n,
                            n=n_free_n,
                        )  # fmt: skip
                    )
    return found


def shortage_sets(
    week: Week, deployment: dict[int, int], deadline: float = math.inf
) -> list[tuple[set[int], int, int]]:
    """Sets of posts that need more cadres than live within reach of any of them (those
    found by `deadline`).

    From posts left with fewer cadres than seats, close over "a cadre who could serve here
    is deployed there": the closed set's posts need more cadres than its cadres number.
    """
    near = candidates(week)
    count: dict[int, int] = defaultdict(int)
    for p in deployment.values():
        count[p] += 1
    short = [p for p in week.post_ids if week.demand_total.get(p) and count[p] < week.seats(p)]
    seen: set[int] = set()
    out = []
    for start in short:
        if start in seen:
            continue
        if time.perf_counter() > deadline:
            break
        posts, cadres, todo = {start}, set(), [start]
        while todo:
            p = todo.pop()
            for c in near.get(p, []):
                if c in cadres:
                    continue
                cadres.add(c)
                q = deployment.get(c)
                if q is not None and q not in posts:
                    posts.add(q)
                    todo.append(q)
        seen |= posts
        need = sum(week.seats(p) for p in posts)
        if need > len(cadres):
            out.append((posts, need, len(cadres)))
    return out


def strongest_shortage(groups, post_id: int) -> list[tuple[set[int], int, int]]:
    """Of the `shortage_sets` holding `post_id`, the one short of most cadres (the smaller
    on a tie), as a list of at most one: the sets found from different short posts
    overlap, and a district short of cadres gives dozens of near-equal ones."""
    mine = [g for g in groups if post_id in g[0]]
    return sorted(mine, key=lambda g: (g[2] - g[1], len(g[0])))[:1]


def day_name(week: Week, d: int) -> Day:
    return Day(week.days[d], f"{WEEKDAYS_EN[d]} {week.days[d].strftime('%m-%d')}")


def capacity_report(
    district: District,
    week_start: dt.date,
    history: list[Assignment] | tuple = (),
    locks: list[Assignment] | tuple = (),
) -> list[str]:
    """Before any search: every capacity limit of the week's demand, as sentences (in the
    language spoken)."""
    week = prepare_week(district, monday_of(week_start), history, locks)
    found = capacity_findings(week)
    return [str(line) for p in week.post_ids for line in found.get(p, [])]


def explain(
    week: Week,
    deployment: dict[int, int],
    assignments: list[Assignment],
    unmet: list,
    lock_breaches: list[Breach],
    deadline: float = math.inf,
) -> list[str]:
    """Lines for lock breaches and unmet shifts, in English (`shown` says them in the
    language spoken); when their reasons would not be worked out by `deadline` (the solve's
    time limit) the unmet shifts get one line instead."""
    return _lines(_explain(week, deployment, assignments, unmet, lock_breaches, deadline))


def _explain(week, deployment, assignments, unmet, lock_breaches, deadline) -> list[Said]:
    lines: list[Said] = []
    for b in lock_breaches:
        lines.append(
            Said(
                N_("lock kept as given but it breaks rule {number}: {breach}"),
                number=b.number,
                breach=b.said,
            )  # fmt: skip
        )
    if not unmet:
        return lines
    if time.perf_counter() + EXPLAIN_RATE * len(week.arc_c) > deadline:
        posts = len({u.post_id for u in unmet})
        lines.append(
            Said(
                N_(
                    "{n} shift(s) unmet at {posts} post(s); the time limit ran out before their "
                    "reasons were worked out: solve again with a longer time limit"
                ),
                n=sum(u.missing for u in unmet),
                posts=posts,
            )  # fmt: skip
        )
        return lines
    by_post: dict[int, list] = defaultdict(list)
    for u in unmet:
        by_post[u.post_id].append(u)
    found = capacity_findings(week, set(by_post), deadline)
    groups = shortage_sets(week, deployment, deadline)
    near = candidates(week)
    worked: dict[int, int] = defaultdict(int)
    for a in assignments:
        worked[a.cadre_id] += 1
    for p, items in by_post.items():
        label = post_label(week, p)
        d_index = {day: i for i, day in enumerate(week.days)}
        slots = Joined(
            (
                Said(
                    N_("{day} {shift}{times}"), day=day_name(week, d_index[u.date]),
                    shift=u.shift_code, times=f" ×{u.missing}" if u.missing > 1 else "",
                )
                for u in items
            ),
            ", ",
            "，",
        )  # fmt: skip
        missing = sum(u.missing for u in items)
        reasons: list = list(found.get(p, []))
        for posts, need, have in strongest_shortage(groups, p):
            if p in posts:
                names = Joined(
                    (
                        f"{week.district.posts[q].name} ({week.district.posts[q].code})"
                        for q in sorted(posts, key=lambda q: week.district.posts[q].code)[:8]
                    ),
                    ", ",
                    "、",
                    "…" if len(posts) > 8 else "",
                )
                reasons.append(
                    Said(
                        N_(
                            "{n} posts ({names}) together need {need} cadres, only {have} live "
                            "within commute of any of them"
                        ),
                        n=len(posts),
                        names=names,
                        need=need,
                        have=have,
                    )  # fmt: skip
                )
        if not reasons:
            here = [c for c, q in deployment.items() if q == p]
            others = [c for c in near.get(p, []) if deployment.get(c) not in (None, p)]
            idle = [c for c in near.get(p, []) if c not in deployment]
            if here and all(worked[c] >= week.cap[c] for c in here):
                reasons.append(
                    Said(
                        N_(
                            "everyone deployed here ({here}) is already at their rest limit, and "
                            "the {others} others within commute are needed at their own posts "
                            "({idle} more are free only on other days)"
                        )
                        if idle
                        else N_(
                            "everyone deployed here ({here}) is already at their rest "
                            "limit, and the {others} others within commute are needed at "
                            "their own posts"
                        ),
                        here=len(here),
                        others=len(others),
                        idle=len(idle),
                    )  # fmt: skip
                )
            elif any(c in week.locks_by_cadre for c in here) or any(
                a.post_id == p for a in week.locks
            ):
                reasons.append(
                    Said(N_("locked shifts fix part of this post's week; unlock some to free "
                            "cadres"))
                )  # fmt: skip
            else:
                reasons.append(
                    Said(
                        N_(
                            "the cadres within commute cannot take more without breaking rest "
                            "rules (days off, 11 h between shifts, days in a row counting last "
                            "week)"
                        )
                    )
                )
        lines.append(
            Said(
                N_("{post}: {n} shift(s) unmet ({slots}): {reasons}"),
                post=label,
                n=missing,
                slots=slots,
                reasons=Joined(reasons),
            )  # fmt: skip
        )
    return lines
