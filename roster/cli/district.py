"""`roster init`, `roster import`, `roster status`: the district's data."""

from __future__ import annotations

import datetime as dt
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
from roster.clock import today
from roster.domain import week_start
from roster.text import inert


def create_demo(db_path: Path) -> str:
    from roster.demo import load_demo

    db = store.open_db(db_path)
    load_demo(db, today())
    c = store.counts(db)
    return f"{c['cadres']} cadres, {c['posts']} posts, {c['work_groups']} work groups"


@click.command()
@db_option
@click.option("--demo", is_flag=True, help="Fill it with the bundled demo district.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing database (a district coordinator, while nobody else has it "
    "open; its audit is kept).",
)
def init(db_path: Path, demo: bool, force: bool) -> None:
    """Create an empty database, or one filled with the demo district."""
    if db_path.exists():
        if not force:
            raise click.ClickException(
                inert(
                    f"{db_path} already exists; pass --force to replace it, or choose another --db"
                )
            )
        replace(db_path, demo)
        return
    if demo:
        try:
            summary = create_demo(db_path)
        except Exception:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            raise
        click.echo(inert(f"Created {db_path} with the demo district: {summary}."))
    else:
        store.open_db(db_path).close()
        click.echo(
            inert(
                f"Created empty database {db_path}; load a district with `roster import DIR`, "
                "then add yourself first: `roster user add LOGIN --role district`."
            )
        )


def replace(db_path: Path, demo: bool) -> None:
    """`init --force`: a new database in place of the live one, guarded and audited."""
    from roster.backup import RestoreRefused, replace_database

    def fill(db) -> None:
        if demo:
            from roster.demo import load_demo

            load_demo(db, today())

    try:
        replaced = replace_database(
            db_path,
            "replace the whole database (init --force)",
            "init",
            {"replaced": True, "demo": demo},
            fill=fill,
        )
    except RestoreRefused as e:
        raise click.ClickException(inert(str(e))) from None
    kept = " (its audit is kept)" if not replaced.damaged else " (the damaged one was replaced)"
    click.echo(
        inert(
            f"Replaced {db_path} with a new "
            + ("demo district" if demo else "empty database")
            + kept
            + "."
        )
    )


@click.command("import")
@db_option
@click.argument("kind_or_dir")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--confirm",
    is_flag=True,
    help="Allow the files to change the status of recalled or withdrawn cadres.",
)
@json_option
def import_(
    db_path: Path, kind_or_dir: str, file: Path | None, confirm: bool, as_json: bool
) -> None:
    """Import KIND FILE (towns, units, shifts, posts, demand, cadres, absences, wishes,
    unit_days) or a DIR.

    All or nothing: a file with any problem is listed problem by problem and nothing is written.
    """
    from roster.importer import KINDS, ImportFailed, import_dir, import_file

    db = open_existing(db_path)
    require(db, "import district data")
    try:
        if file is None:
            folder = Path(kind_or_dir)
            if not folder.is_dir():
                raise click.ClickException(
                    f"{kind_or_dir} is not a folder; to import one file write "
                    f"`roster import KIND FILE` with KIND one of {', '.join(KINDS)}"
                )
            report = import_dir(db, folder, confirm=confirm)
        else:
            if kind_or_dir not in KINDS:
                raise click.ClickException(
                    f"unknown kind {kind_or_dir!r}: use one of {', '.join(KINDS)}"
                )
            report = import_file(db, kind_or_dir, file, confirm=confirm)
    except ImportFailed as failed:
        for problem in failed.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(failed.summary()) from None
    if as_json:
        emit(report.to_json())
    else:
        click.echo(str(report))


@click.command()
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
