"""The command line in Chinese (`--lang zh`): a mistake is told in one Chinese line, from
the error's own prefix on; English output is pinned by the other tests."""

from __future__ import annotations

import subprocess
import sys

import pytest

from roster import store
from roster.cli import main
from tests.factories import MONDAY


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out = capsys.readouterr()
    return exited.value.code, out.out, out.err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("错误", "Error"))]


def test_a_date_that_does_not_exist_is_one_chinese_line(db_path, capsys):
    code, _out, err = run(
        ["--lang", "zh", "solve", "--db", str(db_path), "--week", "2026-13-01"], capsys
    )
    assert code == 2
    assert error_lines(err) == [
        "错误：'--week' 的值无效：'2026-13-01' 不是有效日期：请写成 YYYY-MM-DD，例如 2026-12-07"
    ]
    assert "查看帮助：'roster solve --help'。" in err


def test_an_unknown_cadre_is_refused_in_chinese(db_path, capsys):
    code, out, err = run(
        ["relief", "NOBODY", "--lang", "zh", "--db", str(db_path),
         "--from", str(MONDAY), "--to", str(MONDAY)],
        capsys,
    )  # fmt: skip
    assert code == 1
    assert out == ""
    (line,) = error_lines(err)
    assert line.startswith("错误：")
    assert "NOBODY" in line


def test_a_published_week_is_not_re_solved_and_says_so_in_chinese(db_path, capsys):
    db = store.open_db(db_path, create=False)
    store.publish_roster(db, MONDAY)
    db.close()
    code, out, err = run(
        ["--lang", "zh", "solve", "--db", str(db_path), "--week", str(MONDAY)], capsys
    )
    assert code == 1
    assert out == ""
    assert error_lines(err) == [
        f"错误：{MONDAY} 这一周已发布；重新排班会推翻已通知大家的安排。可用 --dry-run 查看新方案，"
        "或以替岗申请的方式处理变动。"
    ]


def test_english_is_still_spoken_without_lang(db_path, capsys):
    code, _out, err = run(["solve", "--db", str(db_path), "--week", "2026-13-01"], capsys)
    assert code == 2
    assert error_lines(err) == [
        "Error: Invalid value for '--week': '2026-13-01' is not a real date: write it as "
        "YYYY-MM-DD, e.g. 2026-12-07"
    ]


def cell_width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_chinese_help_fits_80_columns():
    """Click counts characters; a Chinese one takes two cells: the help is wrapped by cells."""
    out = subprocess.run(
        [sys.executable, "-m", "roster", "--lang", "zh", "--help"],
        capture_output=True, text=True, check=True, env={"COLUMNS": "80", "PATH": ""},
    )  # fmt: skip
    assert "用法：" in out.stdout and "下沉干部" in out.stdout
    assert "  solve " in out.stdout
    wide = [line for line in out.stdout.splitlines() if cell_width(line) > 80]
    assert wide == []


def test_chinese_option_help_starts_in_one_column():
    """Click aligns the option column by characters; "--db 文件" takes two cells more than
    its seven characters, so its help began two cells right of the others'."""
    out = subprocess.run(
        [sys.executable, "-m", "roster", "--lang", "zh", "export", "--help"],
        capture_output=True, text=True, check=True, env={"COLUMNS": "80", "PATH": ""},
    )  # fmt: skip
    rows = [line for line in out.stdout.splitlines() if line.startswith("  --")]
    assert any(row.startswith("  --db 文件 ") for row in rows)
    assert any(row.startswith("  --out 文件夹 ") for row in rows)
    starts = set()
    for row in rows:
        option, gap, help_text = row[2:].partition("  ")
        starts.add(2 + cell_width(option) + len(gap) + len(help_text) - len(help_text.lstrip()))
    assert len(starts) == 1
    assert "选项：" in out.stdout.splitlines()


def test_an_option_s_default_and_range_are_joined_by_a_chinese_semicolon():
    out = subprocess.run(
        [sys.executable, "-m", "roster", "--lang", "zh", "plan", "--help"],
        capture_output=True, text=True, check=True, env={"COLUMNS": "80", "PATH": ""},
    )  # fmt: skip
    assert "[默认：4；1<=x<=8]" in out.stdout


@pytest.mark.parametrize(
    "args, line",
    [
        (["import"], "错误：缺少参数 'KIND_OR_DIR'。"),
        (
            ["export", "--week", "2026-12-07", "--format", "pdf", "--out", "o"],
            "错误：'--format' 的值无效：'pdf' 不是可选的值；可选：'csv', 'xlsx', 'ics', 'sms'。",
        ),
    ],
)
def test_click_s_own_refusals_are_chinese_to_the_end(db_path, capsys, args, line):
    code, _out, err = run(["--lang", "zh", *args, "--db", str(db_path)], capsys)
    assert code == 2
    assert error_lines(err) == [line]


def test_a_missing_file_is_told_in_chinese(db_path):
    """(In its own process: click names a path's kind when the command is loaded.)"""
    out = subprocess.run(
        [sys.executable, "-m", "roster", "--lang", "zh", "import", "towns", "nowhere.csv",
         "--db", str(db_path)],
        capture_output=True, text=True, env={"COLUMNS": "80", "PATH": ""},
    )  # fmt: skip
    assert out.returncode == 2
    assert error_lines(out.stderr) == ["错误：'[FILE]' 的值无效：文件 'nowhere.csv' 不存在。"]


def test_coordinators_roles_are_said_in_chinese(db_path, capsys):
    def say(*args):
        code, out, err = run(["--lang", "zh", "--as", "boss", *args, "--db", str(db_path)], capsys)
        assert code == 0, err
        return out

    assert say("user", "add", "boss", "--role", "district") == "boss：区调度员\n"
    added = say(
        "user", "add", "li", "--role", "town", "--town", "龙山街道", "--town", "喇叭沟门满族乡"
    )
    assert added == "li：镇街调度员，负责 龙山街道、喇叭沟门满族乡\n"
    listed = say("user", "list").splitlines()
    assert listed[0].split() == ["boss", "区调度员"]
    assert listed[1].split()[:2] == ["li", "镇街调度员"]
