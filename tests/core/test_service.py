"""Service records: days, nights, weekends, relief taken and given, commute — hand-computed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math

import openpyxl
import pytest
from click.testing import CliRunner

from roster import service, store
from roster.cli import cli
from roster.domain import Assignment

A = Assignment
WEEK1 = dt.date(2026, 12, 7)  # Monday
WEEK2 = dt.date(2026, 12, 14)
# Home at (40.0, 116.0), posts 0.1° of latitude north: a meridian arc of R·Δφ, times the
# road factor 1.3, there and back. R is the mean Earth radius the haversine package uses.
ONE_WAY_KM = 6371.0088 * math.radians(0.1) * 1.3
ROUND_TRIP_KM = 2 * ONE_WAY_KM  # ≈ 28.91


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "t.db")
    db["towns"].insert({"id": 1, "name": "龙山街道", "kind": "street", "lat": 40.1, "lon": 116.0})
    db["units"].insert_all([{"id": 1, "name": "区园林绿化局"}, {"id": 2, "name": "区财政局"}])
    db["work_groups"].insert({"id": 1, "name": "第1工作组"})
    for i, code in enumerate(["C001", "C002"], start=1):
        db["posts"].insert(
            {"id": i, "code": code, "name": f"社区{i}", "kind": "community", "town_id": 1,
             "work_group_id": 1, "lat": 40.1, "lon": 116.0}
        )  # fmt: skip
    db["shift_types"].insert_all(
        [
            {"code": "D", "name": "白班", "start": "08:00", "end": "20:00"},
            {"code": "N", "name": "夜班", "start": "20:00", "end": "08:00"},
        ]
    )
    for i, (name, unit) in enumerate([("王金宝", 1), ("田在国", 1), ("李萌", 2)], start=1):
        db["cadres"].insert(
            {"id": i, "code": f"G{i:04}", "name": name, "gender": "M", "birth_date": "1970-01-01",
             "unit_id": unit, "phone": "13800000000", "party_member": 0, "home_lat": 40.0,
             "home_lon": 116.0, "transport": "car", "max_commute_km": 100, "night_ok": 1}
        )  # fmt: skip
    # Week 1: 王金宝 two nights (Mon, Tue), then Saturday and Sunday days; 李萌 Wed and Fri.
    store.save_roster(
        db,
        WEEK1,
        [A(d(12, 7), 1, 1, "N"), A(d(12, 8), 1, 1, "N"), A(d(12, 12), 1, 1, "D"),
         A(d(12, 13), 1, 1, "D"), A(d(12, 9), 3, 2, "D"), A(d(12, 11), 3, 2, "D")],
    )  # fmt: skip
    # Week 2, a week with relief: 王金宝 relieved Mon–Wed, 田在国 covers Mon and Tue at his
    # post; 王金宝 back for a Sunday night that ends on Monday 21 December.
    store.save_roster(
        db,
        WEEK2,
        [A(d(12, 14), 2, 1, "D", source="relief"), A(d(12, 15), 2, 1, "D", source="relief"),
         A(d(12, 20), 1, 1, "N")],
    )  # fmt: skip
    store.publish_roster(db, WEEK1)
    db["relief_requests"].insert_all(
        [
            {"cadre_id": 1, "start_date": "2026-12-14", "end_date": "2026-12-16",
             "reason": "家中有事", "status": "settled"},
            {"cadre_id": 2, "start_date": "2026-12-10", "end_date": "2026-12-10",
             "reason": "想休息", "status": "declined"},
        ]
    )  # fmt: skip
    # 田在国 off sick from Friday 18th into the next week: 3 days fall in the period.
    db["absences"].insert(
        {"cadre_id": 2, "start_date": "2026-12-18", "end_date": "2026-12-25", "kind": "sick"}
    )
    return db


def by_code(report) -> dict[str, service.ServiceRecord]:
    return {r.cadre.code: r for r in report.records}


def test_two_weeks_with_nights_weekends_and_relief(db):
    report = service.service_report(db, d(12, 7), d(12, 20))
    assert report.weeks == [WEEK1, WEEK2]
    assert report.draft_weeks == [WEEK2]
    wang, tian, li = (by_code(report)[c] for c in ("G0001", "G0002", "G0003"))

    # 王金宝: N 7, N 8, D 12 (Sat), D 13 (Sun), N 20 (Sun, ends on the 21st: still counted)
    assert (wang.shifts, wang.days_served, wang.nights, wang.weekend_days) == (5, 5, 3, 3)
    assert wang.hours == 60
    assert (wang.relief_requests, wang.relief_taken_days, wang.relief_given) == (1, 3, 0)
    assert wang.commute_km == pytest.approx(5 * ROUND_TRIP_KM)
    assert wang.values()["commute_km"] == 144.6

    # 田在国: two relief days; the declined request is not relief taken; 3 sick days in range
    assert (tian.shifts, tian.days_served, tian.nights, tian.weekend_days) == (2, 2, 0, 0)
    assert (tian.relief_requests, tian.relief_taken_days, tian.relief_given) == (0, 3, 2)
    assert tian.commute_km == pytest.approx(2 * ROUND_TRIP_KM)

    assert (li.shifts, li.nights, li.weekend_days, li.relief_given) == (2, 0, 0, 0)  # Fri: no
    assert li.unit == "区财政局"


def test_the_period_clips_shifts_by_the_day_they_start(db):
    records = by_code(service.service_report(db, d(12, 8), d(12, 12)))
    wang = records["G0001"]
    # N on the 8th (counted; its morning on the 9th is inside too) and D on Saturday the 12th;
    # the night of the 7th started before the period and is left out
    assert (wang.shifts, wang.nights, wang.weekend_days, wang.hours) == (2, 1, 1, 24)
    assert records["G0002"].relief_taken_days == 0


def test_unit_filter_and_unknown_unit(db):
    report = service.service_report(db, d(12, 7), d(12, 20), unit="区财政局")
    assert [r.cadre.name for r in report.records] == ["李萌"]
    with pytest.raises(LookupError, match="did you mean 区财政局"):
        service.service_report(db, d(12, 7), d(12, 20), unit="区财政")


def test_end_before_start_is_refused(db):
    with pytest.raises(ValueError, match="swap the dates"):
        service.service_report(db, d(12, 20), d(12, 7))


def test_csv_matches_the_records(db, tmp_path):
    report = service.service_report(db, d(12, 7), d(12, 20))
    path = service.write_service(report, "csv", tmp_path / "s.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0] == {
        "cadre_code": "G0001", "cadre_name": "王金宝", "unit": "区园林绿化局", "status": "active",
        "shifts": "5", "days_served": "5", "nights": "3", "weekend_days": "3", "hours": "60.0",
        "relief_requests": "1", "relief_taken_days": "3", "relief_given": "0",
        "commute_km": "144.6",
    }  # fmt: skip
    assert "home" not in path.read_text(encoding="utf-8-sig")


def test_xlsx_round_trip_with_chinese_headers_and_totals(db, tmp_path):
    report = service.service_report(db, d(12, 7), d(12, 20))
    path = service.write_service(report, "xlsx", tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path)["服务记录"]
    assert ws["A1"].value == "值班服务记录 2026-12-07 至 2026-12-20"
    header = [ws.cell(2, c).value for c in range(1, 14)]
    assert header[:7] == ["编号", "姓名", "派出单位", "状态", "班次数", "值班天数", "夜班数"]
    assert [ws.cell(3, c).value for c in range(1, 13)] == [
        "G0001", "王金宝", "区园林绿化局", "active", 5, 5, 3, 3, 60, 1, 3, 0,
    ]  # fmt: skip
    assert ws.cell(3, 13).value == 144.6
    assert ws.cell(6, 1).value == "合计"
    assert ws.cell(6, 5).value == 5 + 2 + 2  # shifts
    assert ws.cell(6, 12).value == 2  # relief given
    assert ws.page_setup.orientation == "landscape"


def test_night_is_the_domains_definition(db):
    shifts = store.load_district(db).shifts
    assert shifts["N"].is_night and not shifts["D"].is_night


# --- command line ----------------------------------------------------------------------


def run(tmp_path, *args):
    return CliRunner().invoke(cli, ["service", "--db", str(tmp_path / "t.db"), *args])


def test_cli_service_writes_csv_and_notes_drafts(db, tmp_path):
    out = tmp_path / "out" / "service.csv"
    result = run(tmp_path, "--from", "2026-12-07", "--to", "2026-12-20", "--unit", "区园林绿化局",
                 "--format", "csv", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wrote service records of 2 cadre(s)" in result.stdout
    assert "counted draft (unpublished) roster(s) of 2026-12-14" in result.stderr
    with out.open(encoding="utf-8-sig") as f:
        assert [r["cadre_name"] for r in csv.DictReader(f)] == ["王金宝", "田在国"]


def test_cli_service_json_and_format_from_suffix(db, tmp_path):
    out = tmp_path / "s.xlsx"
    result = run(
        tmp_path, "--from", "2026-12-07", "--to", "2026-12-13", "--out", str(out), "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["weeks"] == ["2026-12-07"]
    assert data["records"][0]["nights"] == 2
    assert openpyxl.load_workbook(out).sheetnames == ["服务记录"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-12-20", "--to", "2026-12-07"], "swap the dates"),
        (
            ["--from", "2026-12-07", "--to", "2026-12-20", "--unit", "无此单位"],
            "no dispatching unit",
        ),
        (["--from", "2027-06-01", "--to", "2027-06-30"], "no roster is stored for any week"),
    ],
)
def test_cli_service_bad_input(db, tmp_path, args, message):
    result = run(tmp_path, *args, "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "x.csv").exists()
