"""Solve the demo district's two weeks several times; print median wall time, objective,
bound and gap, for num_workers 1, 2 and 0 (all cores), the stages' times, and a Markdown
table for benchmarks/README.md.

    python benchmarks/bench_solver.py [--runs 3] [--time-limit 10] [--db demo.db]

Without --db the demo district is loaded into a temporary database as `roster init --demo`
does on TODAY (absences are placed relative to that week). Week 1 (WEEK1) has no history;
week 2 takes week 1's roster (num_workers 2, seed 0) as history (continuity, days in a
row, fairness), as a coordinator's second week would, and as `roster solve` does once
week 1 is saved.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from roster.solver import solve_week
from roster.solver.checker import check_roster
from roster.store import load_district, open_db

TODAY = dt.date(2026, 11, 27)
WEEK1 = dt.date(2026, 11, 30)


def demo_district(db_path: Path | None):
    if db_path is None:
        from roster.demo import load_demo

        db_path = Path(tempfile.mkdtemp(prefix="bench_solver_")) / "demo.db"
        db = open_db(db_path)
        load_demo(db, TODAY)
    else:
        db = open_db(db_path, create=False)
    return load_district(db)


def run(district, monday, history, *, runs: int, time_limit: float, workers: int) -> dict:
    walls, results = [], []
    for seed in range(runs):
        start = time.perf_counter()
        res = solve_week(
            district,
            monday,
            history=history,
            time_limit=time_limit,
            seed=seed,
            num_workers=workers,
        )
        walls.append(time.perf_counter() - start)
        results.append(res)
    last = results[-1]
    breaches = check_roster(district, monday, last.assignments, history)
    return {
        "wall": statistics.median(walls),
        "walls": walls,
        "objective": statistics.median(r.objective for r in results),
        "bound": statistics.median(r.bound for r in results),
        "gap": statistics.median(r.gap for r in results),
        "unmet": sum(u.missing for u in last.unmet),
        "breaches": len(breaches),
        "status": last.status,
        "stats": last.stats,
        "penalties": {k: v for k, v in last.penalties.items() if v},
        "result": last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--db", type=Path, help="an existing demo database")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 0])
    args = parser.parse_args()
    district = demo_district(args.db)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; demo: {len(district.cadres)} cadres, "
        f"{len(district.posts)} posts; {args.runs} runs each"
    )
    week1 = solve_week(district, WEEK1, time_limit=args.time_limit, num_workers=2)
    rows = []
    for label, monday in (("week 1", WEEK1), ("week 2", WEEK1 + dt.timedelta(days=7))):
        history = [] if monday == WEEK1 else week1.assignments
        for workers in args.workers:
            r = run(
                district,
                monday,
                history,
                runs=args.runs,
                time_limit=args.time_limit,
                workers=workers,
            )
            print(
                f"{label} ({monday}) num_workers={workers}: median wall {r['wall']:.2f} s "
                f"(runs {', '.join(f'{w:.2f}' for w in r['walls'])}); objective "
                f"{r['objective']:.0f}, bound {r['bound']:.0f}, gap {100 * r['gap']:.2f} %; "
                f"{r['status']}, unmet {r['unmet']}, checker breaches {r['breaches']}"
            )
            print(f"    stages: {r['stats']}")
            print(f"    penalties: {r['penalties']}")
            rows.append(
                f"| {label} ({monday}) | {workers} | {r['wall']:.2f} | {r['objective']:.0f} | "
                f"{r['bound']:.0f} | {100 * r['gap']:.2f} % | {r['unmet']} | {r['breaches']} |"
            )
    print()
    print("| week | num_workers | median wall s | objective | bound | gap | unmet | breaches |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
