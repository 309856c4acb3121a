"""Load check: N processes edit one week at once while others solve, publish and back up;
lost updates, refusals by cause and breaches are measured.

    python benchmarks/bench_load.py [--procs 8] [--seconds 60] [--seed 0] [--workdir DIR]
                                    [--solve-limit 5] [--think 0] [--keep] [--no-check]

A fresh demo database (the bundled district, week of 2026-12-07) is solved once and saved.
Then N worker processes (each its own `python` process and SQLite connection, like
coordinators in their own SSH sessions) loop for --seconds: refresh the view when
`PRAGMA data_version` says someone else committed, pick a random edit (a cadre takes over
another's duty, two cadres swap a day's duties, a duty moves to another day, a cell is
locked or unlocked) and make it with `WeekEditor` as the UI does (rebasing: a save found
stale is made again on top of the other change when the two touch different cadres and
cells), which checks the hard rules and saves with the versions it read (the week's, its
neighbours', the district's). An edit the rules refuse is no write attempt; a save is
committed, refused (stale, district changed, busy) or fails otherwise; its latency is that
of `WeekEditor._save` (the write transaction, waiting for the lock included). The parent
solves the week again while the workers start up, accepts that solve mid-run (with the
version it read, keeping the locks set meanwhile, retrying on stale) and takes an online
backup (`roster.backup.backup`). Meanwhile `roster solve` processes solve the next week
(two at once, then a third after it is published: one of the first two commits, the
others are refused) and `roster publish` publishes it, so the edited week is checked
against a next week that changes under it.

Lost updates are measured, not assumed. Every commit is logged (per process, JSONL) with
the version it produced, the version and content hash of the view it was made on, the
assignments it removed and added, and the content hash read back in its transaction. At
the end the history is replayed in version order from the solved week: versions must be
unique and contiguous, every commit must have been made on the state of the version just
before it (else it overwrote a change its author never saw), each replayed state must
hash to what its commit read back, and the stored roster must equal the highest
version's state. The audit log must list the same versions. The replay also runs the
independent checker on each state: an edit must never add a breach; and the final week
must break no rest rule across its boundary with the next week as stored. The backup must
be a committed state, and `PRAGMA integrity_check` must pass.

Exit status 1 if anything is lost, unaccounted for or corrupt, or a breach was added.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from roster import errors, store
from roster.domain import Assignment, week_days
from roster.edits import EditError, Refused, WeekEditor, breach_key, keep_locks

MONDAY = dt.date(2026, 12, 7)
CAUSES = ("stale", "neighbour", "rules", "district", "published", "busy", "other")
KINDS = ("replace", "swap", "move", "lock")
WEIGHTS = (0.4, 0.25, 0.15, 0.2)
CHECKED_KINDS = ("replace", "swap", "move")  # the edits the editor checks against the rules

# --- content of a week -------------------------------------------------------------------


def row(a: Assignment) -> tuple:
    return (a.date.isoformat(), a.cadre_id, a.post_id, a.shift_code, int(a.locked), a.source)


def content_hash(rows) -> str:
    text = "\n".join(json.dumps(list(r), ensure_ascii=False) for r in sorted(map(tuple, rows)))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def from_row(r) -> Assignment:
    return Assignment(dt.date.fromisoformat(r[0]), r[1], r[2], r[3], bool(r[4]), r[5])


def stored_week(con: sqlite3.Connection, week: dt.date) -> tuple[int, set[tuple]]:
    """(version, rows) of the week in `con`, read in one snapshot."""
    con.execute("begin")
    try:
        version = con.execute(
            "select version from rosters where week_start = ?", [week.isoformat()]
        ).fetchone()[0]
        rows = con.execute(
            "select a.date, a.cadre_id, a.post_id, a.shift_code, a.locked, a.source "
            "from assignments a join rosters r on r.id = a.roster_id where r.week_start = ?",
            [week.isoformat()],
        ).fetchall()
    finally:
        con.execute("commit")
    return version, {tuple(r) for r in rows}


def commit_record(kind, actor, base_version, base, after, saved, latency) -> dict:
    """What one commit wrote: replayed at the end."""
    before, now = {row(a) for a in base}, {row(a) for a in after}
    return {
        "kind": kind,
        "actor": actor,
        "version": saved.version,
        "base_version": base_version,
        "base_hash": content_hash(before),
        "removed": sorted(before - now),
        "added": sorted(now - before),
        "hash": content_hash(row(a) for a in saved.assignments),
        "latency": latency,
    }


# --- a worker process --------------------------------------------------------------------


class TimedEditor(WeekEditor):
    """A WeekEditor that notes when a save was attempted and how long it took."""

    save_started: float | None = None
    save_seconds: float = 0.0

    def _save(self, *args, **kwargs) -> None:
        self.save_started = time.perf_counter()
        try:
            super()._save(*args, **kwargs)
        finally:
            self.save_seconds = time.perf_counter() - self.save_started


def pick_edit(editor: WeekEditor, rng: random.Random):
    """(kind, a call making one random edit), or (kind, None) when there is none to make.

    The edits a coordinator makes on the board: another cadre takes a duty over (picked
    from the editor's own candidates), two cadres of one post swap a day's duties (or
    their weeks), a duty moves to another day, a cell is locked or unlocked. The rules
    (one post a week, rest, coverage …) refuse some of them; that is no write attempt."""
    assignments = editor.assignments
    if not assignments:
        return "none", None
    kind = rng.choices(KINDS, WEIGHTS)[0]
    if kind == "lock":
        locked = [a for a in assignments if a.locked]
        a = rng.choice(locked) if locked and rng.random() < 0.5 else rng.choice(assignments)
        return kind, lambda: editor.lock_cell(a.post_id, a.date, a.shift_code, not a.locked)
    a = rng.choice(assignments)
    if kind == "replace":  # someone else takes the duty over: unassign + assign in one edit
        pool = editor.candidates(a.post_id, a.date, a.shift_code, limit=6)
        if not pool:
            return kind, None
        other = rng.choice(pool)[0]
        return kind, lambda: editor.swap(a.cadre_id, other, a.date)
    if kind == "swap":  # two cadres of one post exchange their duties of a day, or weeks
        same_post = [x for x in assignments if x.post_id == a.post_id and x.cadre_id != a.cadre_id]
        same_day = [x for x in same_post if x.date == a.date and x.shift_code != a.shift_code]
        if same_day:
            b = rng.choice(same_day)
            return kind, lambda: editor.swap(a.cadre_id, b.cadre_id, a.date)
        if not same_post:
            return kind, None
        b = rng.choice(same_post)
        return kind, lambda: editor.swap(a.cadre_id, b.cadre_id)
    # move: a duty of an over-staffed cell (if any) goes to another day the cadre is off
    cells = Counter((x.post_id, x.date, x.shift_code) for x in assignments)
    district = editor.district
    over = [
        x
        for x in assignments
        if cells[x.post_id, x.date, x.shift_code]
        > district.required(x.post_id, x.date, x.shift_code)
    ]
    a = rng.choice(over) if over else a
    mine = {x.date for x in assignments if x.cadre_id == a.cadre_id}
    free = [d for d in week_days(editor.week_start) if d not in mine]
    if not free:
        return kind, None
    day = rng.choice(free)
    return kind, lambda: editor.move(a.cadre_id, a.date, to_day=day)


def is_stale_edit_error(error: Exception) -> bool:
    return isinstance(error, EditError) and "changed since" in str(error)


def cause_of(error: BaseException) -> str:
    """Why a save was refused, in the benchmark's words."""
    if isinstance(error, errors.PublishedRoster):
        return "published"
    if isinstance(error, errors.NeighbourChanged):
        return "neighbour"
    if isinstance(error, store.StaleRoster) or is_stale_edit_error(error):
        return "stale"
    if isinstance(error, errors.DistrictChanged):
        return "district"
    line = errors.describe(error) or ""
    if isinstance(error, errors.DatabaseBusy) or "busy" in line:
        return "busy"
    return "other"


def cause_of_line(line: str) -> str:
    """The same, from the one line a `roster` command printed."""
    if "published" in line:
        return "published"
    if "rest rule across" in line:
        return "neighbour"
    if "was changed" in line:
        return "stale"
    if "district" in line:
        return "district"
    if "busy" in line:
        return "busy"
    return "other"


def worker(args: dict) -> None:
    """One process: edit until the deadline the parent sends; commits go to args['log']."""
    rng = random.Random(args["seed"])
    week = dt.date.fromisoformat(args["week"])
    actor = args["actor"]
    db = store.open_db(args["db"], create=False)
    district_version = store.district_version(db)
    editor = TimedEditor(db, store.load_district(db), week, actor=actor, rebase=True,
                         district_version=district_version)  # fmt: skip
    seen = store.data_version(db)
    counts: Counter = Counter()
    causes: Counter = Counter()
    refused: Counter = Counter()
    kinds: Counter = Counter()
    stale_kinds: Counter = Counter()
    errors_: Counter = Counter()
    latencies: list[float] = []
    stale_latencies: list[float] = []
    print("ready", flush=True)
    deadline = float(sys.stdin.readline().split()[1])
    with open(args["log"], "w", encoding="utf-8") as log:
        while time.time() < deadline:
            if args.get("think"):  # a coordinator looks at the board before the next edit
                time.sleep(rng.uniform(0, 2 * args["think"]))
            version_now = store.data_version(db)
            if version_now != seen:  # someone else committed: refresh, as the UI does
                editor.reload()
                seen = version_now
                counts["reloads"] += 1
            kind, edit = pick_edit(editor, rng)
            if edit is None:
                counts["no_edit"] += 1
                continue
            base_version, base = editor.version, tuple(editor.assignments)
            editor.save_started = None
            try:
                change = edit()
            except (Refused, EditError, errors.RosterError, sqlite3.Error) as error:
                attempted = editor.save_started is not None
                if not attempted:
                    if isinstance(error, Refused | EditError):
                        refused[kind] += 1
                    else:
                        errors_[f"{type(error).__name__}: {error} (before saving)"] += 1
                    continue
                counts["attempted"] += 1
                # Refused here: made again on top of another change, the rules refuse it now
                cause = "rules" if isinstance(error, Refused) else cause_of(error)
                causes[cause] += 1
                if cause == "rules":
                    refused[kind] += 1
                elif cause == "stale":
                    counts["stale"] += 1
                    stale_kinds[kind] += 1
                    if isinstance(error, store.StaleRoster):
                        counts["stale_named"] += f"changed by {error.by} at" in str(error)
                    stale_latencies.append(editor.save_seconds)
                elif cause == "district":
                    district_version = store.district_version(db)
                    editor.set_district(store.load_district(db), district_version)
                else:
                    errors_[f"{type(error).__name__}: {error}"] += 1
                seen = store.data_version(db)  # before reading: a later commit is noticed
                editor.reload()  # "your view is refreshed"
                continue
            counts["attempted"] += 1
            counts["committed"] += 1
            kinds[kind] += 1
            latencies.append(editor.save_seconds)
            if change.note:  # made again on top of another change: on the version before it
                counts["rebased"] += 1
                base_version, base = editor.version - 1, change.before
            saved = store.Roster(None, week, editor.status, editor.version, {}, editor.assignments)
            record = commit_record(
                kind, actor, base_version, base, change.after, saved, editor.save_seconds
            )
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
    db.close()
    summary = {
        "counts": dict(counts),
        "refused": dict(refused),
        "kinds": dict(kinds),
        "stale_kinds": dict(stale_kinds),
        "causes": dict(causes),
        "errors": dict(errors_),
        "latencies": latencies,
        "stale_latencies": stale_latencies,
    }
    print(json.dumps(summary), flush=True)


# --- the parent --------------------------------------------------------------------------


@dataclass
class LoadResult:
    procs: int
    seconds: float
    attempted: int = 0
    committed: int = 0
    stale: int = 0
    stale_named: int = 0
    other_errors: int = 0
    error_kinds: Counter = field(default_factory=Counter)
    refused_by_rules: Counter = field(default_factory=Counter)
    committed_by_kind: Counter = field(default_factory=Counter)
    stale_by_kind: Counter = field(default_factory=Counter)
    reloads: int = 0
    rebased: int = 0
    refusals: Counter = field(default_factory=Counter)  # saves refused, by cause
    cli_solves: list[str] = field(default_factory=list)  # outcome of each `roster solve`
    cli_refusals: Counter = field(default_factory=Counter)
    published: str = ""
    breaches_across: int = 0  # rest broken across the boundary with the next week
    breaches_across_messages: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    stale_latencies: list[float] = field(default_factory=list)
    # replay
    duplicate_versions: int = 0
    superseded_bases: int = 0  # commits made on a state other than the previous version's
    unaccounted_versions: int = 0  # version numbers no logged commit produced
    hash_mismatches: int = 0  # a replayed state differs from what its commit read back
    final_mismatch: bool = False
    audit_agrees: bool = False
    breaches_solved: int = 0
    breaches_final: int = 0
    breaches_by_solve: int = 0
    breaches_added_by_edits: int = 0
    # parent's actions
    solve_accepted: bool = False
    solve_tries: int = 0
    solve_version: int = 0
    solve_seconds: float = 0.0
    solve_error: str = ""
    backup_pages: int = 0
    backup_seconds: float = 0.0
    backup_version: int = 0
    backup_is_committed_state: bool = False
    backup_integrity: str = ""
    integrity: str = ""
    first_version: int = 0
    last_version: int = 0
    worker_failures: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return (
            self.duplicate_versions
            + self.superseded_bases
            + self.hash_mismatches
            + int(self.final_mismatch)
        )

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.unaccounted_versions == 0
            and self.integrity == "ok"
            and self.breaches_added_by_edits == 0
            and self.breaches_across == 0
            and not self.worker_failures
        )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def prepare_demo(path: Path, week: dt.date = MONDAY, time_limit: float = 5.0) -> None:
    """A fresh demo database with the week solved once and saved."""
    from roster.demo import load_demo
    from roster.solver import solve_week

    db = store.open_db(path)
    load_demo(db, week)
    district = store.load_district(db)
    result = solve_week(district, week, history=store.history(db, week), time_limit=time_limit)
    store.save_roster(
        db, week, result.assignments, stats={"status": result.status}, actor="bench-setup"
    )
    db.close()


