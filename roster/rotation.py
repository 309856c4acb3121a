"""The rotation table: for a range of weeks, each cadre's post, nights and weekend duties
per week, and whether the post changed since the week before (for a rotation view).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from roster import store
from roster.domain import week_start as monday_of


@dataclass(frozen=True)
class Cell:
    post_id: int | None  # the week's deployment (most non-relief shifts); None: no duty
    duties: int
    nights: int
    weekends: int  # Saturday and Sunday duties
    changed: bool  # served another post the week before (both weeks with a post)


def rotation_table(db, first: dt.date, weeks: int) -> tuple[list[dt.date], dict[int, list[Cell]]]:
    """(Mondays, cadre id -> one Cell per week) from the stored rosters; the week before
    `first` is read too, so the first week's `changed` is right."""
    district = store.load_district(db)
    night = {c for c, s in district.shifts.items() if s.is_night}
    monday = monday_of(first)
    mondays = [monday + dt.timedelta(weeks=i) for i in range(weeks)]
    start = monday - dt.timedelta(weeks=1)
    rows = db.execute(
        "select a.date, a.cadre_id, a.post_id, a.shift_code, a.source from assignments a "
        "join rosters r on r.id = a.roster_id where a.date >= ? and a.date < ?",
        [start.isoformat(), (monday + dt.timedelta(weeks=weeks)).isoformat()],
    ).fetchall()
    posts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    count: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, c, p, s, source in rows:
        date = dt.date.fromisoformat(day)
        w = (date - start).days // 7  # 0: the week before `first`
        if source != "relief":
            posts[c, w][p] += 1
        n = count[c, w]
        n[0] += 1
        n[1] += s in night
        n[2] += date.isoweekday() >= 6

    def post(c: int, w: int) -> int | None:
        cnt = posts.get((c, w))
        return min(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[0] if cnt else None

    table = {}
    for c in sorted(district.cadres, key=lambda c: district.cadres[c].code):
        cells = []
        for w in range(1, weeks + 1):
            p, before = post(c, w), post(c, w - 1)
            duties, nights, weekends = count.get((c, w), (0, 0, 0))
            changed = p is not None and before is not None and p != before
            cells.append(Cell(p, duties, nights, weekends, changed))
        table[c] = cells
    return mondays, table
