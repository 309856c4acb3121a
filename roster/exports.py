"""The lists people need, computed from the stored roster of a week (never from a screen).

- by post: duty sheets (XLSX: one workbook, one sheet per town, printable on A4 landscape;
  CSV: one file per post);
- by cadre: each cadre's week (CSV, XLSX, one ICS calendar per cadre) and SMS texts;
- by unit: for each dispatching unit's liaison, where their people are and when.

CSV files are UTF-8 with a BOM (so a spreadsheet opens the Chinese right) and have English
column names, one row per assignment, for scripts; XLSX sheets are laid out for people,
in Chinese. Home coordinates are private and never written.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from icalendar import Calendar, Event, Timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from roster import store
from roster.clock import TIMEZONE
from roster.domain import (
    Assignment,
    Cadre,
    District,
    Post,
    Roster,
    ShiftType,
    Town,
    Unit,
    week_days,
)
from roster.domain import week_start as monday_of
from roster.i18n import _
from roster.now import shift_window
from roster.text import cell_text, inert_district, is_inert

BY = ("post", "cadre", "unit")
FORMATS = ("csv", "xlsx", "ics", "sms")
FORMATS_BY: dict[str, tuple[str, ...]] = {
    "post": ("csv", "xlsx"),
    "cadre": ("csv", "xlsx", "ics", "sms"),
    "unit": ("csv", "xlsx"),
}
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
CSV_COLUMNS = (
    "date", "weekday", "shift_code", "shift_name", "start", "end", "town", "work_group",
    "post_code", "post_name", "address", "cadre_code", "cadre_name", "unit", "phone", "source",
)  # fmt: skip
SMS_COLUMNS = ("phone", "cadre_code", "cadre_name", "message")
ICS_PRODID = "-//roster//duty roster//ZH"


class ExportError(ValueError):
    """The export cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class Duty:
    """One assignment with everything a list shows about it resolved to values."""

    day: dt.date
    cadre: Cadre
    unit: Unit | None
    post: Post
    town: Town
    work_group: str
    shift: ShiftType
    start: dt.datetime  # Asia/Shanghai
    end: dt.datetime  # the next day for a night shift
    source: str


def duties(district: District, assignments: Iterable[Assignment]) -> list[Duty]:
    """The assignments resolved against the district, sorted by day, shift start and cadre."""
    out = []
    for a in assignments:
        post = district.posts[a.post_id]
        cadre = district.cadres[a.cadre_id]
        shift = district.shifts[a.shift_code]
        start, end = shift_window(a.date, shift)
        group = district.work_groups.get(post.work_group_id)
        out.append(
            Duty(
                a.date,
                cadre,
                district.units.get(cadre.unit_id),
                post,
                district.towns[post.town_id],
                group.name if group else "",
                shift,
                start,
                end,
                a.source,
            )
        )
    out.sort(key=lambda d: (d.day, d.start, d.cadre.code))
    return out


def changed_cadres(db: sqlite_utils.Database, monday: dt.date) -> set[int]:
    """Cadres whose week was changed by relief: those lent to a post (source `relief`) and
    those relieved (a settled relief request overlapping the week)."""
    monday = monday_of(monday)
    sunday = monday + dt.timedelta(days=6)
    roster = store.get_roster(db, monday)
    ids = {a.cadre_id for a in roster.assignments if a.source == "relief"} if roster else set()
    for request in store.relief_requests(db, status="settled"):
        if request.start_date <= sunday and request.end_date >= monday:
            ids.add(request.cadre_id)
    ids |= {ch.cadre_id for ch in relief_changes(db, monday)[0]}
    return ids


@dataclass(frozen=True)
class DutyChange:
    """A duty relief added to or removed from a cadre's week (as a settled request keeps it)."""

    action: str  # "add" | "remove"
    cadre_id: int
    date: dt.date
    post_id: int
    shift_code: str


