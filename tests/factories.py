"""The districts tests are built on, in one place.

- Plain dataclass districts for the solver, checker and relief (`post`, `cadre`, `demand`,
  `district`, `one_post`, `previous_week`) and a hypothesis strategy of small weeks
  (`small_week`).
- Store districts: `fill` (two towns, four posts, sixteen cadres; with `week_roster`, a
  roster in which 北沟村 is one short on Sunday; `make_db` builds both), and `fill_small`
  (one town, two posts, three cadres).
All share MONDAY, the Monday of the week most tests roster.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import strategies as st

from roster import store
from roster.domain import (
    Absence,
    Assignment,
    Cadre,
    Demand,
    District,
    Post,
    Settings,
    ShiftType,
    Town,
    Unit,
    UnitDay,
    Wish,
    WorkGroup,
    week_days,
)

MONDAY = dt.date(2026, 12, 7)
CENTRE = (40.32, 116.63)
KM_LAT = 1 / 111.2  # degrees of latitude per straight km (road km = straight km × 1.3)

SHIFTS = {
    "D": ShiftType("D", "白班", "08:00", "20:00"),
    "N": ShiftType("N", "夜班", "20:00", "08:00"),
}


def day(i: int) -> dt.date:
    return MONDAY + dt.timedelta(days=i)


def post(pid: int, *, north_km: float = 0.0, group: int = 1, town: int = 1) -> Post:
    return Post(
        id=pid,
        code=f"V{pid:03d}",
        name=f"测试村{pid}",
        kind="village",
        town_id=town,
        work_group_id=group,
        lat=CENTRE[0] + north_km * KM_LAT,
        lon=CENTRE[1],
    )


def cadre(
    cid: int,
    *,
    north_km: float = 0.0,
    max_km: float = 25.0,
    night_ok: bool = True,
    party: bool = True,
    unit: int = 1,
    status: str = "active",
) -> Cadre:
    return Cadre(
        id=cid,
        code=f"G{cid:04d}",
        name=f"干部{cid}",
        gender="M",
        birth_date=dt.date(1980, 1, 1),
        unit_id=unit,
        phone="13800000000",
        party_member=party,
        home_lat=CENTRE[0] + north_km * KM_LAT,
        home_lon=CENTRE[1],
        transport="e-bike",
        max_commute_km=max_km,
        night_ok=night_ok,
        status=status,
    )


def demand(pid: int, *, day_shifts: int = 1, night_shifts: int = 0, weekdays=range(1, 8)):
    rows = []
    for wd in weekdays:
        if day_shifts:
            rows.append(Demand(pid, "D", wd, day_shifts))
        if night_shifts:
            rows.append(Demand(pid, "N", wd, night_shifts))
    return rows


def district(
    posts: list[Post],
    cadres: list[Cadre],
    demands: list[Demand],
    absences: list[Absence] = (),
    settings: Settings | None = None,
    wishes: list[Wish] = (),
    unit_days: list[UnitDay] = (),
) -> District:
    towns = {t: Town(t, f"镇{t}", "town", *CENTRE) for t in {p.town_id for p in posts} | {1}}
    groups = {g: WorkGroup(g, f"第{g}工作组") for g in {p.work_group_id for p in posts} | {1}}
    units = {u: Unit(u, f"单位{u}") for u in {c.unit_id for c in cadres} | {1}}
    return District(
        towns=towns,
        work_groups=groups,
        units=units,
        shifts=dict(SHIFTS),
        posts={p.id: p for p in posts},
        cadres={c.id: c for c in cadres},
        demand=list(demands),
        absences=list(absences),
        settings=settings or Settings(),
        wishes=list(wishes),
        unit_days=list(unit_days),
    )


def one_post(n_cadres: int, *, day_shifts: int = 1, night_shifts: int = 0, **cadre_kw) -> District:
    """One post at the centre, `n_cadres` cadres living there."""
    return district(
        [post(1)],
        [cadre(i, **cadre_kw) for i in range(1, n_cadres + 1)],
        demand(1, day_shifts=day_shifts, night_shifts=night_shifts),
    )


def previous_week(assignments: list[Assignment], weeks: int = 1) -> list[Assignment]:
    """The same assignments moved `weeks` weeks earlier (history for the next solve)."""
    return [replace(a, date=a.date - dt.timedelta(weeks=weeks)) for a in assignments]


# --- store districts ------------------------------------------------------------

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


# the roster's stored explanation, as a solve stores it: the English line and its record
# (`Said.to_record`, shown in the language of whoever reads it)
NIGHTS_LINE = "post 北沟村 (P03): 7 night shifts a week, only 2 cadres within commute may do nights"
NIGHTS_SAID = {
    "said": "{post}: {nights} night shifts a week, only {n} cadres within commute may do nights",
    "values": {
        "post": {"said": "post {name} ({code})", "values": {"name": "北沟村", "code": "P03"}},
        "nights": 7,
        "n": 2,
    },
}


def make_db(path, *, with_roster: bool = True):
    db = store.open_db(path)
    fill(db)
    if with_roster:
        store.save_roster(
            db, MONDAY, week_roster(), stats={"gap": 0.004, "explanations": [NIGHTS_LINE],
            "explanations_said": [NIGHTS_SAID]}, actor="test",
        )  # fmt: skip
    return db


def fill_small(db) -> dict[str, int]:
    """A town, a unit, a work group, two posts, two shifts, three cadres."""
    db["towns"].insert({"id": 1, "name": "龙山街道", "kind": "street", "lat": 40.31, "lon": 116.64})
    db["units"].insert({"id": 1, "name": "区园林绿化局"})
    db["work_groups"].insert({"id": 1, "name": "第1工作组"})
    for i, code in enumerate(["C001", "C002"], start=1):
        db["posts"].insert(
            {"id": i, "code": code, "name": f"社区{i}", "kind": "community", "town_id": 1,
             "work_group_id": 1, "lat": 40.31, "lon": 116.64 + i / 100}
        )  # fmt: skip
    db["shift_types"].insert_all(
        [
            {"code": "D", "name": "白班", "start": "08:00", "end": "20:00"},
            {"code": "N", "name": "夜班", "start": "20:00", "end": "08:00"},
        ]
    )
    for i, name in enumerate(["王金宝", "田在国", "李萌"], start=1):
        db["cadres"].insert(
            {"id": i, "code": f"G{i:04}", "name": name, "gender": "M", "birth_date": "1970-01-01",
             "unit_id": 1, "phone": "13800000000", "party_member": i % 2, "home_lat": 40.3,
             "home_lon": 116.6, "transport": "bicycle", "max_commute_km": 15, "night_ok": 1}
        )  # fmt: skip
    db["demand"].insert({"post_id": 1, "shift_code": "D", "weekday": 1, "required": 2})
    db["demand"].insert(
        {"post_id": 1, "shift_code": "D", "weekday": 1, "date": "2026-12-07", "required": 0}
    )
    db["demand"].insert({"post_id": 2, "shift_code": "N", "weekday": 2, "required": 1})
    db["absences"].insert(
        {"cadre_id": 3, "start_date": "2026-12-06", "end_date": "2026-12-08", "kind": "sick"}
    )
    return {"posts": 2, "cadres": 3}


# --- a hypothesis strategy of small weeks ----------------------------------------

SHIFT_CODES = ("D", "N")


@st.composite
def small_week(draw):
    n_posts = draw(st.integers(1, 3))
    posts = [
        post(i, north_km=draw(st.floats(0, 30)), group=draw(st.integers(1, 2)))
        for i in range(1, n_posts + 1)
    ]
    n_cadres = draw(st.integers(1, 8))
    cadres = [
        cadre(
            i,
            north_km=draw(st.floats(0, 30)),
            max_km=draw(st.sampled_from([5.0, 15.0, 25.0, 40.0])),
            night_ok=draw(st.booleans()),
            party=draw(st.booleans()),
            unit=draw(st.integers(1, 3)),
            status=draw(st.sampled_from(["active"] * 5 + ["recalled"])),
        )
        for i in range(1, n_cadres + 1)
    ]
    demands = []
    for p in posts:
        for wd in range(1, 8):
            for s in SHIFT_CODES:
                n = draw(st.integers(0, 2 if s == "D" else 1))
                if n:
                    demands.append(Demand(p.id, s, wd, n))
    absences = []
    for c in cadres:
        if draw(st.integers(0, 3)) == 0:
            first = draw(st.integers(-2, 6))
            last = draw(st.integers(first, 8))
            absences.append(Absence(len(absences) + 1, c.id, day(first), day(last), "sick"))
    history = []
    for c in cadres:
        run = draw(st.integers(0, 7))
        where = draw(st.sampled_from(posts)).id
        for k in range(run):
            shift = "N" if k == 0 and c.night_ok and draw(st.booleans()) else "D"
            history.append(Assignment(day(-1 - k), c.id, where, shift))
    wishes = []
    for c in cadres:
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(["unavailable", "avoid", "prefer"]))
            if draw(st.booleans()):
                first = day(draw(st.integers(-3, 6)))
                until = draw(st.sampled_from([None, first, first + dt.timedelta(days=2)]))
                days: tuple[int, ...] = ()
            else:
                first, until = None, None
                days = tuple(sorted(set(draw(st.lists(st.integers(1, 7), min_size=1, max_size=3)))))
            shift = draw(st.sampled_from(["", "", "D", "N"]))
            weight = 0 if kind == "unavailable" else draw(st.sampled_from([0, 1, 50]))
            wishes.append(Wish(len(wishes) + 1, c.id, kind, first, days, until, shift, weight))
    unit_days = [
        UnitDay(u, draw(st.integers(1, 7)), draw(st.integers(0, 2)))
        for u in sorted({c.unit_id for c in cadres})
        if draw(st.integers(0, 2)) == 0
    ]
    d = district(posts, cadres, demands, absences, wishes=wishes, unit_days=unit_days)
    return d, history
