"""Trust on one machine: who acts comes from the OS (`--as` only on one's own database),
the coordinators always keep a district coordinator, dangerous commands are guarded and
audited, backups are private from their first byte, and names print inert."""

from __future__ import annotations

import json
import os
import pwd
import stat
import threading

import pytest
from click.testing import CliRunner

from roster import access, identity, store
from roster.backup import BackupFailed, backup
from roster.cli import cli
from tests.factories import MONDAY

BAD = "\x1b]0;pwned\x07\x1b[2J王[/]宝\u202eevil"
ME = pwd.getpwuid(os.getuid()).pw_name


def run(db_path, *args, user=None, env=None, input=None):
    head = ["--as", user] if user else []
    return CliRunner().invoke(cli, [*head, *args, "--db", str(db_path)], env=env, input=input)


def audit(db_path) -> list:
    db = store.open_db(db_path)
    try:
        return store.audit_entries(db, limit=1000)
    finally:
        db.close()


@pytest.fixture
def district(db_path):
    """The small district with a district coordinator `boss` and a town coordinator `li`."""
    assert run(db_path, "user", "add", "boss", "--role", "district", user="boss").exit_code == 0
    result = run(db_path, "user", "add", "li", "--role", "town", "--town", "龙山街道", user="boss")
    assert result.exit_code == 0, result.output
    return db_path


def test_identity_never_comes_from_user_or_logname(monkeypatch):
    monkeypatch.setenv("USER", "boss")
    monkeypatch.setenv("LOGNAME", "boss")
    monkeypatch.setenv("SUDO_UID", str(os.getuid()))  # sudo to oneself proves nothing
    assert identity.os_identity().person == ME


def test_sudo_uid_is_believed_only_in_a_service_account(monkeypatch):
    env = {"SUDO_UID": "4242", "SUDO_USER": "boss"}
    monkeypatch.setattr(identity.os, "getuid", lambda: 5000)
    monkeypatch.setattr(identity, "_login", lambda uid: {5000: "svc", 4242: "li"}.get(uid, "x"))
    monkeypatch.setattr(identity, "is_service_account", lambda uid: False)
    assert identity.os_identity(env) == identity.Identity("svc")  # a login account: not believed
    monkeypatch.setattr(identity, "is_service_account", lambda uid: True)
    # believed by uid, not by the name in $SUDO_USER
    assert identity.os_identity(env) == identity.Identity("li", via="sudo")


def test_as_works_on_ones_own_database_only(district):
    assert not identity.is_shared(district)
    ok = run(district, "user", "add", "zhao", "--role", "inspector", user="boss")
    assert ok.exit_code == 0, ok.output
    os.chmod(district, 0o666)  # now anyone on the machine can reach it: shared
    assert identity.is_shared(district)
    for how in ({"user": "boss"}, {"env": {"ROSTER_USER": "boss"}}):
        result = run(district, "user", "add", "li", "--role", "district", **how)
        assert result.exit_code == 1 and f"{ME} cannot act as boss" in result.output
    refused = [e for e in audit(district) if e.action == "refused"]
    assert len(refused) == 2 and {e.actor for e in refused} == {ME}
    db = store.open_db(district)
    assert access.access_for(db, "li").role == "town"


def test_a_district_coordinator_acts_for_another_with_both_names(district):
    result = run(district, "user", "add", ME, "--role", "district", user="boss")
    assert result.exit_code == 0
    os.chmod(district, 0o666)
    result = run(district, "user", "add", "wu", "--role", "inspector", user="boss")
    assert result.exit_code == 0, result.output
    assert audit(district)[0].actor == f"boss (by {ME})"
    result = run(district, "publish", "--week", str(MONDAY), user="li")
    assert "only a district coordinator" in result.output  # acting as li: li's rights
    assert audit(district)[0].actor == f"li (by {ME})"
    for who in ("li", ME):  # both find it
        shown = run(district, "audit", "--actor", who, "--limit", "1")
        assert f"li (by {ME})" in shown.output, who
    assert f"(by {ME})" not in run(district, "audit", "--actor", "l").output


def test_the_first_coordinator_is_a_district_coordinator_and_the_last_stays(db_path):
    result = run(db_path, "user", "add", "zhang", "--role", "town", "--town", "龙山街道")
    assert result.exit_code == 1 and "first coordinator must be a district" in result.output
    assert run(db_path, "user", "add", "boss", "--role", "district", user="boss").exit_code == 0
    for args in (["user", "remove", "boss"], ["user", "add", "boss", "--role", "inspector"]):
        result = run(db_path, *args, user="boss")
        assert result.exit_code == 1 and "only district coordinator" in result.output, args
    assert run(db_path, "user", "add", "wang", "--role", "district", user="boss").exit_code == 0
    assert run(db_path, "user", "remove", "boss", user="wang").exit_code == 0


def test_init_force_needs_a_district_coordinator_and_is_audited(district):
    result = run(district, "init", "--force", user="li")
    assert result.exit_code == 1 and "only a district coordinator" in result.output
    assert [e.actor for e in audit(district) if e.action == "refused"] == ["li"]
    assert store.counts(store.open_db(district))["cadres"] > 0  # untouched
    holder = store.open_db(district)  # someone has it open: refused
    result = run(district, "init", "--force", user="boss")
    assert result.exit_code == 1 and "others have" in result.output
    holder.close()
    result = run(district, "init", "--force", user="boss")
    assert result.exit_code == 0, result.output
    entries = audit(district)
    assert entries[0].action == "init" and entries[0].actor == "boss"
    assert any(e.action == "refused" and e.actor == "li" for e in entries)  # kept
    db = store.open_db(district)
    assert store.counts(db)["cadres"] == 0
    assert access.list_users(db) == [{"user": "boss", "role": "district", "towns": []}]