def solve_again(db_path: Path, week: dt.date, time_limit: float, seed: int):
    """A new solve of the week (another seed), keeping its locks: ((result, the weeks
    around it was solved with, checked again when it is accepted), seconds)."""
    from roster.solver import solve_week

    db = store.open_db(db_path, create=False)
    try:
        t0 = time.perf_counter()
        roster = store.get_roster(db, week)
        around = store.neighbours(db, week)
        result = solve_week(
            store.load_district(db),
            week,
            history=around,
            locks=[a for a in roster.assignments if a.locked] if roster else [],
            time_limit=time_limit,
            seed=seed + 1,
            num_workers=1,
        )
        return (result, around), time.perf_counter() - t0
    finally:
        db.close()


def accept_solve(db_path: Path, week: dt.date, solved, out: list[dict], tries: int = 100):
    """Accept `result` with the version read, keeping the locks set meanwhile; reload and
    retry on stale. Returns (accepted, tries, version); the commit goes to `out`."""
    result, around = solved
    db = store.open_db(db_path, create=False)
    try:
        editor = TimedEditor(db, store.load_district(db), week, actor="bench-solver")
        for n in range(1, tries + 1):
            editor.reload()
            base_version, base = editor.version, tuple(editor.assignments)
            proposal = keep_locks(result.assignments, editor.locks())
            try:
                change = editor.replace_all(proposal, {"status": result.status}, around=around)
            except store.StaleRoster:
                continue
            except EditError as error:
                if is_stale_edit_error(error):
                    continue
                if "solve again" in str(error):
                    return False, n, 0
                raise
            saved = store.Roster(None, week, editor.status, editor.version, {}, editor.assignments)
            out.append(
                commit_record(
                    "solve", editor.actor, base_version, base, change.after, saved,
                    editor.save_seconds,
                )
            )  # fmt: skip
            return True, n, editor.version
        return False, tries, 0
    finally:
        db.close()


