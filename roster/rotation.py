"""Who was where, week by week: for each cadre on duty in a run of weeks, each week's post
(`domain.posts_of`), nights and weekend duties, and whether the post changed from the week
before (the week before the first included). Read from the stored rosters only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

from roster import store
from roster.domain import District, posts_of, week_start


@dataclass(frozen=True)
class RotationCell:
    post_id: int | None  # None: no duty that week
    duties: int = 0
    nights: int = 0
    weekends: int = 0
    moved: bool = False  # another post than the last week they served (a week off between counts)


@dataclass(frozen=True)
class RotationRow:
    cadre_id: int
    cells: tuple[RotationCell, ...]  # one per week

    @property
    def moves(self) -> int:
        return sum(c.moved for c in self.cells)


def rotation_table(
    db: sqlite_utils.Database, district: District, first_monday: dt.date, weeks: int
) -> tuple[list[dt.date], list[RotationRow]]:
    """The Mondays of the `weeks` weeks from `first_monday`, and a row per cadre on duty in
    any of them (by town of their first post, then code)."""
    mondays = [week_start(first_monday) + dt.timedelta(weeks=i) for i in range(weeks)]
    nights = {c for c, s in district.shifts.items() if s.is_night}
    # week -1 (the one before the first) is read too: the first week's moves are right
    posts: list[dict[int, int]] = []
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for i, monday in enumerate([mondays[0] - dt.timedelta(weeks=1), *mondays], start=-1):
        roster = store.get_roster(db, monday)
        assignments = roster.assignments if roster else []
        posts.append(posts_of(assignments))
        if i < 0:
            continue
        for a in assignments:
            n = counts[(a.cadre_id, i)]
            n[0] += 1
            n[1] += a.shift_code in nights
            n[2] += a.date.weekday() >= 5
    served = {c for week in posts[1:] for c in week}
    rows = []
    for cadre_id in served:
        cells = []
        before = posts[0].get(cadre_id)
        for i in range(weeks):
            post_id = posts[i + 1].get(cadre_id)
            duties, n_nights, weekends = counts.get((cadre_id, i), (0, 0, 0))
            moved = before is not None and post_id is not None and post_id != before
            cells.append(RotationCell(post_id, duties, n_nights, weekends, moved))
            before = post_id if post_id is not None else before
        rows.append(RotationRow(cadre_id, tuple(cells)))

    def order(row: RotationRow):
        first = next(c.post_id for c in row.cells if c.post_id is not None)
        post = district.posts.get(first)
        town = district.towns.get(post.town_id) if post else None
        cadre = district.cadres.get(row.cadre_id)
        return (town.name if town else "", post.code if post else "", cadre.code if cadre else "")

    rows.sort(key=order)
    return mondays, rows