def test_names_print_inert_in_relief_now_audit_and_errors(db_path):
    db = store.open_db(db_path)
    on_duty = db.execute(
        "select c.code, a.date from assignments a join cadres c on c.id = a.cadre_id "
        "where a.shift_code = 'D' order by a.date limit 1"
    ).fetchone()
    db.execute("update cadres set name = ? where code = ?", [BAD, on_duty[0]])
    db.conn.commit()
    store.add_audit(db, "edit", {"note": BAD}, "x\x1b[2Jy")
    db.conn.commit()
    db.close()
    outputs = {
        "relief": run(db_path, "relief", on_duty[0], "--from", on_duty[1], "--to", on_duty[1]),
        "now": run(db_path, "now", "--at", f"{on_duty[1]} 10:00"),
        "audit": run(db_path, "audit"),
        "audit --json": run(db_path, "audit", "--json"),
        "error": run(db_path, "relief", BAD, "--from", on_duty[1], "--to", on_duty[1]),
    }
    for what, result in outputs.items():
        text = result.output
        assert not any(ch in text for ch in "\x1b\x07\u202e"), (what, text)
        assert "]0;pwned" in text, (what, text)  # shown, as visible escapes
    assert "\\x1b]0;pwned\\x07" in outputs["now"].output
    assert "x\\x1b[2Jy" in outputs["audit"].output
    entries = json.loads(outputs["audit --json"].output)["entries"]
    notes = [json.loads(e["details"]).get("note") for e in entries if e["action"] == "edit"]
    assert notes == [BAD]  # the JSON still holds the exact text


def test_backup_is_never_readable_by_others_and_is_audited(db_path, tmp_path):
    db = store.open_db(db_path)
    db.execute("create table ballast (b blob)")
    for _ in range(200):
        db.execute("insert into ballast values (randomblob(100000))")
    db.conn.commit()
    db.close()
    folder = tmp_path / "backups"
    folder.mkdir()
    old = os.umask(0)  # the caller's umask is no protection
    seen, done = {}, threading.Event()

    def poll():
        while not done.is_set():
            for entry in os.scandir(folder):
                try:
                    seen[entry.name] = seen.get(entry.name, 0) | entry.stat().st_mode
                except FileNotFoundError:
                    pass

    watcher = threading.Thread(target=poll)
    watcher.start()
    try:
        pages = backup(db_path, folder / "b.db")
    finally:
        done.set()
        watcher.join()
        os.umask(old)
    assert pages > 2000 and seen, seen
    assert {name: oct(stat.S_IMODE(m)) for name, m in seen.items() if m & 0o077} == {}
    assert stat.S_IMODE(os.stat(folder / "b.db").st_mode) == 0o600
    assert sorted(os.listdir(folder)) == ["b.db"]
    [entry] = [e for e in audit(db_path) if e.action == "backup"]
    assert json.loads(entry.details)["to"] == str(folder / "b.db") and entry.actor == ME


def test_backup_refuses_a_symlink_a_damaged_database_and_others(db_path, tmp_path):
    link = tmp_path / "dangling.db"
    link.symlink_to(tmp_path / "nowhere" / "x.db")
    with pytest.raises(FileExistsError):
        backup(db_path, link)
    assert not (tmp_path / "nowhere").exists()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(db_path.read_bytes()[:4096] + b"\x00garbage" * 3000)
    with pytest.raises(BackupFailed, match="damaged"):
        backup(damaged, tmp_path / "copy.db")
    result = run(damaged, "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 1 and "restore the last good backup" in result.output
    assert not (tmp_path / "copy.db").exists()
    assert run(db_path, "user", "add", "boss", "--role", "district", user="boss").exit_code == 0
    result = run(db_path, "backup", str(tmp_path / "b2.db"), user="li")  # li: no
    assert result.exit_code == 1 and "only a district coordinator" in result.output
    assert audit(db_path)[0].actor == "li" and audit(db_path)[0].action == "refused"
    assert run(db_path, "backup", str(tmp_path / "b2.db")).exit_code == 0  # the owner: yes


def test_restore_keeps_the_newer_audit_and_replaces_a_damaged_database(db_path, tmp_path):
    backup(db_path, tmp_path / "b.db")
    db = store.open_db(db_path)
    with db.atomic():
        store.add_audit(db, "edit", {"week": str(MONDAY), "n": 1}, "li")
    db.close()
    result = run(db_path, "restore", str(tmp_path / "b.db"), "--yes", user="boss")
    assert result.exit_code == 0, result.output
    entries = audit(db_path)
    assert entries[0].action == "restore" and entries[0].actor == "boss"
    kept = entries[1]
    assert kept.action == "edit" and kept.actor == "li"
    assert json.loads(kept.details)["before_replacement"]
    assert [e.action for e in entries].count("backup") == 1
    # a damaged live database: its owner may put the backup back
    db_path.write_bytes(b"\x00" * 8192)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{db_path}{suffix}"):
            os.unlink(f"{db_path}{suffix}")
    result = run(db_path, "restore", str(tmp_path / "b.db"), "--yes")
    assert result.exit_code == 0, result.output
    db = store.open_db(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert "replaced_damaged" in json.loads(store.audit_entries(db)[0].details)


def test_a_service_database_with_coordinators_never_restores_into_an_open_one(db_path, tmp_path):
    backup(db_path, tmp_path / "b.db")  # taken before anyone was a coordinator
    assert run(db_path, "user", "add", "boss", "--role", "district", user="boss").exit_code == 0
    assert run(db_path, "restore", str(tmp_path / "b.db"), "--yes", user="boss").exit_code == 0
    db = store.open_db(db_path)
    assert access.list_users(db) == [{"user": "boss", "role": "district", "towns": []}]
