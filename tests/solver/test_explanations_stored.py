"""A roster's explanations are stored in English with their words as data beside them
(`stats["explanations_said"]`), so that another process shows them in the language it
speaks; rosters stored before that, or a record that says something else, show the English."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from roster import i18n, store
from roster.domain import Absence, Assignment, readable_details
from roster.i18n.said import Both, Day, Joined, Said, from_record, ngettext
from roster.plan import solve_and_save
from roster.solver import explain, solve_week
from tests.factories import (
    MONDAY,
    NIGHTS_LINE,
    NIGHTS_SAID,
    cadre,
    day,
    demand,
    district,
    post,
)


@pytest.fixture
def another_process(monkeypatch):
    """What this process worked out is forgotten: only stored records can say it."""
    monkeypatch.setattr(explain, "_SAID", {})


def test_said_comes_back_from_its_json_record_in_both_languages(chinese):
    said = Said(
        "{post}: {n} shift(s) unmet ({slots}): {reasons}",
        post=Said("post {name} ({code})", name="北沟村", code="P03"),
        n=2,
        slots=Joined(
            [Said("{day} {shift}{times}", day=Day(MONDAY, "Mon 12-07"), shift="N", times=" ×2")],
            ", ",
            "，",
        ),
        reasons=Joined([ngettext("{n} shift", "{n} shifts", 3, n=3), Both("as typed", "原话")]),
    )
    back = from_record(json.loads(json.dumps(said.to_record())))
    assert back.english == said.english
    assert str(back) == str(said)
    assert "12月7日 周一" in str(back) and "北沟村" in str(back)
    i18n.use("en")
    assert str(back) == said.english


def test_a_reloaded_explanation_is_shown_in_chinese(chinese, another_process):
    assert explain.shown_stored([NIGHTS_LINE]) == [NIGHTS_LINE]  # no record: as stored
    [text] = explain.shown_stored([NIGHTS_LINE], [NIGHTS_SAID])
    assert text.startswith("值守点 北沟村") and "night" not in text and "cadres" not in text


def test_a_record_of_other_words_or_broken_is_not_shown(chinese, another_process):
    other = "post 北沟村 (P03): 9 night shifts a week, only 2 cadres within commute may do nights"
    assert explain.shown_stored([other], [NIGHTS_SAID]) == [other]
    broken = {"said": "{post}: {nights}", "values": {}}
    assert explain.shown_stored([NIGHTS_LINE], [broken, NIGHTS_SAID]) == [NIGHTS_LINE]
    assert explain.shown_stored([NIGHTS_LINE], [{"nothing": 1}]) == [NIGHTS_LINE]


def test_a_solve_stores_its_explanations_as_records_too(tmp_path, chinese):
    d = district([post(1, north_km=30)], [cadre(1, max_km=25), cadre(2, max_km=25)], demand(1))
    res = solve_week(d, MONDAY, time_limit=5.0, num_workers=2)
    records = explain.records(res.explanations)
    assert records and all(r is not None for r in records)
    shown_here = [explain.shown(line) for line in res.explanations]
    explain._SAID.clear()  # as if another process read them
    stored = json.loads(json.dumps(records))
    assert explain.shown_stored(res.explanations, stored) == shown_here
    assert "通勤范围内没有在岗干部" in shown_here[0]


def test_solve_and_save_stores_the_records_but_json_keeps_its_fields(small_db):
    district_ = store.load_district(small_db)
    data = solve_and_save(small_db, district_, MONDAY, time_limit=3.0, fresh=True)
    assert "explanations_said" not in data  # `roster solve --json` as it was
    stats = store.get_roster(small_db, MONDAY).stats
    assert len(stats["explanations_said"]) == len(stats["explanations"])


def test_audit_details_are_read_in_chinese(chinese):
    details = json.dumps({
        "week": "2026-12-07", "status": "draft", "version": 3, "assignments": 84,
        "by": "changes", "kind": "unavailable", "changed_only": True, "name": "min_rest_days",
        "cadres": {"inserted": 2, "updated": 1},
    })  # fmt: skip
    text = readable_details(details)
    assert text == (
        "周 2026-12-07 · 状态 草稿 · 版本 3 · 排班人次 84 · 按 变动名单 · 类别 不可值守 · "
        "仅改动人员 是 · 设置项 min_rest_days · 干部 新增 2，更新 1"
    )


def test_audit_details_stay_as_they_were_in_english():
    details = json.dumps({"week": "2026-12-07", "status": "draft", "assignments": 84,
                          "cadres": {"inserted": 2}, "changed_only": True})  # fmt: skip
    assert readable_details(details) == (
        "week 2026-12-07 · status draft · assignments 84 · cadres inserted 2 · changed only yes"
    )


def test_day_keeps_its_date(chinese):
    day = from_record(Day(dt.date(2026, 12, 13), "Sun 12-13").to_record())
    assert day.english == "Sun 12-13" and str(day) == "12月13日 周日"


def test_a_list_of_posts_is_joined_the_chinese_way_and_keeps_its_ellipsis(chinese):
    names = Joined(["北沟村 (P03)", "西府营村 (V283)"], ", ", "、", "…")
    back = from_record(json.loads(json.dumps(names.to_record())))
    assert back.english == "北沟村 (P03), 西府营村 (V283)…"
    assert str(back) == "北沟村 (P03)、西府营村 (V283)…"


def test_a_broken_lock_s_line_comes_back_from_its_record(chinese, another_process):
    d = district(
        [post(1)], [cadre(1), cadre(2)], demand(1), [Absence(1, 1, day(0), day(0), "sick")]
    )
    locks = [Assignment(day(0), 1, 1, "D", locked=True)]
    res = solve_week(d, MONDAY, locks=locks, time_limit=5.0, num_workers=2)
    records = json.loads(json.dumps(explain.records(res.explanations)))
    assert all(r is not None for r in records)
    explain._SAID.clear()
    shown = explain.shown_stored(res.explanations, records)
    assert shown != res.explanations and all("lock kept" not in line for line in shown)
