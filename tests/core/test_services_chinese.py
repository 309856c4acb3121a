"""The core services speak Chinese when asked: refusals of backup and restore, a save refused
because the district changed (naming the change in Chinese, though it is stored in English),
the fairness summary and the changes since publishing; English stays as it was."""

from __future__ import annotations

import pytest

from roster import backup, changes, store
from roster.errors import DistrictChanged
from roster.fairness import MEASURES, fairness_report
from roster.wishes import WishError, parse_weekdays
from tests.factories import MONDAY, make_db


def test_a_restore_from_a_missing_backup_is_refused_in_chinese(chinese, tmp_path):
    missing = tmp_path / "none.db"
    with pytest.raises(backup.RestoreRefused) as refused:
        backup.check_backup(missing)
    assert str(refused.value) == f"找不到备份文件 {missing}"


def test_a_backup_over_an_existing_file_is_refused_in_chinese(chinese, tmp_path):
    db_path = tmp_path / "roster.db"
    make_db(db_path).close()
    taken = tmp_path / "taken.db"
    taken.write_text("")
    with pytest.raises(FileExistsError, match="已存在；请为备份另取一个文件名"):
        backup.backup(db_path, taken)


def test_a_folder_given_as_the_database_is_refused_in_chinese(chinese, tmp_path):
    with pytest.raises(Exception, match="是一个文件夹，不是 roster 数据库：请检查 --db"):
        store.open_db(tmp_path, create=False)


def test_a_save_on_a_changed_district_names_the_change_in_chinese_but_stores_english(
    chinese, tmp_path
):
    db = make_db(tmp_path / "d.db")
    seen = store.district_version(db)
    with db.atomic():
        store.bump_district(db, "recall of G0013", "li")
    note = db.execute("select value from meta where key = 'district_changed'").fetchone()[0]
    assert "recall of G0013" in note  # the record stays English
    with pytest.raises(DistrictChanged) as refused, db.atomic():
        store.require_district_version(db, seen)
    text = str(refused.value)
    assert text.startswith("您操作期间，全区数据")
    assert "li 于" in text and "修改：召回 G0013" in text


def test_change_labels_read_in_both_languages(chinese):
    assert store.change_label("wish of G0001") == "G0001 的意愿"
    assert store.change_label("something new") == "something new"  # unknown: as stored


def test_change_labels_stay_english_in_english():
    assert store.change_label("wish of G0001") == "wish of G0001"
    assert store.change_label("") == "a change"


def test_a_bad_weekday_list_is_explained_in_chinese(chinese):
    with pytest.raises(WishError, match="不是星期列表：请写 1–7（1 = 周一）"):
        parse_weekdays("9")


def test_the_fairness_summary_in_chinese(chinese, tmp_path):
    report = fairness_report(make_db(tmp_path / "f.db"), MONDAY)
    nights = report.distribution("nights")
    assert nights.summary().startswith("夜班：合计 13，平均 0.81，中位数 0，最多 6；")
    assert "16 名干部中 13 名为零" in nights.summary()
    commute = MEASURES["commute_km"]
    assert commute.show(12.34) == "12.3公里"
    assert commute.show(12.34).removesuffix(commute.unit) == "12.3"


def test_fairness_labels_stay_english_in_english():
    assert [m.label for m in MEASURES.values()] == ["nights", "weekend days", "commute", "duties"]
    assert MEASURES["commute_km"].show(12.34) == "12.3 km"


def test_changes_name_the_weekdays_in_chinese(chinese, tmp_path):
    db = make_db(tmp_path / "c.db")
    district = store.load_district(db)
    roster = store.get_roster(db, MONDAY)
    first = roster.assignments[0]
    kept = [a for a in roster.assignments if a is not first]
    found = changes.changes_between(district, MONDAY, roster.assignments, kept)
    person = found.people[0]
    assert found.summary() == f"1 人的值班有变动（增减 1 个班次）；其中已通知过：{person.name}"
    post = district.posts[first.post_id].name
    weekday = "周一周二周三周四周五周六周日"[2 * first.date.weekday() :][:2]
    assert person.before.shown() == (f"{post} {first.shift_code} {weekday}",)
    assert person.after.shown() == ()
    # what --json and the changes file carry does not depend on who reads it
    assert person.before == (f"{post} {first.shift_code} {first.date:%a}",)
    assert person.change == f"{post} {first.shift_code} {first.date:%a} → -"
