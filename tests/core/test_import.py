"""Importing CSV and XLSX files: good files land right, re-imports update, and
every kind of bad input is reported with file, line and column and writes nothing."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import tracemalloc
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roster import store
from roster.importer import (
    MAX_PROBLEMS,
    ImportFailed,
    Problem,
    import_dir,
    import_file,
)
from roster.store import open_db

TABLES = (
    "towns", "work_groups", "units", "posts", "shift_types", "demand", "cadres", "absences",
    "audit",
)  # fmt: skip

TOWNS = """name,kind,lat,lon
怀柔镇,town,40.316,116.632
泉河街道,street,40.3215,116.633
"""
UNITS = """name,kind,liaison_name,liaison_phone
区园林绿化局,bureau,张三,13800000001
区委办公室,department,,
"""
SHIFTS = """code,name,start,end
D,白班,8:00,20:00
N,夜班,20:00,08:00
"""
POSTS = """code,name,kind,town,work_group,lat,lon,compounds,no_property,no_security,address
V001,西三村,village,怀柔镇,第3工作组,40.30427,116.5954,2,1,2,怀柔区怀柔镇西三村
C001,青春苑社区,community,泉河街道,第1工作组,40.32,116.63,,,,
"""
DEMAND = """post,shift,weekday,required,date
V001,D,1,3,
V001,N,1,1,
V001,D,3,5,2026-03-04
"""
CADRES_HEADER = (
    "code,name,gender,birth_date,unit,phone,party_member,home_lat,home_lon,transport,"
    "max_commute_km,night_ok,status,notes\n"
)
CADRES = (
    CADRES_HEADER
    + "G0001,王金宝,男,1971-09-14,区园林绿化局,15915234555,是,40.31716,116.63353,bicycle,,,,骑车\n"
    + "G0002,田在国,M,1967-03-08,区委办公室,139-4517-1807,0,40.30416,116.64131,car,80,no,"
    "on_leave,\n"
)
ABSENCES = """cadre,start_date,end_date,kind,note
G0001,2026-03-02,2026-03-04,sick,感冒
G0002,2026-03-05,2026-03-05,training,
"""
BASE = {
    "towns": TOWNS,
    "units": UNITS,
    "shifts": SHIFTS,
    "posts": POSTS,
    "demand": DEMAND,
    "cadres": CADRES,
    "absences": ABSENCES,
}


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def snapshot(db) -> dict[str, list]:
    return {t: db.execute(f"select * from {t} order by rowid").fetchall() for t in TABLES}


def one(db, sql, args=()):
    return db.execute(sql, args).fetchone()


@pytest.fixture
def base(db, tmp_path):
    """A database holding the base district, imported from CSV files."""
    folder = tmp_path / "base"
    for kind, text in BASE.items():
        write(folder, f"{kind}.csv", text)
    import_dir(db, folder, actor="test")
    return db


def fails(db, path, kind, expected, *, exact=True) -> ImportFailed:
    """Import `path` as `kind`, expect ImportFailed with `expected` problems
    [(line, column, fragment of the message)], and check nothing was written."""
    before = snapshot(db)
    with pytest.raises(ImportFailed) as info:
        import_file(db, kind, path, actor="test")
    problems = info.value.problems
    assert snapshot(db) == before, "a failed import wrote something"
    for line, column, fragment in expected:
        assert any(
            p.line == line and p.column == column and fragment in p.message for p in problems
        ), f"no problem ({line}, {column}, {fragment!r}) in {[str(p) for p in problems]}"
    if exact:
        assert len(problems) == len(expected), [str(p) for p in problems]
    assert all(p.file == Path(path).name for p in problems)
    return info.value


# --- good files ------------------------------------------------------------------------


def test_import_dir_loads_every_kind_with_its_values(base):
    db = base
    assert one(db, "select kind, lat, lon from towns where name = '怀柔镇'") == (
        "town",
        40.316,
        116.632,
    )
    assert one(db, "select kind, liaison_name, liaison_phone from units where name = '区园林绿化局'") == (
        "bureau", "张三", "13800000001",
    )  # fmt: skip
    assert one(db, "select kind, liaison_name from units where name = '区委办公室'") == (
        "department",
        "",
    )
    # times are normalised to HH:MM
    assert db.execute(
        'select code, name, start, "end" from shift_types order by code'
    ).fetchall() == [
        ("D", "白班", "08:00", "20:00"),
        ("N", "夜班", "20:00", "08:00"),
    ]
    # work groups named in posts are created; towns resolved by name
    assert [r[0] for r in db.execute("select name from work_groups order by id")] == [
        "第3工作组",
        "第1工作组",
    ]
    post = one(
        db,
        """select p.name, p.kind, t.name, w.name, p.lat, p.lon, p.compounds, p.no_property,
                  p.no_security, p.address
           from posts p join towns t on t.id = p.town_id join work_groups w on w.id = p.work_group_id
           where p.code = 'V001'""",
    )
    assert post == (
        "西三村", "village", "怀柔镇", "第3工作组", 40.30427, 116.5954, 2, 1, 2, "怀柔区怀柔镇西三村",
    )  # fmt: skip
    assert one(db, "select compounds, no_property, no_security, address from posts where code = 'C001'") == (
        0, 0, 0, "",
    )  # fmt: skip
    demand = db.execute(
        """select p.code, d.shift_code, d.weekday, d.date, d.required from demand d
           join posts p on p.id = d.post_id order by d.id"""
    ).fetchall()
    assert demand == [
        ("V001", "D", 1, None, 3),
        ("V001", "N", 1, None, 1),
        ("V001", "D", 3, "2026-03-04", 5),
    ]
    # cadres: 男 → M, 是 → 1, empty max_commute_km → the transport's default, defaults applied
    g1 = one(
        db,
        """select c.name, gender, birth_date, u.name, phone, party_member, home_lat, home_lon,
                  transport, max_commute_km, night_ok, status, notes
           from cadres c join units u on u.id = c.unit_id where code = 'G0001'""",
    )
    assert g1 == (
        "王金宝", "M", "1971-09-14", "区园林绿化局", "15915234555", 1, 40.31716, 116.63353,
        "bicycle", 15.0, 1, "active", "骑车",
    )  # fmt: skip
    g2 = one(
        db,
        "select gender, phone, party_member, max_commute_km, night_ok, status from cadres "
        "where code = 'G0002'",
    )
    assert g2 == ("M", "139-4517-1807", 0, 80.0, 0, "on_leave")
    absences = db.execute(
        """select c.code, start_date, end_date, a.kind, note from absences a
           join cadres c on c.id = a.cadre_id order by a.id"""
    ).fetchall()
    assert absences == [
        ("G0001", "2026-03-02", "2026-03-04", "sick", "感冒"),
        ("G0002", "2026-03-05", "2026-03-05", "training", ""),
    ]
    # the store reads it all back as domain objects
    district = store.load_district(db)
    assert len(district.cadres) == 2 and len(district.posts) == 2


def test_report_and_one_audit_row_per_import(db, tmp_path):
    folder = tmp_path / "d"
    for kind, text in BASE.items():
        write(folder, f"{kind}.csv", text)
    report = import_dir(db, folder, actor="alice")
    assert list(report.kinds) == list(BASE)
    assert report.inserted("cadres") == 2 and report.updated("cadres") == 0
    assert report.inserted("demand") == 3
    assert report.total_inserted == 2 + 2 + 2 + 2 + 3 + 2 + 2
    audits = store.audit_entries(db)
    assert len(audits) == 1
    assert audits[0].action == "import" and audits[0].actor == "alice"
    assert '"cadres": {"inserted": 2' in audits[0].details
    assert "cadres: 2 added, 0 changed, 0 unchanged" in str(report)
    data = report.to_json()
    assert data["inserted"] == report.total_inserted and data["updated"] == 0
    assert data["kinds"]["towns"] == {
        "inserted": 2, "updated": 0, "changed": 0, "unchanged": 0, "changed_fields": {},
        "named_changes": [], "files": ["towns.csv"], "ignored_columns": [],
    }  # fmt: skip


def test_import_file_one_kind(db, tmp_path):
    report = import_file(db, "towns", write(tmp_path, "towns.csv", TOWNS))
    assert report.inserted("towns") == 2
    assert store.counts(db)["towns"] == 2


def test_reimport_updates_instead_of_duplicating(base, tmp_path):
    db = base
    ids = {t: db.execute(f"select * from {t} order by rowid").fetchall() for t in ("cadres",)}
    folder = tmp_path / "again"
    changed = dict(BASE)
    changed["towns"] = TOWNS.replace("40.316", "40.5")
    changed["cadres"] = CADRES.replace("15915234555", "13000000000")
    changed["demand"] = DEMAND.replace("V001,D,3,5,2026-03-04", "V001,D,3,7,2026-03-04")
    changed["absences"] = ABSENCES.replace("感冒", "发烧")
    for kind, text in changed.items():
        write(folder, f"{kind}.csv", text)
    before = store.counts(db)
    report = import_dir(db, folder)
    assert store.counts(db) == before
    for kind in BASE:
        assert report.inserted(kind) == 0, kind
        assert report.updated(kind) > 0, kind
    assert one(db, "select lat from towns where name = '怀柔镇'") == (40.5,)
    assert one(db, "select id, phone from cadres where code = 'G0001'") == (
        ids["cadres"][0][0],
        "13000000000",
    )
    assert one(db, "select required from demand where date = '2026-03-04'") == (7,)
    assert one(db, "select count(*) from demand") == (3,)
    assert one(db, "select note from absences where kind = 'sick'") == ("发烧",)
    assert len(store.audit_entries(db)) == 2


def test_reimport_leaves_optional_columns_not_in_the_file_alone(base, tmp_path):
    db = base
    db.execute("update cadres set status = 'recalled', notes = 'x' where code = 'G0001'")
    db.conn.commit()
    narrow = CADRES_HEADER.split(",max_commute_km")[0] + "\n"
    narrow += "G0001,王金宝,M,1971-09-14,区园林绿化局,15915234555,1,40.3,116.6,e-bike\n"
    import_file(db, "cadres", write(tmp_path, "cadres.csv", narrow))
    # absent columns kept; max_commute_km follows the new transport's default
    assert one(db, "select status, notes, transport, max_commute_km from cadres where code = 'G0001'") == (
        "recalled", "x", "e-bike", 25.0,
    )  # fmt: skip
    # present but empty: the default
    wide = (
        CADRES_HEADER + "G0001,王金宝,M,1971-09-14,区园林绿化局,15915234555,1,40.3,116.6,walk,,,,\n"
    )
    # … but making a recalled cadre active again is refused unless confirmed
    path = write(tmp_path, "cadres.csv", wide)
    fails(db, path, "cadres", [(2, "status", "王金宝 is recalled; this file makes them active")])
    report = import_file(db, "cadres", path, confirm=True)
    assert one(db, "select status, notes, max_commute_km from cadres where code = 'G0001'") == (
        "active", "", 3.0,
    )  # fmt: skip
    assert "G0001 王金宝: status recalled → active" in [
        x.english for x in report.kinds["cadres"].named
    ]


def test_reimport_reports_changes_per_column_and_names_status_nights_commute(base, tmp_path):
    again = CADRES.replace("15915234555", "13000000000").replace("car,80,no,", "car,60,yes,")
    report = import_file(base, "cadres", write(tmp_path, "cadres.csv", again))
    counts = report.kinds["cadres"]
    assert (counts.inserted, counts.changed, counts.unchanged) == (0, 2, 0)
    assert counts.fields == {"phone": 1, "max_commute_km": 1, "night_ok": 1}
    assert [x.english for x in counts.named] == [
        "G0002 田在国: max_commute_km 80 km → 60 km",
        "G0002 田在国: night_ok no nights → nights ok",
    ]
    text = str(report)
    assert text.startswith("cadres: 0 added, 2 changed, 0 unchanged (max_commute_km 1")
    assert "\n  G0002 田在国: night_ok no nights → nights ok" in text
    same = import_file(base, "cadres", write(tmp_path, "cadres.csv", again))
    assert str(same) == "cadres: 0 added, 0 changed, 2 unchanged"


def test_bom_crlf_blank_lines_quotes_and_extra_columns(db, tmp_path):
    text = (
        "\r\nname,kind,lat,lon,remark\r\n"
        '"怀柔镇",town,40.3,116.6,"a, b"\r\n'
        "\r\n"
        ",,,,\r\n"
        "泉河街道,street,40.3,116.6,\r\n"
    )
    path = write(tmp_path, "towns.csv", b"\xef\xbb\xbf" + text.encode())
    report = import_file(db, "towns", path)
    assert report.inserted("towns") == 2
    assert report.kinds["towns"].ignored_columns == ["remark"]
    # the problem lines are counted as an editor shows them, blank lines included
    bad = text.replace("泉河街道,street,40.3", "泉河街道,street,99")
    e = fails(db, write(tmp_path, "towns.csv", bad), "towns", [(6, "lat", "out of range")])
    assert e.problems[0].line == 6


def test_old_mac_line_ends(db, tmp_path):
    path = write(tmp_path, "towns.csv", "name,kind,lat,lon\r怀柔镇,town,40.3,116.6\r")
    assert import_file(db, "towns", path).inserted("towns") == 1


# --- bad files -------------------------------------------------------------------------

C = CADRES_HEADER
G1 = "G0001,王金宝,M,1971-09-14,区园林绿化局,15915234555,1,40.3,116.6,bicycle,,,,\n"
G3 = "G0003,李四,F,1980-01-01,区委办公室,13800000003,0,40.3,116.6,bus,,,,\n"

BAD = {
    "missing column": (
        "cadres",
        C.replace("phone,", "") + G1.replace("15915234555,", ""),
        [(1, "phone", "no column phone")],
    ),
    "not a real date": (
        "cadres",
        C + G1.replace("1971-09-14", "1990-02-30"),
        [(2, "birth_date", '"1990-02-30" is not a real date; write YYYY-MM-DD')],
    ),
    "not an ISO date": (
        "cadres",
        C + G1.replace("1971-09-14", "1990/2/3"),
        [(2, "birth_date", "YYYY-MM-DD")],
    ),
    "birth in the future": (
        "cadres",
        C + G1.replace("1971-09-14", "2999-01-01"),
        [(2, "birth_date", "future")],
    ),
    "empty required value": (
        "cadres",
        C + G1.replace("王金宝", ""),
        [(2, "name", "is empty")],
    ),
    "unknown unit": (
        "cadres",
        C + G1.replace("区园林绿化局", "区园林局"),
        [(2, "unit", 'unknown unit "区园林局"')],
    ),
    "unknown town": (
        "posts",
        POSTS.splitlines()[0] + "\nV009,某村,village,某镇,G,40,116,,,,\n",
        [(2, "town", 'unknown town "某镇"')],
    ),
    "duplicate code": (
        "cadres",
        C + G1 + G3 + G1.replace("王金宝", "王金"),
        [(4, "code", 'code "G0001" is also on line 2')],
    ),
    "duplicate town name": (
        "towns",
        TOWNS + "怀柔镇,town,40.3,116.6\n",
        [(4, "name", 'name "怀柔镇" is also on line 2')],
    ),
    "duplicate demand": (
        "demand",
        DEMAND + "V001,N,1,2,\n",
        [(5, "post", "is also on line 3")],
    ),
    "duplicate absence": (
        "absences",
        ABSENCES + "G0001,2026-03-02,2026-03-04,sick,again\n",
        [(4, "cadre", "is also on line 2")],
    ),
    "latitude out of range": (
        "towns",
        "name,kind,lat,lon\n新镇,town,95,116\n",
        [(2, "lat", "out of range")],
    ),
    "longitude out of range": (
        "posts",
        POSTS.splitlines()[0] + "\nV009,某村,village,怀柔镇,G,40,-181,,,,\n",
        [(2, "lon", "out of range")],
    ),
    "home coordinates": (
        "cadres",
        C + G1.replace("40.3,116.6", "-91,abc"),
        [(2, "home_lat", "out of range"), (2, "home_lon", "not a number")],
    ),
    "not a number": (
        "towns",
        "name,kind,lat,lon\n新镇,town,nan,116\n",
        [(2, "lat", "not a number")],
    ),
    "town kind": (
        "towns",
        "name,kind,lat,lon\n新镇,city,40,116\n",
        [(2, "kind", "street, town, township")],
    ),
    "post kind and compounds": (
        "posts",
        POSTS.splitlines()[0] + "\nV009,某村,hamlet,怀柔镇,G,40,116,1,2,x,\n",
        [(2, "kind", "not one of"), (2, "no_property", "more than"), (2, "no_security", "whole")],
    ),
    "gender, transport, status, booleans": (
        "cadres",
        C
        + "G0001,王金宝,X,1971-09-14,区园林绿化局,15915234555,maybe,40.3,116.6,horse,-5,2,gone,\n",
        [
            (2, "gender", "not one of: M, F"),
            (2, "party_member", "not a yes/no value"),
            (2, "transport", "not one of"),
            (2, "max_commute_km", "out of range"),
            (2, "night_ok", "not a yes/no value"),
            (2, "status", "not one of"),
        ],
    ),
    "phone": ("cadres", C + G1.replace("15915234555", "call me"), [(2, "phone", "not a phone")]),
    "times": (
        "shifts",
        "code,name,start,end\nD,Day,25:00,8\n",
        [(2, "start", "not a time of day"), (2, "end", "not a time of day")],
    ),
    "weekday and required": (
        "demand",
        "post,shift,weekday,required\nV001,D,8,-1\nV001,N,0,two\n",
        [
            (2, "weekday", "1 to 7"),
            (2, "required", "out of range"),
            (3, "weekday", "1 to 7"),
            (3, "required", "whole number"),
        ],
    ),  # fmt: skip
    "weekday does not match date": (
        "demand",
        "post,shift,weekday,required,date\nV001,D,1,2,2026-03-04\n",
        [(2, "weekday", "write 3")],
    ),
    "unknown post and shift": (
        "demand",
        "post,shift,weekday,required\nV999,X,1,2\n",
        [(2, "post", 'unknown post code "V999"'), (2, "shift", 'unknown shift code "X"')],
    ),
    "absence kind, order and cadre": (
        "absences",
        "cadre,start_date,end_date,kind\nG0001,2026-03-05,2026-03-01,sick\nG9,2026-03-01,2026-03-01,holiday\n",
        [
            (2, "end_date", "before it starts"),
            (3, "cadre", "unknown cadre"),
            (3, "kind", "not one of"),
        ],
    ),  # fmt: skip
    "more values than columns": (
        "towns",
        "name,kind,lat,lon\n新镇,town,40,116,extra\n",
        [(2, None, "5 values")],
    ),
    "header only": ("towns", "name,kind,lat,lon\n", [(1, None, "header but no rows")]),
    "empty file": ("towns", "", [(None, None, "empty")]),
    "blank file": ("towns", "\n\n  \n", [(None, None, "empty")]),
    "duplicate header": (
        "towns",
        "name,kind,lat,lon,lat\n新镇,town,40,116,41\n",
        [(1, "lat", "twice")],
    ),
    "unclosed quote": (
        "towns",
        'name,kind,lat,lon\n怀北镇,town,40,116\n"新镇,town,40,116\n',
        [(3, None, "never closed")],
    ),
    "stray quote": (
        "towns",
        'name,kind,lat,lon\n"新"镇,town,40,116\n怀北镇,town,40,116\n',
        [(2, None, "double quotes")],
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_is_reported_and_writes_nothing(base, tmp_path, case):
    kind, text, expected = BAD[case]
    fails(base, write(tmp_path / "bad", f"{kind}.csv", text), kind, expected)


def test_problem_text_says_where_and_what_to_fix(base, tmp_path):
    text = C + G1 + G3.replace("1980-01-01", "1990-02-30")
    e = fails(base, write(tmp_path, "cadres.csv", text), "cadres", [(3, "birth_date", "real")])
    assert str(e.problems[0]) == (
        'cadres.csv line 3, column birth_date: "1990-02-30" is not a real date; write YYYY-MM-DD'
    )
    assert "1 problem found; nothing was imported" in str(e)
    assert e.to_json()["problems"][0] == {
        "file": "cadres.csv", "line": 3, "column": "birth_date", "message": e.problems[0].message,
    }  # fmt: skip


def test_every_problem_of_every_row_is_listed(base, tmp_path):
    text = (
        C
        + G1.replace("1971-09-14", "1971-13-01")
        + G3.replace("区委办公室", "无此单位").replace(",bus,", ",boat,")
        + G1.replace("G0001", "G0004").replace("40.3,", "400,")
    )
    fails(
        base,
        write(tmp_path, "cadres.csv", text),
        "cadres",
        [(2, "birth_date", "real"), (3, "unit", "unknown"), (3, "transport", "not one of"),
         (4, "home_lat", "out of range")],
    )  # fmt: skip


def test_not_utf8(base, tmp_path):
    text = "name,kind,lat,lon\n好镇,town,40,116\n怀北镇,town,40,116\n"
    data = text.encode("utf-8").replace("怀北镇".encode(), "怀北镇".encode("gbk"))
    fails(base, write(tmp_path, "towns.csv", data), "towns", [(3, "name", "not UTF-8")])


def test_a_whole_gbk_file_is_read_as_gb18030(base, tmp_path):
    # what Excel in China saves as CSV: read as GB18030, and the report says so
    data = "name,kind,lat,lon\n好镇,town,40,116\n".encode("gbk")
    report = import_file(base, "towns", write(tmp_path, "towns.csv", data))
    assert report.inserted("towns") == 1 and "[read as GB18030]" in str(report)
    assert one(base, "select kind from towns where name = '好镇'") == ("town",)
    data = "名,kind,lat,lon\n好镇,town,40,116\n".encode("gbk")
    e = fails(base, write(tmp_path, "towns.csv", data), "towns", [], exact=False)
    assert any(p.column == "name" and "no column" in p.message for p in e.problems)
    assert not any("UTF-8" in p.message for p in e.problems)


def test_many_lines_not_utf8_nor_gb18030_is_one_line(base, tmp_path):
    rows = "".join(f"镇{i},town,40,116\n" for i in range(1000))
    data = ("name,kind,lat,lon\n好镇,town,40,116\n" + rows).encode("utf-8")
    data = data.replace("镇".encode(), b"\xff\x01")  # neither UTF-8 nor GB18030
    e = fails(base, write(tmp_path, "towns.csv", data), "towns", [], exact=False)
    assert len(e.problems) == 1 and e.more == 0
    assert "1001 lines are not UTF-8" in e.problems[0].message and e.problems[0].line == 2
    assert "CSV UTF-8" in e.problems[0].message


def test_unreadable_xlsx_wrong_extension_and_missing_file(base, tmp_path):
    fails(
        base,
        write(tmp_path, "towns.xlsx", b"PK\x03\x04 not a zip"),
        "towns",
        [(None, None, "Excel")],
    )
    fails(
        base, write(tmp_path, "towns.txt", TOWNS), "towns", [(None, None, "neither .csv nor .xlsx")]
    )
    fails(base, tmp_path / "nothing.csv", "towns", [(None, None, "does not exist")])
    with pytest.raises(ImportFailed, match="1 problem"):
        import_file(base, "villages", tmp_path / "x.csv")


def test_problem_list_is_capped(base, tmp_path):
    text = "name,kind,lat,lon\n" + "".join(
        f"镇{i},town,999,116\n" for i in range(MAX_PROBLEMS + 250)
    )
    before = snapshot(base)
    with pytest.raises(ImportFailed) as info:
        import_file(base, "towns", write(tmp_path, "towns.csv", text))
    assert len(info.value.problems) == MAX_PROBLEMS
    assert info.value.more == 250 and info.value.count == MAX_PROBLEMS + 250
    assert "and 250 more" in str(info.value)
    assert snapshot(base) == before


# --- folders ---------------------------------------------------------------------------


def test_import_dir_with_a_bad_last_file_writes_nothing(db, tmp_path):
    folder = tmp_path / "d"
    for kind, text in BASE.items():
        write(folder, f"{kind}.csv", text)
    write(
        folder, "absences.csv", ABSENCES.replace("2026-03-05,2026-03-05", "2026-03-05,2026-02-30")
    )
    before = snapshot(db)
    with pytest.raises(ImportFailed) as info:
        import_dir(db, folder)
    assert [(p.file, p.line, p.column) for p in info.value.problems] == [
        ("absences.csv", 3, "end_date")
    ]
    assert snapshot(db) == before
    assert store.counts(db)["towns"] == 0


def test_import_dir_does_not_repeat_a_problem_in_the_files_that_refer_to_it(db, tmp_path):
    """A town whose row is bad is reported once, not again in every post that names it."""
    folder = tmp_path / "d"
    for kind, text in BASE.items():
        write(folder, f"{kind}.csv", text)
    write(folder, "towns.csv", TOWNS.replace("40.316", "400"))
    with pytest.raises(ImportFailed) as info:
        import_dir(db, folder)
    assert [(p.file, p.line, p.column) for p in info.value.problems] == [("towns.csv", 2, "lat")]


def test_import_dir_problems_of_several_files(db, tmp_path):
    folder = tmp_path / "d"
    for kind, text in BASE.items():
        write(folder, f"{kind}.csv", text)
    write(folder, "units.csv", "")
    write(folder, "shifts.xlsx", b"junk")
    before = snapshot(db)
    with pytest.raises(ImportFailed) as info:
        import_dir(db, folder)
    # units.csv is empty, and there are two shifts files; the cadres naming units and the
    # demand naming shifts are not reported again
    assert [(p.file, p.line) for p in info.value.problems] == [
        ("shifts.csv", None),
        ("units.csv", None),
    ]
    assert "both shifts.csv and shifts.xlsx" in info.value.problems[0].message
    assert snapshot(db) == before


def test_import_dir_of_an_empty_or_missing_folder(db, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFailed, match="1 problem"):
        import_dir(db, tmp_path / "empty")
    with pytest.raises(ImportFailed):
        import_dir(db, tmp_path / "missing")
    assert store.counts(db)["towns"] == 0


# --- XLSX ------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.create_sheet("ignored").append(["not", "read"])
    wb.save(path)
    return path


def test_xlsx_round_trip_matches_csv(tmp_path):
    """The same district as typed cells in XLSX files imports exactly like the CSV files."""
    csv_db = open_db(tmp_path / "csv.db")
    xlsx_db = open_db(tmp_path / "xlsx.db")
    folder = tmp_path / "csv"
    for kind, text in BASE.items():
        write(folder, f"{kind}.csv", text)
    import_dir(csv_db, folder)

    xfolder = tmp_path / "xlsx"
    xfolder.mkdir()
    write_xlsx(xfolder / "towns.xlsx", [["name", "kind", "lat", "lon"],
                                       ["怀柔镇", "town", 40.316, 116.632],
                                       ["泉河街道", "street", 40.3215, 116.633]])  # fmt: skip
    write_xlsx(xfolder / "units.xlsx", [["Name", "kind", "liaison_name", "liaison_phone"],
                                       ["区园林绿化局", "bureau", "张三", 13800000001],
                                       ["区委办公室", "department", None, None]])  # fmt: skip
    write_xlsx(xfolder / "shifts.xlsx", [["code", "name", "start", "end"],
                                        ["D", "白班", dt.time(8, 0), dt.time(20, 0)],
                                        ["N", "夜班", "20:00", dt.time(8, 0)]])  # fmt: skip
    posts = [row.split(",") for row in POSTS.splitlines()]
    posts[1][7:10] = [2, 1, 2]
    posts[1][5:7] = [40.30427, 116.5954]
    posts[2][7:10] = [None, None, None]
    write_xlsx(xfolder / "posts.xlsx", posts)
    write_xlsx(xfolder / "demand.xlsx", [["post", "shift", "weekday", "required", "date"],
                                        ["V001", "D", 1, 3, None], ["V001", "N", 1.0, 1, None],
                                        ["V001", "D", 3, 5, dt.datetime(2026, 3, 4)]])  # fmt: skip
    header = CADRES_HEADER.strip().split(",")
    write_xlsx(xfolder / "cadres.xlsx", [
        header,
        ["G0001", "王金宝", "男", dt.date(1971, 9, 14), "区园林绿化局", 15915234555, True,
         40.31716, 116.63353, "bicycle", None, None, None, "骑车"],
        ["G0002", "田在国", "M", "1967-03-08", "区委办公室", "139-4517-1807", 0, 40.30416,
         116.64131, "car", 80, False, "on_leave", None],
    ])  # fmt: skip
    write_xlsx(xfolder / "absences.xlsx", [["cadre", "start_date", "end_date", "kind", "note"],
                                          ["G0001", dt.date(2026, 3, 2), dt.date(2026, 3, 4), "sick", "感冒"],
                                          ["G0002", "2026-03-05", dt.date(2026, 3, 5), "training", None]])  # fmt: skip
    import_dir(xlsx_db, xfolder)
    a, b = snapshot(csv_db), snapshot(xlsx_db)
    a.pop("audit"), b.pop("audit")
    assert a == b


def test_xlsx_problems_name_the_row(base, tmp_path):
    path = write_xlsx(
        tmp_path / "towns.xlsx",
        [["name", "kind", "lat", "lon"], ["新镇", "town", 40, 116], [], ["坏镇", "town", 40, 200]],
    )
    fails(base, path, "towns", [(4, "lon", "out of range")])


# --- robustness ------------------------------------------------------------------------

_csvish = st.text(alphabet=',"\n\r \t0123456789.-:镇townstreetabc\ufeff\x00', max_size=200)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.builds(lambda t: b"name,kind,lat,lon\n" + t.encode(), _csvish),
        st.builds(lambda b: b"name,kind,lat,lon\n\xe6\x80\x80" + b, st.binary(max_size=100)),
    )
)
def test_arbitrary_bytes_import_or_fail_cleanly(data):
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "r.db")
        path = Path(tmp) / "towns.csv"
        path.write_bytes(data)
        before = snapshot(db)
        try:
            report = import_file(db, "towns", path)
        except ImportFailed as e:
            assert e.problems and all(isinstance(p, Problem) for p in e.problems)
            assert all(p.file == "towns.csv" for p in e.problems)
            assert snapshot(db) == before
        else:
            assert report.inserted("towns") == store.counts(db)["towns"] > 0
            assert len(store.audit_entries(db)) == 1
        db.close()


def test_large_file_is_streamed(base, tmp_path):
    """Python memory during an import does not grow with the file (see
    benchmarks/bench_import.py for 50 MB)."""
    rng = random.Random(1)
    path = tmp_path / "cadres.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(CADRES_HEADER)
        for i in range(12_000):
            f.write(
                f"X{i:06d},王{i}明,{'MF'[i % 2]},1980-01-{1 + i % 28:02d},区委办公室,"
                f"138{rng.randint(0, 99999999):08d},{i % 2},{40 + rng.random():.5f},"
                f"{116 + rng.random():.5f},bus,,1,active,备注{'x' * 20}\n"
            )
    size = path.stat().st_size
    tracemalloc.start()
    try:
        report = import_file(base, "cadres", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.inserted("cadres") == 12_000
    assert peak < size / 3, f"peak {peak} bytes for a {size}-byte file"


# --- characters that must not be stored ---------------------------------------------------

INVISIBLE = {
    "NUL before a row": ("\0\0" + "G0005", "code", "U+0000"),
    "zero-width space in a code": ("G00\u200b05", "code", "U+200B"),
    "byte-order mark inside a field": ("G0005\ufeff", "code", "U+FEFF"),
    "escape in a name": ("王\x1b[2J宝", "name", "U+001B"),
    "bidi override in a name": ("王\u202e宝", "name", "U+202E"),
    "bare carriage return in a name": ("王\r宝", "name", "U+000D"),
    "tab in a name": ("王\t宝", "name", "U+0009"),
}


@pytest.mark.parametrize("case", list(INVISIBLE), ids=list(INVISIBLE))
def test_invisible_characters_are_refused_with_line_and_column(base, tmp_path, case):
    value, column, code = INVISIBLE[case]
    row = G1.replace("G0001", "G0005")
    if column == "code":
        row = row.replace("G0005", value, 1)
    else:
        row = row.replace("王金宝", value, 1)
    path = write(tmp_path, "cadres.csv", C + row)
    e = fails(base, path, "cadres", [(2, column, code)])
    assert "delete it" in str(e.problems[0])


def test_tabs_and_line_breaks_are_kept_in_notes(base, tmp_path):
    row = G1.replace("G0001", "G0005")
    fields = row.rstrip("\n").split(",")
    fields[-1] = '"第一行\r\n第二行\t末"'
    import_file(base, "cadres", write(tmp_path, "cadres.csv", C + ",".join(fields) + "\n"))
    notes = one(base, "select notes from cadres where code = 'G0005'")[0]
    assert notes == "第一行\n第二行\t末"


def test_codes_are_trimmed(base, tmp_path):
    row = G1.replace("G0001", "  G0005 ")
    import_file(base, "cadres", write(tmp_path, "cadres.csv", C + row))
    assert one(base, "select count(*) from cadres where code = 'G0005'")[0] == 1


def test_a_reimport_that_changes_nothing_leaves_the_district_version(base, tmp_path):
    before = store.district_version(base)
    import_file(base, "towns", write(tmp_path / "again", "towns.csv", TOWNS), actor="test")
    assert store.district_version(base) == before
    changed = TOWNS.replace("40.316", "40.317")
    import_file(base, "towns", write(tmp_path / "again2", "towns.csv", changed), actor="test")
    assert store.district_version(base) == before + 1


def test_a_reimport_is_told_in_chinese_and_its_json_stays_english(base, tmp_path, chinese):
    again = CADRES.replace("car,80,no,", "car,60,yes,")
    report = import_file(base, "cadres", write(tmp_path, "cadres.csv", again))
    assert report.to_json()["kinds"]["cadres"]["named_changes"] == [
        "G0002 田在国: max_commute_km 80 km → 60 km",
        "G0002 田在国: night_ok no nights → nights ok",
    ]
    assert "G0002 田在国：night_ok 不排夜班 → 可值夜班" in str(report)
