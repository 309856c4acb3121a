"""Coordinators, scopes, audit of refusals, backups and restore."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from roster import store
from roster.access import NotAllowed, access_for, add_user, list_users, remove_user
from roster.backup import RestoreRefused, backup, restore
from roster.cli import cli
from tests.factories import fill_small


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "a.db"
    db = store.open_db(path)
    fill_small(db)
    db["towns"].insert({"id": 2, "name": "渤海镇", "kind": "town", "lat": 40.42, "lon": 116.48})
    db.close()
    return path


def run(db_path, *args, user="boss"):
    return CliRunner().invoke(cli, ["--as", user, *args, "--db", str(db_path)])


def test_empty_table_means_everyone_may_edit(db_path):
    db = store.open_db(db_path)
    access = access_for(db, "anyone")
    assert access.open_setup and access.may_edit_town(2) and not access.read_only


def test_roles_and_towns(db_path):
    db = store.open_db(db_path)
    boss = access_for(db, "boss")
    add_user(db, "boss", "district", [], boss)
    add_user(db, "wangli", "town", ["龙山街道"], access_for(db, "boss"))
    add_user(db, "insp", "inspector", [], access_for(db, "boss"))
    wangli = access_for(db, "wangli")
    assert wangli.may_edit_town(1) and not wangli.may_edit_town(2)
    with pytest.raises(NotAllowed, match="渤海镇"):
        wangli.require_town(2, "渤海镇", "move a cadre")
    with pytest.raises(NotAllowed, match="read-only"):
        access_for(db, "insp").require_town(1, "龙山街道", "edit")
    stranger = access_for(db, "stranger")
    assert stranger.read_only and "roster user add stranger" in stranger.describe()
    with pytest.raises(NotAllowed):
        add_user(db, "x", "district", [], wangli)
    assert [u["user"] for u in list_users(db)] == ["boss", "insp", "wangli"]
    assert list_users(db)[2]["towns"] == ["龙山街道"]
    remove_user(db, "insp", access_for(db, "boss"))
    assert access_for(db, "insp").role == "unknown"


def test_town_coordinator_needs_a_known_town(db_path):
    db = store.open_db(db_path)
    boss = access_for(db, "boss")
    with pytest.raises(ValueError, match="at least one"):
        add_user(db, "t", "town", [], boss)
    with pytest.raises(ValueError, match="unknown town"):
        add_user(db, "t", "town", ["火星镇"], boss)
    assert list_users(db) == []


def test_cli_refuses_and_audits_out_of_scope_commands(db_path):
    assert run(db_path, "user", "add", "boss", "--role", "district").exit_code == 0
    assert (
        run(db_path, "user", "add", "wangli", "--role", "town", "--town", "龙山街道").exit_code == 0
    )
    result = run(db_path, "publish", "--week", "2026-12-07", user="wangli")
    assert result.exit_code != 0 and "only a district coordinator" in result.output
    result = run(db_path, "user", "add", "me", "--role", "district", user="nobody")
    assert result.exit_code != 0 and "roster user add nobody" in result.output
    db = store.open_db(db_path)
    refused = [e for e in store.audit_entries(db) if e.action == "refused"]
    assert {e.actor for e in refused} == {"wangli", "nobody"}
    out = run(db_path, "audit", "--actor", "wangli", "--json")
    assert out.exit_code == 0 and '"refused"' in out.output
    # a read-only reader settling a relief request is refused and audited like the others
    assert (
        run(db_path, "solve", "--week", "2026-12-07", "--time-limit", "2", user="boss").exit_code
        == 0
    )
    result = run(db_path, "relief", "G0001", "--from", "2026-12-08", "--to", "2026-12-08",
                 "--apply", "1", user="insp2")  # fmt: skip
    assert result.exit_code != 0 and "cannot settle relief requests" in result.output
    refused = [e for e in store.audit_entries(db) if e.action == "refused"]
    assert "insp2" in {e.actor for e in refused}


def test_backup_while_another_connection_writes_and_restore(db_path, tmp_path):
    writer = store.open_db(db_path)
    writer.execute("begin")
    writer["units"].insert({"name": "未提交单位"})  # uncommitted: must not be in the backup
    target = tmp_path / "b.db"
    pages = backup(db_path, target, audit=False)  # its audit entry would wait for the writer
    writer.conn.rollback()
    assert pages > 0
    con = sqlite3.connect(target)
    assert con.execute("select count(*) from cadres").fetchone()[0] == 3
    assert con.execute("select count(*) from units where name = '未提交单位'").fetchone()[0] == 0
    con.close()
    with pytest.raises(FileExistsError):
        backup(db_path, target)

    # change the live database, then restore: refused while someone has it open
    writer["units"].insert({"name": "新单位"})
    with pytest.raises(RestoreRefused, match="others have"):
        restore(db_path, target)
    writer.close()
    restore(db_path, target, actor="boss")
    db = store.open_db(db_path)
    assert db["units"].count_where("name = ?", ["新单位"]) == 0
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert store.audit_entries(db)[0].action == "restore"


def test_restore_refuses_a_file_that_is_not_a_backup(db_path, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(RestoreRefused, match="not a roster backup"):
        restore(db_path, junk)
    with pytest.raises(RestoreRefused, match="no backup file"):
        restore(db_path, tmp_path / "missing.db")


def test_wal_files_are_private_too(db_path):
    import os
    import stat

    db = store.open_db(db_path)
    db["units"].insert({"name": "x"})
    for suffix in ("", "-wal", "-shm", ".lock"):
        mode = stat.S_IMODE(os.stat(f"{db_path}{suffix}").st_mode)
        assert mode & 0o007 == 0, (suffix, oct(mode))
