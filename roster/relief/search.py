"""Finding the ways to cover an absence: every person's feasible part (take over, change
shift, reserve, lend, swap), ranked and combined into options, the local re-solve as the
last resort."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence

from roster.domain import Assignment, District, Roster
from roster.geo import within_commute
from roster.relief.compose import compose, leave_uncovered, nothing_to_cover
from roster.relief.options import DEFAULT_LIMIT, Change, ReliefOption
from roster.relief.resolve import resolve_locally
from roster.relief.week_index import Freed, Move, Request, WeekIndex, make_request, week_for


def relief_options(
    district: District,
    roster: Roster,
    cadre_id: int,
    start: dt.date,
    end: dt.date,
    *,
    history: Sequence[Assignment] = (),
    limit: int = DEFAULT_LIMIT,
    resolve: bool = True,
) -> list[ReliefOption]:
    """Ranked ways to cover `cadre_id`'s absence from `start` to `end` (within the roster's
    week), each checked by the independent checker. The ranking is described in the
    package's doc (`roster.relief`).

    An option that cannot cover every freed shift says which and why (`uncovered`); when
    nothing at all can be covered the list holds one option that only frees the shifts.
    Raises ReliefError for an unknown cadre or dates outside the roster's week.
    """
    week = week_for(district, roster, history)
    req = make_request(week, cadre_id, start, end)
    if not req.todo:
        return [nothing_to_cover(week, req)]
    moves = req.moves = person_moves(week, req)
    options = compose(week, req, moves, limit)
    best = min(options, key=ReliefOption.sort_key) if options else None
    if resolve and (best is None or best.uncovered):
        solved = resolve_locally(week, req)
        if solved is not None and (best is None or len(solved.uncovered) < len(best.uncovered)):
            options.append(solved)
    if not options:
        options.append(leave_uncovered(week, req))
    options.sort(key=ReliefOption.sort_key)
    for i, option in enumerate(options, start=1):
        option.rank = i
    return options


def person_moves(week: WeekIndex, req: Request) -> list[Move]:
    """Every person's feasible ways to take some of the freed shifts."""
    x = req.cadre_id
    items: dict[int, list[tuple[Freed, Assignment | None]]] = defaultdict(list)
    empty: dict[dt.date, Assignment] = {}
    for f in req.todo:
        a = f.a
        day, cell = a.date, (a.post_id, a.shift_code)
        night = a.shift_code in week.night_codes
        reasons = req.reasons[f.index]
        busy = status = no_night = absent = 0
        for c, _km in week.reach(a.post_id):
            cur = week.by_cadre.get(c, empty).get(day)
            if cur is not None and (
                cur.locked
                or (cur.post_id, day, cur.shift_code) not in week.over
                or (cur.post_id, cur.shift_code) == cell
            ):
                busy += c != x  # on duty where they are needed (most cadres, most days)
            elif c == x:
                continue
            elif c not in week.able:
                status += 1
            elif night and c not in week.night_ok:
                no_night += 1
            elif (c, day) in week.away or (c, day, a.shift_code) in week.away:
                absent += 1
            else:
                items[c].append((f, cur))
        reasons.update(
            reach=len(week.reach(a.post_id)) - (x in dict(week.reach(a.post_id))),
            busy=busy, status=status, night=no_night, absent=absent,
        )  # fmt: skip
    moves: list[Move] = []
    for c, mine in items.items():
        base = week.days_of(c)
        for subset in subsets(mine, req.reasons, week, c, base):
            moves.append(person_move(week, req, c, subset))
        if week.deployment.get(c) is not None:
            moves += swaps(week, req, c, [(f, cur) for f, cur in mine if cur is None], base)
    return moves


