"""Exports of a week: duty sheets, cadre schedules, unit lists, ICS calendars and SMS texts.

A small hand-built district in a fresh database per test; every expected value below was
worked out by hand from the rows written here.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from roster import exports, store
from roster.cli import cli
from roster.domain import Assignment

MONDAY = dt.date(2026, 12, 7)
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOME_LAT = 40.123457  # a value that must never appear in any export
A = Assignment


def day(n: int) -> dt.date:
    """The n-th day of the test week (0 = Monday 7 December 2026)."""
    return MONDAY + dt.timedelta(days=n)


def build_district(db) -> None:
    """Two towns, two units, three posts (one unused), day and night shifts, four cadres."""
    db["towns"].insert_all(
        [
            {"id": 1, "name": "龙山街道", "kind": "street", "lat": 40.31, "lon": 116.64},
            {"id": 2, "name": "喇叭沟门乡", "kind": "township", "lat": 40.9, "lon": 116.6},
        ]
    )
    db["units"].insert(
        {"id": 1, "name": "区园林绿化局", "liaison_name": "张联络", "liaison_phone": "13600000001"}
    )
    db["units"].insert({"id": 2, "name": "区财政局"})
    db["work_groups"].insert_all([{"id": 1, "name": "第1工作组"}, {"id": 2, "name": "第2工作组"}])
    for post in [
            {"id": 1, "code": "C001", "name": "龙山社区", "kind": "community", "town_id": 1,
             "work_group_id": 1, "lat": 40.31, "lon": 116.64, "address": "龙山街道龙山路1号"},
            {"id": 2, "code": "C002", "name": "西山社区", "kind": "community", "town_id": 1,
             "work_group_id": 1, "lat": 40.32, "lon": 116.65},
            {"id": 3, "code": "V001", "name": "喇叭沟门村", "kind": "village", "town_id": 2,
             "work_group_id": 2, "lat": 40.9, "lon": 116.6},
    ]:  # fmt: skip
        db["posts"].insert(post)
    db["shift_types"].insert_all(
        [
            {"code": "D", "name": "白班", "start": "08:00", "end": "20:00"},
            {"code": "N", "name": "夜班", "start": "20:00", "end": "08:00"},
        ]
    )
    for i, (name, unit) in enumerate([("王金宝", 1), ("田在国", 1), ("李萌", 2), ("赵丽", 2)], 1):
        db["cadres"].insert(
            {"id": i, "code": f"G{i:04}", "name": name, "gender": "M", "birth_date": "1975-05-05",
             "unit_id": unit, "phone": f"1380000000{i}", "party_member": 1, "home_lat": HOME_LAT,
             "home_lon": 116.654321, "transport": "car", "max_commute_km": 100, "night_ok": 1}
        )  # fmt: skip
    # C001 needs one day shift every day and a night shift on Monday; V001 two on Monday.
    db["demand"].insert_all(
        [{"post_id": 1, "shift_code": "D", "weekday": w, "required": 1} for w in range(1, 8)]
        + [
            {"post_id": 1, "shift_code": "N", "weekday": 1, "required": 1},
            {"post_id": 3, "shift_code": "D", "weekday": 1, "required": 2},
        ]
    )
    # 李萌 was relieved on Thursday (a settled request); 赵丽 covered C001 that day.
    db["relief_requests"].insert(
        {"cadre_id": 3, "start_date": "2026-12-10", "end_date": "2026-12-10",
         "reason": "病假", "status": "settled", "resolution": "赵丽顶班"}
    )  # fmt: skip


WEEK = [
    A(day(0), 1, 1, "D"), A(day(1), 1, 1, "D"), A(day(2), 1, 1, "D"), A(day(4), 1, 1, "D"),
    A(day(0), 2, 1, "N"),
    A(day(0), 3, 3, "D"),
    A(day(3), 4, 1, "D", source="relief"),
]  # fmt: skip


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "t.db")
    build_district(db)
    store.save_roster(db, MONDAY, WEEK, actor="test")
    return db


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def assert_no_home_coordinates(paths: list[Path]) -> None:
    for path in paths:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                text = "".join(z.read(n).decode("utf-8") for n in z.namelist())
        else:
            text = path.read_text(encoding="utf-8-sig")
        assert str(HOME_LAT) not in text and "116.654321" not in text, path


# --- duty sheets by post ---------------------------------------------------------------


def test_duty_workbook_has_a_sheet_per_town_with_names_and_phones_per_shift(db, tmp_path):
    [path] = exports.export_week(db, MONDAY, "post", "xlsx", tmp_path / "out")
    assert path.name == "duty-2026-12-07.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["龙山街道", "喇叭沟门乡"]

    ws = wb["龙山街道"]
    assert ws["A1"].value == "龙山街道 值班表 12月7日至13日"
    assert [ws.cell(2, c).value for c in range(1, 5)] == [
        "编号",
        "村/社区",
        "班次",
        "周一\n12月7日",
    ]
    assert ws["J2"].value == "周日\n12月13日"
    # C001: a day row then a night row (shifts in order of start); C002 has no duty: no rows
    assert ws["A3"].value == "C001"
    assert ws["B3"].value == "龙山社区\n龙山街道龙山路1号"
    assert ws["C3"].value == "白班\n08:00-20:00"
    day_row = [ws.cell(3, c).value for c in range(4, 11)]
    assert day_row == [
        "王金宝 13800000001", "王金宝 13800000001", "王金宝 13800000001",
        "赵丽 13800000004", "王金宝 13800000001", "缺1人", "缺1人",
    ]  # fmt: skip
    assert ws["C4"].value == "夜班\n20:00-次日08:00"
    assert [ws.cell(4, c).value for c in range(4, 11)] == ["田在国 13800000002"] + [None] * 6
    assert "A3:A4" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.max_row == 4

    ws = wb["喇叭沟门乡"]
    assert ws["A3"].value == "V001"
    assert ws["D3"].value == "李萌 13800000003\n缺1人"  # two needed on Monday, one assigned
    assert ws["E3"].value is None


def test_duty_workbook_prints_on_a4_landscape(db, tmp_path):
    [path] = exports.export_week(db, MONDAY, "post", "xlsx", tmp_path)
    ws = openpyxl.load_workbook(path)["龙山街道"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1
    assert ws.print_title_rows == "$1:$2"


def test_post_csv_is_one_file_per_post_in_use(db, tmp_path):
    paths = exports.export_week(db, MONDAY, "post", "csv", tmp_path)
    assert [p.name for p in paths] == ["post-C001-2026-12-07.csv", "post-V001-2026-12-07.csv"]
    rows = read_csv(paths[0])
    assert len(rows) == 6
    night = [r for r in rows if r["shift_code"] == "N"]
    assert night == [
        {
            "date": "2026-12-07", "weekday": "1", "shift_code": "N", "shift_name": "夜班",
            "start": "2026-12-07 20:00", "end": "2026-12-08 08:00", "town": "龙山街道",
            "work_group": "第1工作组", "post_code": "C001", "post_name": "龙山社区",
            "address": "龙山街道龙山路1号", "cadre_code": "G0002", "cadre_name": "田在国",
            "unit": "区园林绿化局", "phone": "13800000002", "source": "solver",
        }
    ]  # fmt: skip
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8


# --- by cadre --------------------------------------------------------------------------


def test_cadre_csv_lists_each_cadres_week_in_code_order(db, tmp_path):
    [path] = exports.export_week(db, MONDAY, "cadre", "csv", tmp_path)
    rows = read_csv(path)
    assert [(r["cadre_code"], r["date"], r["shift_code"]) for r in rows] == [
        ("G0001", "2026-12-07", "D"), ("G0001", "2026-12-08", "D"),
        ("G0001", "2026-12-09", "D"), ("G0001", "2026-12-11", "D"),
        ("G0002", "2026-12-07", "N"), ("G0003", "2026-12-07", "D"),
        ("G0004", "2026-12-10", "D"),
    ]  # fmt: skip
    assert rows[-1]["source"] == "relief"
    assert rows[-1]["cadre_name"] == "赵丽"


def test_cadre_workbook_has_a_row_per_cadre_with_days_as_columns(db, tmp_path):
    [path] = exports.export_week(db, MONDAY, "cadre", "xlsx", tmp_path)
    ws = openpyxl.load_workbook(path)["干部值班"]
    header = [ws.cell(2, c).value for c in range(1, 15)]
    assert header[:7] == ["编号", "姓名", "电话", "派出单位", "乡镇", "村/社区", "地址"]
    assert [ws.cell(r, 2).value for r in range(3, 7)] == ["王金宝", "田在国", "李萌", "赵丽"]
    assert ws.cell(4, 8).value == "夜班\n20:00-次日08:00"  # 田在国, Monday
    assert ws.cell(6, 11).value == "白班\n08:00-20:00\n（顶班）"  # 赵丽, Thursday, relief
    assert ws.cell(3, 11).value is None  # 王金宝 rests on Thursday


def test_ics_events_are_in_shanghai_time_and_a_night_shift_ends_next_day(db, tmp_path):
    paths = exports.export_week(db, MONDAY, "cadre", "ics", tmp_path)
    assert [p.name for p in paths] == [f"cadre-G000{i}-2026-12-07.ics" for i in range(1, 5)]
    cal = Calendar.from_ical(paths[1].read_bytes())  # 田在国
    [event] = cal.events
    assert event.start == dt.datetime(2026, 12, 7, 20, 0, tzinfo=SHANGHAI)
    assert event.end == dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI)
    assert str(event.start.tzinfo) == "Asia/Shanghai"
    assert event.end.utcoffset() == dt.timedelta(hours=8)
    assert str(event["SUMMARY"]) == "夜班 龙山街道龙山社区"
    assert str(event["LOCATION"]) == "龙山街道龙山路1号"
    assert "20:00-次日08:00" in str(event["DESCRIPTION"])
    assert "Asia/Shanghai" in [tz.tz_name for tz in cal.timezones]
    assert int(event["SEQUENCE"]) == 1  # the roster's version: later exports update events

    wang = Calendar.from_ical(paths[0].read_bytes())
    starts = sorted(e.start for e in wang.events)
    assert [s.date() for s in starts] == [day(0), day(1), day(2), day(4)]
    assert all(e.end - e.start == dt.timedelta(hours=12) for e in wang.events)
    assert len({str(e["UID"]) for e in wang.events}) == 4
    # a village without an address: the town and post name stand in
    li = Calendar.from_ical(paths[2].read_bytes())
    assert str(li.events[0]["LOCATION"]) == "喇叭沟门乡喇叭沟门村"


def test_sms_one_short_chinese_message_per_cadre(db, tmp_path):
    [path] = exports.export_week(db, MONDAY, "cadre", "sms", tmp_path)
    rows = read_csv(path)
    assert [r["phone"] for r in rows] == [f"1380000000{i}" for i in range(1, 5)]
    assert rows[0]["message"] == (
        "王金宝同志：您12月7日至13日的值班安排：龙山街道龙山社区，"
        "12月7日—9日、11日白班08:00-20:00。请准时到岗。"
    )
    assert rows[1]["message"] == (
        "田在国同志：您12月7日至13日的值班安排：龙山街道龙山社区，"
        "12月7日夜班20:00-次日08:00。请准时到岗。"
    )
    assert all(len(r["message"]) <= 140 for r in rows)  # two SMS segments at most


def test_sms_changed_only_tells_the_relieved_and_the_relief(db, tmp_path):
    changed = exports.changed_cadres(db, MONDAY)
    assert changed == {3, 4}  # 李萌 relieved (settled request), 赵丽 lent as relief
    [path] = exports.export_week(db, MONDAY, "cadre", "sms", tmp_path, cadre_ids=changed)
    assert path.name == "sms-changed-2026-12-07.csv"
    rows = read_csv(path)
    assert [r["cadre_name"] for r in rows] == ["李萌", "赵丽"]
    assert rows[1]["message"] == (
        "赵丽同志：您12月7日至13日的值班安排有调整，现为：龙山街道龙山社区，"
        "12月10日白班08:00-20:00。请准时到岗。"
    )


def test_sms_for_a_cadre_left_without_duty_says_so(db, tmp_path):
    [path] = exports.export_week(db, MONDAY, "cadre", "sms", tmp_path, cadre_ids={1, 2})
    assert len(read_csv(path)) == 2
    text = exports.sms_text(store.load_district(db).cadres[4], MONDAY, [], changed=True)
    assert text == "赵丽同志：您12月7日至13日值班安排有调整，无值班安排。"


def test_sms_days_across_a_month_end():
    monday = dt.date(2026, 12, 28)
    assert exports.week_range_zh(monday) == "12月28日至1月3日"
    days = [dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 1, 3)]
    assert exports.days_zh(days) == "12月30日—1月1日、3日"


# --- by unit ---------------------------------------------------------------------------


def test_unit_csv_one_file_per_unit_for_its_liaison(db, tmp_path):
    paths = exports.export_week(db, MONDAY, "unit", "csv", tmp_path)
    assert [p.name for p in paths] == [
        "unit-区园林绿化局-2026-12-07.csv",
        "unit-区财政局-2026-12-07.csv",
    ]
    garden = read_csv(paths[0])
    assert [r["cadre_name"] for r in garden] == ["王金宝"] * 4 + ["田在国"]
    finance = read_csv(paths[1])
    assert [(r["cadre_name"], r["post_name"], r["date"]) for r in finance] == [
        ("李萌", "喇叭沟门村", "2026-12-07"),
        ("赵丽", "龙山社区", "2026-12-10"),
    ]


def test_unit_workbook_sheet_per_unit_names_the_liaison(db, tmp_path):
    [path] = exports.export_week(db, MONDAY, "unit", "xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["区园林绿化局", "区财政局"]
    ws = wb["区园林绿化局"]
    assert ws["A1"].value == "区园林绿化局 在岗人员 12月7日至13日（联络人：张联络 13600000001）"
    assert [ws.cell(3, c).value for c in range(1, 7)] == [
        "G0001", "王金宝", "13800000001", "龙山街道", "龙山社区", "龙山街道龙山路1号",
    ]  # fmt: skip


def test_no_export_holds_home_coordinates(db, tmp_path):
    written = []
    for by, formats in exports.FORMATS_BY.items():
        for fmt in formats:
            written += exports.export_week(db, MONDAY, by, fmt, tmp_path / f"{by}-{fmt}")
    assert len(written) == 2 + 1 + 1 + 1 + 4 + 1 + 2 + 1
    assert_no_home_coordinates(written)


# --- refusals --------------------------------------------------------------------------


def test_export_refuses_a_week_without_roster_and_bad_combinations(db, tmp_path):
    with pytest.raises(exports.ExportError, match="no roster for the week of 2026-12-14"):
        exports.export_week(db, dt.date(2026, 12, 16), "post", "xlsx", tmp_path)
    with pytest.raises(exports.ExportError, match="use --by cadre"):
        exports.export_week(db, MONDAY, "post", "ics", tmp_path)
    with pytest.raises(exports.ExportError, match="with --by cadre"):
        exports.export_week(db, MONDAY, "unit", "csv", tmp_path, cadre_ids={1})
    assert not list(tmp_path.glob("*.xlsx"))


# --- command line ----------------------------------------------------------------------


def invoke(db_file: Path, *args: str):
    return CliRunner().invoke(cli, ["export", "--db", str(db_file), *args])


def test_cli_export_writes_the_files_and_lists_them(db, tmp_path):
    out = tmp_path / "out"
    result = invoke(tmp_path / "t.db", "--week", "2026-12-09", "--by", "post", "--format", "xlsx",
                    "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "duty-2026-12-07.xlsx").exists()
    assert "wrote 1 file(s) for the week of 2026-12-07" in result.output


def test_cli_export_sms_changed_only(db, tmp_path):
    result = invoke(tmp_path / "t.db", "--week", "2026-12-07", "--format", "sms", "--changed-only",
                    "--out", str(tmp_path), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "sms-changed-2026-12-07.csv")
    assert [r["cadre_code"] for r in rows] == ["G0003", "G0004"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2027-01-04", "--by", "post", "--format", "csv"], "no roster for the week of"),
        (["--week", "2026-12-07", "--by", "unit", "--format", "ics"], "use --by cadre"),
        (["--week", "2026-12-07", "--format", "xlsx"], "--by post, --by cadre or --by unit"),
        (["--week", "2026-12-07", "--by", "post", "--format", "csv", "--changed-only"],
         "--changed-only works with --by cadre"),
        (["--week", "2026-12-32", "--by", "post", "--format", "csv"], "not a real date"),
    ],
)  # fmt: skip
def test_cli_export_bad_input_says_what_to_fix(db, tmp_path, args, message):
    result = invoke(tmp_path / "t.db", *args, "--out", str(tmp_path / "o"))
    assert result.exit_code != 0
    assert message in result.output


def test_core_modules_do_not_import_textual():
    code = (
        "import sys, roster.exports, roster.fairness, roster.now, roster.service; "
        "sys.exit('textual' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_cli_changed_only_with_nothing_changed_writes_nothing(tmp_path):
    db = store.open_db(tmp_path / "t.db")
    build_district(db)
    db["relief_requests"].delete_where()
    store.save_roster(db, MONDAY, [a for a in WEEK if a.source != "relief"], actor="test")
    result = invoke(tmp_path / "t.db", "--week", "2026-12-07", "--format", "sms", "--changed-only",
                    "--out", str(tmp_path / "o"), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"week": "2026-12-07", "files": [], "cadres": 0}
    assert not (tmp_path / "o").exists()


def test_a_failed_export_leaves_the_folder_as_it_was(db, tmp_path):
    """One CSV per post, the last post's name taken by a folder: no file is written."""
    names = [p.name for p in exports.export_week(db, MONDAY, "post", "csv", tmp_path / "probe")]
    assert len(names) > 1
    out = tmp_path / "out"
    (out / names[-1]).mkdir(parents=True)
    with pytest.raises(exports.ExportError, match="is a folder: move it away"):
        exports.export_week(db, MONDAY, "post", "csv", out)
    assert [p.name for p in out.iterdir()] == [names[-1]]  # no file, no scratch folder left
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(exports.ExportError, match="is a file, not a folder"):
        exports.export_week(db, MONDAY, "post", "xlsx", blocker)


def test_exported_files_are_for_owner_and_group_only(db, tmp_path):
    """They hold names and phone numbers, like the database (0660)."""
    for path in exports.export_week(db, MONDAY, "cadre", "sms", tmp_path):
        assert path.stat().st_mode & 0o777 == 0o660


def test_an_export_is_audited_with_what_and_where(db, tmp_path):
    done = exports.export_lists(db, MONDAY, "post", "xlsx", tmp_path / "out", actor="lily")
    [entry] = [e for e in store.audit_entries(db, actor="lily") if e.action == "export"]
    details = json.loads(entry.details)
    assert details["by"] == "post" and details["format"] == "xlsx"
    assert details["files"] == len(done.paths) == 1
    assert details["folder"] == str((tmp_path / "out").resolve())
