"""A small fixed district for the UI, edit and find tests: deterministic, Chinese names.

Two towns, four posts, a day and a night shift, sixteen cadres; a roster for the week of
MONDAY in which 北沟村 is one short on Sunday. Built through the store, not the demo.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools

from roster import store
from roster.domain import Assignment, week_days

MONDAY = dt.date(2026, 12, 7)
NAMES = [
    "王金宝", "田在国", "李萌", "张秀英", "刘德华", "陈静", "杨光", "赵敏",
    "黄磊", "周杰", "吴娟", "徐立", "孙悦", "马骏", "朱琳", "胡彬",
]  # fmt: skip
POSTS = [
    # id, code, name, town, kind, lat, lon
    (1, "P01", "龙山社区", 1, "community", 40.310, 116.640),
    (2, "P02", "喇叭沟门村", 1, "village", 40.320, 116.650),
    (3, "P03", "北沟村", 2, "village", 40.330, 116.660),
    (4, "P04", "南湖社区", 2, "community", 40.300, 116.630),
]
# (post, shift) slots each staffed by a pair: the first cadre Mon–Sat, the second on Sunday.
SLOTS = [(1, "D"), (1, "N"), (2, "D"), (3, "D"), (3, "N"), (4, "D")]


def fill(db) -> None:
    db["towns"].insert_all(
        [
            {"id": 1, "name": "龙山街道", "kind": "street", "lat": 40.31, "lon": 116.64},
            {"id": 2, "name": "喇叭沟门满族乡", "kind": "township", "lat": 40.33, "lon": 116.66},
        ]
    )
    db["units"].insert_all(
        [
            {"id": 1, "name": "区园林绿化局"},
            {"id": 2, "name": "区教委"},
            {"id": 3, "name": "区财政局"},
        ]
    )
    db["work_groups"].insert_all([{"id": 1, "name": "第1工作组"}, {"id": 2, "name": "第2工作组"}])
    for pid, code, name, town, kind, lat, lon in POSTS:
        db["posts"].insert(
            {"id": pid, "code": code, "name": name, "kind": kind, "town_id": town,
             "work_group_id": town, "lat": lat, "lon": lon, "compounds": pid}
        )  # fmt: skip
    db["shift_types"].insert_all(
        [
            {"code": "D", "name": "白班", "start": "08:00", "end": "20:00"},
            {"code": "N", "name": "夜班", "start": "20:00", "end": "08:00"},
        ]
    )
    for post, shift in SLOTS:
        for weekday in range(1, 8):
            db["demand"].insert(
                {"post_id": post, "shift_code": shift, "weekday": weekday, "required": 1}
            )
    for i, name in enumerate(NAMES, start=1):
        db["cadres"].insert(
            {"id": i, "code": f"G{i:04}", "name": name, "gender": "MF"[i % 2],
             "birth_date": f"19{70 + i}-03-0{1 + i % 9}", "unit_id": 1 + i % 3,
             "phone": f"1380000{i:04}", "party_member": int(i % 3 == 0), "home_lat": 40.31,
             "home_lon": 116.645, "transport": "bicycle", "max_commute_km": 15,
             "night_ok": int(i != 16)}
        )  # fmt: skip
    db["absences"].insert(
        {"cadre_id": 15, "start_date": "2026-12-09", "end_date": "2026-12-10", "kind": "sick"}
    )


def week_roster() -> list[Assignment]:
    """Cadres 1–12 cover the six slots; 北沟村's Sunday night (cadre 10) is left out."""
    days = week_days(MONDAY)
    out = []
    for n, (post, shift) in enumerate(SLOTS):
        first, second = 2 * n + 1, 2 * n + 2
        for day in days[:6]:
            out.append(Assignment(day, first, post, shift, False, "solver"))
        if (post, shift) != (3, "N"):
            out.append(Assignment(days[6], second, post, shift, False, "solver"))
    return out


def make_db(path, *, with_roster: bool = True):
    db = store.open_db(path)
    fill(db)
    if with_roster:
        store.save_roster(
            db, MONDAY, week_roster(), stats={"gap": 0.004, "explanations": [
                "post 北沟村: 7 night shifts a week, only 2 cadres within commute may do nights"
            ]}, actor="test",
        )  # fmt: skip
    return db


def run_async(test):
    """Run an async test in its own event loop (no pytest-asyncio in the project)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


async def settle(pilot) -> None:
    """The week's checks done (they start just after the first draw), workers done, events
    processed."""
    app = pilot.app
    for _ in range(200):
        if app.editor.checked:
            break
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    await pilot.pause()
