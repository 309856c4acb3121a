"""Options, parameter types and helpers shared by every `roster` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import pendulum
from click.core import ParameterSource

from roster import store


class DateParam(click.ParamType):
    """An ISO date (YYYY-MM-DD) that exists in the calendar."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            parsed = pendulum.parse(str(value), exact=True)
        except (ValueError, pendulum.parsing.exceptions.ParserError):
            parsed = None
        if not isinstance(parsed, dt.date) or isinstance(parsed, dt.datetime):
            self.fail(
                f"{value!r} is not a real date: write it as YYYY-MM-DD, e.g. 2026-12-07", param, ctx
            )
        return dt.date(parsed.year, parsed.month, parsed.day)


DATE = DateParam()


def _inherit_db(ctx: click.Context, param: click.Parameter, value):
    """`roster --db X status` means X: a command's own --db, when not given, takes the one
    given to `roster` itself (on the command line or in $ROSTER_DB)."""
    given = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    if ctx.get_parameter_source(param.name) in given:
        return value
    parent = ctx.parent
    while parent is not None:
        if parent.get_parameter_source("db_path") in given:
            return parent.params["db_path"]
        parent = parent.parent
    return value


def db_option(func):
    return click.option(
        "--db",
        "db_path",
        envvar="ROSTER_DB",
        default=store.DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_inherit_db,
        help="The roster database (or $ROSTER_DB).",
    )(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(func)


def week_option(required: bool):
    return click.option(
        "--week",
        type=DATE,
        required=required,
        help="Any date in the week (Monday to Sunday, Asia/Shanghai).",
    )


def open_existing(db_path: Path):
    if not db_path.exists():
        raise click.ClickException(
            f"no roster database at {db_path}: create one with `roster init --db {db_path}` "
            "(add --demo for the demo district)"
        )
    return store.open_db(db_path)


def require(db, what: str, *, district: bool = True):
    """Refuse (and audit the attempt) unless the acting coordinator may do `what`."""
    from roster.access import NotAllowed, access_for, refuse

    access = access_for(db)
    try:
        if district:
            access.require_district(what)
        elif access.read_only:
            raise NotAllowed(f"{access.describe()}; cannot {what}")
    except NotAllowed as e:
        refuse(db, access, what, str(e))
        raise click.ClickException(str(e)) from None
    return access


def emit(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
