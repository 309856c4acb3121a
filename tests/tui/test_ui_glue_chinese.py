"""Hand-offs between the UI and the core, in Chinese: a cadre's wishes and audit actions,
a lock's notice and the picker's legend are in Chinese; the audit keeps English."""

from __future__ import annotations

import json

from textual.coordinate import Coordinate

from roster import store
from roster.access import access_for
from roster.tui.screens.cadre import CadreScreen
from roster.tui.screens.post import PostScreen
from roster.wishes import add_wish, find_cadre
from tests.tui.pilot import DAYS, app_for, goto_cell, run_async, settle


@run_async
async def test_the_cadre_page_says_wishes_and_audit_actions_in_chinese(db_path, chinese):
    db = store.open_db(db_path, create=False)
    add_wish(db, access_for(db), find_cadre(db, "G0004"), "unavailable", weekdays=(7,),
             note="照顾老人")  # fmt: skip
    db.close()
    app = app_for(db_path)
    async with app.run_test(size=(120, 48)) as pilot:
        await settle(pilot)
        app.show_cadre(4)
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, CadreScreen)
        text = str(app.screen.query_one("#cadre-more").render())
        assert "  #1 不可值守 周日  照顾老人\n" in text  # not "Sun"
        assert "申报不可值守（周日，照顾老人）" in text  # the breach it makes
        assert " 添加意愿 干部 G0004" in text and "wish.add" not in text  # the audit action
        assert "时间 周日" in text and "时间 Sun" not in text  # its record, in words


@run_async
async def test_a_lock_from_the_post_page_is_told_in_chinese_and_audited_in_english(
    db_path, chinese
):
    app = app_for(db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await goto_cell(pilot, 1, DAYS[0])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PostScreen)
        table = app.screen.query_one("#post-table")
        table.cursor_coordinate = Coordinate(0, 3)  # the first cadre, Monday
        app.clear_notifications()
        await pilot.press("l")
        await pilot.pause()
        await settle(pilot)
        told = [n.message for n in app._notifications]
        assert any(m.startswith("锁定王金宝 2026-12-07") for m in told), told
        entry = store.audit_entries(app.db, limit=1)[0]
        assert entry.action == "edit.lock"
        assert "lock 王金宝 on 2026-12-07" in json.dumps(json.loads(entry.details),
                                                       ensure_ascii=False)  # fmt: skip
