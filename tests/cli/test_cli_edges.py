"""The command line's edges a coordinator trips on: the top-level --db, an audit with no
entries, restore of a missing file, local times, readable audit lines, the changes list."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from roster import store
from roster.cli import cli
from roster.clock import local_text
from roster.edits import WeekEditor
from tests.factories import MONDAY


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run `roster` from an empty folder (no roster.db there) as coordinator `tester`."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ROSTER_DB", raising=False)
    monkeypatch.setenv("ROSTER_USER", "tester")

    def invoke(*args, input=None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_top_level_db_is_used_by_the_command(run, db_path):
    result = run("--db", str(db_path), "status")
    assert result.exit_code == 0, result.output
    assert "16 cadres" in result.output
    # the command's own --db still wins
    result = run("--db", "/nowhere.db", "status", "--db", str(db_path))
    assert result.exit_code == 0 and "16 cadres" in result.output


def test_a_db_on_the_command_line_wins_over_roster_db(run, db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("ROSTER_DB", str(tmp_path / "other.db"))
    result = run("--db", str(db_path), "status")
    assert result.exit_code == 0, result.output
    assert "16 cadres" in result.output
    # with no --db at all, $ROSTER_DB is the database (here: none there)
    assert run("status").exit_code != 0


def test_audit_of_nobody_says_so(run, db_path):
    result = run("--db", str(db_path), "audit", "--actor", "nobody")
    assert result.exit_code == 0
    assert result.output.startswith("no audit entries by nobody")
    assert "test" in result.output  # the logins there are


def test_restore_of_a_missing_file_says_so_before_asking(run, db_path, tmp_path):
    result = run("--db", str(db_path), "restore", str(tmp_path / "nope.db"))
    assert result.exit_code != 0
    assert "no backup file at" in result.output and "Replace everything" not in result.output


def test_audit_lines_are_local_time_and_words_once_per_edit(run, db_path):
    db = store.open_db(db_path)
    editor = WeekEditor(db, store.load_district(db), MONDAY, actor="tester")
    editor.replace_cadre(1, MONDAY, 13)
    entry = store.audit_entries(db)[0]
    db.close()
    result = run("--db", str(db_path), "audit", "--limit", "1")
    line = result.output.splitlines()[0]
    assert line.startswith(local_text(entry.at, "%Y-%m-%d %H:%M"))  # not the stored UTC
    assert "edit.replace" in line and "replace 王金宝(G0001) by 孙悦(G0013)" in line
    assert "{" not in line and '"' not in line
    edits = [e for e in run("--db", str(db_path), "audit").output.splitlines() if "edit" in e]
    assert len(edits) == 1  # once, not twice


def test_changes_lists_who_must_be_told_and_writes_one_csv(run, db_path, tmp_path):
    result = run("--db", str(db_path), "changes", "--week", str(MONDAY))
    assert result.exit_code != 0 and "not published" in result.output
    db = store.open_db(db_path)
    editor = WeekEditor(db, store.load_district(db), MONDAY, actor="tester")
    editor.publish()
    editor.replace_cadre(1, MONDAY, 13)
    db.close()
    out = tmp_path / "told"
    result = run("--db", str(db_path), "changes", "--week", str(MONDAY), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "already told: 王金宝" in result.output
    assert "told G0001 王金宝" in result.output and "new  G0013 孙悦" in result.output
    rows = list(csv.DictReader((out / f"changes-{MONDAY}.csv").open(encoding="utf-8-sig")))
    assert [r["name"] for r in rows] == ["王金宝", "孙悦"]


def test_import_refuses_to_reactivate_a_recalled_cadre_without_confirm(run, tmp_path):
    path = tmp_path / "d.db"
    assert run("--db", str(path), "init", "--demo").exit_code == 0
    db = store.open_db(path)
    code, name = db.execute("select code, name from cadres where id = 1").fetchone()
    db.execute("update cadres set status = 'recalled' where id = 1")
    db.conn.commit()
    db.close()
    from roster.shipped import shipped_dir

    cadres = shipped_dir("demo") / "cadres.csv"
    result = run("--db", str(path), "import", "cadres", str(cadres))
    assert result.exit_code != 0
    assert f"{code} {name} is recalled" in result.output and "--confirm" in result.output
    result = run("--db", str(path), "import", "cadres", str(cadres), "--confirm")
    assert result.exit_code == 0
    assert f"{code} {name}: status recalled → active" in result.output
    assert "changed" in result.output.splitlines()[0]


def test_first_start_says_the_demo_was_created_inside_the_app(run, tmp_path, monkeypatch):
    import roster.tui.app

    started = {}
    monkeypatch.setattr(roster.tui.app, "run_app", lambda path, **kw: started.update(kw))
    result = run("--db", str(tmp_path / "new.db"))
    assert result.exit_code == 0
    assert result.output == ""  # a line printed before the UI starts is never seen
    assert "created one from the bundled demo district" in started["notice"]


def test_status_of_a_district_with_no_cadres_says_so_instead_of_an_infinite_share(tmp_path):
    """No cadre can give a shift: no 'inf%' in the text, null (valid JSON) in --json."""
    import json as _json

    db = tmp_path / "empty.db"
    assert CliRunner().invoke(cli, ["--as", "t", "init", "--db", str(db)]).exit_code == 0
    out = CliRunner().invoke(cli, ["--as", "t", "status", "--db", str(db)])
    assert out.exit_code == 0 and "capacity 0 (no active cadre" in out.output, out.output
    assert "inf" not in out.output
    out = CliRunner().invoke(cli, ["--as", "t", "status", "--db", str(db), "--json"])
    assert _json.loads(out.output)["week"]["demand_ratio"] is None
