"""Terminal UI benchmark (not a test): time to the first week-board draw on the demo
district, and how fast a key press is answered (median of several), headless.

    python benchmarks/bench_ui.py [--db PATH] [--size 200x60] [--presses 30]

Without --db it builds the demo district in a temporary file and solves next week first
(the board then has a full roster to draw). Prints both figures against the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

T_IMPORT = time.perf_counter()
from roster import store  # noqa: E402
from roster.domain import week_start  # noqa: E402
from roster.tui.app import make_app  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - T_IMPORT


def demo_db(path: Path, monday: dt.date) -> None:
    from roster.demo import load_demo
    from roster.solver import solve_week

    db = store.open_db(path)
    load_demo(db, monday)
    district = store.load_district(db)
    result = solve_week(district, monday, history=store.history(db, monday), time_limit=10)
    # One duty left out, so that one post is short, as on a real Thursday: `n` finds it.
    store.save_roster(db, monday, result.assignments[1:], stats={"gap": result.gap}, actor="bench")


async def measure(db_path: Path, monday: dt.date, size: tuple[int, int], presses: int) -> dict:
    from textual import events

    from roster.tui.screens.board import BoardScreen

    started = time.perf_counter()
    app = make_app(db_path, week=monday, watch_seconds=0)
    frames: list[tuple[float, object]] = []
    shown = asyncio.Event()
    display = app._display

    def displayed(screen, renderable) -> None:
        display(screen, renderable)
        frames.append((time.perf_counter(), screen))
        shown.set()

    app._display = displayed  # each frame written to the (headless) terminal
    async with app.run_test(size=size) as pilot:
        while not any(isinstance(screen, BoardScreen) for _t, screen in frames):
            await asyncio.sleep(0.002)
        first_draw = next(t for t, s in frames if isinstance(s, BoardScreen)) - started
        await app.workers.wait_for_complete()
        await pilot.pause()

        async def timed(*keys: str) -> list[float]:
            """Key sent → next frame written: how long the coordinator waits to see it."""
            out = []
            for key in keys:
                await pilot.pause()
                shown.clear()
                t = time.perf_counter()
                app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
                try:
                    await asyncio.wait_for(shown.wait(), 2)
                except TimeoutError:
                    print(f"  (no new frame within 2 s after {key!r})")
                out.append(time.perf_counter() - t)
                await app.workers.wait_for_complete()
            return out

        moves = await timed(*(["down", "right", "down", "left"] * (presses // 4 + 1))[:presses])
        short = []
        for _ in range(10):
            await pilot.press("ctrl+home")  # back to the top, then find the short cell again
            short += await timed("n")
        weeks = await timed(*["right_square_bracket", "left_square_bracket"] * 3)
        board = app.screen
        opens = []
        for _ in range(5):
            opens += await timed("enter")
            await pilot.press("escape")
            await pilot.pause()
        assert app.screen is board
        await pilot.press("n")  # the cursor on a post's cell (the short one)
        lock = await timed(*["l"] * 6)  # lock / unlock a cell: an edit, checked and saved
    return {
        "first_draw": first_draw,
        "cursor": statistics.median(moves),
        "next_short": statistics.median(short),
        "week": statistics.median(weeks),
        "open_post": statistics.median(opens),
        "lock_edit": statistics.median(lock),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--size", action="append", help="WxH; default 80x24 and 200x60")
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    sizes = [tuple(int(x) for x in size.split("x")) for size in args.size or ["80x24", "200x60"]]
    monday = week_start(dt.date.today()) + dt.timedelta(weeks=1)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.db
        if db_path is None:
            db_path = Path(tmp) / "bench.db"
            t = time.perf_counter()
            demo_db(db_path, monday)
            print(f"demo district built and solved in {time.perf_counter() - t:.1f} s")
        else:
            rosters = store.open_db(db_path).execute("select max(week_start) from rosters")
            last = rosters.fetchone()[0]
            monday = dt.date.fromisoformat(last) if last else monday
        for size in sizes:
            figures = asyncio.run(measure(db_path, monday, size, args.presses))
            report(figures, size, monday)


def report(figures: dict, size: tuple[int, int], monday: dt.date) -> None:
    print(f"\nterminal {size[0]}x{size[1]}, week of {monday}")
    print(f"import of roster.tui.app          {IMPORT_SECONDS * 1000:7.0f} ms")
    print(
        f"week board first draw         {figures['first_draw'] * 1000:7.0f} ms"
        "   (target ≤ 1000 ms; app created → first frame with the board)"
    )
    print("key press → next frame (median):")
    print(f"  cursor move                 {figures['cursor'] * 1000:7.1f} ms   (target ≤ 50 ms)")
    print(f"  n: next short cell          {figures['next_short'] * 1000:7.1f} ms")
    print(f"  [ ]: change week            {figures['week'] * 1000:7.1f} ms")
    print(f"  enter: open post detail     {figures['open_post'] * 1000:7.1f} ms")
    print(f"  l: lock cell (checked edit) {figures['lock_edit'] * 1000:7.1f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
