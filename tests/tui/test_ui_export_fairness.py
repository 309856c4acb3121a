"""The export dialog (`e` on the board) and the fairness view (`F`), driven from the keyboard
on the fixture district: files are written from the stored roster and read back; a bad date
writes nothing and says what to fix; the fairness figures are the hand-counted ones."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from textual.widgets import DataTable, Input, OptionList, Static

from roster import store
from roster.clock import ZONE as TZ
from roster.now import parse_moment
from roster.tui.app import make_app
from roster.tui.screens.board import BoardScreen
from roster.tui.screens.cadre import CadreScreen
from roster.tui.screens.export import CHOICES, ExportScreen, parse_day
from roster.tui.screens.fairness import FairnessScreen, _nice_step
from tests.factories import MONDAY
from tests.tui.pilot import run_async, settle

SIZE = (80, 24)


def result(screen) -> str:
    return str(screen.query_one("#export-result", Static).render())


def test_dates_typed_in_the_dialog():
    assert parse_day(" 2026-12-07 ", "from") == dt.date(2026, 12, 7)
    for bad in ("2026-02-30", "next week", ""):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            parse_day(bad, "from")


def test_tick_steps():
    assert [_nice_step(t) for t in (1, 4, 10, 644)] == [1, 1, 5, 200]


@run_async
async def test_export_dialog_writes_duty_sheets_and_refuses_a_bad_date(db_path, tmp_path):
    out = tmp_path / "out"
    app = make_app(db_path, week=MONDAY, actor="tester", watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-folder", Input).value = str(out)
        # the first choice, highlighted on opening: the duty sheets workbook
        assert screen.query_one(OptionList).highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
        assert "wrote 1 file(s) for the week of 2026-12-07" in result(screen)
        assert "draft" in result(screen)
        book = load_workbook(out / "duty-sheets" / "duty-2026-12-07.xlsx")  # a folder per kind
        assert book.sheetnames == ["龙山街道", "喇叭沟门满族乡"]
        text = " ".join(str(c.value) for row in book["喇叭沟门满族乡"].iter_rows() for c in row)
        assert "北沟村" in text and "黄磊" in text  # cadre 9 works 北沟村's nights

        # service records: an impossible date writes nothing and says how to write it
        service = next(i for i, c in enumerate(CHOICES) if c.key == "service-csv")
        screen.query_one(OptionList).highlighted = service
        screen.query_one("#export-from", Input).value = "2026-02-30"
        await pilot.press("enter")
        await settle(pilot)
        assert "Nothing written" in result(screen) and "YYYY-MM-DD" in result(screen)
        assert not list(out.glob("**/service-*"))
        # with a good period the records are written, and the missing week is named
        screen.query_one("#export-from", Input).value = "2026-11-30"
        await pilot.press("enter")
        await settle(pilot)
        [path] = (out / "service").glob("service-*.csv")
        audited = [e for e in store.audit_entries(app.db, actor="tester") if e.action == "export"]
        assert len(audited) == 2  # the duty sheets, then the service records
        assert path.name in audited[0].details  # newest first
        assert path.name == "service-2026-11-30-2026-12-13.csv"
        assert "16 cadre(s)" in result(screen)
        assert "no roster stored for the week(s) of 2026-11-30" in result(screen)
        rows = path.read_text(encoding="utf-8-sig").splitlines()
        assert len(rows) == 17 and "王金宝" in rows[1]

        # SMS for cadres changed by relief: none were, so nothing is written
        changed = next(i for i, c in enumerate(CHOICES) if c.key == "changed-sms")
        screen.query_one(OptionList).highlighted = changed
        await pilot.press("enter")
        await settle(pilot)
        assert "nothing to send" in result(screen)
        assert not list(out.glob("**/sms-*"))

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)


@run_async
async def test_export_dialog_on_a_week_without_roster(db_path, tmp_path):
    app = make_app(db_path, week=MONDAY + dt.timedelta(weeks=1), watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#export-folder", Input).value = str(tmp_path / "none")
        await pilot.press("enter")
        await settle(pilot)
        assert "Nothing written: no roster for the week of 2026-12-14" in result(screen)
        assert not (tmp_path / "none").exists() or not any((tmp_path / "none").iterdir())


async def opened(pilot, key: str):
    """The screen that `key` opens from the board, once its work is done."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    return pilot.app.screen


def summary_of(screen) -> str:
    return str(screen.query_one("#fairness-summary", Static).render())


