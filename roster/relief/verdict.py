"""The independent checker's verdict on an option: the changed cadres' weeks before it is
offered, the whole week before it is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from roster.domain import Assignment, District, Roster
from roster.edits import breach_key
from roster.i18n import _
from roster.relief.options import ReliefOption
from roster.relief.week_index import Request, WeekIndex
from roster.solver.checker import check_roster, quota_mates


def offered_breaches(week: WeekIndex, req: Request, option: ReliefOption) -> list[str]:
    """What the checker says against an option, as text (empty: it may be offered).

    The changed cadres' weeks are checked with their history against every hard rule
    (coverage apart) and must add no breach; each cell the option touches must be covered
    at least as before unless the option names it uncovered."""
    x = option.cadre_id
    district = req.district
    new_week: dict[int, dict[tuple, Assignment]] = {}
    for ch in option.changes:
        if ch.cadre_id not in new_week:
            new_week[ch.cadre_id] = {
                (a.date, a.cadre_id, a.post_id, a.shift_code): a
                for a in week.by_cadre.get(ch.cadre_id, {}).values()
            }
    delta: Counter = Counter()
    problems = []
    for ch in option.changes:
        mine = new_week[ch.cadre_id]
        if ch.action == "remove":
            if ch.key not in mine:
                problems.append(
                    _("removes a shift that is not in the roster: {duty}").format(duty=ch)
                )
            mine.pop(ch.key, None)
            delta[ch.post_id, ch.date, ch.shift_code] -= 1
        else:
            mine[ch.key] = ch.assignment()
            delta[ch.post_id, ch.date, ch.shift_code] += 1
    for c, mine in new_week.items():
        locks = [a for a in week.locks if a.cadre_id == c and not (c == x and a.date in req.span)]
        before = req.base_breaches.get(c)
        if before is None:
            before = {breach_key(b) for b in week.base_breaches(district, c, locks)}
            req.base_breaches[c] = before
        key = (c, frozenset(mine))
        after = req.checked.get(key)
        if after is None:
            after = req.checked[key] = [
                b.message
                for b in check_roster(district, week.monday, list(mine.values()),
                                      week.history_of.get(c, ()),
                                      following=week.after_of.get(c, ()), locks=locks,
                                      coverage=False)
                if breach_key(b) not in before
            ]  # fmt: skip
        problems += after
    problems += quota_breaches(week, district, new_week)
    named = {(u.post_id, u.date, u.shift_code) for u in option.uncovered}
    for cell, n in delta.items():
        if n >= 0 or cell in named:
            continue
        have = week.cells[cell] + n
        need = min(district.required(*cell), week.cells[cell])  # no worse than before
        if have < need:
            problems.append(
                _("post {post} on {day} shift {shift}: {have} of {need}").format(
                    post=cell[0], day=cell[1], shift=cell[2], have=have, need=need
                )
            )
    return problems


def quota_breaches(
    week: WeekIndex, district: District, new_week: dict[int, dict[tuple, Assignment]]
) -> list[str]:
    """Rule 9's unit quotas on the days the option changes: a unit's quota counts every
    cadre of it on duty, so the changed weeks alone cannot say (their unit mates' duties,
    unchanged, are counted with them). A unit newly above its quota, or further above it
    than before, is an objection."""
    mates = quota_mates(district, new_week)
    if not mates:
        return []
    days = {key[0] for mine in new_week.values() for key in mine}
    days |= {a.date for c in new_week for a in week.by_cadre.get(c, {}).values()}
    unit_of = {c: district.cadres[c].unit_id for c in mates}

    def on_duty(changed: bool) -> tuple[list[Assignment], Counter]:
        out = [a for c in mates if not (changed and c in new_week)
               for a in week.by_cadre.get(c, {}).values() if a.date in days]  # fmt: skip
        if changed:
            out += [a for mine in new_week.values() for a in mine.values() if a.date in days]
        return out, Counter((unit_of.get(a.cadre_id), a.date) for a in out)

    before, n_before = on_duty(False)
    after, n_after = on_duty(True)
    over_before = {(unit_of[b.cadre_id], b.date)
                   for b in check_roster(district, week.monday, before, coverage=False)
                   if b.rule == "unit_quota"}  # fmt: skip
    return [
        b.message
        for b in check_roster(district, week.monday, after, coverage=False)
        if b.rule == "unit_quota"
        and (
            (key := (unit_of[b.cadre_id], b.date)) not in over_before
            or n_after[key] > n_before[key]
        )
    ]


def whole_week_breaches(
    district: District,
    roster: Roster,
    new: list[Assignment],
    option: ReliefOption,
    history: Sequence[Assignment] = (),
) -> list[str]:
    """The whole-week checker's objections to `new` (the roster after the option), given
    the district with the absence recorded: every breach the old roster did not have,
    except coverage on the shifts the option says it leaves uncovered."""
    monday = roster.week_start
    span_locks = [
        a
        for a in roster.assignments
        if a.locked and not (a.cadre_id == option.cadre_id and option.start <= a.date <= option.end)
    ]
    before = check_roster(district, monday, roster.assignments, history, locks=span_locks)
    after = check_roster(district, monday, new, history, locks=span_locks)
    named = {(u.post_id, u.date, u.shift_code) for u in option.uncovered}
    short_before = {(b.post_id, b.date, b.shift_code) for b in before if b.rule == "coverage"}
    known = {breach_key(b) for b in before if b.rule != "coverage"}
    problems = []
    for b in after:
        if b.rule == "coverage":
            cell = (b.post_id, b.date, b.shift_code)
            if cell not in named and cell not in short_before:
                problems.append(b.message)
        elif breach_key(b) not in known:
            problems.append(b.message)
    return problems