def take_backup(db_path: Path, target: Path, week: dt.date):
    """Online backup while the workers write: (pages, seconds, integrity, version, hash)."""
    from roster.backup import backup

    t0 = time.perf_counter()
    pages = backup(db_path, target)
    seconds = time.perf_counter() - t0
    con = sqlite3.connect(target)
    try:
        integrity = con.execute("pragma integrity_check").fetchone()[0]
        version, rows = stored_week(con, week)
    finally:
        con.close()
    return pages, seconds, integrity, version, content_hash(rows)


def replay(
    result: LoadResult,
    district,
    week: dt.date,
    history: list[Assignment],
    first: tuple[int, set[tuple]],
    commits: list[dict],
    final: tuple[int, set[tuple]],
    check: bool = True,
) -> dict[int, str]:
    """Replay the commits in version order from the first state; returns version → hash."""
    from roster.solver.checker import check_roster

    def breaches(state: set[tuple]) -> set[tuple]:
        duties = frozenset((d, c, p, s) for d, c, p, s, _locked, _source in state)
        if cache.get("duties") != duties:  # a lock changes no duty, so no breach either
            found = check_roster(district, week, [from_row(r) for r in state], history)
            cache["duties"], cache["keys"] = duties, {breach_key(b) for b in found}
        return cache["keys"]

    cache: dict = {}
    version, state = first
    hashes = {version: content_hash(state)}
    result.first_version = version
    if check:
        result.breaches_solved = len(breaches(state))
    by_version: dict[int, list[dict]] = {}
    for c in commits:
        by_version.setdefault(c["version"], []).append(c)
    result.duplicate_versions = sum(len(cs) - 1 for cs in by_version.values())
    for v in sorted(by_version):
        c = by_version[v][0]
        if v != version + 1:
            result.unaccounted_versions += max(0, v - version - 1)
        if c["base_version"] != version or c["base_hash"] != hashes[version]:
            result.superseded_bases += 1
        before_keys = breaches(state) if check and c["kind"] in (*CHECKED_KINDS, "solve") else None
        state = (state - {tuple(r) for r in c["removed"]}) | {tuple(r) for r in c["added"]}
        version = v
        hashes[v] = content_hash(state)
        if hashes[v] != c["hash"]:
            result.hash_mismatches += 1
        if before_keys is not None:
            added = len(breaches(state) - before_keys)
            if c["kind"] == "solve":
                result.breaches_by_solve += added
            else:
                result.breaches_added_by_edits += added
    result.last_version = version
    final_version, final_rows = final
    result.final_mismatch = final_version != version or content_hash(final_rows) != hashes[version]
    if check:
        result.breaches_final = len(breaches(final_rows))
    return hashes


