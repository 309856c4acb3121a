"""What is stored in English is shown in Chinese on the command line: the audit's actions and
details, a breach's rule; the records themselves stay English (`--json`)."""

from __future__ import annotations

import json

import pytest

from roster.cli import main
from roster.tui.screens.audit import pretty


def run(args: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    return exited.value.code, capsys.readouterr().out


def test_the_audit_is_read_in_chinese_and_kept_in_english(db_path, capsys):
    code, out = run(["--lang", "zh", "audit", "--db", str(db_path)], capsys)
    assert code == 0
    [line] = [x for x in out.splitlines() if "2026-12-07" in x]
    assert "接受排班" in line and "周 2026-12-07 · 版本 1 · 排班人次 " in line
    code, out = run(["--lang", "zh", "audit", "--db", str(db_path), "--json"], capsys)
    [entry] = [e for e in json.loads(out)["entries"] if e["action"] == "solve.accept"]
    assert json.loads(entry["details"])["assignments"] > 0


def test_a_breach_is_told_with_its_rule_in_chinese(db_path, capsys):
    code, out = run(["--lang", "zh", "check", "--db", str(db_path), "--week", "2026-12-07"], capsys)
    assert code == 1
    assert any(line.startswith("到岗：值守点 北沟村") for line in out.splitlines()), out


def test_the_audit_dialog_says_each_key_in_chinese(chinese):
    details = json.dumps({"edit": "accept solve", "week": "2026-12-07", "status": "none",
                          "cadres": {"inserted": 2, "files": ["cadres.csv"]}, "unit": None})  # fmt: skip
    assert pretty(details).splitlines() == [
        "改动：采用排班结果", "周：2026-12-07", "状态：无", "干部：", "  新增：2", "  文件：",
        "    - cadres.csv", "派出单位：-",
    ]  # fmt: skip


def test_the_audit_dialog_keeps_the_json_in_english():
    assert pretty('{"week": "2026-12-07", "assignments": 3}') == (
        '{\n  "week": "2026-12-07",\n  "assignments": 3\n}'
    )


def test_who_you_are_is_english_in_json_and_chinese_on_screen(db_path, capsys):
    code, out = run(["--lang", "zh", "user", "list", "--db", str(db_path), "--json"], capsys)
    assert code == 0
    you = json.loads(out)["you"]
    assert you.isascii(), you  # a record for scripts: English whatever the language
    code, out = run(["--lang", "zh", "user", "list", "--db", str(db_path)], capsys)
    [line] = [x for x in out.splitlines() if x.startswith("您") or "：" in x][-1:]
    assert not line.isascii(), line


def test_a_recall_is_told_in_chinese_and_its_json_note_stays_english(db_path, capsys):
    args = ["recall", "G0001", "--from", "2026-12-09", "--db", str(db_path)]
    code, out = run(["--lang", "zh", *args, "--json"], capsys)
    assert code == 0
    assert "is recalled from 2026-12-09" in json.loads(out)["note"]
    code, out = run(["--lang", "zh", "recall", "G0002", "--from", "2026-12-09", "--db",
                     str(db_path)], capsys)  # fmt: skip
    assert code == 0 and "召回" in out.splitlines()[0], out
