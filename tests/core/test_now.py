"""`on_duty`: who is at a post at a given moment, night shifts from the day before included."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pendulum
import pytest
from click.testing import CliRunner

from roster import store
from roster.cli import cli
from roster.domain import Assignment
from roster.now import on_duty, shift_window

MONDAY = dt.date(2026, 12, 7)
SHANGHAI = ZoneInfo("Asia/Shanghai")
A = Assignment


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Day 0 is Monday 7 December 2026; Asia/Shanghai time."""
    d = MONDAY + dt.timedelta(days=day)
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "t.db")
    db["towns"].insert_all(
        [
            {"id": 1, "name": "龙山街道", "kind": "street", "lat": 40.31, "lon": 116.64},
            {"id": 2, "name": "喇叭沟门乡", "kind": "township", "lat": 40.9, "lon": 116.6},
        ]
    )
    db["units"].insert({"id": 1, "name": "区园林绿化局"})
    db["work_groups"].insert({"id": 1, "name": "第1工作组"})
    for i, (code, name, town) in enumerate(
        [("C001", "龙山社区", 1), ("C002", "西山社区", 1), ("V001", "喇叭沟门村", 2)], start=1
    ):
        db["posts"].insert(
            {"id": i, "code": code, "name": name, "kind": "community", "town_id": town,
             "work_group_id": 1, "lat": 40.31, "lon": 116.64}
        )  # fmt: skip
    db["shift_types"].insert_all(
        [
            {"code": "D", "name": "白班", "start": "08:00", "end": "20:00"},
            {"code": "N", "name": "夜班", "start": "20:00", "end": "08:00"},
        ]
    )
    for i, name in enumerate(["王金宝", "田在国", "李萌", "赵丽", "孙强"], start=1):
        db["cadres"].insert(
            {"id": i, "code": f"G{i:04}", "name": name, "gender": "M", "birth_date": "1970-01-01",
             "unit_id": 1, "phone": f"1390000000{i}", "party_member": 0, "home_lat": 40.3,
             "home_lon": 116.6, "transport": "car", "max_commute_km": 100, "night_ok": 1}
        )  # fmt: skip
    # the previous week: 孙强 on Sunday night at C001, ending Monday 08:00
    store.save_roster(
        db, MONDAY - dt.timedelta(days=7), [A(MONDAY - dt.timedelta(days=1), 5, 1, "N")]
    )
    store.save_roster(
        db,
        MONDAY,
        [
            A(MONDAY, 1, 1, "D"),  # 王金宝 Monday day at C001
            A(MONDAY, 2, 1, "N"),  # 田在国 Monday night at C001, to Tuesday 08:00
            A(MONDAY + dt.timedelta(days=1), 3, 1, "D"),  # 李萌 Tuesday day at C001
            A(MONDAY, 4, 3, "N", source="relief"),  # 赵丽 Monday night at V001
        ],
    )
    return db


def names(duties) -> list[str]:
    return [d.cadre.name for d in duties]


def test_at_three_on_tuesday_mondays_night_shift_is_on_duty(db):
    found = on_duty(store.load_district(db), db, at(1, 3), post="C001")
    assert names(found) == ["田在国"]
    [d] = found
    assert d.day == MONDAY
    assert (d.start, d.end) == (at(0, 20), at(1, 8))


def test_at_nine_on_tuesday_the_day_shift(db):
    assert names(on_duty(store.load_district(db), db, at(1, 9), post="C001")) == ["李萌"]


def test_shift_bounds_start_inclusive_end_exclusive(db):
    district = store.load_district(db)
    assert names(on_duty(district, db, at(0, 8), post="C001")) == ["王金宝"]
    assert names(on_duty(district, db, at(0, 19, 59), post="C001")) == ["王金宝"]
    assert names(on_duty(district, db, at(0, 20), post="C001")) == ["田在国"]
    assert names(on_duty(district, db, at(1, 8), post="C001")) == ["李萌"]  # 田在国 has gone
    assert names(on_duty(district, db, at(1, 20), post="C001")) == []


def test_monday_small_hours_read_the_previous_weeks_roster(db):
    assert names(on_duty(store.load_district(db), db, at(0, 3))) == ["孙强"]


