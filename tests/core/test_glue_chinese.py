"""The hand-offs between parts, in Chinese: what a person is shown is in the language
spoken, what is stored (audit records, `--json`) stays English."""

from __future__ import annotations

import json

from click.testing import CliRunner

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
