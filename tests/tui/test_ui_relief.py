"""Relief from the UI: from a board cell and from a cadre's page, the ranked
options, applying one (the roster and the request in the database), and refusals."""

from __future__ import annotations

from roster import store
from roster.edits import WeekEditor
from roster.tui.screens.board import BoardScreen
from roster.tui.screens.cadre import CadreScreen
from roster.tui.screens.dialogs import ChoiceScreen
from roster.tui.screens.help import HelpScreen
from roster.tui.screens.relief import MessagesScreen, ReliefScreen
from tests.factories import MONDAY
from tests.tui.pilot import DAYS, SIZE, app_for, goto_cell, run_async, settle

WEDNESDAY = DAYS[2]


async def relief_ready(pilot) -> ReliefScreen:
    """The relief screen with its options computed."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReliefScreen), type(screen).__name__
    return screen


def stored_keys(db_path) -> set[tuple]:
    db = store.open_db(db_path)
    roster = store.get_roster(db, MONDAY)
    return {(a.date, a.cadre_id, a.post_id, a.shift_code) for a in roster.assignments}


def requests(db_path) -> list:
    return store.relief_requests(store.open_db(db_path))


async def apply_first(pilot, screen: ReliefScreen, reason: str):
    """Type the reason, go down to the options, Enter: the option applied, the messages."""
    option = screen.options[0]
    screen.query_one("#relief-reason").focus()
    await pilot.press(*reason, "enter")  # Enter in the reason box: to the options
    await pilot.pause()
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return option


def assert_applied(db_path, option, cadre_id: int, reason: str) -> None:
    keys = stored_keys(db_path)
    for ch in option.changes:
        assert (ch.key in keys) == (ch.action == "add"), ch
    [request] = requests(db_path)
    assert (request.cadre_id, request.status, request.reason) == (cadre_id, "settled", reason)


@run_async
async def test_relief_from_the_board_applies_the_first_option(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 1, WEDNESDAY)  # 龙山社区: 王金宝 by day, 李萌 by night
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # the day shift first
        screen = await relief_ready(pilot)
        assert screen.cadre_id == 1
        assert screen.query_one("#relief-first").value == WEDNESDAY.isoformat()
        assert screen.options and screen.options[0].rank == 1
        assert "option" in str(screen.query_one("#relief-status").render())
        before = app.editor.version
        option = await apply_first(pilot, screen, "sick")
        assert isinstance(app.screen, MessagesScreen)
        names = {m.name for m in app.screen.applied.messages}
        assert "王金宝" in names and len(names) == len(option.disturbed) + 1
        assert_applied(db_path, option, 1, "sick")
        assert app.editor.version > before  # the app read the week again
        assert app.district.absent(1, WEDNESDAY)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert app.editor.at(1, WEDNESDAY) is None


@run_async
async def test_relief_from_the_cadre_page(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.show_cadre(5)  # 刘德华, P02 by day Mon–Sat
        await pilot.pause()
        await pilot.press("r")
        screen = await relief_ready(pilot)
        assert screen.query_one("#relief-first").value == MONDAY.isoformat()
        last = screen.query_one("#relief-last")
        last.value = DAYS[1].isoformat()  # Monday and Tuesday
        screen = await relief_ready(pilot)
        option = screen.options[0]
        assert (option.start, option.end) == (MONDAY, DAYS[1])
        option = await apply_first(pilot, screen, "family")
        assert_applied(db_path, option, 5, "family")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CadreScreen)


@run_async
async def test_bad_dates_are_refused_inline_and_nothing_is_written(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = stored_keys(db_path)
        app.show_relief(1, WEDNESDAY)
        screen = await relief_ready(pilot)
        first = screen.query_one("#relief-first")
        status = screen.query_one("#relief-status")
        for typed, said in (
            ("2026-02-30", "is not a date"),
            ("2026-12-14", "outside this week"),
            ("", "give the first day"),
        ):
            first.value = typed
            await relief_ready(pilot)
            assert said in str(status.render())
            assert screen.options == []
        first.value = WEDNESDAY.isoformat()
        await relief_ready(pilot)
        screen.query_one("#relief-last").value = MONDAY.isoformat()
        await relief_ready(pilot)
        assert "before the first day" in str(status.render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert stored_keys(db_path) == before and requests(db_path) == []


@run_async
async def test_a_stale_option_is_refused_and_the_options_come_again(db_path):
    app = app_for(db_path)  # not watching: the apply finds the roster changed
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.show_relief(1, WEDNESDAY)
        screen = await relief_ready(pilot)
        db = store.open_db(db_path)
        other = WeekEditor(db, store.load_district(db), MONDAY, actor="someone")
        other.assign(13, 3, DAYS[6], "N")
        await apply_first(pilot, screen, "sick")
        assert app.screen is screen  # still asking
        assert "Refused" in str(screen.query_one("#relief-status").render())
        assert requests(db_path) == []
        assert app.editor.version == other.version  # the week read again
        screen = await relief_ready(pilot)
        assert screen.options and screen._asked[2] == other.version


@run_async
async def test_relief_is_in_the_help_and_the_palette(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Relief" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {d: k for k, d, _m in app.screen.keys()}
        assert keys["Relief"] == "r"
        await pilot.press("escape")
        app.show_cadre(1)
        await pilot.pause()
        assert "Relief" in {c.title for c in app.get_system_commands(app.screen)}


@run_async
async def test_at_80x24_three_options_show_and_down_reaches_them(db_path):
    """On a small terminal the highlighted option shows its changes and the others their
    head line, so at least three fit; ↓ from the reason field goes to the list."""
    from textual.widgets import OptionList

    app = app_for(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 1, WEDNESDAY)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")
        screen = await relief_ready(pilot)
        assert len(screen.options) >= 3
        listing = screen.query_one("#relief-options", OptionList)
        shown = "\n".join(
            "".join(seg.text for seg in listing.render_line(y)) for y in range(listing.size.height)
        )
        heads = [o for o in screen.options if f"{o.rank}. " in shown]
        assert len(heads) >= 3, shown
        # the others show head and summary only, the highlighted one its changes too
        from roster.tui.screens.relief import option_text

        second = screen.options[1]
        assert str(option_text(second)).count("\n") > 1  # it has changes to show
        assert str(listing.get_option_at_index(1).prompt).count("\n") == 1
        assert str(listing.get_option_at_index(0).prompt) == str(option_text(screen.options[0]))
        screen.query_one("#relief-reason").focus()
        await pilot.press("down")
        await pilot.pause()
        assert app.focused is listing
        await pilot.press("down")
        await pilot.pause()
        assert listing.highlighted == 1
        assert str(listing.get_option_at_index(1).prompt) == str(option_text(second))
        assert str(listing.get_option_at_index(0).prompt).count("\n") == 1