def across(result: LoadResult, db_path: Path, week: dt.date, final) -> None:
    """Breaches of the final week that only the next stored week shows: rest across the
    boundary (what edits checked alone, or against a stale next week, used to let by)."""
    from roster.solver.checker import check_roster

    db = store.open_db(db_path, create=False)
    try:
        district = store.load_district(db)
        history, following = store.history(db, week), store.following(db, week)
    finally:
        db.close()
    rows = [from_row(r) for r in final[1]]
    alone = {breach_key(b) for b in check_roster(district, week, rows, history)}
    both = check_roster(district, week, rows, history, following=following)
    new = [b for b in both if breach_key(b) not in alone]
    result.breaches_across = len(new)
    result.breaches_across_messages = [b.message for b in new[:5]]


def audit_versions(db_path: Path, week: dt.date, after: int) -> list[tuple[int, str]]:
    """(version, actor) of every roster save of the week the audit log records after `after`."""
    con = sqlite3.connect(db_path)
    try:
        rows = con.execute(
            "select actor, details from audit where action like 'edit.%' or action = "
            "'solve.accept' order by id"
        ).fetchall()
    finally:
        con.close()
    out = []
    for actor, details in rows:
        d = json.loads(details)
        if d.get("week") == week.isoformat() and "version" in d and d["version"] > after:
            out.append((d["version"], actor))
    return sorted(out)


