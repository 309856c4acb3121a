"""`roster plan` and the rotation table, on the small UI fixture district."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from roster import store
from roster.cli import cli
from roster.rotation import rotation_table
from roster.solver.checker import check_roster
from tests.factories import MONDAY, make_db


def run(*args):
    return CliRunner().invoke(cli, ["--as", "tester", *args], catch_exceptions=False)


def test_plan_builds_drafts_held_to_the_checker_and_keeps_published_weeks(tmp_path):
    path = tmp_path / "p.db"
    db = make_db(path)
    store.publish_roster(db, MONDAY)
    published = store.get_roster(db, MONDAY).assignments
    out = run("plan", "--db", str(path), "--from", MONDAY.isoformat(), "--weeks", "3",
              "--time-limit", "2", "--json")  # fmt: skip
    assert out.exit_code == 0, out.output
    weeks = json.loads(out.stdout)["weeks"]
    assert [w["week"] for w in weeks] == [
        (MONDAY + dt.timedelta(weeks=i)).isoformat() for i in range(3)
    ]
    assert weeks[0]["kept"] and store.get_roster(db, MONDAY).assignments == published
    district = store.load_district(db)
    for w in weeks[1:]:
        assert {"objective", "bound", "gap", "fairness", "post_changes", "unmet"} <= set(w)
        monday = dt.date.fromisoformat(w["week"])
        roster = store.get_roster(db, monday)
        assert roster.status == "draft"
        breaches = check_roster(district, monday, roster.assignments, store.history(db, monday))
        assert [b for b in breaches if b.rule != "coverage"] == []
    mondays, rows = rotation_table(db, district, MONDAY, 3)
    assert mondays[0] == MONDAY and all(len(row.cells) == 3 for row in rows)
    served = [row.cells for row in rows if any(c.post_id for c in row.cells)]
    assert served and all(c.duties >= c.nights for cells in served for c in cells)


def test_plan_refuses_more_than_eight_weeks(tmp_path):
    path = tmp_path / "p.db"
    make_db(path)
    out = CliRunner().invoke(
        cli, ["plan", "--db", str(path), "--from", MONDAY.isoformat(), "--weeks", "9"]
    )
    assert out.exit_code != 0 and "9" in out.output and "Traceback" not in out.output


def test_re_solving_a_week_later_weeks_build_on_warns(tmp_path):
    path = tmp_path / "p.db"
    make_db(path)
    out = run(
        "plan", "--db", str(path), "--from", MONDAY.isoformat(), "--weeks", "2", "--time-limit", "2"
    )
    assert out.exit_code == 0, out.output
    again = run("solve", "--db", str(path), "--week", MONDAY.isoformat(), "--time-limit", "2")
    assert again.exit_code == 0
    assert "re-plan them with `roster plan" in again.stderr
    assert "duties changed" in again.stdout


def test_plan_says_how_many_weeks_it_drafted_and_kept(tmp_path):
    path = tmp_path / "p.db"
    db = make_db(path)
    store.publish_roster(db, MONDAY)
    out = run("plan", "--db", str(path), "--from", MONDAY.isoformat(), "--weeks", "2",
              "--time-limit", "2")  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "1 week(s) planned as drafts; 1 published week(s) kept as they were" in out.output
