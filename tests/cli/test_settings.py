"""`roster settings`: every setting listed with its meaning, changed only to a value it can
take, audited, and a bad stored value reported in one line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from roster import store
from roster.cli import cli
from roster.domain import SETTING_MEANINGS, Settings


def run(db_path, *args):
    return CliRunner().invoke(cli, [*args, "--db", str(db_path)])


def test_every_setting_has_a_meaning():
    assert set(Settings().__dict__) == set(SETTING_MEANINGS)


def test_list_shows_value_default_and_meaning(db_path):
    out = run(db_path, "settings", "--json")
    assert out.exit_code == 0, out.output
    rows = {r["name"]: r for r in json.loads(out.stdout)["settings"]}
    assert rows["min_rest_days"] == {
        "name": "min_rest_days", "value": 1, "default": 1,
        "meaning": SETTING_MEANINGS["min_rest_days"],
    }  # fmt: skip


def test_set_and_reset_are_audited(db_path):
    assert run(db_path, "settings", "set", "weight_continuity", "35").exit_code == 0
    db = store.open_db(db_path)
    assert store.load_settings(db).weight_continuity == 35
    assert run(db_path, "settings", "reset", "weight_continuity").exit_code == 0
    assert store.load_settings(db).weight_continuity == Settings().weight_continuity
    actions = [e.action for e in store.audit_entries(db)]
    assert actions[:2] == ["settings.reset", "settings.set"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("min_rest_days", "1.5", "whole number"),
        ("min_rest_days", "9", "between 0 and 7"),
        ("road_factor", "abc", "not a number"),
        ("road_factor", "nan", "not a number"),
        ("no_such_thing", "1", "no setting"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(db_path, name, value, message):
    before = store.stored_settings(store.open_db(db_path))
    out = run(db_path, "settings", "set", name, value)
    assert out.exit_code != 0
    assert message in out.output
    assert "Traceback" not in out.output
    assert store.stored_settings(store.open_db(db_path)) == before


def test_a_bad_stored_value_is_one_line_that_says_how_to_fix_it(db_path):
    db = store.open_db(db_path)
    store.save_settings(db, {"min_rest_days": "abc"})
    out = run(db_path, "settings")
    assert out.exit_code != 0
    assert "roster settings set min_rest_days" in out.output
    assert run(db_path, "settings", "reset", "min_rest_days").exit_code == 0
    assert store.load_settings(db).min_rest_days == 1
