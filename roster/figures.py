"""Figures about a week computed from the district: demand, capacity, their ratio.

Each number the app reports is computed here from stored values, never estimated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from roster.domain import District, week_days


@dataclass(frozen=True)
class WeekFigures:
    week_start: dt.date
    demand: int  # shift slots the posts need in the week
    capacity: int  # shifts the active cadres can give under the rest rules
    cadres_available: int  # active cadres with at least one day free of absence
    absent_cadre_days: int

    @property
    def demand_ratio(self) -> float | None:
        """Demand as a share of capacity: above 1 the week cannot be covered; None when no
        cadre can give a shift (no share to speak of)."""
        return self.demand / self.capacity if self.capacity else None

    def to_json(self) -> dict:
        out = asdict(self)
        out["week_start"] = self.week_start.isoformat()
        ratio = self.demand_ratio
        out["demand_ratio"] = None if ratio is None else round(ratio, 4)
        return out


def week_demand(district: District, monday: dt.date) -> int:
    return sum(
        district.required(post_id, day, code)
        for post_id in district.posts
        for day in week_days(monday)
        for code in district.shifts
    )


def week_figures(district: District, monday: dt.date) -> WeekFigures:
    """Capacity = Σ over active cadres of min(days not absent, 7 − min_rest_days)."""
    days = week_days(monday)
    most = 7 - district.settings.min_rest_days
    absent_days: dict[int, set[dt.date]] = {}
    for absence in district.absences:
        for day in days:
            if absence.covers(day):
                absent_days.setdefault(absence.cadre_id, set()).add(day)
    capacity = available = absent_total = 0
    for cadre in district.cadres.values():
        if cadre.status != "active":
            continue
        free = 7 - len(absent_days.get(cadre.id, ()))
        absent_total += 7 - free
        capacity += min(free, most)
        available += free > 0
    return WeekFigures(monday, week_demand(district, monday), capacity, available, absent_total)
