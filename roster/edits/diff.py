"""What a solve would change in a week (`diff_rosters`: cells, cadres moved, duties added
and removed, slots unmet before and after) and what it must keep (`keep_locks`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from roster.domain import Assignment, District, posts_of, week_days


@dataclass(frozen=True)
class RosterDiff:
    cells_changed: int  # post, day and shift cells whose cadres differ
    cadres_moved: int  # cadres deployed at another post (or newly, or no longer, on duty)
    added: int  # assignments only in the new roster
    removed: int  # assignments only in the current one
    unmet_before: int
    unmet_after: int


def diff_rosters(
    district: District,
    monday: dt.date,
    current: Iterable[Assignment],
    proposed: Iterable[Assignment],
) -> RosterDiff:
    def keys(assignments: Iterable[Assignment]) -> set[tuple]:
        return {(a.post_id, a.date, a.shift_code, a.cadre_id) for a in assignments}

    posts = posts_of

    def unmet(assignments: Iterable[Assignment]) -> int:
        covered = Counter((a.post_id, a.date, a.shift_code) for a in assignments)
        return sum(
            max(0, district.required(p, d, s) - covered[(p, d, s)])
            for p in district.posts
            for d in week_days(monday)
            for s in district.shifts
        )

    current, proposed = list(current), list(proposed)
    before, after = keys(current), keys(proposed)
    cells = {(p, d, s) for p, d, s, _c in before ^ after}
    was, now = posts(current), posts(proposed)
    moved = sum(1 for c in set(was) | set(now) if was.get(c) != now.get(c))
    return RosterDiff(
        len(cells), moved, len(after - before), len(before - after), unmet(current), unmet(proposed)
    )


def keep_locks(proposed: Iterable[Assignment], locks: Iterable[Assignment]) -> list[Assignment]:
    """The solver's roster with the locked assignments marked locked again (and any it
    dropped put back: rule 8 says locked ones stay exactly as they are)."""
    locked = {(a.date, a.cadre_id): a for a in locks}
    out = []
    for a in proposed:
        lock = locked.get((a.date, a.cadre_id))
        if lock is not None and (lock.post_id, lock.shift_code) == (a.post_id, a.shift_code):
            out.append(lock)
            del locked[(a.date, a.cadre_id)]
        elif lock is not None:
            continue  # the solver moved a locked duty: the lock wins
        else:
            out.append(a)
    return out + list(locked.values())