def test_whole_district_and_one_town(db):
    district = store.load_district(db)
    everyone = on_duty(district, db, at(0, 23))
    assert [(d.post.code, d.cadre.name) for d in everyone] == [
        ("V001", "赵丽"),  # towns sorted by name: 喇叭沟门乡 before 龙山街道
        ("C001", "田在国"),
    ]
    assert everyone[0].source == "relief"
    assert names(on_duty(district, db, at(0, 23), town="龙山街道")) == ["田在国"]
    assert names(on_duty(district, db, at(0, 23), post="喇叭沟门村")) == ["赵丽"]  # by name
    assert on_duty(district, db, at(0, 23), post="C002") == []


def test_a_moment_given_in_another_zone_is_converted(db):
    utc = dt.datetime(2026, 12, 7, 19, 0, tzinfo=dt.UTC)  # 03:00 Tuesday in Shanghai
    assert names(on_duty(store.load_district(db), db, utc, post="C001")) == ["田在国"]
    naive = dt.datetime(2026, 12, 8, 3, 0)  # taken as Shanghai time
    assert names(on_duty(store.load_district(db), db, naive, post="C001")) == ["田在国"]


def test_assignments_can_come_from_a_function(db):
    district = store.load_district(db)
    weeks = []

    def source(monday):
        weeks.append(monday)
        return [A(MONDAY, 1, 2, "N")] if monday == MONDAY else None

    assert names(on_duty(district, source, at(1, 3))) == ["王金宝"]
    assert weeks == [MONDAY]


def test_unknown_post_or_town_is_refused(db):
    district = store.load_district(db)
    with pytest.raises(LookupError, match="no post with code or name 'C999'"):
        on_duty(district, db, at(0, 9), post="C999")
    with pytest.raises(LookupError, match="no town called '月亮乡'"):
        on_duty(district, db, at(0, 9), town="月亮乡")


def test_shift_window_of_a_night_shift_ends_next_day(db):
    night = store.load_district(db).shifts["N"]
    assert shift_window(MONDAY, night) == (at(0, 20), at(1, 8))


# --- command line ----------------------------------------------------------------------


def run(tmp_path, *args):
    return CliRunner().invoke(cli, ["now", "--db", str(tmp_path / "t.db"), *args])


def test_cli_now_json(db, tmp_path):
    result = run(tmp_path, "--post", "C001", "--at", "2026-12-08 03:00", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["at"] == "2026-12-08T03:00:00+08:00"
    assert data["draft_weeks"] == ["2026-12-07"]
    [row] = data["on_duty"]
    assert row["cadre_name"] == "田在国"
    assert row["phone"] == "13900000002"
    assert (row["start"], row["end"]) == ("2026-12-07T20:00:00+08:00", "2026-12-08T08:00:00+08:00")
    assert "home_lat" not in row


def test_cli_now_text_for_a_town(db, tmp_path):
    result = run(tmp_path, "--town", "龙山街道", "--at", "2026-12-08T09:30")
    assert result.exit_code == 0, result.output
    assert "on duty in 龙山街道 at 2026-12-08 09:30 (Asia/Shanghai): 1" in result.stdout
    assert "李萌 13900000003" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--post", "C999", "--at", "2026-12-08 03:00"], "no post with code or name 'C999'"),
        (["--at", "2027-03-03 03:00"], "no roster for the week of"),
        (["--at", "next tuesday"], "is not a date and time"),
    ],
)
def test_cli_now_bad_input(db, tmp_path, args, message):
    result = run(tmp_path, *args)
    assert result.exit_code != 0
    assert message in result.output


def test_cli_now_defaults_to_the_current_moment_in_shanghai(db, tmp_path, monkeypatch):
    frozen = pendulum.datetime(2026, 12, 8, 3, 0, tz="Asia/Shanghai")
    monkeypatch.setattr(pendulum, "now", lambda tz=None: frozen.in_tz(tz or "UTC"))
    monkeypatch.setattr(pendulum, "today", lambda tz=None: frozen.in_tz(tz).start_of("day"))
    default = run(tmp_path, "--post", "C001", "--json")
    clock = run(tmp_path, "--post", "C001", "--at", "09:00", "--json")  # today at 09:00
    assert default.exit_code == 0, default.output
    assert [r["cadre_name"] for r in json.loads(default.stdout)["on_duty"]] == ["田在国"]
    assert json.loads(clock.stdout)["at"] == "2026-12-08T09:00:00+08:00"
    assert [r["cadre_name"] for r in json.loads(clock.stdout)["on_duty"]] == ["李萌"]
