"""The other screens in Chinese: the relief dialog and the solve screen at 80×24 (snapshots,
the clock frozen, nothing that varies from run to run on the screen), and the refusals of
a wrong date in the coordinators' words.

Update after an intended change of the look:
pytest tests/tui/test_ui_screens_zh.py --snapshot-update
"""

from __future__ import annotations

import datetime as dt
import types

import pendulum
import pytest
from textual.widgets import Input

from roster.tui.app import make_app
from roster.tui.messages import SolveFinished, SolveProgress
from roster.tui.screens import relief as relief_screen
from roster.tui.screens.audit import AuditScreen
from roster.tui.screens.export import parse_day
from roster.tui.screens.relief import ReliefScreen
from roster.tui.screens.solve import SolveScreen
from tests.factories import MONDAY, make_db
from tests.tui.pilot import run_async, still

SMALL = (80, 24)
NOW = pendulum.datetime(2026, 12, 9, 10, 30, tz="Asia/Shanghai")  # Wednesday of MONDAY's week
WEDNESDAY = MONDAY + dt.timedelta(days=2)


@pytest.fixture
def app(chinese, tmp_path, monkeypatch):
    make_db(tmp_path / "snap.db")
    monkeypatch.setattr(pendulum, "today", lambda tz=None: NOW.start_of("day"))
    # the relief options' search time is shown in ms: always 0 here
    monkeypatch.setattr(relief_screen, "time", types.SimpleNamespace(perf_counter=lambda: 0.0))
    return make_app(tmp_path / "snap.db", actor="tester", watch_seconds=0)


def test_relief_dialog_in_chinese(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        pilot.app.show_relief(1, WEDNESDAY)  # 王金宝
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def fake_solve(self, district, monday, history, locks, time_limit, seed, control, current, *a):
    """The solver's messages, without the solver: the week's roster back, figures fixed."""
    result = types.SimpleNamespace(
        status="optimal", objective=1234, bound=1234, gap=0.0, seconds=1.5,
        explanations=[], assignments=list(current), unmet=[], penalties={},
    )  # fmt: skip
    self.post_message(SolveProgress(1234, 1234, 0.0, 1.5, "done"))
    self.post_message(SolveFinished(result))


def test_solve_screen_in_chinese(snap_compare, app, monkeypatch):
    monkeypatch.setattr(SolveScreen, "run_solve", fake_solve)

    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("s")
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


@run_async
async def test_a_wrong_relief_date_is_told_in_chinese(app):
    async with app.run_test(size=SMALL) as pilot:
        await still(pilot)
        app.show_relief(1, WEDNESDAY)
        await still(pilot)
        screen = app.screen
        assert isinstance(screen, ReliefScreen)
        screen.query_one("#relief-first", Input).value = "2026-12-32"
        await still(pilot)
        status = str(screen.query_one("#relief-status").render())
        assert "第一天 '2026-12-32' 不是日期：请写成 YYYY-MM-DD，例如 2026-12-07" in status
        screen.query_one("#relief-first", Input).value = "2026-12-20"
        await still(pilot)
        status = str(screen.query_one("#relief-status").render())
        assert "第一天 2026-12-20 不在本周内（2026-12-07 至 2026-12-13）" in status


def test_a_wrong_service_date_is_told_in_chinese(chinese):
    with pytest.raises(ValueError, match="起始日期 '12/07' 不是日期：请写成 YYYY-MM-DD"):
        parse_day("12/07", "from")


@run_async
async def test_the_audit_shows_actions_in_chinese_and_stores_them_in_english(app):
    async with app.run_test(size=SMALL) as pilot:
        await still(pilot)
        app.edit(lambda o: app.editor.assign(13, 3, MONDAY + dt.timedelta(days=6), "N", override=o))
        await still(pilot)
        await pilot.press("A")
        await still(pilot)
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        table = screen.query_one("#audit")
        assert [str(c.label) for c in table.columns.values()] == ["时间", "操作人", "操作", "详情"]
        assert str(table.get_row_at(0)[2]) == "编辑：安排"
        assert "当周的审计记录" in str(screen.query_one("#audit-header").render())
        newest = app.db.execute("select action from audit order by id desc limit 1").fetchone()
        assert newest[0] == "edit.assign"


@run_async
async def test_many_explanations_scroll_and_the_choice_stays_in_sight(app, monkeypatch):
    """Eight long explanations at 80×24: they scroll, and 'a = accept' is still on screen."""
    line = "值守点 北沟村 (P03)：7 个夜班，通勤范围内只有 2 名干部能值夜班" * 3

    def finished(self, message):
        message.result.explanations = [line] * 8
        return original(self, message)

    original = SolveScreen.on_solve_finished
    monkeypatch.setattr(SolveScreen, "run_solve", fake_solve)
    monkeypatch.setattr(SolveScreen, "on_solve_finished", finished)
    async with app.run_test(size=SMALL) as pilot:
        await still(pilot)
        await pilot.press("s")
        await still(pilot)
        choice = pilot.app.screen.query_one("#solve-choice")
        assert "a = 接受" in str(choice.render())
        assert choice.region.bottom <= SMALL[1] - 1  # above the footer, inside the screen
        assert choice.region.height > 0
