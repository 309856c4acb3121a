"""The demo district with 800 generated wishes: does the week still solve well?

    python benchmarks/bench_wishes.py [--wishes 800] [--runs 3] [--time-limit 10] [--seed 1]

Prints, for one week of the demo (its own wishes and unit quotas plus the generated ones):
the solve time (median of runs), the proven gap, how many `unavailable` wishes the roster
breaks (the independent checker counts them: it must be 0), and the share of `avoid` wish
days met — overall, and where coverage allows (leaving out the days the report says the
post needed the cadre: the shift was covered exactly at its demand).

The generated mix: 25 % unavailable (a weekday, or a date of the week, sometimes one shift),
45 % avoid (a weekday, or every night), 30 % prefer (a weekday, a shift or both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
from pathlib import Path

from roster import store
from roster.demo import load_demo
from roster.domain import Wish, week_start
from roster.solver import solve_week
from roster.solver.checker import check_roster


def generate(district, monday: dt.date, n: int, seed: int) -> list[Wish]:
    rng = random.Random(seed)
    cadres = sorted(c for c, x in district.cadres.items() if x.status == "active")
    first = max((w.id for w in district.wishes), default=0) + 1
    out = []
    for i in range(n):
        c = rng.choice(cadres)
        roll = rng.random()
        day, days, shift = None, (), ""
        if roll < 0.25:
            kind = "unavailable"
            if rng.random() < 0.5:
                day = monday + dt.timedelta(days=rng.randrange(7))
            else:
                days = (rng.randint(1, 7),)
            shift = rng.choice(["", "", "", "N"])
        elif roll < 0.70:
            kind = "avoid"
            if rng.random() < 0.2:
                days, shift = tuple(range(1, 8)), "N"
            else:
                days = (rng.randint(1, 7),)
        else:
            kind = "prefer"
            days = (rng.randint(1, 7),)
            shift = rng.choice(["", "D", "N"])
        out.append(Wish(first + i, c, kind, day, days, None, shift, 0, "generated"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=800)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    today = dt.date(2026, 12, 7)
    monday = week_start(today)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "bench.db")
        load_demo(db, today)
        district = store.load_district(db)
        db.close()
    district.wishes = [*district.wishes, *generate(district, monday, args.wishes, args.seed)]
    district.reindex()
    kinds = {
        k: sum(w.kind == k for w in district.wishes) for k in ("unavailable", "avoid", "prefer")
    }
    print(f"demo week of {monday}: {len(district.wishes)} wishes {kinds}, "
          f"{len(district.unit_days)} unit quota rows")  # fmt: skip

    times, results = [], []
    for _ in range(args.runs):
        res = solve_week(
            district, monday, time_limit=args.time_limit, num_workers=args.workers,
            seed=args.seed,
        )  # fmt: skip
        times.append(res.seconds)
        results.append(res)
    res = results[-1]
    breaches = check_roster(district, monday, res.assignments)
    broken = [b for b in breaches if b.rule == "unavailable"]
    quotas = [b for b in breaches if b.rule == "unit_quota"]
    other = [b for b in breaches if b.rule not in ("coverage", "unavailable", "unit_quota")]

    days = {"met": 0, "coverage": 0, "other": 0}
    from roster.solver.prepare import prepare_week
    from roster.solver.soft import deployment_of
    from roster.solver.wishes import _reason, outcomes

    week = prepare_week(district, monday)
    deployment = deployment_of(week, res.assignments)
    for x, c, cost in outcomes(week, res.assignments, deployment):
        if x.wish.kind != "avoid":
            continue
        if not cost:
            days["met"] += 1
        elif _reason(week, res.assignments, c, x) == "coverage":
            days["coverage"] += 1
        else:
            days["other"] += 1
    total = sum(days.values())
    allowed = days["met"] + days["other"]
    report = res.stats["wishes"]

    print(f"solve: median {statistics.median(times):.2f} s of {args.runs} "
          f"({', '.join(f'{t:.2f}' for t in times)}), status {res.status}")  # fmt: skip
    print(f"objective {res.objective}, bound {res.bound}, gap {res.gap:.2%} "
          f"(all runs: {', '.join(f'{r.gap:.2%}' for r in results)})")  # fmt: skip
    print(f"penalties: wish_avoid {res.penalties['wish_avoid']}, "
          f"wish_prefer {res.penalties['wish_prefer']}, unmet shifts "
          f"{sum(u.missing for u in res.unmet)}")  # fmt: skip
    print(f"unavailable wishes broken: {len(broken)} (checker); unit quotas broken: "
          f"{len(quotas)}; other hard-rule breaches: {len(other)}")  # fmt: skip
    print(f"avoid wish days: {total}; met {days['met']} ({days['met'] / max(1, total):.1%}); "
          f"where coverage allows: {days['met']}/{allowed} "
          f"({days['met'] / max(1, allowed):.1%}); unmet for coverage {days['coverage']}")  # fmt: skip
    print(f"wishes of the week met (every day of them): {report['met']} of {report['total']} "
          f"{report['by_kind']}")  # fmt: skip


if __name__ == "__main__":
    main()
