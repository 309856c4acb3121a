"""Six (or N) consecutive demo weeks planned with `roster.plan.plan_weeks`, then the
rotation figures read back from the stored rosters: per week wall, gap, unmet; nights
over the weeks among night-capable cadres within commute of a post with nights (none,
max, top-10 % share, Gini), weekend-duty Gini over active cadres, cadres changing post
week to week, the largest share of a post's team leaving in a week, and how many duties
a re-solve changes after locking 10 cells of the first and last week.

    python benchmarks/bench_rotation.py [--weeks 6] [--time-limit 5] [--db demo.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from roster import store
from roster.plan import plan_weeks, solve_and_save
from roster.solver.checker import check_roster
from roster.solver.prepare import prepare_week
from roster.solver.window import night_reach, shares

TODAY = dt.date(2026, 11, 27)
FIRST = dt.date(2026, 11, 30)


def rows(db, monday):
    r = store.get_roster(db, monday)
    return r.assignments if r else []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weeks", type=int, default=6)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--db", type=Path)
    a = ap.parse_args()
    path = a.db or Path(tempfile.mkdtemp(prefix="bench_rotation_")) / "demo.db"
    db = store.open_db(path)
    if a.db is None:
        from roster.demo import load_demo

        load_demo(db, TODAY)
    t0 = time.perf_counter()
    results = plan_weeks(db, FIRST, a.weeks, time_limit=a.time_limit)
    total = time.perf_counter() - t0
    district = store.load_district(db)
    mondays = [FIRST + dt.timedelta(weeks=i) for i in range(a.weeks)]
    print(f"plan of {a.weeks} weeks: {total:.1f} s wall")
    for r in results:
        unmet = sum(u["required"] - u["covered"] for u in r.get("unmet", []))
        print(
            f"  {r['week']}: wall {r['wall_seconds']:.2f} s, gap {r.get('gap', 0):.2%}, unmet {unmet}"
        )
    nights, weekends = Counter(), Counter()
    posts = []
    breaches = 0
    for m in mondays:
        week = rows(db, m)
        breaches += len(check_roster(district, m, week, store.history(db, m)))
        main_post: dict[int, Counter] = defaultdict(Counter)
        for x in week:
            nights[x.cadre_id] += district.shifts[x.shift_code].is_night
            weekends[x.cadre_id] += x.date.isoweekday() >= 6
            if x.source != "relief":
                main_post[x.cadre_id][x.post_id] += 1
        posts.append({c: n.most_common(1)[0][0] for c, n in main_post.items()})
    reach = night_reach(prepare_week(district, FIRST))
    active = [c for c, x in district.cadres.items() if x.status == "active"]
    print("nights among reach:", shares([nights[c] for c in reach]))
    print("weekend duties, all active:", shares([weekends[c] for c in active]))
    moved, worst = [], 0.0
    for prev, cur in zip(posts, posts[1:], strict=False):
        moved.append(sum(1 for c in cur if c in prev and cur[c] != prev[c]))
        team: dict[int, list[int]] = defaultdict(list)
        for c, p in prev.items():
            team[p].append(c)
        for p, members in team.items():
            if len(members) > 1:
                gone = sum(1 for c in members if c in cur and cur[c] != p)
                worst = max(worst, gone / len(members))
    print(
        f"changed post week to week: {moved}, mean {sum(moved) / max(1, len(moved)) / len(active):.1%}"
    )
    print(f"largest share of a team leaving in a week: {worst:.0%}")
    print(f"checker breaches over the weeks: {breaches}")
    rnd = random.Random(7)
    for label, m in (("last week", mondays[-1]), ("first week", mondays[0])):
        before = rows(db, m)
        pick = rnd.sample(before, 10)
        locked = {(x.date, x.cadre_id, x.post_id, x.shift_code) for x in pick}
        r = store.get_roster(db, m)
        relocked = [
            replace(x, locked=True)
            if (x.date, x.cadre_id, x.post_id, x.shift_code) in locked
            else x
            for x in before
        ]
        store.save_roster(db, m, relocked, stats=r.stats, expected_version=r.version)
        data = solve_and_save(db, district, m, time_limit=a.time_limit)
        print(f"re-solve of the {label} after locking 10 cells: {data['changes']['duties_changed']} "
              f"of {data['changes']['duties']} duties changed, {data['seconds']:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
