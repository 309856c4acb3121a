"""The cadre page keeps a cadre's facts and wishes: shown, edited, added, removed —
audited, within the coordinator's towns, and what the roster now breaks is listed."""

from __future__ import annotations

from textual.widgets import Input, Select

from roster import store
from roster.access import access_for, add_user
from roster.tui.screens.cadre import CadreScreen
from roster.tui.screens.cadre_edit import CadreEditScreen, WishAddScreen
from roster.tui.screens.dialogs import ConfirmScreen
from tests.tui.pilot import SIZE, app_for, run_async, settle


async def open_cadre(pilot, cadre_id: int) -> CadreScreen:
    await settle(pilot)
    pilot.app.show_cadre(cadre_id)
    await pilot.pause()
    assert isinstance(pilot.app.screen, CadreScreen)
    return pilot.app.screen


def more_text(app) -> str:
    return str(app.screen.query_one("#cadre-more").render())


@run_async
async def test_add_and_remove_a_wish_from_the_cadre_page(db_path):
    app = app_for(db_path)
    async with app.run_test(size=(120, 48)) as pilot:
        await open_cadre(pilot, 4)  # 张秀英 works 龙山社区's Sunday night
        assert "Wishes" in more_text(app) and "none" in more_text(app)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, WishAddScreen)
        form.query_one("#weekday", Input).value = "7"
        form.query_one("#note", Input).value = "周日照顾老人"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await settle(pilot)
        (wish,) = store.wishes(app.db)
        assert (wish.cadre_id, wish.kind, wish.weekdays) == (4, "unavailable", (7,))
        text = more_text(app)
        assert "unavailable Sun" in text and "周日照顾老人" in text
        assert "This week breaks" in text and "rule 9" in text  # the Sunday night to fix
        assert store.audit_entries(app.db, limit=1)[0].action == "wish.add"
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # one wish: no need to choose
        await pilot.press("y")
        await pilot.pause()
        await settle(pilot)
        assert store.wishes(app.db) == []
        assert "This week breaks" not in more_text(app)


@run_async
async def test_edit_facts_from_the_cadre_page(db_path):
    app = app_for(db_path)
    async with app.run_test(size=(120, 48)) as pilot:
        await open_cadre(pilot, 1)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CadreEditScreen)
        form.query_one("#phone", Input).value = "13911112222"
        form.query_one("#notes", Input).value = "临近退休，不排夜班"
        form.query_one("#night_ok", Select).value = "no"
        await pilot.press("ctrl+s")
        await pilot.pause()
        cadre = store.load_district(app.db).cadres[1]
        assert (cadre.phone, cadre.night_ok, cadre.notes) == (
            "13911112222",
            False,
            "临近退休，不排夜班",
        )
        assert app.district.cadres[1] == cadre
        assert "临近退休" in more_text(app)
        assert store.audit_entries(app.db, limit=1)[0].action == "cadre.edit"
        # a bad value: one line, nothing written
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#phone", Input).value = "call me"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CadreScreen)
        assert store.load_district(app.db).cadres[1].phone == "13911112222"


@run_async
async def test_a_town_coordinator_cannot_edit_a_cadre_of_another_town(db_path):
    db = store.open_db(db_path)
    add_user(db, "boss", "district", [], access_for(db, "boss"))
    add_user(db, "tester", "town", ["龙山街道"], access_for(db, "boss"))
    db.close()
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_cadre(pilot, 7)  # serves at 北沟村, another town
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#weekday", Input).value = "1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.wishes(app.db) == []
        assert store.audit_entries(app.db, limit=1)[0].action == "refused"
