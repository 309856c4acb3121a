"""`roster export`, `roster now` and `roster service`: option parsing over the core modules
`roster.exports`, `roster.now` and `roster.service`.

roster/cli.py imports this module at its end to register the commands, after defining the
helpers used here: import `roster.cli`, not this module, to get them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from roster import exports, store
from roster import service as service_core
from roster.cli.common import DATE, db_option, emit, json_option, open_existing
from roster.clock import local, today
from roster.clock import now as now_local
from roster.i18n import _
from roster.now import on_duty, parse_moment, weeks_needed


class DateTimeParam(click.ParamType):
    """A moment in Asia/Shanghai time: "2026-12-08 03:00", an ISO datetime (an explicit offset
    is respected), or "HH:MM" for today."""

    name = "DATETIME"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.datetime):
            return local(value)
        try:
            return parse_moment(str(value), today())
        except ValueError as error:
            self.fail(str(error), param, ctx)


DATETIME = DateTimeParam()


@click.command(
    help=_(
        "Write the week's duty sheets, cadre schedules, unit lists, calendars or SMS texts.\n\n"
        "Computed from the stored roster. XLSX duty sheets: one workbook, a sheet per town."
    )
)
@db_option
@click.option(
    "--week", type=DATE, required=True, help=_("Any date in the week (Monday to Sunday).")
)
@click.option(
    "--by",
    type=click.Choice(exports.BY),
    help=_("One list per post, per cadre or per dispatching unit (ics and sms: cadre)."),
)
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), required=True)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=_("Folder to write into (created if missing)."),
)
@click.option(
    "--changed-only",
    is_flag=True,
    help=_("Only cadres whose week was changed by relief (--by cadre, e.g. for SMS)."),
)
@json_option
def export(
    db_path: Path,
    week: dt.date,
    by: str | None,
    fmt: str,
    out_dir: Path,
    changed_only: bool,
    as_json: bool,
) -> None:
    """Write the week's duty sheets, cadre schedules, unit lists, calendars or SMS texts.

    Computed from the stored roster. XLSX duty sheets: one workbook, a sheet per town.
    """
    if by is None:
        if fmt not in ("ics", "sms"):
            raise click.ClickException(
                _(
                    "say which lists to write: --by post, --by cadre or --by unit "
                    "(with --format {format})"
                ).format(format=fmt)
            )
        by = "cadre"
    if changed_only and by != "cadre":
        raise click.ClickException(_("--changed-only works with --by cadre (e.g. --format sms)"))
    db = open_existing(db_path)
    try:
        done = exports.export_lists(db, week, by, fmt, out_dir, changed_only=changed_only)
    except exports.ExportError as error:
        raise click.ClickException(str(error)) from None
    if done.cadres == 0:  # changed only, and nobody's week changed
        if as_json:
            emit({"week": done.monday.isoformat(), "files": [], "cadres": 0})
        else:
            click.echo(done.summary())
        return
    if done.draft:
        click.echo(
            _("note: the roster of the week of {monday} is a draft (not yet published)").format(
                monday=done.monday
            ),
            err=True,
        )
    if as_json:
        emit(
            {
                "week": done.monday.isoformat(),
                "by": by,
                "format": fmt,
                "files": [str(p) for p in done.paths],
                **({"cadres": done.cadres} if done.cadres is not None else {}),
            }
        )
        return
    for path in done.paths:
        click.echo(str(path))
    click.echo(
        _("wrote {n} file(s) for the week of {monday} into {folder}").format(
            n=len(done.paths), monday=done.monday, folder=out_dir
        )
    )


@click.command(
    help=_("Who is on duty at a moment, including night shifts that began the day before.")
)
@db_option
@click.option("--post", help=_("A post's code (or its exact name)."))
@click.option("--town", help=_("Every post of this town (its name)."))
@click.option("--at", type=DATETIME, help=_("The moment (default: now, Asia/Shanghai)."))
@json_option
def now(
    db_path: Path, post: str | None, town: str | None, at: dt.datetime | None, as_json: bool
) -> None:
    """Who is on duty at a moment, including night shifts that began the day before."""
    db = open_existing(db_path)
    moment = (at or now_local()).replace(microsecond=0)
    rosters = {monday: store.get_roster(db, monday) for monday in weeks_needed(moment)}
    if all(r is None for r in rosters.values()):
        weeks = _(" or ").join(str(m) for m in rosters)
        raise click.ClickException(
            _(
                "no roster for the week of {weeks}, so nobody is scheduled at {moment}: solve "
                "that week first, or give another --at"
            ).format(weeks=weeks, moment=f"{moment:%Y-%m-%d %H:%M}")
        )
    district = store.load_district(db)

    def assignments(monday: dt.date):
        roster = rosters.get(monday)
        return roster.assignments if roster else None

    try:
        found = on_duty(district, assignments, moment, post=post, town=town)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    drafts = [str(m) for m, r in rosters.items() if r is not None and r.status != "published"]
    if as_json:
        emit(
            {
                "at": moment.isoformat(),
                "draft_weeks": drafts,
                "on_duty": [d.to_json(district) for d in found],
            }
        )
        return
    if post:
        where = _(" at {post}").format(post=post)
    else:
        where = _(" in {town}").format(town=town) if town else ""
    if drafts:
        click.echo(
            _("note: the roster of the week of {weeks} is a draft").format(weeks=", ".join(drafts)),
            err=True,
        )
    at = f"{moment:%Y-%m-%d %H:%M}"
    if not found:
        click.echo(
            _("nobody is on duty{where} at {moment} (Asia/Shanghai)").format(where=where, moment=at)
        )
        return
    click.echo(
        _("on duty{where} at {moment} (Asia/Shanghai): {n}").format(
            where=where, moment=at, n=len(found)
        )
    )
    for d in found:
        click.echo(
            f"  {d.town.name} {d.post.code} {d.post.name}  {d.shift.name} "
            f"{d.start:%m-%d %H:%M}–{d.end:%m-%d %H:%M}  {d.cadre.name} {d.cadre.phone}"
            + (_("  (relief)") if d.source == "relief" else "")
        )


@click.command(
    help=_("Service records per cadre: days, nights, weekends, relief taken and given, commute.")
)
@db_option
@click.option("--from", "start", type=DATE, required=True, help=_("First day counted."))
@click.option("--to", "end", type=DATE, required=True, help=_("Last day counted."))
@click.option("--unit", help=_("Only the cadres of this dispatching unit (its name)."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(service_core.FORMATS),
    help=_("Default: from the --out file's suffix (.xlsx or else csv)."),
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@json_option
def service(
    db_path: Path,
    start: dt.date,
    end: dt.date,
    unit: str | None,
    fmt: str | None,
    out: Path,
    as_json: bool,
) -> None:
    """Service records per cadre: days, nights, weekends, relief taken and given, commute."""
    db = open_existing(db_path)
    try:
        report = service_core.service_report(db, start, end, unit)
    except (ValueError, LookupError) as error:
        raise click.ClickException(str(error)) from None
    if not report.weeks:
        raise click.ClickException(
            _(
                "no roster is stored for any week from {start} to {end}: nothing to count; "
                "check the dates"
            ).format(start=start, end=end)
        )
    fmt = fmt or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    try:
        path = service_core.write_service(report, fmt, out)
    except ValueError as error:  # exports.ExportError too: a folder in the way, a full disk
        raise click.ClickException(str(error)) from None
    exports.audit_export(db, service_core.service_details(report, path))
    for note in report.notes():
        click.echo(note, err=True)
    if as_json:
        emit(
            {
                "file": str(path),
                "from": start.isoformat(),
                "to": end.isoformat(),
                "unit": report.unit.name if report.unit else None,
                "weeks": [m.isoformat() for m in report.weeks],
                "records": [r.values() for r in report.records],
            }
        )
        return
    click.echo(
        _("wrote service records of {n} cadre(s) to {path}").format(
            n=len(report.records), path=path
        )
    )


@click.command(
    help=_("What changed in a published week since publishing, and who must be told (with texts).")
)
@db_option
@click.option(
    "--week", type=DATE, required=True, help=_("Any date in the week (Monday to Sunday).")
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=_("Also write the list (phone, change, text to send) as one CSV into this folder."),
)
@json_option
def changes(db_path: Path, week: dt.date, out_dir: Path | None, as_json: bool) -> None:
    """What changed in a published week since publishing, and who must be told (with texts)."""
    from roster.changes import since_published, write_changes
    from roster.domain import week_start

    db = open_existing(db_path)
    monday = week_start(week)
    found = since_published(db, monday)
    if found is None:
        raise click.ClickException(
            _("the week of {monday} is not published: nobody has been told anything yet").format(
                monday=monday
            )
        )
    if as_json:
        emit(
            {
                "week": monday.isoformat(),
                "duties": found.duties,
                "people": [p.__dict__ for p in found.people],
            }
        )
    else:
        click.echo(_("week of {monday}: {summary}").format(monday=monday, summary=found.summary()))
        for p in found.people:
            told = _("told") if p.told else _("new ")
            click.echo(
                _("{told} {code} {name} {phone}: {change}").format(
                    told=told, code=p.code, name=p.name, phone=p.phone, change=p.change_shown
                )
            )
            click.echo(f"     {p.sms}")
    if out_dir is not None and found.people:
        try:
            path = write_changes(found, out_dir)
        except exports.ExportError as error:
            raise click.ClickException(str(error)) from None
        exports.audit_export(
            db, {"week": monday.isoformat(), "by": "changes", "people": len(found.people),
                 "folder": str(out_dir.resolve())},
        )  # fmt: skip
        click.echo(_("wrote {path}").format(path=path), err=as_json)
