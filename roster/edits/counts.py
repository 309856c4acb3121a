"""Figures the cadre screen shows: duties, nights and weekend duties per cadre, the
district's averages, and the audit entries that mention a cadre."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from roster.domain import Assignment, AuditEntry, District


@dataclass(frozen=True)
class DutyCounts:
    days: int = 0
    nights: int = 0
    weekends: int = 0


def duty_counts(district: District, assignments: Iterable[Assignment]) -> dict[int, DutyCounts]:
    """Duties, night shifts and weekend duties per cadre over `assignments`."""
    days: Counter = Counter()
    nights: Counter = Counter()
    weekends: Counter = Counter()
    for a in assignments:
        days[a.cadre_id] += 1
        shift = district.shifts.get(a.shift_code)
        if shift is not None and shift.is_night:
            nights[a.cadre_id] += 1
        if a.date.weekday() >= 5:
            weekends[a.cadre_id] += 1
    return {c: DutyCounts(days[c], nights[c], weekends[c]) for c in days}


def average_counts(district: District, counts: dict[int, DutyCounts]) -> tuple[float, float]:
    """Average nights and weekend duties over the active cadres (those with none count too)."""
    active = [c.id for c in district.cadres.values() if c.status == "active"] or [0]
    nights = sum(counts.get(c, DutyCounts()).nights for c in active) / len(active)
    weekends = sum(counts.get(c, DutyCounts()).weekends for c in active) / len(active)
    return nights, weekends


def audit_about(db: sqlite_utils.Database, needle: str, limit: int = 20) -> list:
    """Audit entries whose details mention `needle` (a cadre's code), newest first."""
    rows = db.execute(
        "select id, at, actor, action, details from audit where details like ? "
        "order by id desc limit ?",
        [f"%{needle}%", limit],
    ).fetchall()
    return [AuditEntry(*row) for row in rows]
