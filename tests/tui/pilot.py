"""Driving the terminal UI in tests: run an async test, wait until the app has settled,
open the small district's app on MONDAY's week, and move the board's cursor."""

from __future__ import annotations

import asyncio
import functools

from roster.domain import week_days
from roster.tui.app import make_app
from roster.tui.screens.board import BoardScreen
from tests.factories import MONDAY

DAYS = week_days(MONDAY)


SIZE = (80, 24)


def run_async(test):
    """Run an async test in its own event loop (no pytest-asyncio in the project)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


async def settle(pilot) -> None:
    """The week's checks done (they start just after the first draw), workers done, events
    processed."""
    app = pilot.app
    for _ in range(200):
        if app.editor.checked:
            break
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    await pilot.pause()


def app_for(db_path, **options):
    options.setdefault("watch_seconds", 0)
    return make_app(db_path, week=MONDAY, actor="tester", **options)


def board(app) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen), type(screen).__name__
    return screen


async def still(pilot) -> None:
    """Work done, no cursor blinking, no toast: the same picture every time (snapshots)."""
    from textual.widgets import Input

    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.pause()
    for box in app.screen.query(Input):
        box.cursor_blink = False
    app.clear_notifications()
    await pilot.pause()


async def goto_cell(pilot, post_id: int, day) -> None:
    board(pilot.app).jump(post_id, day)
    await pilot.pause()