def relief_changes(
    db: sqlite_utils.Database, monday: dt.date
) -> tuple[list[DutyChange], dict[int, list[tuple[dt.date, dt.date]]]]:
    """What the week's settled relief requests changed, an add and a remove of the same duty
    cancelled, and the days each relieved cadre was granted away."""
    net: dict[tuple, int] = {}
    away: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for request in store.relief_requests(db, status="settled"):
        try:
            option = json.loads(request.resolution)["option"]
        except (ValueError, TypeError, KeyError):
            continue  # settled by hand, with words for a resolution
        if option.get("week") != monday.isoformat():
            continue
        away.setdefault(request.cadre_id, []).append((request.start_date, request.end_date))
        for ch in option.get("changes", []):
            key = (ch["cadre_id"], dt.date.fromisoformat(ch["date"]), ch["post_id"],
                   ch["shift_code"])  # fmt: skip
            net[key] = net.get(key, 0) + (1 if ch["action"] == "add" else -1)
    changes = [
        DutyChange("add" if n > 0 else "remove", c, day, post, shift)
        for (c, day, post, shift), n in net.items()
        if n
    ]
    return changes, away


def export_week(
    db: sqlite_utils.Database,
    week_start: dt.date,
    by: str,
    fmt: str,
    out_dir: Path,
    *,
    cadre_ids: Collection[int] | None = None,
) -> list[Path]:
    """Write the week's lists into `out_dir` and return the files written.

    `cadre_ids` (by cadre only) limits the export to those cadres, e.g. the ones whose week
    changed after relief; each of them gets an SMS even if they now have no duty that week.
    """
    if by not in BY:
        raise ExportError(
            _("unknown --by {by!r}: use one of {choices}").format(by=by, choices=_(", ").join(BY))
        )
    if fmt not in FORMATS_BY[by]:
        choices = _(", ").join(FORMATS_BY[by])
        if fmt in ("ics", "sms"):
            message = _(
                "--by {by} cannot be written as {format}: use one of {choices} (ICS calendars "
                "and SMS texts go one per cadre: use --by cadre)"
            )
        else:
            message = _("--by {by} cannot be written as {format}: use one of {choices}")
        raise ExportError(message.format(by=by, format=fmt, choices=choices))
    if cadre_ids is not None and by != "cadre":
        raise ExportError(_("limiting to some cadres (changed only) works with --by cadre"))
    monday = monday_of(week_start)
    roster = store.get_roster(db, monday)
    if roster is None:
        raise ExportError(
            _(
                "no roster for the week of {monday}: build one with `roster solve --week {monday}`"
            ).format(monday=monday)
        )
    # control and bidi characters shown as visible escapes: a sheet cannot hold them, and
    # a CSV read in a terminal must not act on it
    district = inert_district(store.load_district(db))

    def write(out_dir: Path) -> list[Path]:
        all_duties = duties(district, roster.assignments)
        if by == "post":
            if fmt == "xlsx":
                return [write_duty_workbook(district, monday, all_duties, out_dir)]
            return write_post_csvs(district, monday, all_duties, out_dir)
        if by == "unit":
            if fmt == "xlsx":
                return [write_unit_workbook(district, monday, all_duties, out_dir)]
            return write_unit_csvs(district, monday, all_duties, out_dir)
        chosen = all_duties
        if cadre_ids is not None:
            wanted = set(cadre_ids)
            unknown = wanted - district.cadres.keys()
            if unknown:
                raise ExportError(
                    _("no cadre with id {ids}").format(ids=_(", ").join(map(str, sorted(unknown))))
                )
            chosen = [d for d in all_duties if d.cadre.id in wanted]
        if fmt == "csv":
            path = out_dir / f"cadres-{monday}.csv"
            _write_csv(path, CSV_COLUMNS, (_csv_row(d) for d in _by_cadre(chosen)))
            return [path]
        if fmt == "xlsx":
            return [write_cadre_workbook(district, monday, chosen, out_dir)]
        if fmt == "ics":
            return write_calendars(monday, roster, chosen, out_dir)
        texts = None
        if cadre_ids is not None:
            changes, away = relief_changes(db, monday)
            texts = relief_sms_texts(district, monday, roster.assignments, changes, away)
        return [write_sms(district, monday, chosen, out_dir, cadre_ids, texts)]

    return write_all_or_nothing(Path(out_dir), write)


