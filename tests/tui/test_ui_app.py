"""The terminal UI driven with Pilot: each screen, each kind of edit (a refused one, an
override), solve with progress, stop and accept, publish, find, help and the palette."""

from __future__ import annotations

import datetime as dt
import json
import time

from roster import store
from roster.edits import WeekEditor
from roster.tui.screens.board import BoardScreen
from roster.tui.screens.cadre import CadreScreen
from roster.tui.screens.dialogs import ChoiceScreen, ConfirmScreen, OverrideScreen
from roster.tui.screens.find import FindScreen
from roster.tui.screens.help import HelpScreen
from roster.tui.screens.post import PostScreen
from roster.tui.screens.problems import ProblemsScreen
from roster.tui.screens.solve import SolveScreen
from tests.factories import MONDAY
from tests.tui.pilot import DAYS, SIZE, app_for, board, goto_cell, run_async, settle

SUNDAY = DAYS[6]


def cell_text(app, post_id: int, day) -> str:
    return str(board(app).table.get_cell(f"p{post_id}", day.isoformat()))


async def find(pilot, text: str) -> None:
    assert isinstance(pilot.app.screen, FindScreen)
    await pilot.press(*text)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


@run_async
async def test_board_shows_the_stored_week(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = board(app)
        assert screen._layout[0] == "sum"  # 80 columns: one covered/needed per cell
        assert cell_text(app, 3, SUNDAY) == "1/2"
        assert cell_text(app, 1, DAYS[0]) == "2/2"
        header = str(screen.query_one("#board-totals").render())
        assert "unmet 1" in header and "slots 41/42" in header
        assert "1 problem" in str(screen.query_one("#board-header").render())
        keys = [r.value for r in screen.table.rows]
        # the district total first, then towns by name, posts by code
        assert keys == ["all", "t2", "p3", "p4", "t1", "p1", "p2"]
        # n: the next short cell
        await pilot.press("n")
        assert (screen.cursor_post(), screen.cursor_day()) == (3, SUNDAY)
        # f: filter, Esc clears it
        await pilot.press("f", *"short", "enter")
        await pilot.pause()
        assert [r.value for r in screen.table.rows] == ["all", "t2", "p3"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(screen.table.rows) == 7
        # Z: fold every town and unfold
        await pilot.press("Z")
        assert [r.value for r in screen.table.rows] == ["all", "t2", "t1"]
        await pilot.press("Z")
        assert len(screen.table.rows) == 7
        # ] and [: next week (no roster yet), and back
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.editor.week_start == MONDAY + dt.timedelta(weeks=1)
        assert app.editor.status == "none"
        assert cell_text(app, 3, SUNDAY + dt.timedelta(weeks=1)) == "0/2"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.editor.week_start == MONDAY
        assert cell_text(app, 3, SUNDAY) == "1/2"


@run_async
async def test_board_wide_shows_names(db_path):
    app = app_for(db_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        assert board(app)._layout[0] == "names"
        text = cell_text(app, 1, DAYS[0])
        assert "王金宝" in text and "李萌" in text
        assert "N -1" in cell_text(app, 3, SUNDAY)


@run_async
async def test_post_and_cadre_detail(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 1, DAYS[0])
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PostScreen) and screen.post_id == 1
        table = screen.query_one("#post-table")
        assert [r.value for r in table.rows][:2] == ["c1", "c2"]
        assert str(table.get_cell("c1", DAYS[0].isoformat())) == "D"
        assert str(table.get_cell("c1", SUNDAY.isoformat())) == "·"
        assert str(table.get_cell("need-D", SUNDAY.isoformat())) == "1/1"
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CadreScreen) and app.screen.cadre_id == 1
        info = str(app.screen.query_one("#cadre-info").render())
        assert "王金宝" in info and "龙山社区" in info and "区教委" in info
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        # find a cadre by pinyin initials, then go to their post
        await pilot.press("slash")
        await pilot.pause()
        await find(pilot, "wjb")
        assert isinstance(app.screen, CadreScreen) and app.screen.cadre_id == 1
        await pilot.press("g")  # to their post on the board
        await pilot.pause()
        assert board(app).cursor_post() == 1
        # find a post: the board's cursor goes to it
        await pilot.press("slash")
        await pilot.pause()
        await find(pilot, "bgc")  # 北沟村
        assert board(app).cursor_post() == 3


@run_async
async def test_assign_from_the_board_fixes_the_short_cell(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 3, SUNDAY)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)  # 北沟村 has a day and a night shift
        await pilot.press("enter")  # the short one is offered first
        await pilot.pause()
        assert isinstance(app.screen, FindScreen)
        suggested = [e.id for e in app.screen.entries]
        # the best fits first; 王金宝 would break the rest rule: offered last, saying so
        notes = dict(zip(suggested, [str(o.prompt) for o in app.screen.query_one(
            "#find-results").options], strict=True))  # fmt: skip
        assert suggested and suggested[0] != 1 and notes[suggested[0]].endswith("ok")
        if 1 in suggested:
            assert "BREAKS" in notes[1] and all("BREAKS" in notes[i] for i in suggested[
                suggested.index(1):])  # fmt: skip
        assert 16 not in suggested[:3]  # 胡彬 may not do nights
        await find(pilot, "sy")  # 孙悦
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert cell_text(app, 3, SUNDAY) == "2/2"
        assert "unmet 0" in str(board(app).query_one("#board-totals").render())
        assert app.editor.at(13, SUNDAY).shift_code == "N"


