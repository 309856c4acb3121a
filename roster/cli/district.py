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
from roster.i18n import N_, _
from roster.text import inert

ROSTER_STATUSES = (N_("draft"), N_("published"))  # stored in English, shown as _(status)


def create_demo(db_path: Path) -> str:
    from roster.demo import load_demo

    db = store.open_db(db_path)
    load_demo(db, today())
    c = store.counts(db)
    return _("{cadres} cadres, {posts} posts, {work_groups} work groups").format(
        cadres=c["cadres"], posts=c["posts"], work_groups=c["work_groups"]
    )


@click.command(help=_("Create an empty database, or one filled with the demo district."))
@db_option
@click.option("--demo", is_flag=True, help=_("Fill it with the bundled demo district."))
@click.option(
    "--force",
    is_flag=True,
    help=_(
        "Replace an existing database (a district coordinator, while nobody else has it "
        "open; its audit is kept)."
    ),
)
def init(db_path: Path, demo: bool, force: bool) -> None:
    """Create an empty database, or one filled with the demo district."""
    if db_path.exists():
        if not force:
            raise click.ClickException(
                inert(
                    _(
                        "{path} already exists; pass --force to replace it, or choose another --db"
                    ).format(path=db_path)
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
        click.echo(
            inert(
                _("Created {path} with the demo district: {summary}.").format(
                    path=db_path, summary=summary
                )
            )
        )
    else:
        store.open_db(db_path).close()
        click.echo(
            inert(
                _(
                    "Created empty database {path}; load a district with `roster import DIR`, "
                    "then add yourself first: `roster user add LOGIN --role district`."
                ).format(path=db_path)
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
            N_("replace the whole database (init --force)"),
            "init",
            {"replaced": True, "demo": demo},
            fill=fill,
        )
    except RestoreRefused as e:
        raise click.ClickException(inert(str(e))) from None
    if demo and not replaced.damaged:
        said = _("Replaced {path} with a new demo district (its audit is kept).")
    elif demo:
        said = _("Replaced {path} with a new demo district (the damaged one was replaced).")
    elif not replaced.damaged:
        said = _("Replaced {path} with a new empty database (its audit is kept).")
    else:
        said = _("Replaced {path} with a new empty database (the damaged one was replaced).")
    click.echo(inert(said.format(path=db_path)))


@click.command(
    "import",
    help=_(
        "Import KIND FILE (towns, units, shifts, posts, demand, cadres, absences, wishes,\n"
        "unit_days) or a DIR.\n\n"
        "All or nothing: a file with any problem is listed problem by problem and nothing is "
        "written."
    ),
)
@db_option
@click.argument("kind_or_dir")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--confirm",
    is_flag=True,
    help=_("Allow the files to change the status of recalled or withdrawn cadres."),
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
    require(db, N_("import district data"))
    try:
        if file is None:
            folder = Path(kind_or_dir)
            if not folder.is_dir():
                raise click.ClickException(
                    _(
                        "{folder} is not a folder; to import one file write "
                        "`roster import KIND FILE` with KIND one of {kinds}"
                    ).format(folder=kind_or_dir, kinds=_(", ").join(KINDS))
                )
            report = import_dir(db, folder, confirm=confirm)
        else:
            if kind_or_dir not in KINDS:
                raise click.ClickException(
                    _("unknown kind {kind}: use one of {kinds}").format(
                        kind=repr(kind_or_dir), kinds=_(", ").join(KINDS)
                    )
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


@click.command(help=_("Counts of the district and the week's demand against the cadres' capacity."))
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
    lines = (
        _("{towns} towns, {work_groups} work groups, {units} units"),
        _(
            "{posts} posts ({villages} villages, {communities} communities), {compounds} "
            "compounds ({compounds_no_property} without property manager, "
            "{compounds_no_security} without security)"
        ),
        _("{cadres} cadres ({cadres_active} active), {absences} absences"),
        _(
            "week of {monday}: demand {demand} shifts, capacity {capacity} "
            "({ratio:.1%} of capacity needed)"
        )
        if figures.demand_ratio is not None
        else _(
            "week of {monday}: demand {demand} shifts, capacity 0 (no active cadre can "
            "give a shift)"
        ),
    )
    facts = {
        **counts,
        "monday": monday,
        "demand": figures.demand,
        "capacity": figures.capacity,
        "ratio": figures.demand_ratio,
    }
    click.echo("\n".join(line.format(**facts) for line in lines))
    if roster is None:
        click.echo(
            _("no roster yet for this week: `roster solve --week {monday}`").format(
                monday=monday.isoformat()
            )
        )
    else:
        click.echo(
            _("roster: {status}, version {version}, {n} assignments").format(
                status=_(roster.status), version=roster.version, n=len(roster.assignments)
            )
        )