def run_load(
    db_path: Path,
    *,
    week: dt.date = MONDAY,
    procs: int = 8,
    seconds: float = 30.0,
    seed: int = 0,
    workdir: Path,
    solve_at: float | None = None,
    backup_at: float | None = None,
    solve_limit: float = 5.0,
    check: bool = True,
    think: float = 0.0,
    cli_solves: bool = True,
    echo=print,
) -> LoadResult:
    """Run the load on `db_path` (a roster for `week` must exist); replay and check.
    `cli_solves`: `roster solve` the next week twice at once, publish it, solve it again."""
    workdir.mkdir(parents=True, exist_ok=True)
    result = LoadResult(procs, seconds)
    db = store.open_db(db_path, create=False)
    district = store.load_district(db)
    history = store.history(db, week)
    db.close()
    con = sqlite3.connect(db_path)
    first = stored_week(con, week)
    con.close()

    workers = []
    for i in range(procs):
        log = workdir / f"worker{i}.jsonl"
        spec = {"db": str(db_path), "week": week.isoformat(), "seed": seed * 1000 + i,
                "actor": f"coord{i}", "log": str(log), "think": think}  # fmt: skip
        err = open(workdir / f"worker{i}.err", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", json.dumps(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        workers.append((proc, log, err))
    # the new solve is made while the workers start up; it is accepted mid-run
    try:
        solved, result.solve_seconds = solve_again(db_path, week, solve_limit, seed)
    except Exception as error:  # reported, and the run goes on
        solved, result.solve_error = None, f"{type(error).__name__}: {error}"
    for proc, _log, _err in workers:
        line = proc.stdout.readline().strip()
        if line != "ready":
            result.worker_failures.append(f"worker {proc.pid} did not start")
    start = time.time()
    deadline = start + seconds
    for proc, _log, _err in workers:
        proc.stdin.write(f"go {deadline}\n")
        proc.stdin.flush()
    echo(f"{procs} workers editing for {seconds:g} s …")

    parent_commits: list[dict] = []
    solve_at = seconds * 0.3 if solve_at is None else solve_at
    backup_at = seconds * 0.6 if backup_at is None else backup_at
    backup_info = None
    following = week + dt.timedelta(weeks=1)
    solving: list[subprocess.Popen] = []
    plan = [(solve_at, "solve"), (backup_at, "backup")]
    if cli_solves:
        plan += [(seconds * 0.1, "cli-solves"), (seconds * 0.5, "publish"),
                 (seconds * 0.7, "cli-solve")]  # fmt: skip

    def cli(*args: str, wait: bool = False):
        command = [sys.executable, "-m", "roster", *args, "--db", str(db_path)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "ROSTER_USER": "bench-cli"})  # fmt: skip
        if wait:
            proc.wait()
        return proc

    def cli_solve():
        return cli("solve", "--week", following.isoformat(), "--time-limit", f"{solve_limit:g}",
                   "--workers", "1")  # fmt: skip

    for at, action in sorted(plan):
        time.sleep(max(0.0, start + at - time.time()))
        if action == "cli-solves":
            solving += [cli_solve(), cli_solve()]
            echo(
                f"  two `roster solve` of the week of {following} ({time.time() - start:.1f} s in)"
            )
        elif action == "cli-solve":
            solving.append(cli_solve())
            echo(f"  `roster solve` of the week of {following} ({time.time() - start:.1f} s in)")
        elif action == "publish":
            for proc in solving:
                proc.wait()
            done = cli("publish", "--week", following.isoformat(), wait=True)
            result.published = "yes" if done.returncode == 0 else done.stderr.read().strip()
            echo(f"  `roster publish` of the week of {following}: {result.published} "
                 f"({time.time() - start:.1f} s in)")  # fmt: skip
        elif action == "solve":
            try:
                if solved is not None:
                    accepted, tries, version = accept_solve(db_path, week, solved, parent_commits)
                    result.solve_accepted, result.solve_tries = accepted, tries
                    result.solve_version = version
            except Exception as error:  # reported, and the run goes on
                result.solve_error = f"{type(error).__name__}: {error}"
            echo(
                f"  solve accepted: {'yes' if result.solve_accepted else 'no'} "
                f"({time.time() - start:.1f} s in)"
            )
        else:
            target = workdir / "backup.db"
            if target.exists():
                target.unlink()
            backup_info = take_backup(db_path, target, week)
            echo(f"  backup taken: {backup_info[0]} pages ({time.time() - start:.1f} s in)")

    for proc in solving:
        out, err_text = proc.communicate()
        if proc.returncode == 0:
            result.cli_solves.append("saved")
        else:
            lines = [ln for ln in err_text.splitlines() if ln.startswith("Error:")]
            line = lines[-1] if lines else err_text.strip()[-300:]
            cause = cause_of_line(line)
            result.cli_refusals[cause] += 1
            result.cli_solves.append(f"refused ({cause}): {line[:200]}")
            if "Traceback" in err_text or not lines:
                result.worker_failures.append(f"roster solve: {err_text[-1000:]}")

    commits = list(parent_commits)
    for proc, log, err in workers:
        out, _ = proc.communicate()
        err.close()
        lines = [ln for ln in out.splitlines() if ln.strip()]
        if proc.returncode != 0 or not lines:
            tail = (workdir / Path(err.name).name).read_text()[-2000:]
            result.worker_failures.append(f"worker {proc.pid} exit {proc.returncode}: {tail}")
            continue
        summary = json.loads(lines[-1])
        c = summary["counts"]
        result.attempted += c.get("attempted", 0)
        result.committed += c.get("committed", 0)
        result.stale += c.get("stale", 0)
        result.stale_named += c.get("stale_named", 0)
        result.reloads += c.get("reloads", 0)
        result.rebased += c.get("rebased", 0)
        result.refusals.update(summary.get("causes", {}))
        result.refused_by_rules.update(summary["refused"])
        result.committed_by_kind.update(summary["kinds"])
        result.stale_by_kind.update(summary["stale_kinds"])
        result.error_kinds.update(summary["errors"])
        result.latencies += summary["latencies"]
        result.stale_latencies += summary["stale_latencies"]
        with open(log, encoding="utf-8") as f:
            commits += [json.loads(line) for line in f if line.strip()]
    result.other_errors = sum(result.error_kinds.values())

    con = sqlite3.connect(db_path)
    try:
        final = stored_week(con, week)
        result.integrity = con.execute("pragma integrity_check").fetchone()[0]
    finally:
        con.close()
    echo(f"replaying {len(commits)} commits{' with the checker' if check else ''} …")
    hashes = replay(result, district, week, history, first, commits, final, check=check)
    if check:
        across(result, db_path, week, final)
    logged = sorted((c["version"], c["actor"]) for c in commits)
    result.audit_agrees = audit_versions(db_path, week, first[0]) == logged
    if backup_info is not None:
        pages, backup_s, integrity, version, digest = backup_info
        result.backup_pages, result.backup_seconds = pages, backup_s
        result.backup_integrity, result.backup_version = integrity, version
        result.backup_is_committed_state = hashes.get(version) == digest
    return result


