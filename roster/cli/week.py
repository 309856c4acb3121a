"""`roster solve`, `roster check`, `roster publish`: a week's roster."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from roster import store
from roster.cli.common import (
    db_option,
    emit,
    json_option,
    open_existing,
    require,
    week_option,
)
from roster.domain import week_start
from roster.errors import NoDistrict


@click.command()
@db_option
@week_option(required=True)
@click.option("--time-limit", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=click.IntRange(0, 64), default=2, show_default=True,
              help="CP-SAT search workers (0 = all cores).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Solve and report, but do not save the roster.")
@json_option
def solve(db_path: Path, week: dt.date, time_limit: float, seed: int, workers: int,
          dry_run: bool, as_json: bool) -> None:  # fmt: skip
    """Build the draft roster of the week: keeps locked cells, reports what is unmet and why."""
    from roster.edits import cross_week_recheck
    from roster.solver import solve_week

    db = open_existing(db_path)
    if not dry_run:
        require(db, "replace the district's roster")
    monday = week_start(week)
    district_version = store.district_version(db)
    district = store.load_district(db)
    if not district.cadres or not district.posts:
        raise NoDistrict(
            f"{db_path} holds no district to roster (no posts or no cadres): load one with "
            "`roster import DIR`"
        )
    current = store.get_roster(db, monday)
    if current is not None and current.status == "published" and not dry_run:
        raise click.ClickException(
            f"the week of {monday} is published; re-solving it would replace what people were "
            "told. Use --dry-run to see a new solution, or settle changes as relief requests."
        )
    locks = [a for a in current.assignments if a.locked] if current else []
    neighbours_seen = store.neighbour_versions(db, monday)  # read before the weeks themselves
    around = store.neighbours(db, monday)
    result = solve_week(
        district, monday, history=around, locks=locks,
        time_limit=time_limit, seed=seed, num_workers=workers,
    )  # fmt: skip
    data = result.to_json()
    if not dry_run and result.assignments:
        stats = {k: v for k, v in data.items() if k != "assignments"}
        # Saved only over the roster it started from (none: version 0), never over a
        # published week, and only if the district is still the one it solved.
        saved = store.save_roster(
            db, monday, result.assignments, stats=stats,
            expected_version=current.version if current else 0, draft=True,
            district_version=district_version, neighbours_seen=neighbours_seen,
            recheck=cross_week_recheck(district, monday, result.assignments, around),
        )  # fmt: skip
        data["saved_version"] = saved.version
    if as_json:
        emit(data)
        return
    click.echo(
        f"week of {monday}: {result.status}, objective {result.objective}, bound {result.bound}, "
        f"gap {result.gap:.2%}, {result.seconds:.2f} s, {len(result.assignments)} assignments"
    )
    unmet_slots = sum(u.required - u.covered for u in result.unmet)
    click.echo(
        f"unmet: {unmet_slots} shift slots at {len({u.post_id for u in result.unmet})} posts"
    )
    for line in result.explanations:
        click.echo(f"  - {line}")
    wishes = result.stats.get("wishes") or {}
    if wishes.get("total"):
        click.echo(f"wishes: {wishes['met']} of {wishes['total']} met")
        for u in wishes["unmet"]:
            click.echo(
                f"  - {u['cadre_name']} ({u['cadre_code']}) {u['kind']} {u['when']}: not met on "
                f"{', '.join(u['days'])} ({', '.join(u['reasons'])})"
            )
    click.echo("saved as a draft" if "saved_version" in data else "not saved (--dry-run or empty)")


@click.command()
@db_option
@week_option(required=True)
@json_option
def check(db_path: Path, week: dt.date, as_json: bool) -> None:
    """Check the stored roster against every hard rule; exit 1 and list each breach."""
    from roster.solver.checker import check_roster

    db = open_existing(db_path)
    monday = week_start(week)
    roster = store.get_roster(db, monday)
    if roster is None:
        raise click.ClickException(f"no roster for the week of {monday}: run `roster solve` first")
    district = store.load_district(db)
    breaches = check_roster(
        district, monday, roster.assignments, history=store.history(db, monday),
        following=store.following(db, monday),
    )  # fmt: skip
    if as_json:
        emit({"week": monday.isoformat(), "breaches": [b.to_json() for b in breaches]})
    else:
        for breach in breaches:
            click.echo(f"{breach.rule}: {breach.message}")
        click.echo(f"{len(breaches)} breach(es) in the roster of the week of {monday}")
    if breaches:
        sys.exit(1)


@click.command()
@db_option
@week_option(required=True)
def publish(db_path: Path, week: dt.date) -> None:
    """Mark the week published; later edits are recorded as changes to it."""
    db = open_existing(db_path)
    require(db, "publish the roster")
    monday = week_start(week)
    try:
        store.publish_roster(db, monday)
    except LookupError as missing:
        raise click.ClickException(str(missing)) from None
    click.echo(f"published the roster of the week of {monday}")
