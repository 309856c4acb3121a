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
@click.option("--fresh", is_flag=True, help="Ignore the week's current roster (locks still kept).")
@json_option
def solve(db_path: Path, week: dt.date, time_limit: float, seed: int, workers: int,
          dry_run: bool, fresh: bool, as_json: bool) -> None:  # fmt: skip
    """Build the draft roster of the week: keeps locked cells, stays close to the week's
    current roster (--fresh: a clean slate), reports what is unmet and why."""
    from roster.plan import later_weeks, solve_and_save

    db = open_existing(db_path)
    if not dry_run:
        require(db, "replace the district's roster")
    monday = week_start(week)
    district_version = store.district_version(db)  # before the district it versions
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
    data = solve_and_save(
        db, district, monday, time_limit=time_limit, seed=seed, workers=workers, fresh=fresh,
        save=not dry_run, current=current, district_version=district_version,
    )  # fmt: skip
    later = later_weeks(db, monday, district) if not dry_run else []
    if later:
        click.echo(
            f"warning: {len(later)} stored week(s) after this one count it as history "
            f"({', '.join(w.isoformat() for w in later)}); re-plan them with `roster plan "
            f"--from {later[0]} --weeks {len(later)}`",
            err=True,
        )
    if as_json:
        emit(data)
        return
    click.echo(
        f"week of {monday}: {data['status']}, objective {data['objective']}, bound "
        f"{data['bound']}, gap {data['gap']:.2%}, {data['seconds']:.2f} s, "
        f"{len(data['assignments'])} assignments"
    )
    unmet_slots = sum(u["required"] - u["covered"] for u in data["unmet"])
    click.echo(
        f"unmet: {unmet_slots} shift slots at {len({u['post_id'] for u in data['unmet']})} posts"
    )
    n, w, pc = data["fairness"]["nights"], data["fairness"]["weekends"], data["post_changes"]
    click.echo(
        f"nights over {data['fairness']['weeks']} weeks among the {n['cadres']} cadres who could "
        f"do them: {n['none']} none, most {n['max']}, top 10 % carry {n['top10_share']:.0%}, "
        f"Gini {n['gini']:.2f}; weekend duties Gini {w['gini']:.2f}"
    )
    click.echo(
        f"changed post since last week: {pc['total']} (rotation {pc['rotation']}, absence "
        f"{pc['absence']}, coverage {pc['coverage']})"
    )
    ch = data["changes"]
    if ch:
        why = ", ".join(f"{k} {v}" for k, v in ch["why"].items() if v) or "none"
        click.echo(
            f"against the roster it had: {ch['duties_changed']} of {ch['duties']} duties changed "
            f"({why}), {ch['cadres_changed_post']} cadres at another post"
        )
    for line in data["explanations"]:
        click.echo(f"  - {line}")
    wishes = (data.get("stats") or {}).get("wishes") or data.get("wishes") or {}
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
