"""Several coordinators' processes on one database: no lost update, a stale save
refused naming who changed the roster, no "database is locked" escaping the busy timeout,
and `data_version` telling a view that someone else committed.

The load test runs `benchmarks/bench_load.py` in small: three processes editing the small
fixture district for about three seconds while a solve is accepted and a backup taken.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from benchmarks import bench_load as bench
from roster import store
from roster.domain import week_days
from roster.edits import WeekEditor
from tests.factories import MONDAY, make_db, week_roster

SUNDAY = week_days(MONDAY)[6]


@pytest.fixture
def path(tmp_path) -> Path:
    db_path = tmp_path / "shared.db"
    make_db(db_path).close()
    return db_path


def test_three_processes_editing_at_once_lose_nothing(path, tmp_path):
    result = bench.run_load(
        path,
        week=MONDAY,
        procs=3,
        seconds=3.0,
        workdir=tmp_path / "load",
        solve_at=1.0,
        backup_at=2.0,
        solve_limit=1.0,
        echo=lambda *args: None,
    )
    assert result.worker_failures == []
    assert result.committed > 0
    # every save is committed or refused as stale: nothing else (no "database is locked")
    assert result.error_kinds == {}
    assert result.attempted == result.committed + result.stale + result.refusals["rules"]
    assert result.refusals["busy"] == result.refusals["other"] == 0
    assert result.stale_named == result.stale
    # the replayed history: unique, contiguous versions, each made on the one before
    assert result.duplicate_versions == 0
    assert result.unaccounted_versions == 0
    assert result.superseded_bases == 0
    assert result.hash_mismatches == 0
    assert not result.final_mismatch
    assert result.lost == 0
    assert result.last_version == result.first_version + result.committed + result.solve_accepted
    assert result.audit_agrees
    assert result.breaches_added_by_edits == 0
    assert result.breaches_across == 0
    # `roster solve` of the next week twice at once, published, solved again: each one saved
    # or refused for what happened meanwhile (which, depends on timing: test_races pins it)
    assert len(result.cli_solves) == 3 and "saved" in result.cli_solves, result.cli_solves
    assert set(result.cli_refusals) <= {"stale", "published", "neighbour"}, result.cli_solves
    assert result.published == "yes"
    assert result.solve_accepted
    assert result.backup_integrity == "ok" and result.backup_is_committed_state
    assert result.integrity == "ok"
    assert result.ok


def _state(rows):
    return {tuple(r) for r in rows}


def test_the_replay_finds_a_lost_update():
    """Two commits made on the same version: the second overwrote the first unseen."""
    r1 = ("2026-12-07", 1, 1, "D", 0, "solver")
    r2 = ("2026-12-07", 2, 1, "D", 0, "manual")
    r3 = ("2026-12-08", 3, 2, "D", 0, "manual")
    h = bench.content_hash

    def commit(version, base_version, base, removed, added, actor="a"):
        after = (_state(base) - _state(removed)) | _state(added)
        return {"kind": "swap", "actor": actor, "version": version,
                "base_version": base_version, "base_hash": h(base), "removed": removed,
                "added": added, "hash": h(after), "latency": 0.0}  # fmt: skip

    first = (1, {r1})
    good = [commit(2, 1, [r1], [r1], [r2]), commit(3, 2, [r2], [], [r3])]
    result = bench.LoadResult(2, 1.0)
    bench.replay(result, None, MONDAY, [], first, good, (3, {r2, r3}), check=False)
    assert result.lost == 0 and result.unaccounted_versions == 0

    # the second writer read version 1 and still got version 3 written: r2 is lost
    lost = [commit(2, 1, [r1], [r1], [r2]), commit(3, 1, [r1], [], [r3], actor="b")]
    result = bench.LoadResult(2, 1.0)
    bench.replay(result, None, MONDAY, [], first, lost, (3, {r1, r3}), check=False)
    assert result.superseded_bases == 1 and result.lost >= 1

    # two commits both produced version 2
    twice = [commit(2, 1, [r1], [r1], [r2]), commit(2, 1, [r1], [], [r3], actor="b")]
    result = bench.LoadResult(2, 1.0)
    bench.replay(result, None, MONDAY, [], first, twice, (2, {r1, r3}), check=False)
    assert result.duplicate_versions == 1 and result.lost >= 1


def test_a_stale_edit_is_refused_naming_who_changed_the_roster(path):
    district = store.load_district(store.open_db(path))
    wang = WeekEditor(store.open_db(path), district, MONDAY, actor="wangli")
    li = WeekEditor(store.open_db(path), district, MONDAY, actor="limeng")
    version = li.version
    wang.assign(13, 3, SUNDAY, "N")  # fills 北沟村's short Sunday night
    assert wang.version == version + 1

    with pytest.raises(store.StaleRoster, match="changed by wangli at") as refused:
        li.assign(14, 3, SUNDAY, "N")
    assert refused.value.by == "wangli"
    assert "nothing was saved" in str(refused.value)
    # nothing of li's edit was written; wang's is there
    stored = store.get_roster(store.open_db(path), MONDAY)
    assert stored.version == version + 1
    night = [a for a in stored.assignments if (a.date, a.post_id, a.shift_code) == (SUNDAY, 3, "N")]
    assert [a.cadre_id for a in night] == [13]

    # store.save_roster refuses the same way
    with pytest.raises(store.StaleRoster, match="changed by wangli at"):
        store.save_roster(li.db, MONDAY, week_roster(), actor="limeng", expected_version=version)
    assert store.get_roster(li.db, MONDAY).version == version + 1


def test_a_save_while_another_process_writes_waits_instead_of_failing(path):
    """A save that starts while another connection holds the write lock waits for it (the
    busy timeout) and is then refused as stale: not "database is locked" at once, which is
    what a deferred BEGIN gives when its read lock cannot be upgraded in WAL mode."""
    version = store.get_roster(store.open_db(path), MONDAY).version
    holding, tried = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def other_coordinator() -> None:
        db = store.open_db(path)
        try:
            with db.atomic():
                store.save_roster(
                    db, MONDAY, week_roster()[1:], actor="wangli", expected_version=version
                )
                holding.set()
                # hold the write lock until the save below has failed, or for 2 s (well
                # within the 5 s busy timeout it may wait)
                tried.wait(2.0)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            holding.set()
        finally:
            db.close()

    thread = threading.Thread(target=other_coordinator)
    thread.start()
    assert holding.wait(30)
    db = store.open_db(path)
    try:
        with pytest.raises(store.StaleRoster, match="changed by wangli at"):
            try:
                store.save_roster(
                    db, MONDAY, week_roster(), actor="limeng", expected_version=version
                )
            except sqlite3.OperationalError:
                tried.set()
                raise
    finally:
        tried.set()
        thread.join()
    assert errors == []
    assert store.get_roster(db, MONDAY).version == version + 1
    # a save made on the version now stored goes through
    saved = store.save_roster(
        db, MONDAY, week_roster(), actor="limeng", expected_version=version + 1
    )
    assert saved.version == version + 2
    assert {a.cadre_id for a in saved.assignments} == {a.cadre_id for a in week_roster()}


def test_data_version_changes_after_another_connection_commits_only(path):
    reader, writer = store.open_db(path), store.open_db(path)
    seen = store.data_version(reader)
    store.get_roster(reader, MONDAY)  # its own read
    assert store.data_version(reader) == seen
    store.save_settings(reader, {"bench": "own write"})  # its own commit
    assert store.data_version(reader) == seen

    store.save_settings(writer, {"bench": "someone else"})
    changed = store.data_version(reader)
    assert changed != seen
    assert store.data_version(reader) == changed  # and it stays until the next commit
    writer_seen = store.data_version(writer)
    store.save_roster(
        reader,
        MONDAY,
        week_roster(),
        actor="reader",
        expected_version=store.roster_version_of(reader, MONDAY),
    )
    assert store.data_version(writer) != writer_seen


def test_an_edit_elsewhere_is_made_on_top_of_the_other_change(path):
    """The UI's editors rebase: li's edit of another cadre and cell goes through on top of
    wang's, and both are stored; an edit of the cell wang just changed is still refused."""
    district = store.load_district(store.open_db(path))
    wang = WeekEditor(store.open_db(path), district, MONDAY, actor="wangli", rebase=True)
    li = WeekEditor(store.open_db(path), district, MONDAY, actor="limeng", rebase=True)
    wang.assign(13, 3, SUNDAY, "N")  # 北沟村's short Sunday night
    change = li.lock_cell(1, MONDAY, "D")  # 龙山社区's Monday day shift (cadre 1): elsewhere
    assert change.note == "made on top of wangli's change"
    stored = store.get_roster(store.open_db(path), MONDAY)
    assert stored.version == li.version == wang.version + 1
    by = {(a.cadre_id, a.date): a for a in stored.assignments}
    assert by[13, SUNDAY].post_id == 3 and by[1, MONDAY].locked
    assert set(stored.assignments) == set(li.assignments)

    # the same cell: wang fills it again with 14 after li's view was taken
    li.reload()
    wang.reload()
    wang.unassign(13, SUNDAY, override="test")
    with pytest.raises(store.StaleRoster, match="changed by wangli"):
        li.unassign(13, SUNDAY, override="test")
