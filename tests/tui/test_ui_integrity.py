"""The UI under others' changes and faults: a recall from another process reloads the
district (and says so), a held database keeps the session and offers a retry, a failed
save is told in one line and the undo stack survives."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys

from roster import store
from roster.access import access_for, add_user
from roster.domain import week_days
from roster.tui.screens.dialogs import ConfirmScreen
from tests.factories import MONDAY
from tests.tui.pilot import SIZE, app_for, run_async, settle

SUNDAY = week_days(MONDAY)[6]

HOLD = """
import sys
from roster import store
db = store.open_db(sys.argv[1], create=False)
with db.atomic():
    print("holding", flush=True)
    sys.stdin.readline()
"""


@run_async
async def test_a_recall_elsewhere_reloads_the_district_and_says_so(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        recalled = subprocess.run(
            [sys.executable, "-m", "roster", "recall", "G0013", "--from", MONDAY.isoformat(),
             "--db", str(db_path)], capture_output=True, text=True,
        )  # fmt: skip
        assert recalled.returncode == 0, recalled.stderr
        assert app.district.cadres[13].status == "active"
        # an edit made before the app noticed is refused, nothing saved, the district read
        version = app.editor.version
        app.edit(lambda o: app.editor.assign(13, 3, SUNDAY, "N", override=o))
        await settle(pilot)
        assert app.editor.at(13, SUNDAY) is None
        assert store.get_roster(store.open_db(db_path, create=False), MONDAY).version == version
        assert any("recall of G0013" in n.message for n in app._notifications)
        assert app.district.cadres[13].status == "recalled"

        # another change to the district is seen by the watch, and told
        store.save_settings(store.open_db(db_path, create=False), {"bench": "x"})
        app.watch_db()
        await settle(pilot)
        assert app.district_version == store.district_version(app.db)
        assert any("The district changed" in n.message for n in app._notifications)


@run_async
async def test_a_held_database_keeps_the_session_and_offers_a_retry(db_path):
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.edit(lambda o: app.editor.lock_cell(1, MONDAY, "D"))  # one undoable edit
        await settle(pilot)
        assert len(app.editor.undo_stack) == 1
        app.db.conn.execute("pragma busy_timeout = 50")
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(db_path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert holder.stdout.readline().strip() == "holding"
            app.edit(lambda o: app.editor.assign(13, 3, SUNDAY, "N", override=o))
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            assert (
                pwd.getpwuid(os.getuid()).pw_name in app.screen.question
                and "Retry" in app.screen.question
            )
            assert app.editor.at(13, SUNDAY) is None
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(30)
            await pilot.press("y")  # retry, now that the other process let go
            await settle(pilot)
        finally:
            holder.kill()
            holder.wait()
        assert app.editor.at(13, SUNDAY).post_id == 3
        assert len(app.editor.undo_stack) == 2  # the session went on: undo still has both
        stored = store.get_roster(store.open_db(db_path, create=False), MONDAY)
        assert stored.version == app.editor.version


@run_async
async def test_a_demotion_elsewhere_reaches_the_open_window(db_path):
    """A district coordinator's window stays open while another demotes them to a town
    coordinator of 龙山街道: the window reads who may change what again, and an edit in
    another town is refused there and audited, nothing saved."""
    db = store.open_db(db_path)
    add_user(db, "boss", "district", [], access_for(db, "boss"))
    add_user(db, "tester", "district", [], access_for(db, "boss"))
    db.close()
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.editor.access.role == "district"
        other = store.open_db(db_path, create=False)
        add_user(other, "tester", "town", ["龙山街道"], access_for(other, "boss"))
        other.close()
        app.watch_db()  # the watch's tick
        await settle(pilot)
        assert app.access.role == "town" and app.editor.access is app.access
        assert any("Your access changed" in n.message for n in app._notifications)
        version = app.editor.version
        app.edit(lambda o: app.editor.assign(13, 3, SUNDAY, "N", override=o))  # 北沟村
        await settle(pilot)
        assert app.editor.at(13, SUNDAY) is None
        assert store.get_roster(app.db, MONDAY).version == version
        refused = store.audit_entries(app.db, limit=1)[0]
        assert refused.action == "refused" and "coordinates other towns" in refused.details
