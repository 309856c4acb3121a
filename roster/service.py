"""Service records: how much each cadre served over a period, for evaluation and commendation.

Counted from the stored rosters (drafts included; `ServiceReport.draft_weeks` names them so
the caller can warn). A shift counts on the day it starts, so a night shift from the last
evening of the period counts in full. Home coordinates are used for commute distances and
never written out.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from roster import store
from roster.domain import (
    Absence,
    Assignment,
    Cadre,
    District,
    ReliefRequest,
    Unit,
    week_start,
)
from roster.exports import a4_landscape, save_inert, write_all_or_nothing
from roster.geo import commute_km
from roster.i18n import _
from roster.text import cell_text, inert_district

FORMATS = ("csv", "xlsx")
COLUMNS = (
    ("cadre_code", "编号"),
    ("cadre_name", "姓名"),
    ("unit", "派出单位"),
    ("status", "状态"),
    ("shifts", "班次数"),
    ("days_served", "值班天数"),
    ("nights", "夜班数"),
    ("weekend_days", "周末值班天数"),
    ("hours", "值班小时"),
    ("relief_requests", "请求顶班次数"),
    ("relief_taken_days", "被顶班/缺勤天数"),
    ("relief_given", "顶班次数"),
    ("commute_km", "往返通勤公里"),
)


@dataclass(frozen=True)
class ServiceRecord:
    cadre: Cadre
    unit: str
    shifts: int = 0
    days_served: int = 0
    nights: int = 0  # shifts that are night shifts (`ShiftType.is_night`, as the solver counts)
    weekend_days: int = 0  # Saturdays and Sundays with a shift starting on them
    hours: float = 0.0
    relief_requests: int = 0  # relief requests (not declined) overlapping the period
    relief_taken_days: int = 0  # days of the period off through absence or relief request
    relief_given: int = 0  # shifts worked as relief for someone else (source `relief`)
    commute_km: float = 0.0  # home → post → home for each shift, road distance

    def values(self) -> dict[str, object]:
        return {
            "cadre_code": self.cadre.code,
            "cadre_name": self.cadre.name,
            "unit": self.unit,
            "status": self.cadre.status,
            "shifts": self.shifts,
            "days_served": self.days_served,
            "nights": self.nights,
            "weekend_days": self.weekend_days,
            "hours": round(self.hours, 2),
            "relief_requests": self.relief_requests,
            "relief_taken_days": self.relief_taken_days,
            "relief_given": self.relief_given,
            "commute_km": round(self.commute_km, 1),
        }


@dataclass
class ServiceReport:
    start: dt.date
    end: dt.date
    unit: Unit | None
    records: list[ServiceRecord]
    weeks: list[dt.date] = field(default_factory=list)  # Mondays with a stored roster
    draft_weeks: list[dt.date] = field(default_factory=list)
    missing_weeks: list[dt.date] = field(default_factory=list)

    def notes(self) -> list[str]:
        """What a reader of the records should know: weeks not stored, drafts counted."""
        out = []
        if self.missing_weeks:
            missing = _(", ").join(str(m) for m in self.missing_weeks)
            out.append(_("note: no roster stored for the week(s) of {weeks}").format(weeks=missing))
        if self.draft_weeks:
            drafts = _(", ").join(str(m) for m in self.draft_weeks)
            out.append(
                _("note: counted draft (unpublished) roster(s) of {weeks}").format(weeks=drafts)
            )
        return out


def find_unit(district: District, name: str) -> Unit:
    for unit in district.units.values():
        if unit.name == name:
            return unit
    names = [u.name for u in district.units.values()]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    if close:
        raise LookupError(
            _("no dispatching unit called {name!r}; did you mean {close}?").format(
                name=name, close="、".join(close)
            )
        )
    raise LookupError(
        _("no dispatching unit called {name!r}; see the units table for names").format(name=name)
    )


def _days(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


def compute_records(
    district: District,
    assignments: list[Assignment],
    start: dt.date,
    end: dt.date,
    *,
    absences: list[Absence] | None = None,
    relief: Sequence[ReliefRequest] = (),
    unit_id: int | None = None,
) -> list[ServiceRecord]:
    """One record per cadre (of the unit, if given), in code order, zeros included."""
    period = _days(start, end)
    absences = district.absences if absences is None else absences
    road = district.settings.road_factor
    records = []
    for cadre in district.cadres.values():
        if unit_id is not None and cadre.unit_id != unit_id:
            continue
        mine = [a for a in assignments if a.cadre_id == cadre.id and start <= a.date <= end]
        shifts = [district.shifts[a.shift_code] for a in mine]
        served = {a.date for a in mine}
        requests = [
            r
            for r in relief
            if r.cadre_id == cadre.id and r.status != "declined"
            and r.start_date <= end and r.end_date >= start
        ]  # fmt: skip
        off: set[dt.date] = set()
        for span in [*requests, *(a for a in absences if a.cadre_id == cadre.id)]:
            off |= _days(span.start_date, span.end_date) & period
        unit = district.units.get(cadre.unit_id)
        records.append(
            ServiceRecord(
                cadre=cadre,
                unit=unit.name if unit else "",
                shifts=len(mine),
                days_served=len(served),
                nights=sum(s.is_night for s in shifts),
                weekend_days=sum(day.isoweekday() >= 6 for day in served),
                hours=sum(s.duration_minutes for s in shifts) / 60,
                relief_requests=len(requests),
                relief_taken_days=len(off),
                relief_given=sum(a.source == "relief" for a in mine),
                commute_km=sum(
                    2 * commute_km(cadre, district.posts[a.post_id], road) for a in mine
                ),
            )
        )
    return records


def service_report(
    db: sqlite_utils.Database,
    start: dt.date,
    end: dt.date,
    unit: str | None = None,
    *,
    district: District | None = None,
) -> ServiceReport:
    """Records from the rosters stored for the weeks touching [start, end]; `district` saves
    loading it again when the caller holds the stored one.

    Raises ValueError when end is before start, LookupError for an unknown unit.
    """
    if end < start:
        raise ValueError(
            _("the period ends ({end}) before it starts ({start}): swap the dates").format(
                end=end, start=start
            )
        )
    district = district or inert_district(store.load_district(db))
    the_unit = find_unit(district, unit) if unit is not None else None
    assignments: list[Assignment] = []
    report = ServiceReport(start, end, the_unit, [])
    monday = week_start(start)
    while monday <= end:
        roster = store.get_roster(db, monday)
        if roster is None:
            report.missing_weeks.append(monday)
        else:
            report.weeks.append(monday)
            if roster.status != "published":
                report.draft_weeks.append(monday)
            assignments += roster.assignments
        monday += dt.timedelta(days=7)
    report.records = compute_records(
        district, assignments, start, end,
        relief=store.relief_requests(db), unit_id=the_unit.id if the_unit else None,
    )  # fmt: skip
    return report


def service_details(report: ServiceReport, path: Path) -> dict:
    """What the audit log keeps of a service-records export."""
    return {
        "service": f"{report.start} – {report.end}",
        "unit": report.unit.name if report.unit else None,
        "cadres": len(report.records),
        "file": str(Path(path).resolve()),
    }


def write_service(report: ServiceReport, fmt: str, path: Path) -> Path:
    """The records as CSV (English column names, UTF-8 with BOM) or XLSX (Chinese, totals)."""
    if fmt not in FORMATS:
        raise ValueError(
            _("unknown format {format!r}: use one of {formats}").format(
                format=fmt, formats=_(", ").join(FORMATS)
            )
        )
    path = Path(path)
    if path.is_dir():
        raise ValueError(
            _("{path} is a folder: give a file name to write the records to").format(path=path)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    done = write_all_or_nothing(
        path.parent, lambda folder: [_write(report, fmt, folder / path.name)]
    )
    return done[0]


def _write(report: ServiceReport, fmt: str, path: Path) -> Path:
    keys = [k for k, _title in COLUMNS]
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(keys)
            for record in report.records:
                values = record.values()
                writer.writerow([cell_text(values[k]) for k in keys])
        return path
    wb = Workbook()
    ws = wb.active
    ws.title = "服务记录"
    scope = f"（{report.unit.name}）" if report.unit else ""
    ws.cell(1, 1, f"值班服务记录{scope} {report.start} 至 {report.end}").font = Font(
        bold=True, size=14
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    for col, (_key, title) in enumerate(COLUMNS, start=1):
        cell = ws.cell(2, col, title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    row = 3
    for record in report.records:
        values = record.values()
        for col, key in enumerate(keys, start=1):
            ws.cell(row, col, values[key])
        row += 1
    ws.cell(row, 1, "合计").font = Font(bold=True)
    for col, key in enumerate(keys, start=1):
        if col > 4:
            total = sum(r.values()[key] for r in report.records)  # type: ignore[misc]
            ws.cell(row, col, round(total, 2) if isinstance(total, float) else total)
    for col in range(1, len(COLUMNS) + 1):
        letter = ws.cell(2, col).column_letter
        ws.column_dimensions[letter].width = 16 if col == 3 else 11
        if keys[col - 1] in ("hours", "commute_km"):
            for (cell,) in ws.iter_rows(min_row=3, max_row=row, min_col=col, max_col=col):
                cell.number_format = "0.0"
    ws.freeze_panes = "C3"
    a4_landscape(ws, len(COLUMNS))
    save_inert(wb, path)
    return path
