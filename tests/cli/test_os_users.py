"""The documented set-up on a shared server, tried with real OS accounts (docs/deploy.md):
a service account owns the database folder (0700), coordinators run roster through
`sudo -u SERVICE roster …` (a sudoers rule, env_reset), and roster takes the person from
sudo. Needs root (to create accounts), `useradd`, `runuser` and `sudo`, and a roster
command other accounts can run (this environment's, or $ROSTER_SHARED_BIN); the tests are
skipped, saying which is missing, where they cannot run."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.factories import make_db

TOOLS = ("useradd", "userdel", "groupadd", "groupdel", "runuser", "sudo", "visudo", "sqlite3")


def _missing() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to create OS accounts"
    lacking = [t for t in TOOLS if shutil.which(t) is None]
    return f"needs {', '.join(lacking)}" if lacking else None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def sh(*args, check=True, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)
    if check and result.returncode != 0:
        raise AssertionError(f"{args}: {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


class Server:
    def __init__(self, area: Path, tag: str, program: str):
        self.area = area
        self.svc, self.group = f"rtsvc{tag}", f"rtco{tag}"
        self.boss, self.towny = f"rtboss{tag}", f"rttown{tag}"
        self.program = program
        self.folder = area / "srv"
        self.db = self.folder / "roster.db"
        self.sudoers = Path(f"/etc/sudoers.d/roster-test-{tag}")

    def sudo(self, user: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """`user` runs `sudo -u SERVICE roster ARGS --db DB` (with `env` in their own
        environment: sudo's env_reset drops it)."""
        head = ["env", *(f"{k}={v}" for k, v in (env or {}).items())]
        return sh("runuser", "-u", user, "--", *head, "sudo", "-n", "-u", self.svc,
                  self.program, *args, "--db", str(self.db), check=False, cwd=self.area)  # fmt: skip

    def direct(self, user: str, *args: str, env: dict | None = None):
        head = ["env", *(f"{k}={v}" for k, v in (env or {}).items())]
        return sh("runuser", "-u", user, "--", *head, *args, check=False, cwd=self.area)

    def audit(self) -> list[tuple[str, str, str]]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute("select actor, action, details from audit order by id").fetchall()
        finally:
            con.close()

    def role(self, user: str) -> str | None:
        con = sqlite3.connect(self.db)
        try:
            row = con.execute("select role from coordinators where os_user = ?", [user]).fetchone()
        finally:
            con.close()
        return row[0] if row else None


def _program() -> str | None:
    for candidate in (os.environ.get("ROSTER_SHARED_BIN"), str(Path(sys.prefix) / "bin/roster")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def server():
    program = _program()
    if program is None:
        pytest.skip("no roster command found (set $ROSTER_SHARED_BIN)")
    tag = str(os.getpid() % 100000)
    area = Path(tempfile.mkdtemp(prefix="roster-os-"))
    area.chmod(0o755)
    s = Server(area, tag, program)
    try:
        sh("groupadd", s.group)
        sh("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
           "--user-group", s.svc)  # fmt: skip
        for user in (s.boss, s.towny):
            sh("useradd", "--no-create-home", "--shell", "/bin/bash", "-G", s.group, user)
        probe = sh("runuser", "-u", s.towny, "--", program, "--version", check=False, cwd=area)
        if probe.returncode != 0:
            pytest.skip(f"other accounts cannot run {program} (set $ROSTER_SHARED_BIN)")
        rule = f"Defaults>{s.svc} env_reset\n%{s.group} ALL=({s.svc}) NOPASSWD: {program}\n"
        draft = area / "sudoers"
        draft.write_text(rule)
        sh("visudo", "-cf", str(draft))
        shutil.copyfile(draft, s.sudoers)
        s.sudoers.chmod(0o440)
        # the database folder: the service account's only, as docs/deploy.md sets it up
        s.folder.mkdir(mode=0o700)
        make_db(s.db).close()
        sh("chown", "-R", f"{s.svc}:{s.svc}", str(s.folder))
        s.folder.chmod(0o700)
        s.db.chmod(0o600)
        # the administrator registers the first district coordinator as the service account
        sh("runuser", "-u", s.svc, "--", program, "user", "add", s.boss, "--role", "district",
           "--db", str(s.db), cwd=area)  # fmt: skip
        result = s.sudo(s.boss, "user", "add", s.towny, "--role", "town", "--town", "龙山街道")
        assert result.returncode == 0, result.stderr
        yield s
    finally:
        s.sudoers.unlink(missing_ok=True)
        for user in (s.boss, s.towny, s.svc):
            sh("userdel", user, check=False)
        sh("groupdel", s.group, check=False)
        shutil.rmtree(area, ignore_errors=True)


def test_the_audit_names_the_real_user(server):
    result = server.sudo(server.boss, "user", "add", "zhao", "--role", "inspector")
    assert result.returncode == 0, result.stderr
    actor, action, details = server.audit()[-1]
    assert (actor, action) == (server.boss, "user.add") and json.loads(details)["user"] == "zhao"
    listing = server.sudo(server.towny, "user", "list")
    assert f"you: {server.towny} (town coordinator)" in listing.stdout


def test_a_town_coordinator_cannot_become_district_coordinator(server):
    towny, boss = server.towny, server.boss
    attempts = [
        server.sudo(towny, "--as", boss, "user", "add", towny, "--role", "district"),
        server.sudo(
            towny,
            "user",
            "add",
            towny,
            "--role",
            "district",
            env={
                "ROSTER_USER": boss,
                "USER": boss,
                "LOGNAME": boss,
                "SUDO_UID": "0",
                "SUDO_USER": boss,
            },
        ),  # fmt: skip
        server.sudo(towny, "user", "remove", boss),
        # sudo refuses to set variables on its command line
        sh(
            "runuser",
            "-u",
            towny,
            "--",
            "sudo",
            "-n",
            "-u",
            server.svc,
            f"SUDO_USER={boss}",
            f"ROSTER_USER={boss}",
            server.program,
            "user",
            "add",
            towny,
            "--role",
            "district",
            "--db",
            str(server.db),
            check=False,
            cwd=server.area,
        ),  # fmt: skip
        # nor run anything else as the service account
        sh(
            "runuser",
            "-u",
            towny,
            "--",
            "sudo",
            "-n",
            "-u",
            server.svc,
            "/usr/bin/sqlite3",
            str(server.db),
            "update coordinators set role = 'district'",
            check=False,
        ),  # fmt: skip
        # and without sudo the file is out of reach
        server.direct(
            towny,
            server.program,
            "user",
            "add",
            towny,
            "--role",
            "district",
            "--db",
            str(server.db),
            env={"USER": boss, "ROSTER_USER": boss},
        ),  # fmt: skip
    ]
    for result in attempts:
        assert result.returncode != 0, (result.args, result.stdout)
        assert "Traceback" not in result.stderr, result.stderr
    assert "cannot act as" in attempts[0].stderr
    assert "only a district coordinator" in attempts[1].stderr
    assert "you cannot open" in attempts[-1].stderr
    assert server.role(towny) == "town" and server.role(boss) == "district"
    refused = [(a, json.loads(d)["what"]) for a, act, d in server.audit() if act == "refused"]
    assert {a for a, _ in refused} == {towny}  # always the real name, never boss
    assert len(refused) >= 3


def test_a_coordinator_cannot_open_the_database_file(server):
    for user in (server.towny, server.boss):
        write = server.direct(user, "sqlite3", str(server.db),
                              "update coordinators set role = 'district'")  # fmt: skip
        assert write.returncode != 0
        read = server.direct(user, "cat", str(server.db))
        assert read.returncode != 0 and "Permission denied" in read.stderr
        listing = server.direct(user, "ls", str(server.folder))
        assert listing.returncode != 0
    assert server.role(server.towny) == "town"


def test_init_force_by_a_town_coordinator_is_refused_and_audited(server):
    result = server.sudo(server.towny, "init", "--force")
    assert result.returncode == 1 and "only a district coordinator" in result.stderr
    actor, action, details = server.audit()[-1]
    assert (actor, action) == (server.towny, "refused") and "init --force" in details
    con = sqlite3.connect(server.db)
    assert con.execute("select count(*) from cadres").fetchone()[0] > 0
    con.close()
    result = server.sudo(server.boss, "init", "--force")
    assert result.returncode == 0, result.stderr
    assert server.role(server.boss) == "district" and server.role(server.towny) is None
    actor, action, details = server.audit()[-1]
    assert (actor, action) == (server.boss, "init")
    assert (server.towny, "refused") in [(a, act) for a, act, _ in server.audit()]  # kept
    assert oct(server.db.stat().st_mode & 0o777) == "0o600"
    assert server.db.stat().st_uid == int(sh("id", "-u", server.svc).stdout)
