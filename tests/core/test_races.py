"""The races between coordinators' processes, each made to happen and shown harmless.

A process under test is paused at the moment that matters (just after it read the week,
before it saves) while another process changes the database; then it goes on. Each test
says what used to happen and asserts what happens now: the late save is refused with one
line naming the change, nothing of it is written, and what the other process wrote stays.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from roster import store
from roster.domain import Assignment, week_days
from roster.edits import Refused, WeekEditor
from roster.errors import DistrictChanged, StaleRoster
from roster.solver.checker import check_roster
from tests.factories import MONDAY, make_db

NEXT = MONDAY + dt.timedelta(weeks=1)
SUNDAY = week_days(MONDAY)[6]
ROSTER = [sys.executable, "-m", "roster"]
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def path(tmp_path) -> Path:
    db_path = tmp_path / "shared.db"
    make_db(db_path).close()
    return db_path


def roster(*args: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ROSTER, *args, "--db", str(path)], capture_output=True, text=True, timeout=120
    )


# --- a `roster` command run in another process, paused after a read --------------------


def _paused_cli(args, pause_after, paused, go, results) -> None:
    """Run `roster ARGS` in this (spawned) process; after the first call of
    `store.<pause_after>` (or `module:function`) tell `paused` and wait for `go`."""
    import importlib

    from roster import store as child_store
    from roster.cli.root import main

    if ":" in pause_after:
        module, pause_after = pause_after.split(":")
        child_store = importlib.import_module(module)
    original = getattr(child_store, pause_after)
    calls = []

    def pausing(*a, **k):
        value = original(*a, **k)
        if not calls:
            calls.append(1)
            paused.set()
            go.wait(120)
        return value

    setattr(child_store, pause_after, pausing)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = exit_.code or 0
        except BaseException as error:  # noqa: BLE001 - reported to the test
            code, err = "raised", io.StringIO(repr(error))
    results.put((code, out.getvalue(), err.getvalue()))


class Paused:
    """`roster ARGS` in a spawned process, held after its first `store.<pause_after>` call."""

    def __init__(self, args: list[str], pause_after: str) -> None:
        self.paused, self.go, self.results = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
        self.proc = SPAWN.Process(
            target=_paused_cli, args=(args, pause_after, self.paused, self.go, self.results)
        )
        self.proc.start()
        assert self.paused.wait(120), "the command never reached the pause"

    def finish(self) -> tuple[object, str, str]:
        self.go.set()
        result = self.results.get(timeout=180)
        self.proc.join(30)
        return result


def one_clean_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, err
    return lines[0]


def solves_of(path: Path, week: dt.date) -> int:
    db = store.open_db(path, create=False)
    try:
        return db.execute(
            "select count(*) from audit where action = 'solve.accept' and details like ?",
            [f'%"week": "{week.isoformat()}"%'],
        ).fetchone()[0]
    finally:
        db.close()


# --- the races -------------------------------------------------------------------------


def test_two_solves_of_a_new_week_the_later_save_is_refused(path):
    """Both read "no roster"; the second save used to replace the first one unseen."""
    late = Paused(["solve", "--week", NEXT.isoformat(), "--time-limit", "1", "--db", str(path)],
                  "get_roster")  # fmt: skip
    first = roster("solve", "--week", NEXT.isoformat(), "--time-limit", "1", path=path)
    assert first.returncode == 0, first.stderr
    stored = store.get_roster(store.open_db(path, create=False), NEXT)
    code, out, err = late.finish()
    assert code == 1
    line = one_clean_line(err)
    assert "changed by" in line and "started from no roster" in line and "nothing was saved" in line
    assert "saved as a draft" not in out
    after = store.get_roster(store.open_db(path, create=False), NEXT)
    assert after.version == stored.version == 1
    assert after.assignments == stored.assignments
    assert solves_of(path, NEXT) == 1


def test_a_solve_never_replaces_a_week_published_meanwhile(path):
    """A solve started before a colleague solved and published the week used to replace
    the published roster, saying "saved as a draft"."""
    late = Paused(["solve", "--week", NEXT.isoformat(), "--time-limit", "1", "--db", str(path)],
                  "get_roster")  # fmt: skip
    assert (
        roster("solve", "--week", NEXT.isoformat(), "--time-limit", "1", path=path).returncode == 0
    )
    assert roster("publish", "--week", NEXT.isoformat(), path=path).returncode == 0
    published = store.get_roster(store.open_db(path, create=False), NEXT)
    code, out, err = late.finish()
    assert code == 1
    line = one_clean_line(err)
    assert "published" in line and "nothing was saved" in line
    db = store.open_db(path, create=False)
    after = store.get_roster(db, NEXT)
    assert after.status == "published" and after.version == published.version
    assert after.assignments == published.assignments
    told = store.published_assignments(db, NEXT)
    assert told == {(a.post_id, a.date, a.shift_code, a.cadre_id) for a in after.assignments}


def test_a_solve_of_a_draft_published_meanwhile_is_refused_too(path):
    """The week had a draft when the solve read it; a colleague published that draft."""
    late = Paused(["solve", "--week", MONDAY.isoformat(), "--time-limit", "1", "--db", str(path)],
                  "get_roster")  # fmt: skip
    assert roster("publish", "--week", MONDAY.isoformat(), path=path).returncode == 0
    published = store.get_roster(store.open_db(path, create=False), MONDAY)
    code, _out, err = late.finish()
    assert code == 1 and "published" in one_clean_line(err)
    after = store.get_roster(store.open_db(path, create=False), MONDAY)
    assert (after.status, after.version) == ("published", published.version)
    assert after.assignments == published.assignments


def test_an_editor_opened_on_an_empty_week_does_not_wipe_a_roster_saved_meanwhile(path):
    """Through the UI's editor, one assign on a week that was empty when it was read used to
    leave 1 assignment of the roster another process had solved meanwhile."""
    editor = WeekEditor(store.open_db(path, create=False), store.load_district(
        store.open_db(path, create=False)), NEXT, actor="limeng", rebase=True)  # fmt: skip
    assert editor.status == "none"
    solved = roster("solve", "--week", NEXT.isoformat(), "--time-limit", "1", path=path)
    assert solved.returncode == 0, solved.stderr
    stored = store.get_roster(store.open_db(path, create=False), NEXT)
    on_monday = {a.cadre_id for a in stored.assignments if a.date == NEXT}
    cadre = min(on_monday)  # someone the solve put on Monday: the edit touches their week
    with pytest.raises(StaleRoster, match="started from no roster"):
        editor.assign(cadre, 1, NEXT + dt.timedelta(days=1), "D")
    after = store.get_roster(store.open_db(path, create=False), NEXT)
    assert after.version == stored.version and after.assignments == stored.assignments


def test_a_recall_during_a_solve_refuses_its_save(path):
    """A cadre recalled while a solve ran used to get shifts from it."""
    late = Paused(["solve", "--week", NEXT.isoformat(), "--time-limit", "1", "--db", str(path)],
                  "get_roster")  # fmt: skip
    recalled = roster("recall", "G0001", "--from", NEXT.isoformat(), path=path)
    assert recalled.returncode == 0, recalled.stderr
    code, out, err = late.finish()
    assert code == 1
    line = one_clean_line(err)
    assert "district" in line and "recall of G0001" in line and "nothing was saved" in line
    db = store.open_db(path, create=False)
    assert store.get_roster(db, NEXT) is None
    # solved again, on the district as it is now: the recalled cadre has no duty
    again = roster("solve", "--week", NEXT.isoformat(), "--time-limit", "1", path=path)
    assert again.returncode == 0, again.stderr
    week = store.get_roster(db, NEXT).assignments
    assert week and not [a for a in week if a.cadre_id == 1]
    breaches = check_roster(store.load_district(db), NEXT, week, store.neighbours(db, NEXT))
    assert [b for b in breaches if b.rule != "coverage"] == []


def test_a_recall_while_an_editor_is_open_refuses_its_next_save(path):
    """An open editor (the UI's) used to assign a cadre recalled from the CLI meanwhile."""
    db = store.open_db(path, create=False)
    version = store.district_version(db)
    editor = WeekEditor(db, store.load_district(db), MONDAY, actor="limeng", rebase=True,
                        district_version=version)  # fmt: skip
    recalled = roster("recall", "G0013", "--from", MONDAY.isoformat(), path=path)
    assert recalled.returncode == 0, recalled.stderr
    before = store.get_roster(db, MONDAY)
    with pytest.raises(DistrictChanged, match="recall of G0013"):
        editor.assign(13, 3, SUNDAY, "N")
    assert store.get_roster(db, MONDAY).assignments == before.assignments
    # the district read again, the same edit is now a breach (the cadre is recalled)
    editor.set_district(store.load_district(db), store.district_version(db))
    with pytest.raises(Refused):
        editor.assign(13, 3, SUNDAY, "N")


# --- weeks checked with their neighbours -----------------------------------------------


def _edit_week_one(db_path, ready, go, results) -> None:
    """Open week 1 in an editor (as the UI does), wait, then put cadre 13 on Sunday night."""
    from roster import store as child_store
    from roster.edits import Refused as ChildRefused
    from roster.edits import WeekEditor as ChildEditor

    db = child_store.open_db(db_path, create=False)
    editor = ChildEditor(db, child_store.load_district(db), MONDAY, actor="wangli", rebase=True)
    ready.set()
    go.wait(120)
    try:
        editor.assign(13, 3, SUNDAY, "N")
        results.put(("saved", ""))
    except ChildRefused as refused:
        results.put(("refused", str(refused)))
    except Exception as error:  # noqa: BLE001 - reported to the test
        results.put((type(error).__name__, str(error)))


def test_edits_of_two_neighbouring_weeks_at_once_cannot_break_rest(path):
    """Each process checked its week against the neighbour as it read it: a Sunday night
    shift and the next Monday's day shift (0 h rest) were both accepted."""
    ready, go, results = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
    child = SPAWN.Process(target=_edit_week_one, args=(path, ready, go, results))
    child.start()
    assert ready.wait(120)
    db = store.open_db(path, create=False)
    week_two = WeekEditor(db, store.load_district(db), NEXT, actor="limeng", rebase=True)
    week_two.assign(13, 1, NEXT, "D")  # Monday 08:00 at 龙山社区
    go.set()
    outcome, message = results.get(timeout=120)
    child.join(30)
    assert outcome == "refused", message
    assert " h between N on Sun" in message
    one = store.get_roster(db, MONDAY).assignments
    assert not [a for a in one if a.cadre_id == 13 and a.date == SUNDAY]


def test_a_week_is_checked_against_the_next_stored_week(path):
    db = store.open_db(path, create=False)
    store.save_roster(db, NEXT, [Assignment(NEXT, 13, 1, "D")], actor="limeng")
    editor = WeekEditor(db, store.load_district(db), MONDAY, actor="wangli")
    with pytest.raises(Refused, match="0 h between N on Sun"):
        editor.assign(13, 3, SUNDAY, "N")
    # made anyway (with a reason), `roster check` of the week names the breach
    editor.assign(13, 3, SUNDAY, "N", override="no one else")
    checked = roster("check", "--week", MONDAY.isoformat(), path=path)
    assert checked.returncode == 1
    assert "rest_hours" in checked.stdout and "0 h between N on Sun" in checked.stdout


def test_a_solve_keeps_rest_before_the_next_stored_week(path):
    db = store.open_db(path, create=False)
    # every cadre able to do nights works the next Monday from 08:00 (where they live)
    district = store.load_district(db)
    store.save_roster(
        db, NEXT, [Assignment(NEXT, c, 1 + c % 4, "D") for c in district.cadres],
        actor="limeng",
    )  # fmt: skip
    solved = roster("solve", "--week", MONDAY.isoformat(), "--time-limit", "2", path=path)
    assert solved.returncode == 0, solved.stderr
    week = store.get_roster(db, MONDAY).assignments
    breaches = check_roster(store.load_district(db), MONDAY, week, store.neighbours(db, MONDAY))
    assert [b for b in breaches if b.rule in ("rest_hours", "consecutive_days")] == []
    assert not [a for a in week if a.date == SUNDAY and a.shift_code == "N"]


def test_a_long_import_holds_the_write_lock_for_its_write_alone(path, tmp_path):
    """An import checked and wrote every row inside its write transaction: others waited
    for all of it (18 s for 1M rows), and died of "database is locked" after 5 s. Now
    others write while it reads and checks; a change to the district meanwhile makes it
    run again on the district as it is, so both are kept."""
    cadres = tmp_path / "cadres.csv"
    cadres.write_text(
        "code,name,gender,birth_date,unit,phone,party_member,home_lat,home_lon,transport\n"
        + "".join(f"K{i:04},测试{i},F,1980-01-01,区园林绿化局,13800000000,1,40.3,116.6,bus\n"
                  for i in range(200)),
        encoding="utf-8",
    )  # fmt: skip
    importing = Paused(["import", "cadres", str(cadres), "--db", str(path)],
                       "roster.importer.run:_load")  # fmt: skip
    # the import has read and checked everything: the database is not locked meanwhile
    db = store.open_db(path, create=False)
    db.busy_wait = 0
    db.conn.execute("pragma busy_timeout = 1")
    store.save_settings(db, {"min_rest_hours": "12"})  # a change to the district, at once
    code, out, err = importing.finish()
    assert code == 0, err
    assert "200 added" in out
    assert db.execute("select count(*) from cadres where code like 'K%'").fetchone()[0] == 200
    assert store.load_settings(db).min_rest_hours == 12
    imports = db.execute("select count(*) from audit where action = 'import'").fetchone()[0]
    assert imports == 1
