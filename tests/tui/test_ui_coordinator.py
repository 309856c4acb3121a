"""The coordinator's day at the keyboard: a published week asks before it changes, the
change list gives the texts, routine edits keep coverage without overrides, the board shows
who is on duty and where a rule is broken, first start says what to do, help and palette
speak the job's words, and the rotation view."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from roster import store
from roster.access import Access, add_user
from roster.tui.app import make_app
from roster.tui.screens.board import BoardScreen
from roster.tui.screens.cadre import CadreScreen
from roster.tui.screens.changes import ChangesScreen
from roster.tui.screens.dialogs import ChoiceScreen, ConfirmScreen, OverrideScreen
from roster.tui.screens.find import FindScreen
from roster.tui.screens.help import HelpScreen
from roster.tui.screens.rotation import RotationScreen
from roster.tui.screens.solve import SolveScreen
from tests.factories import MONDAY
from tests.tui.pilot import DAYS, SIZE, app_for, board, goto_cell, run_async, settle

SUNDAY = DAYS[6]


def cell_text(app, post_id: int, day) -> str:
    return str(board(app).table.get_cell(f"p{post_id}", day.isoformat()))


def status_line(app) -> str:
    return str(board(app).query_one("#board-status").render())


async def publish(pilot) -> None:
    await pilot.press("P")
    await pilot.pause()
    await pilot.press("y")
    await settle(pilot)
    assert pilot.app.editor.status == "published"


@run_async
async def test_an_edit_of_a_published_week_asks_naming_who_was_told(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await publish(pilot)
        version = app.editor.version
        app.edit(lambda o: app.editor.replace_cadre(1, DAYS[0], 13, override=o))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "PUBLISHED" in question and "already told: 王金宝" in question
        assert "2 people's duties change" in question
        await pilot.press("n")  # nothing changes
        await settle(pilot)
        assert app.editor.version == version and app.editor.at(1, DAYS[0]) is not None
        app.edit(lambda o: app.editor.replace_cadre(1, DAYS[0], 13, override=o))
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.editor.at(13, DAYS[0]).post_id == 1
        # a lock changes no duty: nothing to ask
        await goto_cell(pilot, 2, DAYS[1])
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen) and app.editor.at(5, DAYS[1]).locked


@run_async
async def test_undo_on_a_published_week_asks_too(db_path):
    """An edit made before publishing, undone after: people were told the edited week."""
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.edit(lambda o: app.editor.replace_cadre(1, DAYS[0], 13, override=o))
        await settle(pilot)
        await publish(pilot)
        version = app.editor.version
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), type(app.screen).__name__
        assert "undo" in app.screen.question and "PUBLISHED" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.editor.version == version and app.editor.at(13, DAYS[0]) is not None
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.editor.at(1, DAYS[0]) is not None and app.editor.at(13, DAYS[0]) is None


@run_async
async def test_re_solving_a_published_week_shows_the_changes_and_asks(db_path):
    app = app_for(db_path, time_limit=5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await publish(pilot)
        version = app.editor.version
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, SolveScreen)
        for _ in range(600):
            if screen.result is not None or screen.error:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        changes = screen.published_changes()
        assert changes is not None and changes.people  # the solver moves somebody
        assert "PUBLISHED week" in str(screen.query_one("#solve-result").render())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Re-solving" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.editor.version == version  # not replaced without a word
        assert isinstance(app.screen, SolveScreen)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen) and app.editor.version > version


@run_async
async def test_the_change_list_gives_the_texts_and_one_export(db_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, ChangesScreen)
        assert "Not published yet" in str(app.screen.query_one("#changes-header").render())
        await pilot.press("escape")
        await publish(pilot)
        app.edit(lambda o: app.editor.replace_cadre(1, DAYS[0], 13, override=o))
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChangesScreen)
        assert [p.name for p in screen.changes.people] == ["王金宝", "孙悦"]
        sms = str(screen.query_one("#changes-sms").render())
        assert "王金宝同志" in sms and "有调整" in sms
        await pilot.press("e")
        await settle(pilot)
        written = Path(tmp_path, "exports", MONDAY.isoformat(), "changes", f"changes-{MONDAY}.csv")
        assert written.exists() and "孙悦同志" in written.read_text(encoding="utf-8-sig")


@run_async
async def test_replace_from_the_board_keeps_coverage_without_override(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 1, DAYS[0])  # 龙山社区 Monday: 王金宝 D, 李萌 N
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # D 王金宝
        await pilot.pause()
        assert isinstance(app.screen, FindScreen)
        notes = [str(o.prompt) for o in app.screen.query_one("#find-results").options]
        assert "km" in notes[0] and notes[0].endswith("ok")
        # typing keeps the deciding facts visible
        await pilot.press(*"sy")
        await pilot.pause()
        typed = [str(o.prompt) for o in app.screen.query_one("#find-results").options]
        assert typed and "km" in typed[0] and "d " in typed[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert app.editor.at(13, DAYS[0]).post_id == 1 and app.editor.at(1, DAYS[0]) is None
        assert not [e for e in store.audit_entries(app.db) if e.action == "edit.override"]
        assert cell_text(app, 1, DAYS[0]) == "2/2"


@run_async
async def test_an_override_stays_visible_on_the_board_and_in_the_status_line(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 3, SUNDAY)
        # 王金宝 on 北沟村's Sunday night: his seventh day in a row, overridden
        app.edit(lambda o: app.editor.assign(1, 3, SUNDAY, "N", override=o))
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press(*"nobody else", "enter")
        await settle(pilot)
        text = cell_text(app, 3, SUNDAY)
        assert text.startswith("!")  # not plain green
        assert "!" in status_line(app) and "王金宝" in status_line(app)


@run_async
async def test_the_status_line_says_who_is_on_duty_in_the_cell(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 3, SUNDAY)
        assert status_line(app) == "北沟村 Sun 12-13 │ D 赵敏 1/1 │ N - 0/1"
        await goto_cell(pilot, 1, DAYS[0])
        assert status_line(app) == "龙山社区 Mon 12-07 │ D 王金宝 1/1 │ N 李萌 1/1"


@run_async
async def test_names_use_the_width_and_a_district_total_row(db_path):
    for size, two_names in (((80, 24), False), ((120, 40), True)):
        app = app_for(db_path)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("v", "v", "v")  # auto → sum → shift → names
            await pilot.pause()
            screen = board(app)
            assert screen._layout[0] == "names"
            # one three-character name fits even at 80 columns (it showed `N +1`)
            assert cell_text(app, 1, DAYS[0]) == "D 王金宝\nN 李萌"
            totals = [str(c) for c in screen.table.get_row("all")]
            assert totals[0].startswith("Σ") and totals[1] == "6/6" and totals[7] == "5/6"
            editor = app.editor
            app.edit(lambda o, editor=editor: editor.assign(13, 1, DAYS[1], "D", override=o))
            await settle(pilot)
            first = cell_text(app, 1, DAYS[1]).split("\n")[0]
            assert first == ("D 孙悦 王金宝" if two_names else "D +2"), first


@run_async
async def test_a_town_coordinator_starts_on_their_own_town(db_path):
    db = store.open_db(db_path)
    admin = Access("admin", "district")
    add_user(db, "admin", "district", [], admin)
    add_user(db, "zhang", "town", ["龙山街道"], admin)
    db.close()
    app = make_app(db_path, week=MONDAY, actor="zhang", watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert board(app)._cursor_row_key() == "t1"  # 龙山街道, not the first town


@run_async
async def test_a_week_without_roster_says_how_to_build_one(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        header = str(board(app).query_one("#board-header").render())
        totals = str(board(app).query_one("#board-totals").render())
        assert "press s to solve" in header and "] for next week" in header
        assert "problem" not in header  # empty cells are not problems
        assert "No roster for this week" in totals and "unmet" not in totals


@run_async
async def test_the_demo_message_shows_inside_the_app(db_path):
    app = app_for(db_path, notice="created roster.db from the bundled demo district")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("bundled demo district" in n.message for n in app._notifications)


@run_async
async def test_help_is_the_screen_s_keys_in_the_job_s_words_at_80_columns(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = help_screen.keys()
        descriptions = [d for _k, d, _m in rows]
        assert len(descriptions) == len(set(descriptions))
        for internal in ("Focus Next", "Focus Previous", "Copy selected text", "Page Left"):
            assert internal not in descriptions
        for wanted in ("Replace", "Unassign", "Move to post", "Move to day", "Swap",
                       "Lock cadre week", "Cadre page", "Changes", "Rotation", "Quit"):  # fmt: skip
            assert wanted in descriptions, wanted
        table = help_screen.query_one(DataTable)
        width = sum(c.width for c in table.columns.values()) + 2 * len(table.columns)
        assert width <= help_screen.query_one("#help-box").size.width


@run_async
async def test_the_palette_has_every_action_once(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), titles
        assert titles.count("Quit") == 1
        for wanted in ("Unassign", "Move to post", "Swap", "Lock cadre week", "Cadre page"):
            assert wanted in titles, wanted
        assert "Keys" not in titles


def test_every_footer_fits_80_columns():
    from roster.tui.app import RosterApp
    from roster.tui.screens.audit import AuditScreen
    from roster.tui.screens.fairness import FairnessScreen
    from roster.tui.screens.now import NowScreen
    from roster.tui.screens.post import PostScreen
    from roster.tui.screens.problems import ProblemsScreen

    screens = (BoardScreen, PostScreen, CadreScreen, ChangesScreen, RotationScreen,
               SolveScreen, FairnessScreen, AuditScreen, ProblemsScreen, NowScreen)  # fmt: skip
    for screen in screens:
        shown = [b for b in [*screen.BINDINGS, *RosterApp.BINDINGS] if b.show]
        keys = [b.key_display or b.key.split(",")[0].replace("escape", "esc") for b in shown]
        # the compact footer: "key description" and a space between, no palette entry
        width = sum(len(k) + 1 + len(b.description) + 1 for k, b in zip(keys, shown, strict=True))
        assert width - 1 <= 80, (screen.__name__, width)


@run_async
async def test_rotation_view_opens_from_the_board_and_opens_the_cadre(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("W")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RotationScreen)
        # cadres 1–12 but 10 (北沟村's Sunday night is uncovered)
        assert screen.mondays[-1] == MONDAY and len(screen.rows) == 11
        table = screen.query_one(DataTable)
        assert len(table.columns) == 5  # four weeks fit 80 columns, whole post names
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CadreScreen)


@run_async
async def test_exports_go_into_a_folder_per_kind(db_path, tmp_path):
    from textual.widgets import Input, OptionList

    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-folder", Input).value = str(tmp_path / "out")
        for index in (1, 4):  # a CSV per post, a calendar per cadre
            dialog.query_one(OptionList).highlighted = index
            dialog.query_one(OptionList).action_select()
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
        folders = sorted(p.name for p in (tmp_path / "out").iterdir())
        assert folders == ["calendars", "duty-sheets-csv"]
        assert len(list((tmp_path / "out" / "duty-sheets-csv").iterdir())) == 4
