"""The bundled demo district (data/*.csv): the report's figures, and feasible but tight."""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from data import generate_demo as gen
from roster.domain import ABSENCE_KINDS, TRANSPORT_MAX_KM
from roster.geo import distance_km

DATA = Path(__file__).resolve().parents[2] / "data"
CENTRE = {"泉河街道", "龙山街道", "怀柔镇"}
FAR_NORTH = {"宝山镇", "汤河口镇", "长哨营满族乡", "喇叭沟门满族乡"}
TOWN_KINDS = {
    "泉河街道": "street",
    "龙山街道": "street",
    "怀柔镇": "town",
    "雁栖镇": "town",
    "庙城镇": "town",
    "北房镇": "town",
    "杨宋镇": "town",
    "桥梓镇": "town",
    "怀北镇": "town",
    "渤海镇": "town",
    "九渡河镇": "town",
    "琉璃庙镇": "town",
    "宝山镇": "town",
    "汤河口镇": "town",
    "长哨营满族乡": "township",
    "喇叭沟门满族乡": "township",
}
HEADERS = {
    "towns.csv": "name,kind,lat,lon",
    "units.csv": "name,kind,liaison_name,liaison_phone",
    "shifts.csv": "code,name,start,end",
    "posts.csv": "code,name,kind,town,work_group,lat,lon,compounds,no_property,no_security,address",
    "demand.csv": "post,shift,weekday,required",
    "cadres.csv": "code,name,gender,birth_date,unit,phone,party_member,home_lat,home_lon,"
    "transport,max_commute_km,night_ok,status,notes",
    "demo_absences.csv": "cadre,start_day,end_day,kind,note",
}
PHONE = re.compile(r"^1[358]\d{9}$")


def rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def towns():
    return {r["name"]: r for r in rows("towns.csv")}


@pytest.fixture(scope="module")
def posts():
    return {r["code"]: r for r in rows("posts.csv")}


@pytest.fixture(scope="module")
def cadres():
    return {r["code"]: r for r in rows("cadres.csv")}


@pytest.fixture(scope="module")
def demo():
    return gen.load_demo(DATA)


@pytest.fixture(scope="module")
def needs(demo):
    return gen.post_needs(demo)


@pytest.fixture(scope="module")
def reach(posts, cadres):
    """Post code → cadre codes within commute, computed here independently of the generator."""
    out = {}
    for code, p in posts.items():
        out[code] = {
            c["code"]
            for c in cadres.values()
            if distance_km(
                float(c["home_lat"]), float(c["home_lon"]), float(p["lat"]), float(p["lon"])
            )
            <= float(c["max_commute_km"])
        }
    return out


def home_town(cadre: dict, towns: dict) -> str:
    lat, lon = float(cadre["home_lat"]), float(cadre["home_lon"])
    return min(
        towns, key=lambda t: distance_km(lat, lon, float(towns[t]["lat"]), float(towns[t]["lon"]))
    )


