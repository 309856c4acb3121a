"""The UI's frame in Chinese (`--lang zh`): the board, its footer and the help at 80×24 and
120×40, and the words of its dialogs; the English pictures are pinned by test_ui_snapshots.

Update after an intended change of the look:
pytest tests/tui/test_ui_chinese.py --snapshot-update
"""

from __future__ import annotations

import pendulum
import pytest
from textual.widgets import Footer, Input, Static

from roster import i18n
from roster.tui.app import make_app
from roster.tui.screens.dialogs import ConfirmScreen, OverrideScreen
from roster.tui.screens.problems import ProblemsScreen
from tests.factories import MONDAY, make_db
from tests.tui.pilot import app_for, board, run_async, settle, still

SMALL = (80, 24)
MIDDLE = (120, 40)
NOW = pendulum.datetime(2026, 12, 9, 10, 30, tz="Asia/Shanghai")  # Wednesday of MONDAY's week


@pytest.fixture
def app(tmp_path, monkeypatch, chinese):
    make_db(tmp_path / "snap.db")
    monkeypatch.setattr(pendulum, "today", lambda tz=None: NOW.start_of("day"))
    return make_app(tmp_path / "snap.db", actor="tester", watch_seconds=0)


@pytest.mark.parametrize("size", [SMALL, MIDDLE], ids=["80x24", "120x40"])
def test_board(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("n")  # the cursor on the short cell: 北沟村, Sunday
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("question_mark")
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def text_of(widget) -> str:
    return str(widget.render())


async def footer_keys(db_path, language: str) -> list[tuple[str, int]]:
    """The keys the board's footer shows at 80×24, with where each ends."""
    i18n.use(language)
    app = app_for(db_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        footer = board(app).query_one(Footer)
        shown = [(key.key, key.region.right) for key in footer.query("FooterKey") if key.display]
    i18n.use("en")
    return shown


@run_async
async def test_the_footer_shows_every_english_key_in_chinese_uncut(db_path):
    english = await footer_keys(db_path, "en")
    chinese = await footer_keys(db_path, "zh")
    assert [k for k, _end in chinese] == [k for k, _end in english]
    assert all(end <= SMALL[0] for _k, end in chinese)


@run_async
async def test_the_board_says_its_week_days_and_status_in_chinese(db_path, chinese):
    app = app_for(db_path)
    async with app.run_test(size=MIDDLE) as pilot:
        await settle(pilot)
        screen = board(app)
        header = text_of(screen.query_one("#board-header"))
        assert header.startswith("2026年第50周 12月7日–12月13日")
        assert "草稿" in header
        screen.jump(3, MONDAY)
        await pilot.pause()
        assert text_of(screen.query_one("#board-status")).startswith("北沟村 12月7日 周一")
        assert [str(c.label) for c in screen.table.columns.values()][1] == "12月7日周一"


@run_async
async def test_a_refused_edit_and_a_publish_ask_in_chinese(db_path, chinese):
    app = app_for(db_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.edit(lambda o: app.editor.assign(1, 3, MONDAY.replace(day=13), "N", override=o))
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        said = " ".join(text_of(w) for w in app.screen.query(Static))
        assert "被拒绝：" in said and "强制修改原因" in str(app.screen.query_one(Input).placeholder)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("发布 2026-12-07 这一周吗？")


@run_async
async def test_problems_are_counted_in_chinese(db_path, chinese):
    app = app_for(db_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        header = text_of(app.screen.query_one("#problems-header"))
        assert header.startswith("2026-12-07 这一周的问题")
        assert "缺岗 1 格" in header
