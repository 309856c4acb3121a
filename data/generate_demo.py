"""Generate the bundled demo district: Huairou, Beijing, as in the April 2020 report.

Run `python data/generate_demo.py`: writes towns, units, shifts, posts, demand, cadres and
demo_absences CSV files next to this script, then reads them back and checks that the
district is *feasible but tight* (see `check_demo`); exits 1 if a target is missed.

Everything is derived from one `random.Random(SEED)`, so the files are reproducible. The
checking half (`load_demo`, `post_needs`, `deployment`, `remote_posts`, `check_demo`) only
reads the CSV files and is imported by `tests/test_demo_data.py`.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
if str(DATA_DIR.parent) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(DATA_DIR.parent))

from roster.domain import TRANSPORT_MAX_KM, ShiftType  # noqa: E402
from roster.geo import distance_km  # noqa: E402

SEED = 20200128  # the day the mobilisation order went out
N_CADRES = 808
N_VILLAGES = 283
N_COMMUNITIES = 35
N_COMPOUNDS = 305
N_NO_PROPERTY = 43
N_NO_SECURITY = 244
N_WORK_GROUPS = 17
MAX_DAYS = 6  # at least one rest day a week
TARGET_DEPLOYED = 728  # Σ k_p aimed at (≤ 93 % of the cadres)
ABSENCE_HORIZON = 21  # day offsets 0…20: this week and the next two
CENTRE_TOWNS = ("泉河街道", "龙山街道", "怀柔镇")
FAR_NORTH = ("宝山镇", "汤河口镇", "长哨营满族乡", "喇叭沟门满族乡")

# --------------------------------------------------------------------------------------
# Geography. name, kind, lat, lon, zone, scatter radius (km), villages, communities
# --------------------------------------------------------------------------------------
TOWNS = [
    ("泉河街道", "street", 40.3215, 116.6330, "centre", 1.5, 0, 10),
    ("龙山街道", "street", 40.3065, 116.6480, "centre", 1.6, 0, 14),
    ("怀柔镇", "town", 40.2975, 116.6080, "centre", 3.5, 19, 4),
    ("庙城镇", "town", 40.2600, 116.6250, "plain", 3.8, 20, 1),
    ("北房镇", "town", 40.2870, 116.7050, "plain", 3.8, 20, 1),
    ("杨宋镇", "town", 40.3050, 116.7600, "plain", 3.8, 20, 2),
    ("桥梓镇", "town", 40.3350, 116.5550, "plain", 4.2, 23, 1),
    ("雁栖镇", "town", 40.3950, 116.6650, "middle", 6.0, 28, 2),
    ("怀北镇", "town", 40.3900, 116.7150, "middle", 3.5, 12, 0),
    ("渤海镇", "town", 40.4250, 116.5550, "middle", 5.0, 20, 0),
    ("九渡河镇", "town", 40.3800, 116.4500, "middle", 5.5, 19, 0),
    ("琉璃庙镇", "town", 40.5750, 116.6000, "middle", 7.5, 22, 0),
    ("宝山镇", "town", 40.7300, 116.4950, "north", 7.5, 21, 0),
    ("汤河口镇", "town", 40.7350, 116.6400, "north", 6.5, 25, 0),
    ("长哨营满族乡", "township", 40.7750, 116.7750, "north", 6.5, 18, 0),
    ("喇叭沟门满族乡", "township", 40.9100, 116.6450, "north", 5.5, 16, 0),
]

# Work groups: whole towns, except 雁栖镇 (the largest) split into a plain and a mountain half.
WORK_GROUP_OF_TOWN = {
    "泉河街道": 1,
    "龙山街道": 2,
    "怀柔镇": 3,
    "庙城镇": 4,
    "北房镇": 5,
    "杨宋镇": 6,
    "桥梓镇": 7,
    "雁栖镇": 8,  # 9 for its northern (mountain) villages
    "怀北镇": 10,
    "渤海镇": 11,
    "九渡河镇": 12,
    "琉璃庙镇": 13,
    "宝山镇": 14,
    "汤河口镇": 15,
    "长哨营满族乡": 16,
    "喇叭沟门满族乡": 17,
}

VILLAGE_NAMES = {
    "怀柔镇": "西三 北宅 大中富乐 郭家坞 卧龙岗 芦庄 钓鱼台 甘涧峪 刘各长 红螺寺 张各长 东四 西四 "
    "杨家园 王化 大屯 石厂 孟庄 南关",
    "庙城镇": "庙城 孙史山 王史山 肖两河 高两河 李两河 刘两河 西台 桃山 郑重庄 焦各庄 西郭庄 "
    "赵各庄 庙城营 霍各庄 南房 西王各庄 东王各庄 高各庄 彩各庄",
    "北房镇": "北房 宰相庄 小罗山 大罗山 韦里 驸马庄 梨园庄 胜利 安各庄 幸福 郑家庄 新房子 "
    "大周各庄 小周各庄 北房营 裕龙 东村 西村 南庄 黄吉营",
    "杨宋镇": "杨宋庄 花园 仙台 北年丰 南年丰 太平庄 四季屯 耿辛庄 梭草 张自口 西树行 解村 "
    "头道营 二道营 三块板 安乐庄 凤翔 东庄 杨宋营 后营",
    "桥梓镇": "桥梓 口头 前辛庄 后辛庄 东凤山 西凤山 一渡河 沙峪口 峪口 上王峪 下王峪 "
    "平义分 秦家东庄 岐庄 杨家东庄 东茶坞 西茶坞 前桥梓 后桥梓 北宅子 苏峪口 "
    "贾家洼 红林",
    "雁栖镇": "范各庄 柏崖厂 八道河 交界河 莲花池 官地 西栅子 神堂峪 石片 头道梁 大地 长园 "
    "泉水头 下庄 陈各庄 双文铺 永乐庄 北湾 西湖 稻田 石门 乐园庄 西庄户 大栅子 "
    "小栅子 北沟 东台 四道河",
    "怀北镇": "河防口 大水峪 神山 邓各庄 椴树岭 西庄 龙各庄 怀北庄 新峰 东庄户 红螺镇 大水峪沟",
    "渤海镇": "马道峪 慕田峪 田仙峪 北沟村 辛营 渤海所 景峪 苇店 沙峪 六渡河 铁矿峪 兴隆庄 "
    "三渡河 大榛峪 庄户 洞台 龙泉庄 北台上 南冶 四渡河",
    "九渡河镇": "九渡河 黄花城 西水峪 二道关 石湖峪 团泉 吉寺 花木 撞道口 红庙 局里 "
    "杏树台 黄坎 东宫 庙上 四道窝 小黄塘 思捷 西台子",
    "琉璃庙镇": "琉璃庙 杨树底下 白河北 二台子 前山 后山铺 安洲坝 崎峰茶 梁根 西湾子 "
    "孙胡沟 老公营 青石岭 八亩地 碾子湾 得田沟 狼虎哨 鱼水洞 东峪 杨家沟 "
    "河北 后山",
    "宝山镇": "宝山寺 对石 转年 杨树下 超梁子 道德坑 养鱼池 菜树甸 下栅子 郭家湾 碾子 "
    "西帽湾 北湾子 松树台 牛圈子 黄土梁 千佛崖 江村 阳坡 四道甸 道虎沟",
    "汤河口镇": "汤河口 后安岭 大黄塘 小梁前 东帽湾 新地 庄户沟 卜营 银河沟 河东 刘栅子 "
    "连石沟 东湾子 头道穴 大榆树 东黄梁 后岭 汤河川 二道河 黑河 新地沟 "
    "小黄塘沟 东黄梁沟 西黄梁 大梁前",
    "长哨营满族乡": "长哨营 七道河 古洞沟 老沟门 大沟 北干沟 杨木栅子 上孟营 对角石 "
    "三岔口 遥桥峪 西沟 榆树湾 老西营 黄花甸 营盘 大西沟 二道河子",
    "喇叭沟门满族乡": "喇叭沟门 孙栅子 对角沟门 东岔 大甸子 上台子 胡营 中榆树店 帽山 苗营 "
    "北辛店 南辛店 四道穴 庄户沟门 下台子 西府营",
}
VILLAGE_FILL_A = "东西南北前后上下大小"
VILLAGE_FILL_B = "杨柳榆桃杏梨石沙黄白红青马牛"
VILLAGE_FILL_C = ["各庄", "家庄", "峪", "沟", "台", "营", "甸子", "湾", "家坞"]

COMMUNITY_NAMES = {
    "泉河街道": "北大街 青春路 于家园 金台园 湖光 开放路 滨湖 兴怀 中高路 府前街",
    "龙山街道": "望怀 南华园一 南华园二 南华园三 南华园四 龙山东路 东关 西园 新贤 龙湖 "
    "鸿福苑 世纪城 迎宾路 怀柔新城",
    "怀柔镇": "富乐 杨家园 张各长 红螺园",
    "雁栖镇": "雁栖湖 范各庄",
    "杨宋镇": "凤翔 杨宋",
    "庙城镇": "庙城",
    "北房镇": "北房",
    "桥梓镇": "桥梓",
}

# Far-north mountain villages at the edge of the district, on the roads out of it: meant to be
# reachable by drivers and locals only (`remote_posts` reports which are). (name, town, lat, lon)
REMOTE_SITES = [
    ("帽山", "喇叭沟门满族乡", 40.9720, 116.6350),
    ("四道穴", "喇叭沟门满族乡", 40.9630, 116.5620),
    ("西府营", "喇叭沟门满族乡", 40.9640, 116.6900),
    ("道虎沟", "宝山镇", 40.7600, 116.3950),
    ("营盘", "长哨营满族乡", 40.8000, 116.8950),
]

# --------------------------------------------------------------------------------------
# Dispatching units
# --------------------------------------------------------------------------------------
DEPARTMENTS = (
    "区委办公室 区政府办公室 区委组织部 区委宣传部 区委统战部 区委政法委 区纪委区监委 "
    "区委编办 区人大常委会办公室 区政协办公室 区发展改革委 区教委 区科委 区经济和信息化局 "
    "区财政局 区人力社保局 区规划自然资源分局 区生态环境局 区住房城乡建设委 区城市管理委 "
    "区交通局 区水务局 区农业农村局 区商务局 区文化和旅游局 区退役军人事务局 区应急管理局 "
    "区市场监管局 区审计局 区统计局 区园林绿化局 区司法局 区委社会工委区民政局 区医保局 "
    "区体育局 区国资委 区信访办 区政务服务局 区档案馆 区总工会 团区委 区妇联 区科协 区残联"
).split()
SCHOOLS = (
    "怀柔区第一中学 怀柔区第二中学 怀柔区第三中学 怀柔区第五中学 怀柔区实验小学 "
    "怀柔区第一小学 怀柔区第三小学 怀柔区职业学校"
).split()
COURTS = [("区人民法院", "court"), ("区人民检察院", "procuratorate")]
ENTERPRISES = (
    "怀柔区国有资产经营公司 怀柔区城市建设开发公司 怀柔区自来水公司 怀柔区供热公司 "
    "怀柔区公共交通公司 怀柔区水利工程公司"
).split()

# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------
SURNAMES = (
    "王71 李70 张67 刘54 陈46 杨31 赵23 黄22 吴20 周19 孙15 徐13 马13 胡13 朱12 何12 郭11 "
    "高11 林11 罗9 郑8 梁8 谢8 宋7 唐6 许6 韩6 冯6 邓6 曹6 彭6 曾5 肖5 田5 董5 袁4 潘4 "
    "于4 蒋4 蔡4 余4 杜4 叶4 程4 苏3 魏3 吕3 丁3 任3 沈3 姚3 卢3 姜3 崔3 钟3 谭2 陆2 "
    "汪2 范2 金2 石2 廖2 贾2 夏2 付2 方2 白2 邹2 孟2 秦2 邱2 江2 尹2 薛2 闫2 段2 雷2 "
    "侯2 史2 陶2 贺2 顾2 毛2 郝2 龚2 邵2 万2 钱2 严2 武2 戴2 孔2 常2 康2 关2 佟1 那1"
).split()
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯健俊帆帅旭宇晨阳龙林峰建国东海亮成志文博然松毅栋"
)
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪慧莹颖琳晶欣倩洁红梅兰秀英萍蕾璐佳悦"
NEUTRAL_CHARS = "文子晓思嘉立新春雨宇晨一家永"
OLD_MALE_NAMES = "建国 建华 建军 国庆 志强 志刚 卫东 卫国 振华 永生 宝山 福生 德明 长江".split()
OLD_FEMALE_NAMES = "秀英 桂兰 红梅 淑珍 玉兰 凤霞 秀兰 丽华 桂芝 淑华".split()

NAMED = [
    {
        "code": "G0001",
        "name": "王金宝",
        "gender": "M",
        "birth_date": "1971-09-14",
        "unit": "区园林绿化局",
        "party_member": 1,
        "transport": "bicycle",
        "max_commute_km": 16,
        "night_ok": 1,
        "notes": "每天骑自行车往返执勤点，单程30里（约15公里），雪天提前出发、连推带骑一个多小时，"
        "从未迟到；组织安排他人替岗时婉言谢绝。",
    },
    {
        "code": "G0002",
        "name": "田在国",
        "gender": "M",
        "birth_date": "1967-03-08",
        "unit": "区退役军人事务局",
        "party_member": 1,
        "transport": "car",
        "night_ok": 0,
        "notes": "转业军人，明年即将退休，主动请战下沉一线；临近退休，不排夜班。",
    },
    {
        "code": "G0003",
        "name": "李祥莹",
        "gender": "M",
        "birth_date": "1984-05-21",
        "unit": "区司法局",
        "party_member": 1,
        "transport": "e-bike",
        "night_ok": 1,
        "notes": "负责统计台账，数据严格把关，有时为一个数据打十多个电话。",
    },
    {
        "code": "G0004",
        "name": "李萌",
        "gender": "M",
        "birth_date": "1993-07-02",
        "unit": "区委社会工委区民政局",
        "party_member": 1,
        "transport": "walk",
        "night_ok": 1,
        "notes": "值守龙山街道望怀社区小区门岗，管控严格，兼做居民跑腿（扔垃圾、送外卖、取快递）。",
    },
    {
        "code": "G0005",
        "name": "郝梓阳",
        "gender": "M",
        "birth_date": "1990-11-30",
        "unit": "区农业农村局",
        "party_member": 0,
        "transport": "bus",
        "night_ok": 1,
        "notes": "",
    },
]

TRANSPORT_MIX = {  # share of walk, bicycle, e-bike, bus, car by where a cadre lives
    "centre": (0.08, 0.17, 0.25, 0.25, 0.25),
    "plain": (0.10, 0.22, 0.35, 0.13, 0.20),
    "middle": (0.10, 0.20, 0.35, 0.13, 0.22),
    "north": (0.12, 0.16, 0.44, 0.0, 0.28),  # no bus lines up the valleys
}
TRANSPORTS = ("walk", "bicycle", "e-bike", "bus", "car")
NIGHT_PATTERNS = {  # nights per weekday (Mon … Sun)
    "none": (0, 0, 0, 0, 0, 0, 0),
    "weekend": (0, 0, 0, 0, 1, 1, 1),
    "all": (1, 1, 1, 1, 1, 1, 1),
    "double": (2, 2, 2, 2, 2, 2, 2),
}
FALLBACK = {"double": "all", "all": "weekend", "weekend": "none"}
DAY_PRIORITY = (5, 6, 0, 4, 1, 3, 2)  # extra day staff: Sat, Sun, Mon, Fri, Tue, Thu, Wed


# ======================================================================================
# Generation
# ======================================================================================
def offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point `km` great-circle kilometres from (lat, lon) towards `bearing` (radians)."""
    dlat = km * math.cos(bearing) / 111.195
    dlon = km * math.sin(bearing) / (111.195 * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def gc_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return distance_km(lat1, lon1, lat2, lon2, road_factor=1.0)


def nearest_town(lat: float, lon: float, towns: list[dict]) -> str:
    return min(towns, key=lambda t: gc_km(lat, lon, t["lat"], t["lon"]))["name"]


def unique_name(rng: random.Random, used: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(VILLAGE_FILL_A) + rng.choice(VILLAGE_FILL_B) + rng.choice(VILLAGE_FILL_C)
        name += suffix
        if name not in used:
            return name


def make_towns() -> list[dict]:
    return [
        {"name": n, "kind": k, "lat": lat, "lon": lon, "zone": z, "radius": r, "nv": nv, "nc": nc}
        for n, k, lat, lon, z, r, nv, nc in TOWNS
    ]


def place(rng, town, placed, radius_scale=1.0, min_sep=0.5):
    """A point scattered in the disc around the town centre, away from earlier points."""
    for _ in range(500):
        r = town["radius"] * radius_scale * math.sqrt(rng.random())
        lat, lon = offset(town["lat"], town["lon"], r, rng.uniform(0, 2 * math.pi))
        if lat > 40.975:
            continue
        if all(gc_km(lat, lon, a, b) >= min_sep for a, b in placed):
            return lat, lon
    raise RuntimeError(f"no room in {town['name']}")


def make_posts(rng: random.Random, towns: list[dict]) -> list[dict]:
    posts: list[dict] = []
    placed: list[tuple[float, float]] = []
    used: set[str] = set()
    remote_names = {name for name, *_ in REMOTE_SITES}
    for town in towns:
        names = [n + "社区" for n in COMMUNITY_NAMES.get(town["name"], "").split()]
        assert len(names) == town["nc"], town["name"]
        for name in names:
            lat, lon = place(rng, town, placed, 0.7 if town["zone"] == "centre" else 0.35, 0.35)
            placed.append((lat, lon))
            used.add(name)
            posts.append(
                {
                    "name": name,
                    "kind": "community",
                    "town": town["name"],
                    "lat": lat,
                    "lon": lon,
                    "remote": False,
                }
            )
    for town in towns:
        names = []
        for n in VILLAGE_NAMES.get(town["name"], "").split():
            name = n if n.endswith("村") else n + "村"
            if name not in used and name not in names:
                names.append(name)
        while len(names) < town["nv"]:
            names.append(unique_name(rng, used | set(names), "村"))
        for name in names[: town["nv"]]:
            site = next((s for s in REMOTE_SITES if s[0] + "村" == name), None)
            if site is not None:
                assert site[1] == town["name"]
                lat, lon = site[2], site[3]
            else:
                lat, lon = place(rng, town, placed)
            placed.append((lat, lon))
            used.add(name)
            posts.append(
                {
                    "name": name,
                    "kind": "village",
                    "town": town["name"],
                    "lat": lat,
                    "lon": lon,
                    "remote": name[:-1] in remote_names,
                }
            )
    villages = [p for p in posts if p["kind"] == "village"]
    communities = [p for p in posts if p["kind"] == "community"]
    assert len(villages) == N_VILLAGES and len(communities) == N_COMMUNITIES
    for i, p in enumerate(villages, 1):
        p["code"] = f"V{i:03d}"
    for i, p in enumerate(communities, 1):
        p["code"] = f"C{i:03d}"
    yanqi = [p for p in villages if p["town"] == "雁栖镇"]
    split = sorted(p["lat"] for p in yanqi)[len(yanqi) // 2]
    town_zone = {t["name"]: t["zone"] for t in towns}
    for p in posts:
        group = WORK_GROUP_OF_TOWN[p["town"]]
        if p["town"] == "雁栖镇" and p["kind"] == "village" and p["lat"] >= split:
            group = 9
        p["work_group"] = f"第{group}工作组"
        p["address"] = f"怀柔区{p['town']}{p['name']}"
        p["zone"] = town_zone[p["town"]]
        # Mountain passes: villages on the roads leading out of the district.
        p["pass"] = p["remote"] or (
            p["kind"] == "village" and p["zone"] in ("north", "middle") and rng.random() < 0.18
        )
        # Size of the village (hidden): the plains are more populous.
        p["size"] = (
            rng.random() * {"centre": 1.4, "plain": 1.3, "middle": 1.0, "north": 0.8}[p["zone"]]
        )
    add_compounds(rng, posts)
    return villages + communities


def add_compounds(rng: random.Random, posts: list[dict]) -> None:
    """305 gated compounds: communities hold most; some villages near the centre 1–2."""
    communities = [p for p in posts if p["kind"] == "community"]
    villages = [p for p in posts if p["kind"] == "village"]
    for p in posts:
        p["compounds"] = p["no_property"] = p["no_security"] = 0
    for p in communities:
        p["compounds"] = 2
    budget_c = 226 - 2 * len(communities)
    weights = [3.0 if p["town"] in ("泉河街道", "龙山街道") else 1.0 for p in communities]
    for _ in range(budget_c):
        rng.choices(communities, weights)[0]["compounds"] += 1
    zone_w = {"centre": 5.0, "plain": 3.0, "middle": 1.2, "north": 0.5}
    remaining = N_COMPOUNDS - sum(p["compounds"] for p in communities)
    vw = [zone_w[p["zone"]] * (0.3 + p["size"]) for p in villages]
    while remaining:
        v = rng.choices(villages, vw)[0]
        if v["compounds"] < 2:
            v["compounds"] += 1
            remaining -= 1
    units = [p for p in posts for _ in range(p["compounds"])]
    assert len(units) == N_COMPOUNDS
    # Village compounds mostly lack guards and often a property manager.
    sec_w = [3.0 if p["kind"] == "village" else 1.0 for p in units]
    prop_w = [4.0 if p["kind"] == "village" else 1.0 for p in units]
    for key, count, w in (
        ("no_security", N_NO_SECURITY, sec_w),
        ("no_property", N_NO_PROPERTY, prop_w),
    ):
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(rng.choices(range(len(units)), w)[0])
        for i in sorted(chosen):
            units[i][key] += 1


def load_score(p: dict) -> float:
    """How much checkpoint work a post has (hidden size plus its unguarded compounds)."""
    guarded = p["compounds"] - p["no_security"]
    if p["kind"] == "community":
        return 2.4 + 0.42 * p["no_security"] + 0.3 * p["no_property"] + 0.15 * guarded
    return 1.15 + p["size"] + 0.6 * p["no_security"] + 0.3 * p["no_property"] + 0.9 * p["pass"]


def choose_staff(posts: list[dict]) -> None:
    """k_p: cadres per post, scaled so that Σ k_p hits TARGET_DEPLOYED."""

    def ks(scale: float) -> list[int]:
        out = []
        for p in posts:
            k = round(scale * load_score(p))
            if p["kind"] == "community":
                out.append(min(9, max(3, k)))
            else:
                low = 2 if (p["compounds"] or p["pass"]) else 1
                out.append(min(4, max(low, k)))
        return out

    lo, hi = 0.3, 3.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(ks(mid)) < TARGET_DEPLOYED:
            lo = mid
        else:
            hi = mid
    for p, k in zip(posts, ks(hi), strict=True):
        p["k"] = k


def nights_kind(p: dict) -> str:
    k, unguarded = p["k"], p["no_security"]
    if p["kind"] == "community":
        if unguarded >= 8 and k >= 7:
            return "double"
        if unguarded >= 3:
            return "all"
        return "weekend" if unguarded >= 1 else "none"
    if k == 1:
        return "none"
    if p["pass"]:
        return "all" if k >= 3 else "weekend"
    if k >= 4:
        return "all"
    if k == 3 and unguarded >= 1:
        return "weekend"
    return "none"


def day_pattern(k: int, slots: int, nights: tuple[int, ...]) -> tuple[int, ...] | None:
    """Day-shift staff per weekday: at least one a day, extras on the busiest days first."""
    if k == 1:
        return (1, 1, 1, 1, 1, 1, 0) if slots == 6 else None
    total = slots - sum(nights)
    caps = [k - n for n in nights]
    if total < 7 or total > sum(caps) or min(caps) < 1:
        return None
    base = min(total // 7, min(caps))
    day = [base] * 7
    left = total - 7 * base
    while left:
        progressed = False
        for d in DAY_PRIORITY:
            if left and day[d] < caps[d]:
                day[d] += 1
                left -= 1
                progressed = True
        if not progressed:
            return None
    return tuple(day)


def make_demand(rng: random.Random, posts: list[dict]) -> None:
    for p in posts:
        k = p["k"]
        slots = 6 * k if k == 1 or rng.random() < 0.62 else 6 * k - 1
        kind = nights_kind(p)
        while True:
            nights = NIGHT_PATTERNS[kind]
            day = day_pattern(k, slots, nights)
            if day is not None and pattern_night_cadres(k, day, nights) is not None:
                break
            kind = FALLBACK[kind]  # KeyError means no pattern fits: a bug in the tiers
        p["day"], p["night"] = day, nights


def make_units(rng: random.Random, used_names: set[str], phones: set[str]) -> list[dict]:
    units = [(n, "department") for n in DEPARTMENTS] + [(n, "school") for n in SCHOOLS]
    units += COURTS + [(n, "enterprise") for n in ENTERPRISES]
    out = []
    for name, kind in units:
        gender = "M" if rng.random() < 0.6 else "F"
        out.append(
            {
                "name": name,
                "kind": kind,
                "liaison_name": person_name(rng, gender, 1975, used_names),
                "liaison_phone": phone(rng, phones),
            }
        )
    return out


def person_name(rng: random.Random, gender: str, born: int, used: set[str]) -> str:
    surnames = [s[0] for s in SURNAMES]
    weights = [int(s[1:]) for s in SURNAMES]
    chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
    old = OLD_MALE_NAMES if gender == "M" else OLD_FEMALE_NAMES
    while True:
        surname = rng.choices(surnames, weights)[0]
        if born < 1975 and rng.random() < 0.25:
            given = rng.choice(old)
        elif rng.random() < 0.3:
            given = rng.choice(chars)
        else:
            given = rng.choice(chars + NEUTRAL_CHARS) + rng.choice(chars)
        name = surname + given
        if name not in used and given[0] != (given[1:] or " ")[0]:
            used.add(name)
            return name


def phone(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice("358") + str(rng.randrange(10)) + f"{rng.randrange(10**8):08d}"
        number = "1" + number
        if number not in used:
            used.add(number)
            return number


def make_cadres(
    rng: random.Random,
    towns: list[dict],
    posts: list[dict],
    units: list[dict],
    used_names: set[str],
    phones: set[str],
) -> list[dict]:
    centre = (40.3155, 116.6340)
    unit_names = [u["name"] for u in units]
    unit_w = [
        {"department": 3, "school": 5, "court": 4, "procuratorate": 3, "enterprise": 4}[u["kind"]]
        for u in units
    ]
    for n in NAMED:
        used_names.add(n["name"])
    # Locals: homes around the centres of the outer towns, weighted towards the far north.
    local_towns = [t for t in towns if t["zone"] != "centre"]
    local_w = [
        t["nv"] * {"plain": 0.6, "middle": 0.9, "north": 1.5}[t["zone"]] for t in local_towns
    ]
    cadres = []
    n_local = round(0.25 * N_CADRES)
    for i in range(N_CADRES):
        code = f"G{i + 1:04d}"
        if i < len(NAMED):
            cadres.append(named_cadre(NAMED[i], posts, phones))
            continue
        gender = "M" if rng.random() < 0.58 else "F"
        year = 1966 + min(32, int(rng.triangular(0, 33, 14)))
        if rng.random() < 0.04:
            year = rng.choice((1966, 1967))
        birth = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        if i >= N_CADRES - n_local:
            town = rng.choices(local_towns, local_w)[0]
            while True:
                r = town["radius"] * 0.6 * math.sqrt(rng.random())
                lat, lon = offset(town["lat"], town["lon"], r, rng.uniform(0, 2 * math.pi))
                if nearest_town(lat, lon, towns) == town["name"]:
                    break
            zone = town["zone"]
        else:
            while True:
                r = abs(rng.gauss(0, 1.6))
                lat, lon = offset(*centre, min(r, 4.0), rng.uniform(0, 2 * math.pi))
                if nearest_town(lat, lon, towns) in CENTRE_TOWNS:
                    break
            zone = "centre"
        transport = rng.choices(TRANSPORTS, TRANSPORT_MIX[zone])[0]
        if year <= 1969 and transport == "bicycle":  # older cadres no longer cycle far
            transport = "e-bike" if zone == "north" else "bus"
        max_km = TRANSPORT_MAX_KM[transport]
        notes = ""
        if transport == "car" and zone == "centre" and rng.random() < 0.04:
            max_km, notes = 50.0, "家有老人需照顾，通勤不超过50公里。"
        night_p = 0.82 if year > 1970 else 0.2
        if gender == "F":
            night_p *= 0.8
        night_ok = int(rng.random() < night_p)
        if year <= 1967:
            night_ok = 0
            notes = notes or "临近退休。"
        cadres.append(
            {
                "code": code,
                "name": person_name(rng, gender, year, used_names),
                "gender": gender,
                "birth_date": birth,
                "unit": rng.choices(unit_names, unit_w)[0],
                "phone": phone(rng, phones),
                "party_member": int(rng.random() < 0.65),
                "home_lat": lat,
                "home_lon": lon,
                "transport": transport,
                "max_commute_km": max_km,
                "night_ok": night_ok,
                "status": "active",
                "notes": notes,
            }
        )
    return cadres


def named_cadre(spec: dict, posts: list[dict], phones: set[str]) -> dict:
    rng = random.Random(spec["code"])
    if spec["name"] == "王金宝":
        # A village in 雁栖镇 about 11.5 km from the centre; home 15 km road towards town.
        post = min(
            (p for p in posts if p["town"] == "雁栖镇" and p["kind"] == "village"),
            key=lambda p: abs(gc_km(p["lat"], p["lon"], 40.318, 116.634) - 11.6),
        )
        bearing = math.atan2(
            (116.634 - post["lon"]) * math.cos(math.radians(post["lat"])), 40.318 - post["lat"]
        )
        lat, lon = offset(post["lat"], post["lon"], 15.0 / 1.3, bearing)
    elif spec["name"] == "李萌":
        post = next(p for p in posts if p["name"] == "望怀社区")
        lat, lon = offset(post["lat"], post["lon"], 1.1, 2.0)
    else:
        lat, lon = offset(40.3155, 116.6340, rng.uniform(0.3, 2.0), rng.uniform(0, 6.28))
    return {
        "code": spec["code"],
        "name": spec["name"],
        "gender": spec["gender"],
        "birth_date": spec["birth_date"],
        "unit": spec["unit"],
        "phone": phone(rng, phones),
        "party_member": spec["party_member"],
        "home_lat": lat,
        "home_lon": lon,
        "transport": spec["transport"],
        "max_commute_km": spec.get("max_commute_km", TRANSPORT_MAX_KM[spec["transport"]]),
        "night_ok": spec["night_ok"],
        "status": "active",
        "notes": spec["notes"],
    }


def make_absences(rng: random.Random, cadres: list[dict]) -> list[dict]:
    chosen = rng.sample(cadres[len(NAMED) :], 17)
    notes = {
        "sick": [
            "发烧，居家观察",
            "腰伤复发，卧床休息",
            "感冒就医",
            "胃病住院",
            "扭伤脚踝",
            "牙痛就诊",
            "血压偏高，遵医嘱休息",
        ],
        "family": ["孩子无人照看", "老人住院陪护", "家中有事", "配偶手术陪护", "搬家"],
        "training": ["参加区委党校集中培训", "参加单位业务培训"],
    }
    out = []
    for i, c in enumerate(chosen):
        if i == 0:
            out.append(
                {
                    "cadre": c["code"],
                    "start_day": 3,
                    "end_day": ABSENCE_HORIZON - 1,
                    "kind": "recalled",
                    "note": "违反值守纪律，经提醒仍未改正，召回并录入个人负面信息档案",
                }
            )
            continue
        kind = rng.choices(("sick", "family", "training"), (6, 5, 2))[0]
        if kind == "training":
            start = 7 * rng.randrange(3)
            length = 5
        else:
            length = rng.randint(1, 5 if kind == "sick" else 3)
            start = rng.randrange(ABSENCE_HORIZON - length + 1)
        out.append(
            {
                "cadre": c["code"],
                "start_day": start,
                "end_day": start + length - 1,
                "kind": kind,
                "note": notes[kind][i % len(notes[kind])],
            }
        )
    out.sort(key=lambda a: (a["start_day"], a["cadre"]))
    return out


def write_csv(name: str, columns: list[str], rows: list[dict], out_dir: Path) -> None:
    with open(out_dir / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([fmt(row[c]) for c in columns])


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else f"{value:.5f}"
    return str(value)


def generate(out_dir: Path = DATA_DIR) -> None:
    rng = random.Random(SEED)
    towns = make_towns()
    posts = make_posts(rng, towns)
    choose_staff(posts)
    make_demand(rng, posts)
    used_names: set[str] = set()
    phones: set[str] = set()
    units = make_units(rng, used_names, phones)
    cadres = make_cadres(rng, towns, posts, units, used_names, phones)
    absences = make_absences(rng, cadres)

    write_csv("towns.csv", ["name", "kind", "lat", "lon"], towns, out_dir)
    write_csv("units.csv", ["name", "kind", "liaison_name", "liaison_phone"], units, out_dir)
    shifts = [
        {"code": "D", "name": "白班", "start": "08:00", "end": "20:00"},
        {"code": "N", "name": "夜班", "start": "20:00", "end": "08:00"},
    ]
    write_csv("shifts.csv", ["code", "name", "start", "end"], shifts, out_dir)
    write_csv(
        "posts.csv",
        [
            "code",
            "name",
            "kind",
            "town",
            "work_group",
            "lat",
            "lon",
            "compounds",
            "no_property",
            "no_security",
            "address",
        ],
        posts,
        out_dir,
    )
    demand = []
    for p in posts:
        for shift, per_day in (("D", p["day"]), ("N", p["night"])):
            for wd, req in enumerate(per_day, 1):
                if req:
                    demand.append(
                        {"post": p["code"], "shift": shift, "weekday": wd, "required": req}
                    )
    write_csv("demand.csv", ["post", "shift", "weekday", "required"], demand, out_dir)
    write_csv("cadres.csv", CADRE_COLUMNS, cadres, out_dir)
    write_csv(
        "demo_absences.csv", ["cadre", "start_day", "end_day", "kind", "note"], absences, out_dir
    )


CADRE_COLUMNS = [
    "code",
    "name",
    "gender",
    "birth_date",
    "unit",
    "phone",
    "party_member",
    "home_lat",
    "home_lon",
    "transport",
    "max_commute_km",
    "night_ok",
    "status",
    "notes",
]


# ======================================================================================
# Checking (reads the CSV files only; imported by the tests)
# ======================================================================================
@dataclass
class Demo:
    towns: dict[str, dict]
    units: dict[str, dict]
    shifts: dict[str, ShiftType]
    posts: dict[str, dict]
    cadres: dict[str, dict]
    demand: list[dict]
    absences: list[dict]
    _cache: dict = field(default_factory=dict, repr=False)

    def home_town(self, cadre: dict) -> str:
        return nearest_town(cadre["home_lat"], cadre["home_lon"], list(self.towns.values()))

    def day_night(self, post: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Required day / night staff per weekday (Mon … Sun) of one post."""
        per = self._cache.get("per_post")
        if per is None:
            per = {code: {s: [0] * 7 for s in self.shifts} for code in self.posts}
            for row in self.demand:
                per[row["post"]][row["shift"]][row["weekday"] - 1] += row["required"]
            self._cache["per_post"] = per
        return tuple(per[post]["D"]), tuple(per[post]["N"])


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def load_demo(data_dir: Path = DATA_DIR) -> Demo:
    def num(row: dict, keys: str, kind=float) -> dict:
        for k in keys.split():
            row[k] = kind(row[k])
        return row

    towns = {r["name"]: num(r, "lat lon") for r in read_rows(data_dir / "towns.csv")}
    units = {r["name"]: r for r in read_rows(data_dir / "units.csv")}
    shifts = {
        r["code"]: ShiftType(r["code"], r["name"], r["start"], r["end"])
        for r in read_rows(data_dir / "shifts.csv")
    }
    posts = {
        r["code"]: num(num(r, "lat lon"), "compounds no_property no_security", int)
        for r in read_rows(data_dir / "posts.csv")
    }
    demand = [num(r, "weekday required", int) for r in read_rows(data_dir / "demand.csv")]
    cadres = {
        r["code"]: num(num(r, "home_lat home_lon max_commute_km"), "party_member night_ok", int)
        for r in read_rows(data_dir / "cadres.csv")
    }
    absences = [num(r, "start_day end_day", int) for r in read_rows(data_dir / "demo_absences.csv")]
    return Demo(towns, units, shifts, posts, cadres, demand, absences)


@cache
def _pattern_feasible(k: int, m: int, day: tuple, night: tuple, forbid: tuple) -> bool:
    """Can k cadres (the first m of whom may do nights) cover this weekly pattern?

    Each works ≤ 6 days and one shift a day; `forbid` lists (shift, next-day shift) pairs
    that break the rest rule. The week is treated as repeating (Sunday → Monday), so the
    same pattern can be kept week after week.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = {
        (c, d, s): model.new_bool_var(f"x{c}{d}{s}")
        for c in range(k)
        for d in range(7)
        for s in "DN"
    }
    for d in range(7):
        model.add(sum(x[c, d, "D"] for c in range(k)) >= day[d])
        model.add(sum(x[c, d, "N"] for c in range(m)) >= night[d])
        for c in range(k):
            model.add(x[c, d, "D"] + x[c, d, "N"] <= 1)
            if c >= m:
                model.add(x[c, d, "N"] == 0)
            for a, b in forbid:
                model.add(x[c, d, a] + x[c, (d + 1) % 7, b] <= 1)
    for c in range(k):
        model.add(sum(x[c, d, s] for d in range(7) for s in "DN") <= MAX_DAYS)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


DEFAULT_SHIFTS = (
    ShiftType("D", "白班", "08:00", "20:00"),
    ShiftType("N", "夜班", "20:00", "08:00"),
)


def forbidden_pairs(shifts, min_rest_hours: float = 11.0) -> tuple:
    by = {s.code: s for s in shifts}
    return tuple(
        sorted((a, b) for a in by for b in by if by[a].rest_hours_before(by[b], 1) < min_rest_hours)
    )


def pattern_night_cadres(k: int, day: tuple, night: tuple, forbid: tuple | None = None):
    """Fewest night-capable cadres among k that can cover the pattern; None if k cannot."""
    if forbid is None:
        forbid = forbidden_pairs(DEFAULT_SHIFTS)
    lo = math.ceil(sum(night) / MAX_DAYS)
    for m in range(lo, k + 1):
        if _pattern_feasible(k, m, tuple(day), tuple(night), forbid):
            return m
    return None


@dataclass(frozen=True)
class Need:
    slots: int  # S_p: shifts a week
    nights: int  # N_p
    k: int  # cadres deployed there: ceil(S_p / 6)
    m: int | None  # of whom may do nights (None: k cadres cannot cover the pattern)


def post_needs(demo: Demo) -> dict[str, Need]:
    forbid = forbidden_pairs(demo.shifts.values())
    out = {}
    for code in demo.posts:
        day, night = demo.day_night(code)
        slots = sum(day) + sum(night)
        k = math.ceil(slots / MAX_DAYS)
        out[code] = Need(slots, sum(night), k, pattern_night_cadres(k, day, night, forbid))
    return out


def candidates(demo: Demo) -> dict[str, list[str]]:
    """Post code → codes of the active cadres whose commute limit reaches it."""
    got = demo._cache.get("candidates")
    if got is None:
        got = {code: [] for code in demo.posts}
        for c in demo.cadres.values():
            if c["status"] != "active":
                continue
            for code, p in demo.posts.items():
                km = distance_km(c["home_lat"], c["home_lon"], p["lat"], p["lon"])
                if km <= c["max_commute_km"]:
                    got[code].append(c["code"])
        demo._cache["candidates"] = got
    return got


@dataclass
class Deployment:
    required: int  # Σ k_p
    deployed: int  # max flow
    available: int  # cadres taking part
    unfilled: dict[str, int]  # post → cadres missing

    @property
    def ok(self) -> bool:
        return self.deployed == self.required

    @property
    def spare(self) -> int:
        return self.available - self.deployed


def deployment(demo: Demo, exclude: set[str] = frozenset(), needs=None) -> Deployment:
    """Max flow cadre → post: k_p cadres per post, m_p of them night-capable.

    Each post has a night node (capacity m_p, night-capable cadres only) and an "any"
    node (capacity k_p − m_p); a cadre goes to one post. Feasible iff the flow is Σ k_p.
    """
    from ortools.graph.python import max_flow

    needs = needs or post_needs(demo)
    cand = candidates(demo)
    cadres = [c for c in demo.cadres if c not in exclude and demo.cadres[c]["status"] == "active"]
    index = {c: i + 1 for i, c in enumerate(cadres)}
    post_codes = list(demo.posts)
    base = len(cadres) + 1
    sink = base + 2 * len(post_codes)
    flow = max_flow.SimpleMaxFlow()
    for i in index.values():
        flow.add_arc_with_capacity(0, i, 1)
    for j, code in enumerate(post_codes):
        need = needs[code]
        m = need.m if need.m is not None else need.k
        night_node, any_node = base + 2 * j, base + 2 * j + 1
        flow.add_arc_with_capacity(night_node, sink, m)
        flow.add_arc_with_capacity(any_node, sink, need.k - m)
        for c in cand[code]:
            if c in index:
                if m and demo.cadres[c]["night_ok"]:
                    flow.add_arc_with_capacity(index[c], night_node, 1)
                if need.k > m:
                    flow.add_arc_with_capacity(index[c], any_node, 1)
    if flow.solve(0, sink) != flow.OPTIMAL:
        raise RuntimeError("max flow failed")
    got: dict[int, int] = {}
    for a in range(flow.num_arcs()):
        if flow.head(a) == sink:
            got[flow.tail(a)] = got.get(flow.tail(a), 0) + flow.flow(a)
    unfilled = {}
    for j, code in enumerate(post_codes):
        short = needs[code].k - got.get(base + 2 * j, 0) - got.get(base + 2 * j + 1, 0)
        if short:
            unfilled[code] = short
    required = sum(n.k for n in needs.values())
    return Deployment(required, flow.optimal_flow(), len(cadres), unfilled)


def week_absence(demo: Demo, week: int) -> tuple[set[str], int]:
    """Cadres absent on some day of week `week` (0, 1, 2) and Σ of days they can work."""
    absent_days: dict[str, set[int]] = {}
    recalled = {a["cadre"] for a in demo.absences if a["kind"] == "recalled"}
    for a in demo.absences:
        for d in range(a["start_day"], a["end_day"] + 1):
            if 7 * week <= d < 7 * week + 7:
                absent_days.setdefault(a["cadre"], set()).add(d)
    available = 0
    for code, c in demo.cadres.items():
        if c["status"] != "active" or code in recalled:
            continue
        available += min(MAX_DAYS, 7 - len(absent_days.get(code, ())))
    return set(absent_days) | recalled, available


def remote_posts(demo: Demo) -> list[str]:
    """Posts whose every candidate drives or lives in the post's own town."""
    cand = candidates(demo)
    out = []
    for code, p in demo.posts.items():
        if cand[code] and all(
            demo.cadres[c]["transport"] == "car" or demo.home_town(demo.cadres[c]) == p["town"]
            for c in cand[code]
        ):
            out.append(code)
    return out


def check_demo(data_dir: Path = DATA_DIR, out=print) -> list[str]:
    """Print the figures of the demo district; return the targets missed (empty: all met)."""
    demo = load_demo(data_dir)
    needs = post_needs(demo)
    failures = []
    bad = [c for c, n in needs.items() if n.m is None]
    if bad:
        failures.append(f"{len(bad)} posts cannot be covered by ceil(S/6) cadres: {bad[:5]}")
    capacity = MAX_DAYS * len(demo.cadres)
    slots = sum(n.slots for n in needs.values())
    nights = sum(n.nights for n in needs.values())
    ratio = slots / capacity
    out(f"weekly demand {slots} shifts ({nights} nights) / capacity {capacity} = {ratio:.3f}")
    if not 0.85 <= ratio <= 0.92:
        failures.append(f"demand/capacity {ratio:.3f} outside 0.85–0.92")
    k_sum = sum(n.k for n in needs.values())
    m_sum = sum(n.m or 0 for n in needs.values())
    night_ok = sum(c["night_ok"] for c in demo.cadres.values())
    out(
        f"Σk_p = {k_sum} cadres to deploy ({k_sum / len(demo.cadres):.1%} of "
        f"{len(demo.cadres)}); Σm_p = {m_sum} night-capable needed of {night_ok}"
    )
    if k_sum > 0.93 * len(demo.cadres):
        failures.append(f"Σk_p {k_sum} > 93 % of the cadres")
    full = deployment(demo, needs=needs)
    out(f"deployment, everyone present: {full.deployed}/{full.required}, spare {full.spare}")
    if not full.ok:
        failures.append(f"no deployment even with everyone present: {full.unfilled}")
    for week in range(3):
        absent, available = week_absence(demo, week)
        dep = deployment(demo, exclude=absent, needs=needs)
        load = slots / available
        out(
            f"week {week}: {len(absent)} cadres absent, demand/available days = {load:.3f}; "
            f"deployment without them {dep.deployed}/{dep.required}, spare {dep.spare}"
        )
        if load > 0.95:
            failures.append(f"week {week}: demand/available {load:.3f} > 0.95")
        if not dep.ok:
            failures.append(f"week {week}: no deployment without absentees: {dep.unfilled}")
    remote = remote_posts(demo)
    cand = candidates(demo)
    out(
        "remote posts (drivers and locals only): "
        + ", ".join(
            f"{c} {demo.posts[c]['town']}{demo.posts[c]['name']} ({len(cand[c])} cand.)"
            for c in remote
        )
    )
    if not 3 <= len(remote) <= 8:
        failures.append(f"{len(remote)} remote posts, want 3–8")
    if any(demo.posts[c]["town"] not in FAR_NORTH for c in remote):
        failures.append("a remote post is not in the far north")
    far = {c for c, p in demo.posts.items() if p["town"] in FAR_NORTH}
    for code, c in demo.cadres.items():
        if c["transport"] == "bicycle" and demo.home_town(c) in CENTRE_TOWNS:
            if any(code in cand[p] for p in far):
                failures.append(f"centre cyclist {code} reaches the far north")
    slack = sorted(demo.posts, key=lambda c: (len(cand[c]) - needs[c].k, c))
    out(
        "tightest posts (post, k_p, candidates): "
        + ", ".join(
            f"{c} {demo.posts[c]['name']} k={needs[c].k} cand={len(cand[c])}" for c in slack[:8]
        )
    )
    thin = [c for c in demo.posts if len(cand[c]) < needs[c].k + 1]
    if len(thin) > 3 or any(c not in remote for c in thin):
        failures.append(f"posts with fewer than k_p + 1 candidates: {thin}")
    for f in failures:
        out("MISSED: " + f)
    return failures


def main() -> int:
    generate(DATA_DIR)
    failures = check_demo(DATA_DIR)
    print("all targets met" if not failures else f"{len(failures)} targets missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
