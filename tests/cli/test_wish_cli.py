"""`roster wish add|list|remove` and `roster import wishes` as a user meets them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from roster.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_add_list_remove(db_path):
    added = run("wish", "add", "G0001", "avoid", "--weekday", "6,7", "--note", "家事",
                "--db", db_path)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "avoid Sat, Sun" in added.output
    listed = json.loads(run("wish", "list", "--db", db_path, "--json").output)
    (wish,) = listed["wishes"]
    assert (wish["cadre_code"], wish["weekdays"], wish["note"]) == ("G0001", [6, 7], "家事")
    removed = run("wish", "remove", wish["id"], "--db", db_path)
    assert removed.exit_code == 0 and "removed" in removed.output
    assert "no wishes" in run("wish", "list", "--db", db_path).output


def test_bad_input_is_one_line_and_writes_nothing(db_path):
    for args in (
        ("G0001", "avoid"),
        ("G0001", "avoid", "--weekday", "8"),
        ("G9999", "avoid", "--weekday", "1"),
        ("G0001", "unavailable", "--weekday", "1", "--weight", "3"),
    ):
        out = run("wish", "add", *args, "--db", db_path)
        assert out.exit_code != 0
        assert "Traceback" not in out.output and out.output.startswith("Error: ")
    assert run("wish", "remove", 99, "--db", db_path).exit_code != 0
    assert "no wishes" in run("wish", "list", "--db", db_path).output


def test_an_unavailable_wish_lists_the_cells_to_fix(db_path, frozen_clock):
    import pendulum

    frozen_clock(pendulum.datetime(2026, 12, 3, 10, tz="Asia/Shanghai"))
    out = run("wish", "add", "G0001", "unavailable", "--date", "2026-12-07", "--db", db_path)
    assert out.exit_code == 0, out.output
    assert "cells to fix" in out.output and "rule 9" in out.output
    check = run("check", "--week", "2026-12-07", "--db", db_path)
    assert check.exit_code == 1 and "unavailable" in check.output


def test_import_wishes_file(db_path, tmp_path):
    path = tmp_path / "wishes.csv"
    path.write_text("cadre,kind,weekday,shift\nG0002,unavailable,1-7,N\n", encoding="utf-8")
    out = run("import", "wishes", path, "--db", db_path)
    assert out.exit_code == 0, out.output
    assert "G0002" in run("wish", "list", "--db", db_path).output