@run_async
async def test_refused_edit_cancelled_then_overridden_and_audited(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        version = app.editor.version
        await goto_cell(pilot, 3, SUNDAY)
        await pilot.press("a", "enter")  # the night shift
        await pilot.pause()
        await find(pilot, "wjb")  # 王金宝 works Mon–Sat already: a 7th day breaks the rest rule
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        assert app.screen.refused.breaches
        await pilot.press("escape")  # cancelled: nothing changes
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert app.editor.version == version
        assert cell_text(app, 3, SUNDAY) == "1/2"
        await pilot.press("a", "enter")  # again, and this time override
        await pilot.pause()
        await find(pilot, "wjb")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press("enter")  # an empty reason is not enough
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press(*"only one", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert cell_text(app, 3, SUNDAY) == "!2/2"  # covered, a rule broken: marked
    db = store.open_db(db_path)
    entries = [e for e in store.audit_entries(db) if e.action == "edit.override"]
    assert len(entries) == 1 and entries[0].actor == "tester"
    assert json.loads(entries[0].details)["reason"] == "only one"


@run_async
async def test_post_screen_edits_unassign_move_swap_lock(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.show_post(1, DAYS[0])
        await pilot.pause()
        editor = app.editor
        # unassign 王金宝 on Monday: leaves the post short, so it offers the replacement
        # first; leaving it short needs an override
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press(*"sent home", "enter")
        await settle(pilot)
        assert editor.at(1, DAYS[0]) is None
        # undo and redo
        await pilot.press("u")
        await settle(pilot)
        assert editor.at(1, DAYS[0]).post_id == 1
        await pilot.press("U")
        await settle(pilot)
        assert editor.at(1, DAYS[0]) is None
        await pilot.press("u")
        await settle(pilot)
        # swap 王金宝's Monday with spare 孙悦
        await pilot.press("w")
        await pilot.pause()
        await find(pilot, "sy")
        await pilot.press("enter")  # only that day
        await settle(pilot)
        assert editor.at(13, DAYS[0]).post_id == 1 and editor.at(1, DAYS[0]) is None
        # move 田在国's Sunday to Saturday: Sunday would go short, so the same step asks
        # who takes it (best fit first) and needs no override
        app.screen.query_one("#post-table").move_cursor(row=1, column=3 + 6)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("up", "enter")  # Saturday is the last choice
        await pilot.pause()
        assert isinstance(app.screen, FindScreen)
        stand_in = app.screen.entries[0].id
        await pilot.press("enter")
        await settle(pilot)
        assert editor.at(2, DAYS[5]).post_id == 1 and editor.at(2, SUNDAY) is None
        assert editor.at(stand_in, SUNDAY).post_id == 1
        # locks: the cell, the post's week, the cadre's week
        app.screen.query_one("#post-table").move_cursor(column=3 + 5)
        await pilot.press("l")
        await settle(pilot)
        assert editor.at(2, DAYS[5]).locked
        await pilot.press("L")
        await settle(pilot)
        assert all(a.locked for a in editor.assignments if a.post_id == 1)
        await pilot.press("L")
        await settle(pilot)
        assert not any(a.locked for a in editor.assignments if a.post_id == 1)
        await pilot.press("K")
        await settle(pilot)
        assert all(a.locked for a in editor.of_cadre(2))
        # a locked duty cannot be moved
        await pilot.press("x")
        await settle(pilot)
        assert editor.at(2, DAYS[5]) is not None


@run_async
async def test_move_to_another_post_from_the_post_screen(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 4, SUNDAY)  # 南湖社区: 徐立 on Sunday
        app.editor.assign(14, 4, SUNDAY, "D")  # an extra hand there
        app.roster_changed("edit")
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#post-table")
        table.move_cursor(row=[r.value for r in table.rows].index("c14"), column=3 + 6)
        await pilot.press("m")
        await pilot.pause()
        await find(pilot, "P03")
        await pilot.press("enter")  # only that day
        await settle(pilot)
        assert isinstance(app.screen, OverrideScreen) is False
        # a day shift moved to 北沟村 does not fill its night gap, but it is allowed
        assert app.editor.at(14, SUNDAY).post_id == 3


@run_async
async def test_lock_and_publish_from_the_board(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 1, DAYS[0])
        await pilot.press("l")
        await settle(pilot)
        assert cell_text(app, 1, DAYS[0]).startswith("#")
        await pilot.press("L")
        await settle(pilot)
        assert all(cell_text(app, 1, d).startswith("#") for d in DAYS)
        # P: publish (asks first); later edits show as changes
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.editor.status == "published"
        assert "PUBLISHED" in str(board(app).query_one("#board-header").render())
        app.edit(lambda o: app.editor.assign(13, 3, SUNDAY, "N", override=o))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # a published week asks first
        await pilot.press("y")
        await settle(pilot)
        assert cell_text(app, 3, SUNDAY).endswith("*")
        assert "1 cells changed" in str(board(app).query_one("#board-header").render())


@run_async
async def test_problems_lists_the_short_cell_and_jumps_to_it(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        rows = screen.rows()
        assert any(post == 3 and day == SUNDAY for _k, post, day, _m in rows)
        assert any(kind == "solver" for kind, *_ in rows)  # the explanation stored
        index = next(i for i, r in enumerate(rows) if r[1] == 3 and r[2] == SUNDAY)
        screen.query_one("#problems").move_cursor(row=index)
        await pilot.press("enter")
        await pilot.pause()
        assert (board(app).cursor_post(), board(app).cursor_day()) == (3, SUNDAY)


@run_async
async def test_problems_end_keeps_the_rows_in_sight(db_path):
    """A message wider than the screen made the table scroll sideways: End (its far right)
    showed the blank tail of every shorter row. The table's message is cut to the screen
    (the whole one is in the detail below), so nothing scrolls sideways."""
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        long = "post 东一村 (P1): " + "; ".join(f"reason {i} for the shortage" for i in range(40))
        app.editor.stats["explanations"] = [long]
        app.editor.stats.pop("explanations_said", None)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        table = screen.query_one("#problems")
        await pilot.press("end")
        await pilot.pause()
        assert (table.max_scroll_x, table.scroll_x) == (0, 0)
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert str(table.get_row_at(table.row_count - 1)[2]).endswith("…")
        assert "reason 39 for the shortage" in str(screen.query_one("#problem-detail").render())


@run_async
async def test_solve_accept_keeps_locks(db_path):
    app = app_for(db_path, time_limit=5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.lock_post_week(1)
        locked = set(app.editor.locks())
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SolveScreen)
        await settle(pilot)
        assert screen.result is not None, screen.error
        assert screen.diff is not None
        assert "cells changed" in str(screen.query_one("#solve-result").render())
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert locked <= set(app.editor.assignments)
        assert app.editor.stats.get("status") == screen.result.status
        assert not app.solve_controls


@run_async
async def test_solve_stop_and_discard(db_path, monkeypatch):
    slow_solver(monkeypatch)
    app = app_for(db_path, time_limit=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        version = app.editor.version
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        await pilot.pause(0.2)
        assert screen.running
        await pilot.press("x")
        await settle(pilot)
        assert not screen.running and screen.result is not None
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert app.editor.version == version


def slow_solver(monkeypatch):
    """A solve that only ends when stopped (or after a minute): what quitting must cut short."""
    import roster.solver

    real = roster.solver.solve_week

    ended: list[bool] = []  # one entry per solve: whether it ended because it was stopped

    def solve_week(district, monday, *, control, progress, **kwargs):
        for _ in range(600):
            if control.stopped:
                break
            time.sleep(0.1)
        ended.append(control.stopped)
        return real(district, monday, control=control, progress=progress, **kwargs)

    monkeypatch.setattr(roster.solver, "solve_week", solve_week)
    return ended


@run_async
async def test_quit_during_a_solve_stops_it(db_path, monkeypatch):
    ended = slow_solver(monkeypatch)
    app = app_for(db_path, time_limit=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause(0.2)
        controls = list(app.solve_controls)
        assert controls and app.screen.running
        await pilot.press("q")
    assert all(c.stopped for c in controls)
    for _ in range(100):  # let the worker thread notice, if the app did not wait for it
        if ended:
            break
        time.sleep(0.05)
    # the solve ended because quitting stopped it, not by running out its minute
    assert ended == [True]


@run_async
async def test_others_changes_show_up(db_path):
    app = app_for(db_path, watch_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        db = store.open_db(db_path)
        other = WeekEditor(db, store.load_district(db), MONDAY, actor="someone")
        other.assign(13, 3, SUNDAY, "N")
        await pilot.pause(0.4)
        await settle(pilot)
        assert cell_text(app, 3, SUNDAY) == "2/2"
        assert app.editor.version == other.version


@run_async
async def test_a_stale_edit_of_the_same_cell_is_refused_and_the_screen_reloads(db_path):
    app = app_for(db_path)  # not watching: the edit itself finds the roster changed
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        db = store.open_db(db_path)
        other = WeekEditor(db, store.load_district(db), MONDAY, actor="someone")
        other.assign(13, 3, SUNDAY, "N")
        app.edit(lambda o: app.editor.assign(14, 3, SUNDAY, "N", override=o))
        await settle(pilot)
        assert app.editor.at(14, SUNDAY) is None  # refused, nothing written
        assert app.editor.version == other.version  # reloaded
        assert cell_text(app, 3, SUNDAY) == "2/2"


@run_async
async def test_a_stale_edit_elsewhere_is_made_on_top_of_the_other_change(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        db = store.open_db(db_path)
        other = WeekEditor(db, store.load_district(db), MONDAY, actor="someone")
        other.assign(13, 3, SUNDAY, "N")
        app.edit(lambda o: app.editor.assign(14, 4, SUNDAY, "D", override=o))
        await settle(pilot)
        assert app.editor.at(14, SUNDAY).post_id == 4  # made, on top of the other change
        assert app.editor.at(13, SUNDAY).post_id == 3
        assert app.editor.version == other.version + 1
        assert cell_text(app, 3, SUNDAY) == "2/2"
        assert any("made on top of someone's change" in n.message for n in app._notifications)


@run_async
async def test_help_and_command_palette_list_every_action(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        wanted = {"Solve", "Problems", "Publish", "Assign", "Lock cell", "Undo", "Redo", "Find"}
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert wanted <= titles
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {description for _key, description, _more in app.screen.keys()}
        assert wanted <= listed
        keys = dict((d, k) for k, d, _m in app.screen.keys())
        assert keys["Publish"] == "P" and keys["Prev week"] == "["
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)


@run_async
async def test_the_board_after_edits_equals_the_board_read_afresh(db_path):
    """After an edit the board recomputes only the touched posts' cells; what it holds must
    equal what reading the whole week again gives."""
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = app.screen
        app.edit(lambda o: app.editor.assign(13, 3, SUNDAY, "N", override=o))
        app.edit(lambda o: app.editor.unassign(1, MONDAY, override=o or "test"))
        await settle(pilot)
        app.edit(lambda o: app.editor.lock_cell(2, MONDAY))
        app.edit(lambda o: app.editor.move(5, MONDAY, to_post=4, override=o or "test"))
        await settle(pilot)

        def held():
            return (
                dict(board._states),
                dict(board._day_totals),
                {k: sorted(map(repr, v)) for k, v in board._by_post.items()},
                {k: sorted(map(repr, v)) for k, v in board._cells.items()},
            )

        after_edits = held()
        board._set_states()  # the whole week, read afresh
        assert held() == after_edits
        assert after_edits[0][(3, SUNDAY, "N")].covered == 1