# ---------------------------------------------------------------------------------- files
@pytest.mark.parametrize("name", sorted(HEADERS))
def test_file_is_utf8_without_bom_with_exact_header(name):
    raw = (DATA / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == HEADERS[name]


def test_generator_reproduces_the_bundled_files(tmp_path):
    gen.generate(tmp_path)
    for name in HEADERS:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


# ------------------------------------------------------------------------------ the district
def test_towns_are_the_sixteen_of_huairou(towns):
    assert {n: t["kind"] for n, t in towns.items()} == TOWN_KINDS
    centre = towns["泉河街道"]
    assert abs(float(centre["lat"]) - 40.32) < 0.03 and abs(float(centre["lon"]) - 116.63) < 0.03
    far = towns["喇叭沟门满族乡"]
    km = distance_km(40.32, 116.63, float(far["lat"]), float(far["lon"]), road_factor=1.0)
    assert 55 < km < 75


def test_posts_match_the_report(posts, towns):
    villages = [p for p in posts.values() if p["kind"] == "village"]
    communities = [p for p in posts.values() if p["kind"] == "community"]
    assert sorted(p["code"] for p in villages) == [f"V{i:03d}" for i in range(1, 284)]
    assert sorted(p["code"] for p in communities) == [f"C{i:03d}" for i in range(1, 36)]
    assert all(p["name"].endswith("村") for p in villages)
    assert all(p["name"].endswith("社区") for p in communities)
    assert len({p["name"] for p in posts.values()}) == len(posts)
    assert sum(int(p["compounds"]) for p in posts.values()) == 305
    assert sum(int(p["no_property"]) for p in posts.values()) == 43
    assert sum(int(p["no_security"]) for p in posts.values()) == 244
    for p in posts.values():
        assert p["town"] in towns
        assert 0 <= int(p["no_property"]) <= int(p["compounds"])
        assert 0 <= int(p["no_security"]) <= int(p["compounds"])
        assert p["address"] == f"怀柔区{p['town']}{p['name']}"
    by_name = {p["name"]: p["town"] for p in posts.values()}
    assert by_name["望怀社区"] == "龙山街道"
    assert by_name["马道峪村"] == "渤海镇"
    assert by_name["喇叭沟门村"] == "喇叭沟门满族乡"


def test_communities_hold_most_compounds_and_sit_in_the_centre(posts, towns):
    communities = [p for p in posts.values() if p["kind"] == "community"]
    in_compounds = sum(int(p["compounds"]) for p in communities)
    assert in_compounds > 305 / 2
    assert sum(p["town"] in CENTRE for p in communities) >= 25
    assert all(int(p["compounds"]) <= 2 for p in posts.values() if p["kind"] == "village")
    village_towns = {p["town"] for p in posts.values() if p["kind"] == "village"}
    assert village_towns == set(towns) - {"泉河街道", "龙山街道"}


def test_posts_lie_near_their_town(posts, towns):
    for p in posts.values():
        t = towns[p["town"]]
        km = distance_km(
            float(p["lat"]), float(p["lon"]), float(t["lat"]), float(t["lon"]), road_factor=1.0
        )
        assert km <= 12, (p["code"], km)


def test_seventeen_geographically_coherent_work_groups(posts):
    groups: dict[str, set[str]] = {}
    for p in posts.values():
        groups.setdefault(p["work_group"], set()).add(p["town"])
    assert set(groups) == {f"第{i}工作组" for i in range(1, 18)}
    assert all(len(t) == 1 for t in groups.values()), groups  # each within one town
    per_town = Counter(next(iter(t)) for t in groups.values())
    assert max(per_town.values()) <= 2


def test_units_are_the_kinds_the_report_names():
    units = rows("units.csv")
    names = {u["name"] for u in units}
    assert 50 <= len(units) <= 70 and len(names) == len(units)
    kinds = Counter(u["kind"] for u in units)
    assert set(kinds) == {"department", "school", "court", "procuratorate", "enterprise"}
    for name in ("区园林绿化局", "区退役军人事务局", "区司法局", "区委社会工委区民政局",
                 "区农业农村局", "区人民法院", "区人民检察院"):  # fmt: skip
        assert name in names
    assert all(PHONE.match(u["liaison_phone"]) and u["liaison_name"] for u in units)


def test_shift_types_are_day_and_night():
    assert rows("shifts.csv") == [
        {"code": "D", "name": "白班", "start": "08:00", "end": "20:00"},
        {"code": "N", "name": "夜班", "start": "20:00", "end": "08:00"},
    ]


# ---------------------------------------------------------------------------------- demand
def test_demand_rows_are_valid_and_resolve(posts):
    seen = set()
    per_post_days: dict[str, set[int]] = {}
    for r in rows("demand.csv"):
        assert r["post"] in posts and r["shift"] in {"D", "N"}
        assert 1 <= int(r["weekday"]) <= 7 and int(r["required"]) >= 1
        key = (r["post"], r["shift"], r["weekday"])
        assert key not in seen
        seen.add(key)
        per_post_days.setdefault(r["post"], set()).add(int(r["weekday"]))
    assert set(per_post_days) == set(posts)
    assert all(len(days) >= 6 for days in per_post_days.values())


def test_demand_follows_the_posts(demo, needs):
    def mean(values):
        values = list(values)
        return sum(values) / len(values)

    villages = [c for c, p in demo.posts.items() if p["kind"] == "village"]
    communities = [c for c, p in demo.posts.items() if p["kind"] == "community"]
    assert mean(needs[c].slots for c in communities) > 1.5 * mean(needs[c].slots for c in villages)
    unguarded = [c for c in villages if demo.posts[c]["no_security"]]
    guarded = [c for c in villages if not demo.posts[c]["no_security"]]
    assert mean(needs[c].slots for c in unguarded) > mean(needs[c].slots for c in guarded)
    with_nights = [c for c in needs if needs[c].nights]
    assert 0.1 * len(needs) < len(with_nights) < 0.5 * len(needs)
    assert sum(1 for c in communities if needs[c].nights) > len(communities) / 2


def test_demand_is_85_to_92_percent_of_capacity(needs):
    slots = sum(n.slots for n in needs.values())
    assert 0.85 <= slots / (808 * 6) <= 0.92
    assert sum(n.k for n in needs.values()) <= 0.93 * 808


def test_every_post_pattern_is_coverable_by_its_cadres(needs):
    assert all(n.m is not None for n in needs.values())
    assert all(n.m >= math.ceil(n.nights / 6) for n in needs.values())


def test_pattern_check_rejects_impossible_patterns():
    week = (1,) * 7
    assert gen.pattern_night_cadres(1, week, (0,) * 7) is None  # 7 days for one cadre
    assert gen.pattern_night_cadres(2, (2,) * 7, week) is None  # 3 a day, 2 cadres
    assert gen.pattern_night_cadres(3, (2,) * 7, (0, 0, 0, 0, 1, 1, 1)) == 1
    # Nights every day: one cadre can do at most 6, so at least two must be night-capable.
    assert gen.pattern_night_cadres(3, (2, 1, 1, 1, 2, 2, 2), week) >= 2


# ---------------------------------------------------------------------------------- cadres
def test_cadres_codes_names_and_fields(cadres):
    assert sorted(cadres) == [f"G{i:04d}" for i in range(1, 809)]
    assert len({c["name"] for c in cadres.values()}) == 808
    units = {u["name"] for u in rows("units.csv")}
    phones = [c["phone"] for c in cadres.values()]
    assert len(set(phones)) == 808 and all(PHONE.match(p) for p in phones)
    for c in cadres.values():
        assert 2 <= len(c["name"]) <= 3
        assert c["gender"] in {"M", "F"} and c["unit"] in units
        assert (
            dt.date(1966, 1, 1) <= dt.date.fromisoformat(c["birth_date"]) <= dt.date(1998, 12, 31)
        )
        assert c["party_member"] in {"0", "1"} and c["night_ok"] in {"0", "1"}
        assert c["transport"] in TRANSPORT_MAX_KM and c["status"] == "active"
        limit, default = float(c["max_commute_km"]), TRANSPORT_MAX_KM[c["transport"]]
        assert limit == default or (c["notes"] and 0 < limit <= default + 1), c["code"]
    party = sum(c["party_member"] == "1" for c in cadres.values()) / 808
    assert 0.58 <= party <= 0.72
    near_retirement = [c for c in cadres.values() if c["birth_date"] < "1968"]
    assert 10 <= len(near_retirement) <= 80
    assert all(c["night_ok"] == "0" for c in near_retirement)
    assert 0.5 < sum(c["night_ok"] == "1" for c in cadres.values()) / 808 < 0.85
    assert len({c["transport"] for c in cadres.values()}) == 5


def test_most_cadres_live_in_the_centre(cadres, towns):
    homes = Counter(home_town(c, towns) for c in cadres.values())
    centre = sum(homes[t] for t in CENTRE) / 808
    assert 0.70 <= centre <= 0.80
    assert all(homes[t] >= 3 for t in FAR_NORTH)  # locals up north


def test_the_people_of_the_report(cadres, posts, reach):
    expected = {
        "G0001": ("王金宝", "区园林绿化局"),
        "G0002": ("田在国", "区退役军人事务局"),
        "G0003": ("李祥莹", "区司法局"),
        "G0004": ("李萌", "区委社会工委区民政局"),
        "G0005": ("郝梓阳", "区农业农村局"),
    }
    for code, (name, unit) in expected.items():
        assert (cadres[code]["name"], cadres[code]["unit"]) == (name, unit)
    wang = cadres["G0001"]
    assert wang["transport"] == "bicycle" and float(wang["max_commute_km"]) == 16
    assert "30里" in wang["notes"]
    km = [
        distance_km(float(wang["home_lat"]), float(wang["home_lon"]), float(p["lat"]),
                    float(p["lon"]))
        for code, p in posts.items() if "G0001" in reach[code]
    ]  # fmt: skip
    assert any(14.5 <= k <= 15.5 for k in km) and max(km) <= 16
    tian = cadres["G0002"]
    born = dt.date.fromisoformat(tian["birth_date"])
    assert born.year == 1967 and "退休" in tian["notes"]
    assert "数据" in cadres["G0003"]["notes"]
    li_meng = cadres["G0004"]
    assert li_meng["gender"] == "M"
    wanghuai = next(c for c, p in posts.items() if p["name"] == "望怀社区")
    assert "G0004" in reach[wanghuai]
    his = [posts[c]["town"] for c in reach if "G0004" in reach[c]]
    assert his.count("龙山街道") > len(his) / 2


def test_absences(cadres):
    absences = rows("demo_absences.csv")
    assert 12 <= len(absences) <= 20
    kinds = Counter(a["kind"] for a in absences)
    assert kinds["recalled"] == 1 and {"sick", "family", "training"} <= set(kinds)
    assert set(kinds) <= set(ABSENCE_KINDS)
    for a in absences:
        start, end = int(a["start_day"]), int(a["end_day"])
        assert a["cadre"] in cadres and 0 <= start <= end <= 20
        if a["kind"] != "recalled":
            assert end - start + 1 <= 5
    assert len({a["cadre"] for a in absences}) == len(absences)


# ----------------------------------------------------------------------- feasible but tight
def test_a_deployment_exists_every_week_even_without_the_absent(demo, needs):
    full = gen.deployment(demo, needs=needs)
    assert full.ok and full.spare > 0
    for week in range(3):
        absent, available = gen.week_absence(demo, week)
        assert absent
        assert sum(n.slots for n in needs.values()) / available <= 0.95
        dep = gen.deployment(demo, exclude=absent, needs=needs)
        assert dep.ok, dep.unfilled
        assert dep.spare < 0.12 * 808  # tight: little slack left


def test_deployment_check_fails_without_the_drivers(demo, needs):
    drivers = {c for c, v in demo.cadres.items() if v["transport"] == "car"}
    dep = gen.deployment(demo, exclude=drivers, needs=needs)
    assert not dep.ok
    assert any(demo.posts[p]["town"] in FAR_NORTH for p in dep.unfilled)


def test_night_posts_need_night_capable_cadres(demo, needs):
    day_only = {c: {**v, "night_ok": 0} for c, v in demo.cadres.items()}
    copy = gen.Demo(demo.towns, demo.units, demo.shifts, demo.posts, day_only, demo.demand,
                    demo.absences)  # fmt: skip
    dep = gen.deployment(copy, needs=needs)
    assert not dep.ok
    assert dep.deployed == sum(n.k - n.m for n in needs.values())
    assert all(needs[p].m for p in dep.unfilled)


def test_remote_posts_only_for_drivers_and_locals(demo, cadres, posts, towns, reach):
    remote = gen.remote_posts(demo)
    assert 3 <= len(remote) <= 8
    for code in remote:
        p = posts[code]
        assert p["town"] in FAR_NORTH
        kinds = set()
        for c in reach[code]:
            local = home_town(cadres[c], towns) == p["town"]
            assert cadres[c]["transport"] == "car" or local, (code, c)
            kinds.add("car" if cadres[c]["transport"] == "car" else "local")
        assert kinds == {"car", "local"}
    # And the other posts are not: someone else can get there.
    for code in set(posts) - set(remote):
        assert any(
            cadres[c]["transport"] != "car" and home_town(cadres[c], towns) != posts[code]["town"]
            for c in reach[code]
        ), code


def test_centre_cyclists_do_not_reach_the_far_north(cadres, posts, towns, reach):
    cyclists = {
        c
        for c, v in cadres.items()
        if v["transport"] == "bicycle" and home_town(v, towns) in CENTRE
    }
    assert len(cyclists) > 50
    far = [code for code, p in posts.items() if p["town"] in FAR_NORTH]
    assert not any(reach[code] & cyclists for code in far)


def test_no_post_hangs_on_a_single_cadre(demo, needs, reach):
    remote = set(gen.remote_posts(demo))
    thin = [c for c in reach if len(reach[c]) < needs[c].k + 1]
    assert len(thin) <= 3 and set(thin) <= remote
