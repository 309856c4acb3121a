"""Snapshots of the main screens at 80×24 and 160×48 with Chinese names, on the small
fixture district, the clock frozen (the app's `today` patched: pendulum's travel_to needs
the optional time-machine package) so the week shown never drifts.

Update after an intended change of the look: pytest tests/tui/test_ui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pendulum
import pytest
from textual.widgets import Input

from roster.tui.app import make_app
from tests.factories import MONDAY, make_db
from tests.tui.pilot import still

SMALL = (80, 24)
MIDDLE = (120, 40)
LARGE = (160, 48)
NOW = pendulum.datetime(2026, 12, 9, 10, 30, tz="Asia/Shanghai")  # Wednesday of MONDAY's week


@pytest.fixture
def app(tmp_path, monkeypatch):
    make_db(tmp_path / "snap.db")
    monkeypatch.setattr(pendulum, "today", lambda tz=None: NOW.start_of("day"))
    return make_app(tmp_path / "snap.db", actor="tester", watch_seconds=0)


def test_clock_picks_this_week(app):
    assert app.week == MONDAY


@pytest.mark.parametrize("size", [SMALL, MIDDLE, LARGE], ids=["80x24", "120x40", "160x48"])
def test_board(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("n")  # the cursor on the short cell: 北沟村, Sunday
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_post_detail(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await still(pilot)
        pilot.app.show_post(3)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_cadre_detail(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        pilot.app.show_cadre(1)  # 王金宝
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_problems(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("p")
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_find_wjb(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("slash", "w", "j", "b")
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_refused_edit_asks_for_override(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        app = pilot.app
        app.edit(lambda o: app.editor.assign(1, 3, MONDAY.replace(day=13), "N", override=o))
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_fairness(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("F")
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_export_dialog(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("e")
        await still(pilot)
        # the default folder is under the working directory: show a fixed one
        pilot.app.screen.query_one("#export-folder", Input).value = "/srv/roster/exports"
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, MIDDLE], ids=["80x24", "120x40"])
def test_board_names_view(snap_compare, app, size):
    """Names where they fit, the district total row, the status line of the cell."""

    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("v", "v", "v", "n")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, MIDDLE], ids=["80x24", "120x40"])
def test_board_without_roster(snap_compare, app, size):
    """Next week: how to build it, and no thousands of problems."""

    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("right_square_bracket")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, MIDDLE], ids=["80x24", "120x40"])
def test_help(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("question_mark")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def published_and_changed(pilot) -> None:
    await still(pilot)
    await pilot.press("P", "y")
    await still(pilot)
    app = pilot.app
    app.edit(lambda o: app.editor.replace_cadre(1, MONDAY, 13, override=o))
    await still(pilot)


def test_published_week_asks_before_an_edit(snap_compare, app):
    assert snap_compare(app, terminal_size=SMALL, run_before=published_and_changed)


@pytest.mark.parametrize("size", [SMALL, MIDDLE], ids=["80x24", "120x40"])
def test_changes_since_publishing(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await published_and_changed(pilot)
        await pilot.press("y")
        await still(pilot)
        await pilot.press("C")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, MIDDLE], ids=["80x24", "120x40"])
def test_rotation(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("W")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_replace_picker(snap_compare, app):
    async def run_before(pilot) -> None:
        await still(pilot)
        pilot.app.screen.jump(1, MONDAY)
        await pilot.press("y", "enter")
        await still(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