def subsets(mine, reasons, week: WeekIndex, c: int, base: dict[dt.date, str]):
    """The feasible subsets of the shifts one person could take (all, for a few shifts;
    greedy runs in both orders for more)."""
    singles = []
    for f, cur in mine:
        days = dict(base)
        days[f.a.date] = f.a.shift_code
        broken = week.fits(c, days)
        if broken is None:
            singles.append((f, cur))
        else:
            reasons[f.index][broken] += 1
    if len(singles) <= 1:
        return [singles] if singles else []

    def ok(group) -> bool:
        days = dict(base)
        for f, _cur in group:
            days[f.a.date] = f.a.shift_code
        return week.fits(c, days) is None

    out = [[s] for s in singles]
    if len(singles) <= 4:
        for size in range(2, len(singles) + 1):
            out += [list(g) for g in itertools.combinations(singles, size) if ok(g)]
        return out
    for order in (singles, singles[::-1]):
        group: list = []
        for s in order:
            if ok([*group, s]):
                group.append(s)
        if len(group) > 1:
            out.append(group)
    return out


def person_move(week: WeekIndex, req: Request, c: int, subset) -> Move:
    changes, taken = [], []
    for f, cur in subset:
        a = f.a
        if cur is not None:
            changes.append(Change("remove", c, cur.date, cur.post_id, cur.shift_code, cur.source))
            taken.append((cur.post_id, cur.date, cur.shift_code))
        changes.append(Change("add", c, a.date, a.post_id, a.shift_code))
    home = week.deployment.get(c)
    posts = {f.a.post_id for f, _ in subset}
    if any(cur is not None and cur.post_id != f.a.post_id for f, cur in subset):
        kind = "lend"
    elif any(cur is not None for _f, cur in subset):
        kind = "shift_change"
    elif home is None:
        kind = "reserve"
    elif posts == {home}:
        kind = "take_over"
    else:
        kind = "lightly_used"
    return Move(c, kind, frozenset(f.index for f, _ in subset), tuple(changes),
                 takes_from=tuple(taken))  # fmt: skip


def swaps(week: WeekIndex, req: Request, c: int, free, base) -> list[Move]:
    """A colleague of the same post works the freed days and the absent cadre works as
    many of the colleague's days in return, on days they are free."""
    home = week.deployment[c]
    free = [(f, cur) for f, cur in free if f.a.post_id == home]
    if not free:
        return []
    x = req.cadre_id
    xc = req.district.cadres[x]
    if xc.status != "active" or not within_commute(
        xc, week.district.posts[home], week.settings.road_factor
    ):
        return []
    back = []
    for day, a in sorted(week.by_cadre.get(c, {}).items()):
        if (
            a.post_id == home
            and not a.locked
            and day not in req.span
            and day not in req.x_days
            and not req.district.absent(x, day)
            and not req.district.unavailable(x, day, a.shift_code)
            and (xc.night_ok or a.shift_code not in week.night_codes)
        ):
            back.append(a)
    if not back:
        return []
    out = []
    for size in range(len(free), 0, -1):
        for group in itertools.combinations(free, size):
            for n in range(min(size, len(back)), 0, -1):
                found = None
                for given in itertools.combinations(back, n):
                    days = dict(base)
                    for a in given:
                        del days[a.date]
                    for f, _ in group:
                        days[f.a.date] = f.a.shift_code
                    if week.fits(c, days) is not None:
                        continue
                    xdays = dict(req.x_days)
                    for a in given:
                        xdays[a.date] = a.shift_code
                    if week.fits(x, xdays) is not None:
                        continue
                    found = given
                    break
                if found is not None:
                    changes = [Change("add", c, f.a.date, f.a.post_id, f.a.shift_code)
                               for f, _ in group]  # fmt: skip
                    for a in found:
                        changes.append(Change("remove", c, a.date, a.post_id, a.shift_code,
                                              a.source))  # fmt: skip
                        changes.append(Change("add", x, a.date, a.post_id, a.shift_code))
                    out.append(
                        Move(c, "swap", frozenset(f.index for f, _ in group), tuple(changes),
                              x_days=tuple(a.date for a in found))
                    )  # fmt: skip
                    break
    return out
