"""Exports are inert: a district whose names start with `= + - @` gives workbooks with no
formula cell and CSVs whose fields a spreadsheet shows as text."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from roster import exports
from roster.service import service_report, write_service
from roster.text import cell_text, is_inert
from tests.factories import MONDAY, make_db

EVIL = ("=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)")


@pytest.fixture
def evil_db(tmp_path):
    db = make_db(tmp_path / "evil.db")
    for table in ("towns", "units", "work_groups", "posts", "cadres", "shift_types"):
        pk = "code" if table == "shift_types" else "id"
        for i, row in enumerate(db[table].rows):
            db[table].update(row[pk], {"name": f"{EVIL[i % len(EVIL)]}{i}"})
    for i, row in enumerate(db["cadres"].rows):
        db["cadres"].update(row["id"], {"notes": EVIL[i % 4], "phone": "+86" + row["phone"]})
    db["units"].update(2, {"name": "\x1b]0;pwned\x07\u202e单位"})  # file names too
    db["units"].update(1, {"liaison_name": '=HYPERLINK("http://x")', "liaison_phone": "@1"})
    return db


def formulas(path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [
        f"{ws.title}!{cell.coordinate}: {cell.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
        or (isinstance(cell.value, str) and cell.value.startswith("="))
        and cell.data_type != "s"
    ]


def raw_fields(path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [v for row in csv.reader(f) for v in row if v.startswith(("=", "+", "-", "@"))]


def test_cell_text_neutralises_only_text_that_a_spreadsheet_would_evaluate():
    assert cell_text("=1+2") == "'=1+2" and cell_text("@x") == "'@x"
    assert cell_text("王金宝") == "王金宝" and cell_text(-3) == -3 and cell_text(1.5) == 1.5


def test_every_export_is_inert(evil_db, tmp_path):
    written = []
    for by, formats in exports.FORMATS_BY.items():
        for fmt in formats:
            out = tmp_path / f"{by}-{fmt}"
            written += exports.export_week(evil_db, MONDAY, by, fmt, out)
    report = service_report(evil_db, MONDAY, MONDAY + dt.timedelta(days=6))
    for fmt in ("csv", "xlsx"):
        written.append(write_service(report, fmt, tmp_path / "service" / f"records.{fmt}"))
    kinds = {p.suffix for p in written}
    assert {".xlsx", ".csv"} <= kinds, kinds
    names_seen = False
    for path in written:
        if path.suffix == ".xlsx":
            assert formulas(path) == [], path
            wb = openpyxl.load_workbook(path)
            values = [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r]
            names_seen |= any(isinstance(v, str) and v.startswith("=cmd") for v in values)
        elif path.suffix == ".csv":
            assert raw_fields(path) == [], path
    assert names_seen  # the names are there, as text
    assert [p.name for p in written if not is_inert(p.name)] == []
