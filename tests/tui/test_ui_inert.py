"""Names holding escape sequences, BEL, bidi controls or Rich markup reach the terminal
inert on every screen that shows them, and in notifications."""

from __future__ import annotations

import io

import pendulum
from rich.console import Console

from roster import store
from roster.tui.app import make_app
from tests.factories import MONDAY, make_db
from tests.tui.pilot import run_async, settle

BAD = "\x1b]0;pwned\x07\x1b[2J王[/]宝\u202eevil"
SIZE = (120, 40)


def terminal_bytes(app) -> str:
    """What the app would write to the terminal for the screen as it is now."""
    update = app.screen._compositor.render_full_update()
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=SIZE[0], color_system="truecolor").print(update)
    return out.getvalue()


def injected(text: str) -> list[str]:
    return [s for s in ("\x1b]0;pwned", "\x07", "\x1b[2J", "\u202e") if s in text]


@run_async
async def test_names_reach_the_terminal_inert(tmp_path, frozen_clock):
    frozen_clock(pendulum.datetime(2026, 12, 8, 10, 0, tz="Asia/Shanghai"))
    path = tmp_path / "evil.db"
    db = make_db(path)
    for table in ("cadres", "posts", "towns", "units"):
        for row in db[table].rows:
            db[table].update(row["id"], {"name": f"{BAD}{row['id']}"})
    store.add_audit(db, "edit", {"note": BAD}, f"x{BAD}")
    db.conn.commit()
    db.close()
    app = make_app(path, week=MONDAY, actor="tester", watch_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = {}
        for _ in range(4):  # every cell view, names last
            await pilot.press("v")
            await pilot.pause()
        seen["board"] = terminal_bytes(app)
        shows = {
            "cadre": lambda: app.show_cadre(1),
            "now": lambda: app.show_now(None),
            "audit": lambda: app.show_audit(),
            "relief": lambda: app.show_relief(1, MONDAY),
        }
        for name, show in shows.items():
            show()
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
            await pilot.pause()
            if name == "audit":
                await pilot.press("w")  # every week
                await pilot.pause()
            seen[name] = terminal_bytes(app)
            app.pop_screen()
            await pilot.pause()
        app.notify(f"Moved {BAD}")
        await pilot.pause()
        toast = list(app._notifications)[-1]
    assert {name: injected(text) for name, text in seen.items() if injected(text)} == {}
    for name, text in seen.items():  # the names are shown, as visible escapes
        assert "\\x1b" in text, name
    # shown as written, escapes visible, never read as markup
    assert not toast.markup and "王[/]宝" in toast.message and not injected(toast.message)
