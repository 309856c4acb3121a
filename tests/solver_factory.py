"""Small hand-built districts for the solver and checker tests (plain dataclasses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from roster.domain import (
    Absence,
    Assignment,
    Cadre,
    Demand,
    District,
    Post,
    Settings,
    ShiftType,
    Town,
    Unit,
    WorkGroup,
)

MONDAY = dt.date(2026, 12, 7)
CENTRE = (40.32, 116.63)
KM_LAT = 1 / 111.2  # degrees of latitude per straight km (road km = straight km × 1.3)

SHIFTS = {
    "D": ShiftType("D", "白班", "08:00", "20:00"),
    "N": ShiftType("N", "夜班", "20:00", "08:00"),
}


def day(i: int) -> dt.date:
    return MONDAY + dt.timedelta(days=i)


def post(pid: int, *, north_km: float = 0.0, group: int = 1, town: int = 1) -> Post:
    return Post(
        id=pid,
        code=f"V{pid:03d}",
        name=f"测试村{pid}",
        kind="village",
        town_id=town,
        work_group_id=group,
        lat=CENTRE[0] + north_km * KM_LAT,
        lon=CENTRE[1],
    )


def cadre(
    cid: int,
    *,
    north_km: float = 0.0,
    max_km: float = 25.0,
    night_ok: bool = True,
    party: bool = True,
    unit: int = 1,
    status: str = "active",
) -> Cadre:
    return Cadre(
        id=cid,
        code=f"G{cid:04d}",
        name=f"干部{cid}",
        gender="M",
        birth_date=dt.date(1980, 1, 1),
        unit_id=unit,
        phone="13800000000",
        party_member=party,
        home_lat=CENTRE[0] + north_km * KM_LAT,
        home_lon=CENTRE[1],
        transport="e-bike",
        max_commute_km=max_km,
        night_ok=night_ok,
        status=status,
    )


def demand(pid: int, *, day_shifts: int = 1, night_shifts: int = 0, weekdays=range(1, 8)):
    rows = []
    for wd in weekdays:
        if day_shifts:
            rows.append(Demand(pid, "D", wd, day_shifts))
        if night_shifts:
            rows.append(Demand(pid, "N", wd, night_shifts))
    return rows


def district(
    posts: list[Post],
    cadres: list[Cadre],
    demands: list[Demand],
    absences: list[Absence] = (),
    settings: Settings | None = None,
) -> District:
    towns = {t: Town(t, f"镇{t}", "town", *CENTRE) for t in {p.town_id for p in posts} | {1}}
    groups = {g: WorkGroup(g, f"第{g}工作组") for g in {p.work_group_id for p in posts} | {1}}
    units = {u: Unit(u, f"单位{u}") for u in {c.unit_id for c in cadres} | {1}}
    return District(
        towns=towns,
        work_groups=groups,
        units=units,
        shifts=dict(SHIFTS),
        posts={p.id: p for p in posts},
        cadres={c.id: c for c in cadres},
        demand=list(demands),
        absences=list(absences),
        settings=settings or Settings(),
    )


def one_post(n_cadres: int, *, day_shifts: int = 1, night_shifts: int = 0, **cadre_kw) -> District:
    """One post at the centre, `n_cadres` cadres living there."""
    return district(
        [post(1)],
        [cadre(i, **cadre_kw) for i in range(1, n_cadres + 1)],
        demand(1, day_shifts=day_shifts, night_shifts=night_shifts),
    )


def previous_week(assignments: list[Assignment], weeks: int = 1) -> list[Assignment]:
    """The same assignments moved `weeks` weeks earlier (history for the next solve)."""
    return [replace(a, date=a.date - dt.timedelta(weeks=weeks)) for a in assignments]
