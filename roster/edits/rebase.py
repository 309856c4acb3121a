"""Edits made while the stored weeks changed: an edit made again on top of someone else's
change when the two touch different cadres and cells (`rebased`), and the check at save
that the neighbouring weeks as stored now add no breach across a boundary
(`cross_week_recheck`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from roster.domain import Assignment, District
from roster.edits.breaches import breach_key, default_checker


def cross_week_recheck(
    district: District,
    monday: dt.date,
    assignments: Iterable[Assignment],
    seen: Iterable[Assignment],
    checker: Callable = default_checker,
) -> Callable[[list[Assignment]], list[str]]:
    """For `store.save_roster(recheck=…)`: given the neighbouring weeks as stored now, the
    breaches the week `assignments` would newly have compared with the neighbours `seen`
    when it was checked. Only the cadres whose neighbouring duties changed are checked
    again, and without coverage (the rest rules are the ones that cross a boundary)."""
    week = list(assignments)
    seen = list(seen)

    def recheck(now: list[Assignment]) -> list[str]:
        cadres = {a.cadre_id for a in set(seen) ^ set(now)}
        if not cadres:
            return []
        theirs = [a for a in week if a.cadre_id in cadres]

        def keys(around: list[Assignment]) -> dict:
            mine = [a for a in around if a.cadre_id in cadres]
            found = checker(district, monday, theirs, mine, coverage=False)
            return {breach_key(b): b.message for b in found}

        before, after = keys(seen), keys(now)
        return [message for key, message in after.items() if key not in before]

    return recheck


def rebased(
    before: Iterable[Assignment], new: Iterable[Assignment], stored: Iterable[Assignment]
) -> list[Assignment] | None:
    """A change of the week (`before` → `new`) made on the week as now `stored`, or None
    when the change from `before` to `stored` (someone else's) touched one of its cadres or
    cells: then the person must look again."""
    new, stored = list(new), list(stored)
    mine, theirs = set(before) ^ set(new), set(before) ^ set(stored)

    def reach(diff) -> set:
        return {("c", a.cadre_id) for a in diff} | {
            ("p", a.post_id, a.date, a.shift_code) for a in diff
        }

    if reach(mine) & reach(theirs):
        return None
    removed, added = set(before) - set(new), set(new) - set(before)
    return [a for a in stored if a not in removed] + [a for a in new if a in added]