def report(result: LoadResult, echo=print) -> None:
    ms = 1000.0
    r = result
    echo(f"edits attempted (saves)      {r.attempted}")
    echo(f"  committed                  {r.committed} (+{int(r.solve_accepted)} solve accepted)")
    echo(f"  refused as stale           {r.stale} (message names who and when: {r.stale_named})")
    echo(f"  made on top of a change    {r.rebased} (rebased, as the UI does)")
    echo("  refused, by cause          " + ", ".join(f"{k} {r.refusals[k]}" for k in CAUSES))
    echo(f"  other errors               {r.other_errors}")
    for text, n in r.error_kinds.most_common(5):
        echo(f"    {n} × {text[:160]}")
    echo(
        f"refused by the rules         {sum(r.refused_by_rules.values())} (not attempts: "
        + ", ".join(f"{k} {r.refused_by_rules[k]}" for k in KINDS)
        + ")"
    )
    echo(
        "committed / stale by kind    "
        + ", ".join(f"{k} {r.committed_by_kind[k]}/{r.stale_by_kind[k]}" for k in KINDS)
    )
    echo(f"views refreshed (data_version) {r.reloads}")
    echo(
        f"LOST UPDATES                 {r.lost} (duplicate versions {r.duplicate_versions}, "
        f"made on a superseded state {r.superseded_bases}, replay ≠ read back "
        f"{r.hash_mismatches}, final ≠ last commit {int(r.final_mismatch)})"
    )
    echo(
        f"versions                     {r.first_version} → {r.last_version}, unaccounted "
        f"{r.unaccounted_versions}; audit log agrees: {'yes' if r.audit_agrees else 'NO'}"
    )
    echo(
        f"commit latency               p50 {percentile(r.latencies, 0.5) * ms:.0f} ms, "
        f"p95 {percentile(r.latencies, 0.95) * ms:.0f} ms, "
        f"max {max(r.latencies, default=float('nan')) * ms:.0f} ms "
        f"(stale refusal p50 {percentile(r.stale_latencies, 0.5) * ms:.0f} ms)"
    )
    solve = (
        f"yes (version {r.solve_version}, try {r.solve_tries}, solve {r.solve_seconds:.1f} s)"
        if r.solve_accepted
        else f"NO {r.solve_error}"
    )
    echo(f"solve accepted               {solve}")
    echo(
        f"backup                       {r.backup_pages} pages in {r.backup_seconds:.2f} s, "
        f"integrity {r.backup_integrity}, version {r.backup_version} "
        f"{'= a committed state' if r.backup_is_committed_state else '≠ ANY COMMITTED STATE'}"
    )
    echo(
        f"checker breaches             solved week {r.breaches_solved}, final {r.breaches_final}; "
        f"added by edits {r.breaches_added_by_edits}, by the accepted solve {r.breaches_by_solve}"
    )
    if r.cli_solves:
        echo(f"roster solve (next week)     {len(r.cli_solves)}: "
             f"saved {r.cli_solves.count('saved')}, refused "
             + ", ".join(f"{k} {r.cli_refusals[k]}" for k in CAUSES if r.cli_refusals[k]))  # fmt: skip
        for outcome in r.cli_solves:
            echo(f"    {outcome}")
        echo(f"roster publish (next week)   {r.published or 'not run'}")
    echo(f"breaches across weeks        {r.breaches_across} (rest with the next stored week)")
    for message in r.breaches_across_messages:
        echo(f"    {message}")
    echo(f"integrity_check              {r.integrity}")
    for failure in r.worker_failures:
        echo(f"WORKER FAILED: {failure}")
    echo("RESULT                       " + ("ok" if r.ok else "FAILED"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solve-limit", type=float, default=5.0)
    parser.add_argument("--workdir", type=Path, help="default: a new temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-check", action="store_true", help="replay without the checker")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause before each edit, s (default 0)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_load_"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "demo.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    print(
        f"load check: {args.procs} processes × {args.seconds:g} s (think {args.think:g} s), "
        f"demo district, week of "
        f"{MONDAY}; {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    t0 = time.perf_counter()
    prepare_demo(db_path, MONDAY, args.solve_limit)
    with sqlite3.connect(db_path) as con:
        n = con.execute("select count(*) from assignments").fetchone()[0]
    print(f"demo loaded and solved in {time.perf_counter() - t0:.1f} s: {n} assignments")
    try:
        result = run_load(
            db_path,
            procs=args.procs,
            seconds=args.seconds,
            seed=args.seed,
            workdir=workdir,
            solve_limit=args.solve_limit,
            check=not args.no_check,
            think=args.think,
        )
        report(result)
    finally:
        if args.keep or args.workdir:
            print(f"work folder: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if not result.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
