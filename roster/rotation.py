"""Who was where, week by week: for each cadre on duty in a run of weeks, each week's post
(the one of most of their duties), nights and weekend duties, and whether the post changed
from the week before. Read from the stored rosters only."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlite_utils

from roster import store
from roster.domain import District, week_start


@dataclass(frozen=True)
class RotationCell:
    post_id: int | None  # None: no duty that week
    duties: int = 0
    nights: int = 0
    weekends: int = 0
    moved: bool = False  # another post than the week before (both weeks on duty)


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
    nights = {c for c, s in district.shifts.items() if s.crosses_midnight}
    per: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for i, monday in enumerate(mondays):
        roster = store.get_roster(db, monday)
        for a in roster.assignments if roster else ():
            if a.source != "relief":
                per[a.cadre_id][i][a.post_id] += 1
            n = counts[(a.cadre_id, i)]
            n[0] += 1
            n[1] += a.shift_code in nights
            n[2] += a.date.weekday() >= 5
    rows = []
    for cadre_id, by_week in per.items():
        cells = []
        before = None
        for i in range(weeks):
            post_id = by_week[i].most_common(1)[0][0] if by_week.get(i) else None
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
