"""Does a solve keep its time limit at every size? Build a district N times as dense as
the demo (its posts and cadres copied N times with new ids and codes, coordinates moved
by up to ~300 m, each copy with its post's demand and its cadre's absences), solve one
week with each time limit, and print wall seconds, whether the limit was kept (wall ≤
limit + 1 s), peak resident memory, unmet shifts, gap, the solver's stage times, and the
checker's breaches other than coverage.

    python benchmarks/bench_scale.py [--copies 16] [--time-limits 10,30] [--runs 1]
        [--profile]    # pyinstrument over the first solve (pip install pyinstrument)

Peak RSS is the process's (resource.getrusage): it only grows, so with several time
limits the later rows show the largest peak so far.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from roster.domain import District
from roster.solver import solve_week
from roster.solver.checker import check_roster
from roster.store import load_district, open_db

TODAY = dt.date(2026, 11, 27)
WEEK1 = dt.date(2026, 11, 30)
JITTER = 0.003  # degrees, about 300 m


def demo_district() -> District:
    from roster.demo import load_demo

    db = open_db(Path(tempfile.mkdtemp(prefix="bench_scale_")) / "demo.db")
    load_demo(db, TODAY)
    return load_district(db)


def dense(base: District, copies: int, seed: int = 0) -> District:
    """`base` with its posts and cadres `copies` times over (the originals are copy 0)."""
    rng = random.Random(seed)
    posts, cadres = dict(base.posts), dict(base.cadres)
    demand, absences = list(base.demand), list(base.absences)
    post_step = max(base.posts) + 1
    cadre_step = max(base.cadres) + 1
    absence_id = max((a.id for a in base.absences), default=0) + 1
    for k in range(1, copies):
        for p in base.posts.values():
            q = dataclasses.replace(
                p,
                id=p.id + k * post_step,
                code=f"{p.code}-{k}",
                name=f"{p.name} {k}",
                lat=p.lat + rng.uniform(-JITTER, JITTER),
                lon=p.lon + rng.uniform(-JITTER, JITTER),
            )
            posts[q.id] = q
        for c in base.cadres.values():
            d = dataclasses.replace(
                c,
                id=c.id + k * cadre_step,
                code=f"{c.code}-{k}",
                phone="",
                home_lat=c.home_lat + rng.uniform(-JITTER, JITTER),
                home_lon=c.home_lon + rng.uniform(-JITTER, JITTER),
            )
            cadres[d.id] = d
        demand += [dataclasses.replace(x, post_id=x.post_id + k * post_step) for x in base.demand]
        for a in base.absences:
            absences.append(
                dataclasses.replace(a, id=absence_id, cadre_id=a.cadre_id + k * cadre_step)
            )
            absence_id += 1
    return dataclasses.replace(base, posts=posts, cadres=cadres, demand=demand, absences=absences)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=16)
    parser.add_argument("--time-limits", default="10,30")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    limits = [float(x) for x in args.time_limits.split(",") if x]

    t = time.perf_counter()
    district = dense(demo_district(), args.copies)
    print(
        f"{args.copies}× demo: {len(district.cadres)} cadres, {len(district.posts)} posts, "
        f"{len(district.demand)} demand rows (built in {time.perf_counter() - t:.1f} s, "
        f"peak RSS {peak_rss_mb():.0f} MB)",
        flush=True,
    )
    rows = []
    for limit in limits:
        walls = []
        for run in range(args.runs):
            profiler = None
            if args.profile and not rows and run == 0:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            start = time.perf_counter()
            res = solve_week(district, WEEK1, time_limit=limit, num_workers=args.workers)
            wall = time.perf_counter() - start
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False))
            walls.append(wall)
            breaches = check_roster(district, WEEK1, res.assignments, [])
            kinds = Counter(b.rule for b in breaches if b.rule != "coverage")
            stages = {k: v for k, v in res.stats.items() if k.endswith("_s") or k.endswith("flows")}
            print(
                f"limit {limit:g} s: wall {wall:.1f} s, kept {wall <= limit + 1}, "
                f"peak RSS {peak_rss_mb():.0f} MB, unmet {sum(u.missing for u in res.unmet)}, "
                f"objective {res.objective}, bound {res.bound}, gap {res.gap:.1%}, "
                f"breaches {dict(kinds) or 0}, rounds {res.stats.get('rounds')}, {stages}",
                flush=True,
            )
        rows.append((limit, statistics.median(walls), res, kinds))
    print()
    print("| limit s | median wall s | kept | peak RSS MB | unmet | gap | other breaches |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for limit, wall, res, kinds in rows:
        print(
            f"| {limit:g} | {wall:.1f} | {'yes' if wall <= limit + 1 else 'NO'} | "
            f"{peak_rss_mb():.0f} | {sum(u.missing for u in res.unmet)} | {res.gap:.1%} | "
            f"{sum(kinds.values())} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