def write_all_or_nothing(out_dir: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Run `write` into a fresh folder beside the files, then move what it wrote into
    `out_dir`: a failure part way (a full disk, a name taken by a folder) leaves `out_dir`
    as it was. The files are readable by owner and group only (they hold phone numbers).
    Raises ExportError saying what to change."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(
            _("{folder} is a file, not a folder: give a folder to write into").format(
                folder=out_dir
            )
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    except OSError as error:
        raise ExportError(_cannot_write(out_dir, error)) from None
    try:
        written = write(scratch)
        targets = [out_dir / p.name for p in written]
        taken = [t for t in targets if t.is_dir()]
        if taken:
            raise ExportError(
                _("{path} is a folder: move it away or write into another folder").format(
                    path=taken[0]
                )
            )
        for path, target in zip(written, targets, strict=True):
            os.chmod(path, 0o660)  # phone numbers: owner and group only, like the database
            os.replace(path, target)
        return targets
    except OSError as error:
        raise ExportError(_cannot_write(out_dir, error)) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _cannot_write(out_dir: Path, error: OSError) -> str:
    return _("cannot write into {folder}: {reason}").format(
        folder=out_dir, reason=error.strerror or error
    )


def audit_export(db: sqlite_utils.Database, details: dict, actor: str | None = None) -> None:
    """Who wrote which lists, when and where: they hold names and phone numbers."""
    with db.atomic():
        store.add_audit(db, "export", details, actor)


@dataclass(frozen=True)
class Exported:
    """What `export_lists` wrote: the files, and what the person asking should be told."""

    monday: dt.date
    paths: list[Path]
    draft: bool  # the roster is not yet published
    cadres: int | None = None  # cadres written, when limited to those changed by relief

    def summary(self) -> str:
        if self.cadres == 0:
            return _("no cadre's week of {monday} was changed by relief: nothing to send").format(
                monday=self.monday
            )
        text = _("wrote {n} file(s) for the week of {monday}").format(
            n=len(self.paths), monday=self.monday
        )
        if self.cadres is not None:
            text += _(" ({n} cadre(s) changed by relief)").format(n=self.cadres)
        if self.draft:
            text += _("; note: the roster is a draft (not yet published)")
        return text


def export_lists(
    db: sqlite_utils.Database,
    week: dt.date,
    by: str,
    fmt: str,
    out_dir: Path,
    *,
    changed_only: bool = False,
    actor: str | None = None,
) -> Exported:
    """`export_week` for the CLI and the UI alike: `changed_only` limits a by-cadre export
    to the cadres whose week relief changed (writing nothing when there are none). What was
    written, and by whom, goes to the audit log."""
    monday = monday_of(week)
    cadre_ids = None
    if changed_only:
        if by != "cadre":
            raise ExportError(_("only cadres changed by relief: that works with --by cadre"))
        cadre_ids = changed_cadres(db, monday)
        if not cadre_ids:
            return Exported(monday, [], False, 0)
    paths = export_week(db, monday, by, fmt, out_dir, cadre_ids=cadre_ids)
    audit_export(
        db,
        {"week": monday.isoformat(), "by": by, "format": fmt, "changed_only": changed_only,
         "files": len(paths), "folder": str(Path(out_dir).resolve())},
        actor,
    )  # fmt: skip
    roster = store.get_roster(db, monday)
    draft = roster is not None and roster.status != "published"
    return Exported(monday, paths, draft, None if cadre_ids is None else len(cadre_ids))


# --- text helpers ----------------------------------------------------------------------


def safe_name(text: str) -> str:
    """A file-name part: keeps Chinese, replaces what file systems or shells dislike."""
    text = "".join(ch if is_inert(ch) else "_" for ch in text)  # no escapes in file names
    name = re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("._") or "_"
    return "_" + name if name.startswith("-") else name  # never read as a command option


def _sheet_title(name: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"
    title, n = base, 2
    while title in used:
        suffix = f"~{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def shift_hours(shift: ShiftType) -> str:
    """ "08:00-20:00", or "20:00-次日08:00" for a shift that ends the next day."""
    if shift.end_minutes > 1440:
        end = f"次日{shift.end}"
    elif shift.end_minutes == 1440:
        end = "24:00"
    else:
        end = shift.end
    return f"{shift.start}-{end}"


def shift_label(shift: ShiftType) -> str:
    return f"{shift.name}{shift_hours(shift)}"


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def week_range_zh(monday: dt.date) -> str:
    """ "12月7日至13日", or "12月28日至1月3日" across a month's end."""
    sunday = monday + dt.timedelta(days=6)
    end = f"{sunday.day}日" if sunday.month == monday.month else _md(sunday)
    return f"{_md(monday)}至{end}"


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days grouped into (first, last) runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def days_zh(days: list[dt.date]) -> str:
    """ "12月7日—9日、11日": runs of days, the month written only when it changes."""
    parts, month = [], None
    for first, last in _runs(days):
        text = _md(first) if first.month != month else f"{first.day}日"
        if last != first:
            text += "—" + (f"{last.day}日" if last.month == first.month else _md(last))
        parts.append(text)
        month = last.month
    return "、".join(parts)


def cell_name(cadre: Cadre) -> str:
    return f"{cadre.name} {cadre.phone}".strip()


def _by_cadre(items: list[Duty]) -> list[Duty]:
    return sorted(items, key=lambda d: (d.cadre.code, d.day, d.start))


# --- CSV -------------------------------------------------------------------------------


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    """A CSV whose fields a spreadsheet shows as text (`roster.text.cell_text`)."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([cell_text(v) for v in header])
        writer.writerows([cell_text(v) for v in row] for row in rows)


def save_inert(wb: Workbook, path: Path) -> None:
    """Save `wb` with no formula in it: openpyxl reads a text starting with `=` (a cadre
    named `=cmd|' /C calc'!A0`) as a formula; every such cell is written as text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.save(path)


def _csv_row(d: Duty) -> list[object]:
    return [
        d.day.isoformat(), d.day.isoweekday(), d.shift.code, d.shift.name,
        d.start.strftime("%Y-%m-%d %H:%M"), d.end.strftime("%Y-%m-%d %H:%M"), d.town.name,
        d.work_group, d.post.code, d.post.name, d.post.address, d.cadre.code, d.cadre.name,
        d.unit.name if d.unit else "", d.cadre.phone, d.source,
    ]  # fmt: skip


def _post_shifts(district: District, post: Post, days: list[dt.date], items: list[Duty]):
    """The shifts a post works that week (demanded or assigned), in order of start time."""
    codes = {d.shift.code for d in items}
    codes |= {
        code for code in district.shifts for day in days if district.required(post.id, day, code)
    }
    return sorted((district.shifts[c] for c in codes), key=lambda s: (s.start_minutes, s.code))


def write_post_csvs(
    district: District, monday: dt.date, items: list[Duty], out_dir: Path
) -> list[Path]:
    """One file per post that has demand or duties that week: its duty sheet as rows."""
    days = week_days(monday)
    by_post: dict[int, list[Duty]] = {}
    for d in items:
        by_post.setdefault(d.post.id, []).append(d)
    paths = []
    for post in district.posts.values():
        mine = by_post.get(post.id, [])
        if not mine and not _post_shifts(district, post, days, mine):
            continue
        path = out_dir / f"post-{safe_name(post.code)}-{monday}.csv"
        _write_csv(path, CSV_COLUMNS, (_csv_row(d) for d in mine))
        paths.append(path)
    return paths


def write_unit_csvs(
    district: District, monday: dt.date, items: list[Duty], out_dir: Path
) -> list[Path]:
    """One file per dispatching unit with people on duty that week, for its liaison."""
    by_unit: dict[int, list[Duty]] = {}
    for d in items:
        by_unit.setdefault(d.cadre.unit_id, []).append(d)
    paths = []
    for unit in district.units.values():
        if unit.id not in by_unit:
            continue
        path = out_dir / f"unit-{safe_name(unit.name)}-{monday}.csv"
        _write_csv(path, CSV_COLUMNS, (_csv_row(d) for d in _by_cadre(by_unit[unit.id])))
        paths.append(path)
    if district.unit_days:  # what each unit gave against its quota, day by day
        path = out_dir / f"unit-quotas-{monday}.csv"
        rows = [
            [unit.name, day.isoformat(), day.isoweekday(), given, "" if quota is None else quota]
            for unit in district.units.values()
            for day, given, quota in unit_given(district, monday, items, unit.id)
            if quota is not None
        ]
        _write_csv(path, ["unit", "date", "weekday", "on_duty", "quota"], rows)
        paths.append(path)
    return paths


def unit_given(
    district: District, monday: dt.date, items: list[Duty], unit_id: int
) -> list[tuple[dt.date, int, int | None]]:
    """Per day of the week: how many of the unit's cadres are on duty, and its quota."""
    on_duty: dict[dt.date, set[int]] = {}
    for d in items:
        if d.cadre.unit_id == unit_id:
            on_duty.setdefault(d.day, set()).add(d.cadre.id)
    return [
        (day, len(on_duty.get(day, ())), district.unit_quota(unit_id, day))
        for day in week_days(monday)
    ]


# --- XLSX ------------------------------------------------------------------------------

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")


def a4_landscape(ws: Worksheet, columns: int, title_rows: str = "1:2") -> None:
    """A4 landscape, one page wide, header rows repeated on each page, page numbers."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:{get_column_letter(columns)}{max(ws.max_row, 2)}"


def _title_and_header(ws: Worksheet, title: str, header: list[str]) -> None:
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.row_dimensions[1].height = 24
    for col, text in enumerate(header, start=1):
        cell = ws.cell(2, col, text)
        cell.font = Font(bold=True)
        cell.alignment = _WRAP
        cell.border = _BORDER
    ws.row_dimensions[2].height = 32


def _day_headers(monday: dt.date) -> list[str]:
    return [f"{WEEKDAYS_ZH[i]}\n{_md(day)}" for i, day in enumerate(week_days(monday))]


def write_duty_workbook(
    district: District, monday: dt.date, items: list[Duty], out_dir: Path
) -> Path:
    """Duty sheets: a sheet per town, its posts in code order, a row per post and shift,
    the days as columns, each cell the names and phones of the cadres on that shift (and
    "缺N人" where fewer are assigned than the post needs)."""
    days = week_days(monday)
    cells: dict[tuple[int, str, dt.date], list[Duty]] = {}
    by_post: dict[int, list[Duty]] = {}
    for d in items:
        cells.setdefault((d.post.id, d.shift.code, d.day), []).append(d)
        by_post.setdefault(d.post.id, []).append(d)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    header = ["编号", "村/社区", "班次", *_day_headers(monday)]
    for town in district.towns.values():
        posts = [p for p in district.posts.values() if p.town_id == town.id]
        rows = []
        for post in posts:
            shifts = _post_shifts(district, post, days, by_post.get(post.id, []))
            if shifts:
                rows.append((post, shifts))
        if not rows:
            continue
        ws = wb.create_sheet(_sheet_title(town.name, used))
        _title_and_header(ws, f"{town.name} 值班表 {week_range_zh(monday)}", header)
        r = 3
        for post, shifts in rows:
            first = r
            for shift in shifts:
                ws.cell(r, 3, f"{shift.name}\n{shift_hours(shift)}")
                lines_max = 1
                for i, day in enumerate(days):
                    here = sorted(
                        cells.get((post.id, shift.code, day), []), key=lambda d: d.cadre.code
                    )
                    lines = [cell_name(d.cadre) for d in here]
                    missing = district.required(post.id, day, shift.code) - len(here)
                    if missing > 0:
                        lines.append(f"缺{missing}人")
                    ws.cell(r, 4 + i, "\n".join(lines) or None)
                    lines_max = max(lines_max, len(lines))
                ws.row_dimensions[r].height = max(30, 15 * lines_max + 4)
                r += 1
            name = post.name + (f"\n{post.address}" if post.address else "")
            ws.cell(first, 1, post.code)
            ws.cell(first, 2, name)
            if r - 1 > first:
                ws.merge_cells(start_row=first, start_column=1, end_row=r - 1, end_column=1)
                ws.merge_cells(start_row=first, start_column=2, end_row=r - 1, end_column=2)
        _style_body(ws, 3, r - 1, len(header))
        for col, width in zip("ABC", (9, 16, 13), strict=True):
            ws.column_dimensions[col].width = width
        for i in range(7):
            ws.column_dimensions[get_column_letter(4 + i)].width = 19
        ws.freeze_panes = "D3"
        a4_landscape(ws, len(header))
    if not wb.sheetnames:
        ws = wb.create_sheet("值班表")
        _title_and_header(ws, f"值班表 {week_range_zh(monday)}：本周无值班安排", header)
    path = out_dir / f"duty-{monday}.xlsx"
    save_inert(wb, path)
    return path


def _style_body(ws: Worksheet, first_row: int, last_row: int, columns: int) -> None:
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            cell.border = _BORDER
            cell.alignment = _WRAP


def _person_rows(items: list[Duty]) -> list[tuple[Cadre, Post, dict[dt.date, Duty]]]:
    """One row per cadre and post (a cadre lent to another post by relief has two)."""
    rows: dict[tuple[int, int], tuple[Cadre, Post, dict[dt.date, Duty]]] = {}
    for d in _by_cadre(items):
        rows.setdefault((d.cadre.id, d.post.id), (d.cadre, d.post, {}))[2][d.day] = d
    return list(rows.values())


def _duty_cell(d: Duty | None) -> str:
    if d is None:
        return ""
    return f"{d.shift.name}\n{shift_hours(d.shift)}" + (
        "\n（顶班）" if d.source == "relief" else ""
    )


def _people_sheet(
    ws: Worksheet,
    district: District,
    monday: dt.date,
    items: list[Duty],
    title: str,
    with_unit: bool,
) -> None:
    lead = ["编号", "姓名", "电话", *(["派出单位"] if with_unit else []), "乡镇", "村/社区", "地址"]
    header = [*lead, *_day_headers(monday)]
    _title_and_header(ws, title, header)
    r = 3
    for cadre, post, by_day in _person_rows(items):
        unit = district.units.get(cadre.unit_id)
        values = [cadre.code, cadre.name, cadre.phone]
        if with_unit:
            values.append(unit.name if unit else "")
        values += [district.towns[post.town_id].name, post.name, post.address]
        values += [_duty_cell(by_day.get(day)) for day in week_days(monday)]
        for col, value in enumerate(values, start=1):
            ws.cell(r, col, value or None)
        ws.row_dimensions[r].height = 46
        r += 1
    _style_body(ws, 3, r - 1, len(header))
    widths = [9, 9, 13, *([16] if with_unit else []), 11, 13, 16]
    for col, width in enumerate(widths + [13] * 7, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(3, 3)
    a4_landscape(ws, len(header))


def write_unit_workbook(
    district: District, monday: dt.date, items: list[Duty], out_dir: Path
) -> Path:
    """A sheet per dispatching unit: its people, their post and their shift on each day."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for unit in district.units.values():
        mine = [d for d in items if d.cadre.unit_id == unit.id]
        if not mine:
            continue
        liaison = " ".join(x for x in (unit.liaison_name, unit.liaison_phone) if x)
        title = f"{unit.name} 在岗人员 {week_range_zh(monday)}"
        if liaison:
            title += f"（联络人：{liaison}）"
        ws = wb.create_sheet(_sheet_title(unit.name, used))
        _people_sheet(ws, district, monday, mine, title, with_unit=False)
        given = unit_given(district, monday, items, unit.id)
        if any(quota is not None for _post, _n, quota in given):
            row = ws.max_row + 1
            ws.cell(row, 1, "在岗人数/限额")
            for col, (_post, n, quota) in enumerate(given, start=7):
                ws.cell(row, col, f"{n}/{quota}" if quota is not None else str(n))
    if not wb.sheetnames:
        wb.create_sheet("派出单位").cell(1, 1, f"{week_range_zh(monday)}：本周无值班安排")
    path = out_dir / f"units-{monday}.xlsx"
    save_inert(wb, path)
    return path


def write_cadre_workbook(
    district: District, monday: dt.date, items: list[Duty], out_dir: Path
) -> Path:
    """One sheet: every cadre on duty that week, a row per cadre and post, days as columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "干部值班"
    _people_sheet(
        ws, district, monday, items, f"干部值班安排 {week_range_zh(monday)}", with_unit=True
    )
    path = out_dir / f"cadres-{monday}.xlsx"
    save_inert(wb, path)
    return path


# --- ICS -------------------------------------------------------------------------------


def week_vtimezone(monday: dt.date) -> Timezone:
    """Asia/Shanghai as a VTIMEZONE covering the week and the night that ends it.

    Built for the week only: for all of 1970–2038 it takes ~0.1 s per calendar.
    """
    return Timezone.from_tzid(TIMEZONE, first_date=monday, last_date=monday + dt.timedelta(days=8))


def cadre_calendar(
    roster: Roster, cadre: Cadre, items: list[Duty], vtimezone: Timezone | None = None
) -> Calendar:
    """The cadre's week as iCalendar events in Asia/Shanghai.

    Each event's UID is fixed by week, cadre and day, and SEQUENCE is the roster's version,
    so importing a later export updates the events instead of adding copies.
    """
    monday = roster.week_start
    cal = Calendar.new(
        prodid=ICS_PRODID,
        uid=f"roster-{monday}-{cadre.code}",
        name=f"{cadre.name} 值班 {week_range_zh(monday)}",
        method="PUBLISH",
        calscale="GREGORIAN",
    )
    cal.add_component(vtimezone or week_vtimezone(monday))
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for d in items:
        place = f"{d.town.name}{d.post.name}"
        event = Event.new(
            uid=f"{monday}-{cadre.code}-{d.day}@roster",
            summary=f"{d.shift.name} {place}",
            start=d.start,
            end=d.end,
            location=d.post.address or place,
            description=(
                f"{d.shift.name} {shift_hours(d.shift)}\n{place}（编号 {d.post.code}）"
                + (f"\n{d.work_group}" if d.work_group else "")
                + ("\n顶班" if d.source == "relief" else "")
            ),
            sequence=roster.version,
            stamp=stamp,
        )
        event.add("geo", (d.post.lat, d.post.lon))
        cal.add_component(event)
    return cal


def write_calendars(
    monday: dt.date, roster: Roster, items: list[Duty], out_dir: Path
) -> list[Path]:
    """One .ics file per cadre on duty that week."""
    by_cadre: dict[int, list[Duty]] = {}
    for d in _by_cadre(items):
        by_cadre.setdefault(d.cadre.id, []).append(d)
    paths = []
    vtimezone = week_vtimezone(monday)
    for mine in by_cadre.values():
        cadre = mine[0].cadre
        path = out_dir / f"cadre-{safe_name(cadre.code)}-{monday}.ics"
        path.write_bytes(cadre_calendar(roster, cadre, mine, vtimezone).to_ical())
        paths.append(path)
    return paths


# --- SMS -------------------------------------------------------------------------------


def sms_text(cadre: Cadre, monday: dt.date, items: list[Duty], changed: bool = False) -> str:
    """A short Chinese notice of the cadre's week: each post, then its days and shift times.

    e.g. "王金宝同志：您12月7日至13日的值班安排：龙山街道社区1，12月7日—9日白班08:00-20:00；
    12月11日夜班20:00-次日08:00。请准时到岗。"
    """
    week = week_range_zh(monday)
    if not items:
        verb = "值班安排有调整，" if changed else ""
        return f"{cadre.name}同志：您{week}{verb}无值班安排。"
    posts: dict[int, dict[str, list[dt.date]]] = {}
    places: dict[int, str] = {}
    for d in sorted(items, key=lambda d: (d.day, d.start)):
        posts.setdefault(d.post.id, {}).setdefault(d.shift.code, []).append(d.day)
        places[d.post.id] = f"{d.town.name}{d.post.name}"
    shifts = {d.shift.code: d.shift for d in items}
    parts = []
    for post_id, by_shift in posts.items():
        spans = "；".join(
            f"{days_zh(days)}{shift_label(shifts[code])}" for code, days in by_shift.items()
        )
        parts.append(f"{places[post_id]}，{spans}")
    head = "的值班安排有调整，现为：" if changed else "的值班安排："
    return f"{cadre.name}同志：您{week}{head}{'；'.join(parts)}。请准时到岗。"


def write_sms(
    district: District,
    monday: dt.date,
    items: list[Duty],
    out_dir: Path,
    cadre_ids: Collection[int] | None = None,
    texts: dict[int, str] | None = None,
) -> Path:
    """A CSV for an SMS gateway: phone, cadre, message; one row per cadre.

    Without `cadre_ids`: every cadre on duty that week. With them: exactly those cadres,
    each told their week has changed (including "no duty now" for a relieved cadre), in
    the words of `texts` where it has them (what relief changed, from `relief_sms_texts`).
    """
    by_cadre: dict[int, list[Duty]] = {}
    for d in items:
        by_cadre.setdefault(d.cadre.id, []).append(d)
    if cadre_ids is None:
        chosen = sorted((district.cadres[i] for i in by_cadre), key=lambda c: c.code)
    else:
        chosen = sorted((district.cadres[i] for i in cadre_ids), key=lambda c: c.code)
    changed = cadre_ids is not None
    path = out_dir / (f"sms-changed-{monday}.csv" if changed else f"sms-{monday}.csv")
    _write_csv(
        path,
        SMS_COLUMNS,
        (
            [
                c.phone,
                c.code,
                c.name,
                (texts or {}).get(c.id) or sms_text(c, monday, by_cadre.get(c.id, []), changed),
            ]
            for c in chosen
        ),
    )
    return path


def relief_sms_texts(
    district: District,
    monday: dt.date,
    assignments: Iterable[Assignment],
    changes: Iterable,
    away: dict[int, list[tuple[dt.date, dt.date]]],
) -> dict[int, str]:
    """The text message for each cadre whose week relief changed, by cadre id: their week
    as it now is (`assignments`, as `sms_text` puts it), what changed (the days granted
    away, the duties added and cancelled: `changes` have action, cadre_id, date, post_id
    and shift_code), then for each post they are newly sent to its address and a contact:
    a colleague on duty there on those days (the one sharing most of them, a party member
    first), else the town's coordinator; never the relieved cadre."""
    assignments = list(assignments)
    changes = list(changes)
    by_cadre: dict[int, list] = {}
    for ch in changes:
        by_cadre.setdefault(ch.cadre_id, []).append(ch)
    for cid in away:
        by_cadre.setdefault(cid, [])
    added_posts = {ch.post_id for ch in changes if ch.action == "add"}
    on_duty: dict[tuple[int, dt.date], list[int]] = {}
    mine: dict[int, list[Assignment]] = {c: [] for c in by_cadre}
    for a in assignments:
        if a.cadre_id in mine:
            mine[a.cadre_id].append(a)
        if a.post_id in added_posts:
            on_duty.setdefault((a.post_id, a.date), []).append(a.cadre_id)
    out = {}
    for cid in sorted(by_cadre, key=lambda c: district.cadres[c].code):
        cadre = district.cadres[cid]
        chs = by_cadre[cid]
        now = duties(district, sorted(mine[cid], key=lambda a: a.date))
        text = sms_text(cadre, monday, now, changed=True).removesuffix("请准时到岗。")
        lines = []
        for first, last in away.get(cid, []):
            span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
            lines.append(f"{days_zh(span)}准假")
        for verb, action in (("新增", "add"), ("取消", "remove")):
            groups: dict[tuple[int, str], list[dt.date]] = {}
            for ch in chs:
                if ch.action == action:
                    groups.setdefault((ch.post_id, ch.shift_code), []).append(ch.date)
            for (p, s), days in groups.items():
                lines.append(
                    f"{verb}{days_zh(days)}{district.posts[p].name}"
                    + shift_label(district.shifts[s])
                )
        text += "变动：" + "；".join(lines) + "。"
        for p in sorted({ch.post_id for ch in chs if ch.action == "add"}):
            days = [ch.date for ch in chs if ch.action == "add" and ch.post_id == p]
            text += _post_contact(district, on_duty, p, days, {cid, *away})
        if now:
            text += "请准时到岗。"
        out[cid] = text
    return out


def _post_contact(
    district: District,
    on_duty: dict[tuple[int, dt.date], list[int]],
    post_id: int,
    days: list[dt.date],
    not_them: set[int],
) -> str:
    """ "地址：…；联系人：name phone": who is on duty at the post on most of `days` (a party
    member first), else the town's coordinator."""
    post = district.posts[post_id]
    town = district.towns[post.town_id]
    text = f"地址：{post.address or town.name + post.name}"
    shared: dict[int, int] = {}
    for day in days:
        for c in on_duty.get((post_id, day), []):
            if c not in not_them:
                shared[c] = shared.get(c, 0) + 1
    if shared:
        best = min(
            shared,
            key=lambda c: (
                -shared[c],
                not district.cadres[c].party_member,
                district.cadres[c].code,
            ),
        )
        contact = district.cadres[best]
        return text + f"；联系人：{contact.name} {contact.phone}。"
    return text + f"；联系人：{town.name}协调员。"
