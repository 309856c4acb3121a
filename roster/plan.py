"""Several weeks at once: `solve_and_save` (one week, as `roster solve` does it) and
`plan_weeks` (N consecutive weeks, rolling: each solved week is the next one's history).

Published weeks are kept as they are (they count as history); a draft week is solved
again with its locks kept and close to what it holds (stability), unless `fresh`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from roster import store
from roster.domain import Roster
from roster.domain import week_start as monday_of
from roster.i18n import _

MAX_PLAN_WEEKS = 8


def history_weeks(district) -> int:
    """Weeks of history a solve reads: the fairness window before the week, at least 4."""
    return max(4, district.settings.fairness_weeks - 1)


def later_weeks(db, monday: dt.date, district) -> list[dt.date]:
    """Stored weeks after `monday` that count it as history (within their window)."""
    last = monday + dt.timedelta(weeks=history_weeks(district))
    rows = db.execute(
        "select week_start from rosters where week_start > ? and week_start <= ? "
        "order by week_start",
        [monday.isoformat(), last.isoformat()],
    ).fetchall()
    return [dt.date.fromisoformat(r[0]) for r in rows]


_UNREAD = object()


def solve_and_save(
    db,
    district,
    monday: dt.date,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    fresh: bool = False,
    save: bool = True,
    current: Roster | None | object = _UNREAD,
    district_version: int | None = None,
) -> dict:
    """Solve one week from the store (locks, history, current roster) and save it as a
    draft; returns the `solve --json` fields (and `saved_version` when saved)."""
    from roster.edits import cross_week_recheck
    from roster.solver import explain, solve_week

    monday = monday_of(monday)
    if district_version is None:  # read before the district, by a caller that loaded it
        district_version = store.district_version(db)
    if current is _UNREAD:  # the caller may have read it (once: what it saw is what it saves on)
        current = store.get_roster(db, monday)
    locks = [a for a in current.assignments if a.locked] if current else []
    neighbours_seen = store.neighbour_versions(db, monday)  # read before the weeks themselves
    around = store.neighbours(db, monday, history_weeks(district))
    result = solve_week(
        district,
        monday,
        history=around,
        locks=locks,
        time_limit=time_limit,
        seed=seed,
        num_workers=workers,
        current=[] if fresh or current is None else current.assignments,
        published=current is not None and current.status == "published",
    )
    data = result.to_json()
    data["week"] = monday.isoformat()
    if save and result.assignments:
        stats = {k: v for k, v in data.items() if k != "assignments"}
        # the explanations as data too, to be shown in the language of whoever reads them
        stats["explanations_said"] = explain.records(result.explanations)
        # Saved only over the roster it started from (none: version 0), never over a
        # published week, and only if the district is still the one it solved.
        saved = store.save_roster(
            db,
            monday,
            result.assignments,
            stats=stats,
            expected_version=current.version if current else 0,
            draft=True,
            district_version=district_version,
            neighbours_seen=neighbours_seen,
            recheck=cross_week_recheck(district, monday, result.assignments, around),
        )
        data["saved_version"] = saved.version
    return data


def plan_weeks(
    db,
    first: dt.date,
    weeks: int,
    *,
    time_limit: float = 8.0,
    seed: int = 0,
    workers: int = 2,
    fresh: bool = False,
    progress: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Draft rosters for `weeks` consecutive weeks from the week of `first`, one after
    another (rolling): published weeks are kept and reported as such."""
    if not 1 <= weeks <= MAX_PLAN_WEEKS:
        raise ValueError(
            _("plan 1 to {most} weeks, not {weeks}").format(most=MAX_PLAN_WEEKS, weeks=weeks)
        )
    district_version = store.district_version(db)  # before the district it versions
    district = store.load_district(db)
    monday = monday_of(first)
    out = []
    for i in range(weeks):
        week = monday + dt.timedelta(weeks=i)
        t0 = time.perf_counter()
        current = store.get_roster(db, week)
        if current is not None and current.status == "published":
            data = {"week": week.isoformat(), "status": "published", "kept": True}
        else:
            data = solve_and_save(
                db, district, week, time_limit=time_limit, seed=seed, workers=workers,
                fresh=fresh, current=current, district_version=district_version,
            )  # fmt: skip
        data["wall_seconds"] = round(time.perf_counter() - t0, 3)
        out.append(data)
        if progress is not None:
            progress(data)
    return out
