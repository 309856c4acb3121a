"""The hand-offs between parts, in Chinese: what a person is shown is in the language
spoken, what is stored (audit records, `--json`) stays English."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from roster import store
from roster.cli import cli
from roster.domain import Assignment, Wish
from roster.solver.checker import check_roster
from tests.factories import MONDAY, day, one_post


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- wishes: shown in the language spoken, recorded in English ---------------------------


def test_an_unavailable_breach_says_when_in_chinese_and_records_it_in_english(chinese):
    d = one_post(2)
    d.wishes = [Wish(1, 1, "unavailable", weekdays=(1, 2), note="出庭")]
    d.reindex()
    by_hand = [Assignment(day(0), 1, 1, "D")]
    (breach,) = check_roster(d, MONDAY, by_hand, coverage=False)
    assert "申报不可值守（周一、周二，出庭）" in breach.message
    assert "Mon, Tue" not in breach.message
    assert "is unavailable Mon, Tue (出庭) but has shift D" in breach.record
    # stored as a record (a roster's explanations), it reads in the language of its reader,
    # whoever checked it: the record does not depend on the language it was made in
    from roster import i18n
    from roster.i18n.said import from_record, to_record

    record = to_record(breach.said)
    i18n.use("en")
    (again,) = check_roster(d, MONDAY, by_hand, coverage=False)
    assert to_record(again.said) == record
    assert "is unavailable Mon, Tue (出庭)" in str(from_record(record))
    i18n.use("zh")
    assert "申报不可值守（周一、周二，出庭）" in str(from_record(record))


def test_wish_commands_say_when_in_chinese_but_json_keeps_english(db_path):
    added = run("--lang", "zh", "wish", "add", "G0001", "avoid", "--weekday", "6,7",
                "--db", db_path)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "尽量不排 周六、周日" in added.output
    listed = run("--lang", "zh", "wish", "list", "--db", db_path)
    assert "周六、周日" in listed.output and "Sat" not in listed.output
    as_json = json.loads(run("--lang", "zh", "wish", "list", "--db", db_path, "--json").output)
    assert as_json["wishes"][0]["when"] == "Sat, Sun"
    removed = run("--lang", "zh", "wish", "remove", as_json["wishes"][0]["id"], "--db", db_path)
    assert "（尽量不排 周六、周日）" in removed.output


# --- settings: their meanings in Chinese, the JSON in English ----------------------------


def test_settings_list_their_meanings_in_chinese(db_path):
    out = run("--lang", "zh", "settings", "--db", db_path)
    assert out.exit_code == 0, out.output
    line = next(x for x in out.output.splitlines() if " min_rest_days " in x)
    assert line.endswith("每名干部每周至少轮休的天数")
    as_json = json.loads(run("--lang", "zh", "settings", "--db", db_path, "--json").output)
    meanings = {s["name"]: s["meaning"] for s in as_json["settings"]}
    assert meanings["min_rest_days"] == "days off each cadre has at least in each week"


# --- refusals: told in Chinese, audited in English ----------------------------------------


def refusals(db_path) -> list[dict]:
    db = store.open_db(db_path, create=False)
    try:
        entries = store.audit_entries(db)  # newest first
        return [json.loads(e.details) for e in reversed(entries) if e.action == "refused"]
    finally:
        db.close()


def as_user(user, *args):
    return run("--lang", "zh", "--as", user, *args)


def test_refusals_are_told_in_chinese_and_audited_in_english(db_path):
    assert as_user("boss", "user", "add", "boss", "--role", "district",
                   "--db", db_path).exit_code == 0  # fmt: skip
    assert as_user("boss", "user", "add", "insp", "--role", "inspector",
                   "--db", db_path).exit_code == 0  # fmt: skip
    out = as_user("insp", "settings", "set", "min_rest_days", "2", "--db", db_path)
    assert out.exit_code == 1
    assert "只有区调度员才能修改设置 min_rest_days；insp（检查员：只能查看）" in out.output
    out = as_user("insp", "wish", "add", "G0001", "avoid", "--weekday", "6", "--db", db_path)
    assert out.exit_code == 1 and "不能添加意愿" in out.output, out.output
    out = as_user("insp", "import", "towns", db_path, "--db", db_path)
    assert out.exit_code == 1 and "只有区调度员才能导入辖区数据" in out.output, out.output
    assert refusals(db_path) == [
        {"what": "change setting min_rest_days",
         "reason": "only a district coordinator may change setting min_rest_days; "
                   "insp (inspector: read-only)"},
        {"what": "add a wish", "reason": "insp (inspector: read-only); cannot add a wish"},
        {"what": "import district data",
         "reason": "only a district coordinator may import district data; "
                   "insp (inspector: read-only)"},
    ]  # fmt: skip


def test_a_recall_refused_in_chinese_keeps_an_english_record(db_path, chinese):
    from roster.access import NotAllowed, access_for, add_user
    from roster.relief.apply import recall

    db = store.open_db(db_path, create=False)
    add_user(db, "boss", "district", [], access_for(db, "boss"))
    add_user(db, "insp", "inspector", [], access_for(db, "boss"))
    name = store.load_district(db).cadres[1].name
    with pytest.raises(NotAllowed) as refused:
        recall(db, "G0001", MONDAY, actor="insp")
    assert str(refused.value) == f"insp（检查员：只能查看）；不能召回{name}"
    (entry,) = [json.loads(e.details) for e in store.audit_entries(db) if e.action == "refused"]
    assert entry == {"what": f"recall {name}",
                     "reason": f"insp (inspector: read-only); cannot recall {name}"}  # fmt: skip
    db.close()


# --- the environment: a bad number is one line in the language spoken --------------------


@pytest.mark.parametrize(
    ("name", "english", "chinese_line"),
    [
        ("ROSTER_BUSY_WAIT_SECONDS", "ROSTER_BUSY_WAIT_SECONDS must be a number of seconds, "
         "not 'abc'", "错误：ROSTER_BUSY_WAIT_SECONDS 须为秒数（非负数），不能是 'abc'"),
        ("ROSTER_BUSY_TIMEOUT_MS", "ROSTER_BUSY_TIMEOUT_MS must be a whole number of "
         "milliseconds, not 'abc'", "错误：ROSTER_BUSY_TIMEOUT_MS 须为毫秒数（非负整数），不能是 'abc'"),
    ],
)  # fmt: skip
def test_a_bad_busy_variable_is_one_clear_line(monkeypatch, capsys, name, english, chinese_line):
    from roster.cli import main

    monkeypatch.setenv(name, "abc")
    for lang, line in (("en", f"Error: {english}"), ("zh", chinese_line)):
        with pytest.raises(SystemExit) as exited:
            main(["--lang", lang, "settings"])
        assert exited.value.code == 2
        out = capsys.readouterr()
        assert (out.out, out.err) == ("", line + "\n")


def test_busy_variables_take_numbers_and_refuse_the_rest():
    from roster.config import Config, ConfigError

    config = Config.from_environment(
        {"ROSTER_BUSY_TIMEOUT_MS": " 250 ", "ROSTER_BUSY_WAIT_SECONDS": "1.5"}
    )
    assert (config.busy_timeout_ms, config.busy_wait_seconds) == (250, 1.5)
    for name, value in (("ROSTER_BUSY_TIMEOUT_MS", "1.5"), ("ROSTER_BUSY_WAIT_SECONDS", "-1"),
                        ("ROSTER_BUSY_WAIT_SECONDS", "nan")):  # fmt: skip
        with pytest.raises(ConfigError, match=name):
            Config.from_environment({name: value, "ROSTER_LANG": "zh"})
