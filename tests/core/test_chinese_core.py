"""The core's one-line messages in Chinese: a bad import file (file, line, column), a busy
database, a stale roster, a refused change; what is stored stays English."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from roster import errors
from roster.access import Access, NotAllowed, refuse
from roster.domain import SettingError, Settings, Wish
from roster.i18n import N_
from roster.importer import ImportFailed, import_file

CADRES = """code,name,gender,birth_date,unit,phone,party_member,home_lat,home_lon,transport
M0001,张三,M,1980-13-01,无此单位,13800000001,maybe,40.3,116.6,walk
"""


def test_a_malformed_import_file_is_told_in_chinese(chinese, db, tmp_path):
    path = tmp_path / "cadres.csv"
    path.write_text(CADRES, encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(db, "cadres", path)
    lines = str(failed.value).splitlines()
    assert lines[0] == "发现 3 个问题；未导入任何内容："
    assert (
        '  cadres.csv 第 2 行，birth_date 列："1980-13-01" 不是有效日期；请按 YYYY-MM-DD 填写'
        in lines
    )
    assert any('unit 列：未知的派出单位 "无此单位"' in line for line in lines)
    assert any('party_member 列："maybe" 不是“是/否”值' in line for line in lines)
    assert not db["cadres"].count


def test_an_invisible_character_is_told_in_chinese_with_its_place(chinese, db, tmp_path):
    path = tmp_path / "towns.csv"
    path.write_text("name,kind,lat,lon\n城关\u200b镇,town,40.1,116.2\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(db, "towns", path)
    assert failed.value.problems[0].column == "name"
    assert str(failed.value.problems[0]) == (
        "towns.csv 第 2 行，name 列：第 3 个字符是不可见字符 U+200B ZERO WIDTH SPACE；"
        "请删除（重新输入这个值）"
    )


def test_a_busy_database_is_told_in_chinese(chinese, tmp_path):
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("create table t (x)")
    holder.execute("begin exclusive")
    try:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError) as busy:
            other.execute("insert into t values (1)")
        other.close()
    finally:
        holder.execute("rollback")
        holder.close()
    assert errors.describe(busy.value, path) == f"{path} 正忙（另一个进程正在写入）；请稍等片刻再试"
    assert errors.is_busy(busy.value)  # what a screen asks to offer a retry, in any language


def test_a_stale_roster_names_who_changed_it_in_chinese(chinese):
    stale = errors.StaleRoster(dt.date(2026, 12, 7), 5, 4, "zhang", "2026-12-02T08:00:00+00:00")
    assert str(stale).startswith(
        "2026-12-07 这一周的排班表已被 zhang 于 12-02 16:00 修改（现为版本 5"
    )


def test_a_setting_out_of_range_is_told_in_chinese(chinese):
    with pytest.raises(SettingError, match="设置 min_rest_days 必须在 0 到 7 之间，不能是 '9'"):
        Settings.parse("min_rest_days", "9")


def test_a_refusal_is_told_in_chinese_and_audited_in_english(chinese, db):
    access = Access("li", "inspector")
    with pytest.raises(NotAllowed) as refused:
        access.require_district(N_("add coordinators"))
    assert str(refused.value) == "只有区调度员才能添加调度员；li（检查员：只能查看）"
    refuse(db, access, "add coordinators", refused.value)
    (row,) = db["audit"].rows_where("action = 'refused'")
    assert json.loads(row["details"])["reason"] == (
        "only a district coordinator may add coordinators; li (inspector: read-only)"
    )


def test_a_wish_is_shown_in_chinese_and_described_in_english(chinese):
    wish = Wish(
        1, 1, "avoid", date=dt.date(2026, 3, 1), weekdays=(6, 7), until=dt.date(2026, 3, 31)
    )
    assert wish.label() == "周六、周日 自 2026-03-01 至 2026-03-31"
    assert wish.describe() == "Sat, Sun from 2026-03-01 until 2026-03-31"