def shown_rows(screen) -> list[tuple[str, ...]]:
    table = screen.query_one(DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


@run_async
async def test_fairness_view_counts_measures_weeks_and_opens_a_cadre(db_path):
    app = make_app(db_path, week=MONDAY, watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "F")
        assert isinstance(screen, FairnessScreen)
        summary = summary_of(screen)
        assert "nights: total 13" in summary and "13 of 16 cadres have none" in summary
        rows = shown_rows(screen)
        assert len(rows) == 16
        # most nights first: cadres 3 and 9 (six each), then cadre 4 (one)
        assert [r[1] for r in rows[:3]] == ["G0003", "G0009", "G0004"]
        assert rows[0][4] == "6"

        await pilot.press("m")  # weekend days
        await settle(pilot)
        summary = summary_of(screen)
        assert summary.startswith("weekend days: total 11")

        await pilot.press("w")  # the last 4 weeks: only this week has a roster
        await settle(pilot)
        header = str(screen.query_one("#fairness-header", Static).render())
        assert "last 4 weeks, 2026-11-16 – 2026-12-13" in header
        assert "1 of 4 weeks have a roster" in header
        assert summary_of(screen).startswith("weekend days: total 11")
        await pilot.press("minus")  # three weeks
        await settle(pilot)
        assert "last 3 weeks, 2026-11-23" in str(
            screen.query_one("#fairness-header", Static).render()
        )

        await pilot.press("enter")  # the first row: a cadre page
        await pilot.pause()
        assert isinstance(app.screen, CadreScreen)
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)


@run_async
async def test_fairness_of_a_week_without_roster_says_so(db_path):
    app = make_app(db_path, week=MONDAY, watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "F")
        await pilot.press("right_square_bracket")  # the next week has no roster
        await settle(pilot)
        assert app.week == MONDAY + dt.timedelta(weeks=1)
        summary = summary_of(screen)
        assert summary.startswith("No roster is stored for the week of 2026-12-14")
        assert screen.query_one(DataTable).row_count == 0
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "nights: total 13" in summary_of(screen)


@run_async
async def test_on_duty_now_lists_the_night_begun_the_day_before(db_path):
    """Tuesday 03:00: the Monday night shifts (P01: cadre 3, P03: cadre 9) are on duty."""
    from roster.tui.screens.now import NowScreen

    app = make_app(db_path, week=MONDAY, watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.jump(1, MONDAY)  # the cursor on P01 龙山社区, in 龙山街道
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NowScreen)
        await pilot.press("T")
        await pilot.pause()
        box = screen.query_one("#now-time", Input)
        box.value = "2026-12-08 03:00"
        await pilot.press("enter")
        await pilot.pause()
        # the cursor's town first: only P01's night
        assert [(r[0], r[1], r[3], r[4]) for r in shown_rows(screen)] == [
            ("龙山街道", "P01 龙山社区", "20:00–08:00+1", "李萌"),
        ]
        await pilot.press("t")  # everywhere, by town then post
        await pilot.pause()
        assert [(r[1], r[4]) for r in shown_rows(screen)] == [
            ("P03 北沟村", "黄磊"),
            ("P01 龙山社区", "李萌"),
        ]
        header = str(screen.query_one("#now-header", Static).render())
        assert "2 on duty at 2 posts" in header and "draft roster: 2026-12-07" in header
        # a bad moment is refused and the list stays as it was
        await pilot.press("T")
        await pilot.pause()
        box.value = "2026-12-32 03:00"
        await pilot.press("enter")
        await pilot.pause()
        assert box.display and len(shown_rows(screen)) == 2
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)


@run_async
async def test_on_duty_now_without_any_roster_says_to_solve(db_path):
    from roster.tui.screens.now import NowScreen

    app = make_app(db_path, week=MONDAY, watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(NowScreen(None, dt.datetime(2026, 12, 22, 3, 0, tzinfo=TZ)))
        await pilot.pause()
        header = str(app.screen.query_one("#now-header", Static).render())
        assert "no roster for the week of 2026-12-21" in header
        assert "solve that week first" in header
        assert shown_rows(app.screen) == []


def test_moments_typed_by_people():
    today = dt.date(2026, 12, 8)
    assert parse_moment("3:00", today) == dt.datetime(2026, 12, 8, 3, 0, tzinfo=TZ)
    assert parse_moment("2026-12-09 21:30", today).hour == 21
    with pytest.raises(ValueError, match="'25:00' is not a date and time"):
        parse_moment("25:00", today)
