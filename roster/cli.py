"""The `roster` command: parses options and calls the core. No logic of its own lives here."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
from pathlib import Path

import click

from roster import store
from roster.cli_common import (
    db_option,
    emit,
    json_option,
    open_existing,
    require,
    today,
    week_option,
)
from roster.domain import week_start


class LazyGroup(click.Group):
    """Commands kept in other modules are imported only when they run (or --help lists
    them): `roster solve` need not load openpyxl and icalendar, nor `roster export` OR-Tools."""

    lazy = {
        "export": "roster.cli_exports:export",
        "now": "roster.cli_exports:now",
        "service": "roster.cli_exports:service",
        "relief": "roster.cli_relief:relief_cmd",
        "recall": "roster.cli_relief:recall_cmd",
        "bench": "roster.cli_bench:bench",
        "plan": "roster.cli_plan:plan_cmd",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, attr = self.lazy[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, invoke_without_command=True)
@db_option
@click.option(
    "--as",
    "as_user",
    metavar="LOGIN",
    help="Act as this coordinator instead of the OS login (for tests and scripts).",
)
@click.version_option(package_name="roster")
@click.pass_context
def cli(ctx: click.Context, db_path: Path, as_user: str | None) -> None:
    """Duty rosters for cadres at village and community checkpoints.

    Without a command, opens the terminal UI (creating the demo database on first run).
    """
    if as_user:
        os.environ["ROSTER_USER"] = as_user
    if ctx.invoked_subcommand is not None:
        return
    if not db_path.exists():
        report = create_demo(db_path)
        click.echo(
            f"No database at {db_path}: created one from the bundled demo district "
            f"({report}). Use --db or $ROSTER_DB to open another."
        )
    from roster.app import run_app

    run_app(db_path)


def create_demo(db_path: Path) -> str:
    from roster.demo import load_demo

    db = store.open_db(db_path)
    load_demo(db, today())
    c = store.counts(db)
    return f"{c['cadres']} cadres, {c['posts']} posts, {c['work_groups']} work groups"


@cli.command()
@db_option
@click.option("--demo", is_flag=True, help="Fill it with the bundled demo district.")
@click.option("--force", is_flag=True, help="Replace an existing database file.")
def init(db_path: Path, demo: bool, force: bool) -> None:
    """Create an empty database, or one filled with the demo district."""
    if db_path.exists():
        if not force:
            raise click.ClickException(
                f"{db_path} already exists; pass --force to replace it, or choose another --db"
            )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    if demo:
        try:
            summary = create_demo(db_path)
        except Exception:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            raise
        click.echo(f"Created {db_path} with the demo district: {summary}.")
    else:
        store.open_db(db_path)
        click.echo(f"Created empty database {db_path}; load a district with `roster import DIR`.")


@cli.command("import")
@db_option
@click.argument("kind_or_dir")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@json_option
def import_(db_path: Path, kind_or_dir: str, file: Path | None, as_json: bool) -> None:
    """Import KIND FILE (towns, units, shifts, posts, demand, cadres, absences) or a DIR.

    All or nothing: a file with any problem is listed problem by problem and nothing is written.
    """
    from roster.importer import KINDS, ImportFailed, import_dir, import_file

    db = store.open_db(db_path)
    require(db, "import district data")
    try:
        if file is None:
            folder = Path(kind_or_dir)
            if not folder.is_dir():
                raise click.ClickException(
                    f"{kind_or_dir} is not a folder; to import one file write "
                    f"`roster import KIND FILE` with KIND one of {', '.join(KINDS)}"
                )
            report = import_dir(db, folder)
        else:
            if kind_or_dir not in KINDS:
                raise click.ClickException(
                    f"unknown kind {kind_or_dir!r}: use one of {', '.join(KINDS)}"
                )
            report = import_file(db, kind_or_dir, file)
    except ImportFailed as failed:
        for problem in failed.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(failed.summary()) from None
    if as_json:
        emit(report.to_json())
    else:
        click.echo(str(report))


@cli.command()
@db_option
@week_option(required=False)
@json_option
def status(db_path: Path, week: dt.date | None, as_json: bool) -> None:
    """Counts of the district and the week's demand against the cadres' capacity."""
    from roster.figures import week_figures

    db = open_existing(db_path)
    monday = week_start(week or today())
    counts = store.counts(db)
    figures = week_figures(store.load_district(db), monday)
    roster = store.get_roster(db, monday)
    data = {
        **counts,
        "week": figures.to_json(),
        "roster": None
        if roster is None
        else {
            "status": roster.status,
            "version": roster.version,
            "assignments": len(roster.assignments),
        },
    }
    if as_json:
        emit(data)
        return
    click.echo(
        f"{counts['towns']} towns, {counts['work_groups']} work groups, {counts['units']} units\n"
        f"{counts['posts']} posts ({counts['villages']} villages, {counts['communities']} communities), "
        f"{counts['compounds']} compounds ({counts['compounds_no_property']} without property "
        f"manager, {counts['compounds_no_security']} without security)\n"
        f"{counts['cadres']} cadres ({counts['cadres_active']} active), {counts['absences']} absences\n"
        f"week of {monday}: demand {figures.demand} shifts, capacity {figures.capacity} "
        f"({figures.demand_ratio:.1%} of capacity needed)"
    )
    if roster is None:
        click.echo("no roster yet for this week: `roster solve --week " + monday.isoformat() + "`")
    else:
        click.echo(
            f"roster: {roster.status}, version {roster.version}, {len(roster.assignments)} assignments"
        )


@cli.command()
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
    """Build the draft roster of the week: keeps locked cells, reports what is unmet and why."""
    from roster.plan import later_weeks, solve_and_save

    db = open_existing(db_path)
    if not dry_run:
        require(db, "replace the district's roster")
    monday = week_start(week)
    district = store.load_district(db)
    current = store.get_roster(db, monday)
    if current is not None and current.status == "published" and not dry_run:
        raise click.ClickException(
            f"the week of {monday} is published; re-solving it would replace what people were "
            "told. Use --dry-run to see a new solution, or settle changes as relief requests."
        )
    data = solve_and_save(
        db, district, monday, time_limit=time_limit, seed=seed, workers=workers, fresh=fresh,
        save=not dry_run,
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
    click.echo("saved as a draft" if "saved_version" in data else "not saved (--dry-run or empty)")


@cli.command()
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
    breaches = check_roster(district, monday, roster.assignments, history=store.history(db, monday))
    if as_json:
        emit({"week": monday.isoformat(), "breaches": [b.to_json() for b in breaches]})
    else:
        for breach in breaches:
            click.echo(f"{breach.rule}: {breach.message}")
        click.echo(f"{len(breaches)} breach(es) in the roster of the week of {monday}")
    if breaches:
        sys.exit(1)


@cli.command()
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


@cli.group()
def user() -> None:
    """Coordinators: who may change which towns (district, town, inspector)."""


@user.command("add")
@db_option
@click.argument("login")
@click.option("--role", type=click.Choice(["district", "town", "inspector"]), required=True)
@click.option("--town", "towns", multiple=True, help="A town this coordinator manages (repeat).")
def user_add(db_path: Path, login: str, role: str, towns: tuple[str, ...]) -> None:
    """Add LOGIN (an OS user name) as a coordinator, or change their role and towns."""
    from roster.access import add_user

    db = open_existing(db_path)
    access = require(db, "add coordinators")
    try:
        add_user(db, login, role, list(towns), access)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{login}: {role}" + (f" for {', '.join(towns)}" if towns else ""))


@user.command("remove")
@db_option
@click.argument("login")
def user_remove(db_path: Path, login: str) -> None:
    """Remove LOGIN from the coordinators (they become read-only)."""
    from roster.access import remove_user

    db = open_existing(db_path)
    access = require(db, "remove coordinators")
    try:
        remove_user(db, login, access)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"removed {login}")


@user.command("list")
@db_option
@json_option
def user_list(db_path: Path, as_json: bool) -> None:
    """List the coordinators with their roles and towns."""
    from roster.access import access_for, list_users

    db = open_existing(db_path)
    users = list_users(db)
    if as_json:
        emit({"users": users, "you": access_for(db).describe()})
        return
    for u in users:
        click.echo(f"{u['user']:<16} {u['role']:<10} {', '.join(u['towns'])}")
    click.echo(f"you: {access_for(db).describe()}")


@cli.command()
@db_option
@week_option(required=False)
@click.option("--actor", help="Only entries by this login.")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True)
@json_option
def audit(
    db_path: Path, week: dt.date | None, actor: str | None, limit: int, as_json: bool
) -> None:
    """Who changed what and when, newest first."""
    db = open_existing(db_path)
    entries = store.audit_entries(
        db, actor=actor, limit=limit, week=week_start(week) if week else None
    )
    if as_json:
        emit({"entries": [e.__dict__ for e in entries]})
        return
    for e in entries:
        click.echo(f"{e.at}  {e.actor:<12} {e.action:<14} {e.details}")


@cli.command("backup")
@db_option
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_cmd(db_path: Path, target: Path) -> None:
    """Copy the database to TARGET while others keep working (SQLite online backup)."""
    from roster.backup import backup

    open_existing(db_path).close()
    try:
        pages = backup(db_path, target)
    except FileExistsError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"backed up {db_path} to {target} ({pages} pages)")


@cli.command("restore")
@db_option
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_cmd(db_path: Path, source: Path, yes: bool) -> None:
    """Replace the database with the backup SOURCE; refused while others have it open."""
    from roster.backup import RestoreRefused, restore

    db = open_existing(db_path)
    require(db, "restore a backup")
    db.close()
    if not yes:
        click.confirm(f"Replace everything in {db_path} with {source}?", abort=True)
    try:
        restore(db_path, source)
    except RestoreRefused as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"restored {db_path} from {source}")


def main() -> None:
    cli(prog_name="roster")


if __name__ == "__main__":
    main()
