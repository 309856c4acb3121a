"""Relief options on the solved demo week: how long, and how often without the re-solve.

    python benchmarks/bench_relief.py [--requests 200] [--seed 0] [--db demo.db] [--check]
                                      [--profile]

Without --db the demo district is loaded into a temporary database and its week of
2026-12-07 solved (about 5 s). Then, in process with the database open, random requests
(a cadre on duty that week, 1 to 3 days) are timed; the first call of a roster builds its
indexes, so it is timed and reported apart. Printed: median, p95 and max of the options
time, and the share of requests fully covered without the re-solve (target: p95 ≤ 100 ms).
--check runs the whole-week checker on every option offered (not timed); --profile writes
a pyinstrument profile of the requests to relief-profile.html.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from roster import store
from roster.domain import Absence
from roster.relief import apply_changes, relief_options, whole_week_breaches

MONDAY = dt.date(2026, 12, 7)


def open_demo(db_path: Path | None):
    if db_path is not None:
        return store.open_db(db_path, create=False)
    from roster.demo import load_demo
    from roster.solver import solve_week

    path = Path(tempfile.mkdtemp(prefix="bench_relief_")) / "demo.db"
    db = store.open_db(path)
    load_demo(db, MONDAY)
    district = store.load_district(db)
    result = solve_week(district, MONDAY, time_limit=10)
    store.save_roster(db, MONDAY, result.assignments, stats={"status": result.status})
    return db


def requests(roster, n: int, seed: int) -> list[tuple[int, dt.date, dt.date]]:
    rng = random.Random(seed)
    on_duty = sorted({a.cadre_id for a in roster.assignments})
    out = []
    for _ in range(n):
        cadre = rng.choice(on_duty)
        first = rng.randrange(7)
        last = min(6, first + rng.randrange(3))
        out.append((cadre, MONDAY + dt.timedelta(days=first), MONDAY + dt.timedelta(days=last)))
    return out


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    db = open_demo(args.db)
    district = store.load_district(db)
    roster = store.get_roster(db, MONDAY)
    if roster is None:
        raise SystemExit(f"no roster for the week of {MONDAY}: run `roster solve --week {MONDAY}`")
    history = store.history(db, MONDAY)
    cases = requests(roster, args.requests, args.seed)

    t0 = time.perf_counter()
    relief_options(district, roster, *cases[0], history=history)
    first_call = time.perf_counter() - t0

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    times, kinds, outcomes, results = [], Counter(), Counter(), []
    for cadre, first, last in cases:
        t = time.perf_counter()
        options = relief_options(district, roster, cadre, first, last, history=history)
        times.append(time.perf_counter() - t)
        best = options[0]
        kinds[best.kind] += 1
        if best.kind == "nothing_to_cover":
            outcomes["nothing to cover"] += 1
        elif best.complete and best.kind != "resolve":
            outcomes["covered without re-solve"] += 1
        elif best.complete:
            outcomes["covered by the re-solve"] += 1
        else:
            outcomes["not fully covered"] += 1
        results.append(((cadre, first, last), options))
    if profiler is not None:
        profiler.stop()
        Path("relief-profile.html").write_text(profiler.output_html())
        print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])

    ms = [t * 1000 for t in times]
    needing = len(cases) - outcomes["nothing to cover"]
    print(f"relief options, demo week of {MONDAY}: {len(cases)} random requests (1-3 days)")
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(f"first call (builds the week's indexes): {first_call * 1000:.1f} ms")
    print(
        f"options time: median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
        f"max {max(ms):.1f} ms  (target p95 <= 100 ms)"
    )
    covered = outcomes["covered without re-solve"]
    print(
        f"covered without the re-solve: {covered}/{needing} requests with shifts to cover "
        f"({covered / max(1, needing):.1%}); {dict(outcomes)}"
    )
    print(f"best option kinds: {dict(kinds)}")
    if args.check:
        bad = 0
        for (cadre, first, last), options in results:
            checked = replace(
                district, absences=[*district.absences, Absence(-1, cadre, first, last, "sick")]
            )
            for option in options:
                new = apply_changes(roster.assignments, option)
                if whole_week_breaches(checked, roster, new, option, history):
                    bad += 1
        total = sum(len(o) for _, o in results)
        print(f"whole-week checker: {total - bad}/{total} options offered pass")


if __name__ == "__main__":
    main()
