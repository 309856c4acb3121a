"""The audit screen: an edit made on the board shows with its actor; `w` toggles this
week / all, `f` filters by actor, Enter shows the whole details, Esc goes back."""

from __future__ import annotations

import pytest

from roster.domain import week_days
from roster.tui.app import make_app
from roster.tui.screens.audit import AuditDetailScreen, AuditScreen, compact, local_time
from roster.tui.screens.board import BoardScreen
from roster.tui.screens.help import HelpScreen
from tests.factories import MONDAY, make_db
from tests.tui.pilot import run_async, settle

SUNDAY = week_days(MONDAY)[6]
SIZE = (80, 24)


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "ui.db"
    db = make_db(path)
    # An entry of no week, at a known time (UTC): 02:30 is 10:30 in Shanghai.
    db["audit"].insert(
        {
            "at": "2026-12-07T02:30:00+00:00",
            "actor": "admin",
            "action": "user.add",
            "details": '{"user": "lily", "role": "coordinator"}',
        }
    )
    return path


def shown(screen: AuditScreen) -> list[tuple[str, str, str, str]]:
    table = screen.query_one("#audit")
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def test_time_and_details_formats():
    assert local_time("2026-12-07T18:05:00+00:00") == "12-08 02:05"
    assert compact('{"week": "2026-12-07", "n": [1, 2]}') == "week 2026-12-07 · n 1; 2"
    assert compact('{"week": "2026-12-07", "edit": "assign X"}') == "assign X · week 2026-12-07"
    assert compact("not json") == "not json"


def test_an_edit_s_whole_details_are_said_in_the_language_spoken():
    import json

    from roster import i18n
    from roster.i18n.said import Said
    from roster.tui.screens.audit import pretty

    said = Said("undo {edit}", edit=Said("lock {what}", what="北沟村"))
    details = json.dumps(
        {"week": "2026-12-07", "edit": said.english, "edit_said": said.to_record()},
        ensure_ascii=False,
    )
    assert json.loads(pretty(details)) == {"week": "2026-12-07", "edit": "undo lock 北沟村"}
    i18n.use("zh")
    assert pretty(details).splitlines() == ["改动：撤销：锁定北沟村", "周：2026-12-07"]


@run_async
async def test_audit_screen_lists_the_edit_toggles_and_filters(db_path):
    app = make_app(db_path, week=MONDAY, actor="tester", watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.edit(lambda o: app.editor.assign(13, 3, SUNDAY, "N", override=o))
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        # the key is in the help and in the palette
        assert "Audit" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert ("A", "Audit") in {(k, d) for k, d, _m in app.screen.keys()}
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("A")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        rows = shown(screen)
        # newest first: the edit, by the app's actor, naming the week
        time, actor, action, details = rows[0]
        assert (actor, action) == ("tester", "edit.assign")
        assert details.startswith("assign 孙悦")  # the edit's own words, not JSON
        assert len(time) == len("12-07 10:30") and time[2] == "-" and time[8] == ":"
        assert all(len(r[3]) <= screen.details_width() for r in rows)
        assert "admin" not in {r[1] for r in rows}  # not of this week
        week_count = len(rows)

        # w: every week's entries, then this week again
        await pilot.press("w")
        await pilot.pause()
        rows = shown(screen)
        assert len(rows) == week_count + 1
        assert ("12-07 10:30", "admin", "user.add") in {r[:3] for r in rows}
        assert "all weeks" in str(screen.query_one("#audit-header").render())

        # f: only one actor's entries
        await pilot.press("f", *"admin", "enter")
        await pilot.pause()
        rows = shown(screen)
        assert [r[1] for r in rows] == ["admin"]
        await pilot.press("w")  # this week: admin has none
        await pilot.pause()
        assert shown(screen) == []
        await pilot.press("f", "ctrl+u", *"tester", "enter")
        await pilot.pause()
        rows = shown(screen)
        assert rows and {r[1] for r in rows} == {"tester"}
        await pilot.press("f", "ctrl+u", "enter")  # empty: everyone again
        await pilot.pause()
        assert len(shown(screen)) == week_count

        # Enter: the whole details
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditDetailScreen)
        text = str(app.screen.query_one("#audit-detail-text").render())
        assert '"week": "2026-12-07"' in text and "\n" in text  # indented, whole
        assert app.screen.entry.actor == "tester"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

        # Esc: back to the board
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
