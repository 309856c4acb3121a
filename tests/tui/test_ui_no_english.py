"""In Chinese, no screen shows English but codes, names and key names: every screen of the
UI is opened on the small district (with a roster, a wish, an absence and an audit) and its
text read from the picture Textual draws."""

from __future__ import annotations

import html
import re

import pendulum
import pytest

from roster.domain import week_days
from roster.tui.app import make_app
from roster.tui.screens.cadre_edit import CadreEditScreen, WishAddScreen
from tests.factories import MONDAY, make_db
from tests.tui.pilot import run_async, settle

SUNDAY = week_days(MONDAY)[6]
NOW = pendulum.datetime(2026, 12, 9, 10, 30, tz="Asia/Shanghai")
# words that are not English prose: key names, the program's name; codes (all capitals: shift
# codes, file kinds, YYYY-MM-DD) are not prose either
# the find box's example of pinyin initials (wjb: 王金宝), and the tests' logins
ALLOWED = {"esc", "enter", "tab", "ctrl", "shift", "roster", "xlsx", "wjb", "test", "tester"}


def english_words(app) -> list[str]:
    svg = app.export_screenshot()
    text = html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg)))
    # (a word in a path, such as the export folder, is the file system's, not prose)
    words = re.findall(r"(?<![A-Za-z0-9_./])[A-Za-z]{3,}(?![A-Za-z0-9_/])", text)
    return [w for w in words if w.lower() not in ALLOWED and not w.isupper()]


@pytest.fixture
def app(tmp_path, monkeypatch, chinese):
    make_db(tmp_path / "zh.db")
    monkeypatch.setattr(pendulum, "today", lambda tz=None: NOW.start_of("day"))
    monkeypatch.setattr(pendulum, "now", lambda tz=None: NOW.in_tz(tz or "UTC"))
    return make_app(tmp_path / "zh.db", week=MONDAY, actor="tester", watch_seconds=0)


SCREENS = {
    "board": lambda app: None,
    "help": lambda app: app.action_help(),
    "problems": lambda app: app.show_problems(),
    "post": lambda app: app.show_post(min(app.district.posts), MONDAY),
    "cadre": lambda app: app.show_cadre(min(app.district.cadres)),
    "relief": lambda app: app.show_relief(min(app.district.cadres), MONDAY),
    "audit": lambda app: app.show_audit(),
    "export": lambda app: app.show_export(MONDAY, "draft"),
    "fairness": lambda app: app.show_fairness(),
    "changes": lambda app: app.show_changes(),
    "rotation": lambda app: app.show_rotation(),
    "now": lambda app: app.show_now(None),
    "find": lambda app: app.action_find(),
    # dialogs
    "cadre edit": lambda app: app.push_screen(CadreEditScreen(first_cadre(app))),
    "wish add": lambda app: app.push_screen(WishAddScreen(first_cadre(app), ["D", "N"])),
    "override": lambda app: app.edit(lambda o: app.editor.assign(1, 3, SUNDAY, "N", override=o)),
    "publish": lambda app: app.screen.action_publish(),
    "audit of edits": lambda app: (
        app.editor.lock_post_week(1),
        app.editor.undo(),
        app.show_audit(),
    ),
}


def first_cadre(app):
    return app.district.cadres[min(app.district.cadres)]


@pytest.mark.parametrize("name", list(SCREENS))
def test_no_english_on_the_screen_in_chinese(app, name):
    @run_async
    async def run():
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            SCREENS[name](app)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            words = english_words(app)
            assert words == [], (type(app.screen).__name__, words)

    run()
