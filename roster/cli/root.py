"""The `roster` command group: the UI when no command is given, every command loaded
from the module of its group only when it runs."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from roster.cli.common import (
    bind_identity,
    db_option,
    inert_output,
    wrap_help_by_cells,
)
from roster.i18n import N_, _, ngettext
from roster.text import inert

# Click's own words, translated in roster's catalogue (the rest stay click's English): the
# usage line, the help's sections, the error line's prefix and the commonest mistakes.
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Missing option"),
    N_("Missing argument"),
    N_("Missing command."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("file"),  # the metavars of paths: --db 文件, --out 文件夹
    N_("directory"),
    N_("path"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("{value!r} is not one of {choices}."),  # said by `invalid_choice` below
)


def click_speaks_roster() -> None:
    """Click looks its words up through roster's catalogue (in the language chosen by the
    `roster` command), so a Chinese error line is Chinese from its first word."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting,
                   click.parser, click.termui, click.types):  # fmt: skip
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    wrap_help_by_cells()

    from roster import i18n

    choice_message = click.types.Choice.get_invalid_choice_message

    def invalid_choice(self, value, ctx):
        # click's plural pair has {choice} in one form and {choices} in the other: one
        # Chinese form cannot keep both, so the message is roster's own
        if i18n.current() == "en":
            return choice_message(self, value, ctx)
        choices = ", ".join(repr(c) for c in self.choices)
        return _("{value!r} is not one of {choices}.").format(value=value, choices=choices)

    missing_message = click.exceptions.MissingParameter.format_message

    def missing(self) -> str:
        # click ends "Missing argument 'X'" with its own "."
        said = missing_message(self)
        if i18n.current() == "en":
            return said
        head, dot, tail = said.partition(".")
        return f"{head}。{tail}" if dot else said

    click.types.Choice.get_invalid_choice_message = invalid_choice
    click.exceptions.MissingParameter.format_message = missing


click_speaks_roster()


def use_language(value: str | None) -> None:
    """`--lang` given to the group itself (the `roster` command has chosen before)."""
    if value:
        from roster import i18n

        i18n.use(value)


class LazyGroup(click.Group):
    """Commands kept in other modules are imported only when they run (or --help lists
    them): `roster solve` need not load openpyxl and icalendar, nor `roster export` OR-Tools."""

    lazy = {
        "init": "roster.cli.district:init",
        "import": "roster.cli.district:import_",
        "status": "roster.cli.district:status",
        "solve": "roster.cli.week:solve",
        "check": "roster.cli.week:check",
        "publish": "roster.cli.week:publish",
        "user": "roster.cli.users:user",
        "audit": "roster.cli.users:audit",
        "backup": "roster.cli.backup:backup_cmd",
        "restore": "roster.cli.backup:restore_cmd",
        "export": "roster.cli.exports:export",
        "changes": "roster.cli.exports:changes",
        "now": "roster.cli.exports:now",
        "service": "roster.cli.exports:service",
        "relief": "roster.cli.relief:relief_cmd",
        "recall": "roster.cli.relief:recall_cmd",
        "bench": "roster.cli.bench:bench",
        "settings": "roster.cli.settings:settings",
        "plan": "roster.cli.plan:plan_cmd",
        "wish": "roster.cli.wishes:wish",
    }

    def invoke(self, ctx: click.Context):
        try:
            if not ctx._protected_args:  # the terminal UI: Textual writes to the terminal
                return super().invoke(ctx)
            with inert_output():
                return super().invoke(ctx)
        except PermissionError as e:
            where = e.filename or _("the database")
            raise click.ClickException(
                inert(
                    _(
                        "you cannot open {where}: on a shared server roster runs through its "
                        "service account (`sudo -u roster roster …`, see docs/deploy.md)"
                    ).format(where=where)
                )
            ) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, attr = self.lazy[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    help=_(
        "Duty rosters for cadres at village and community checkpoints.\n\n"
        "Without a command, opens the terminal UI (creating the demo database on first run)."
    ),
)
@db_option
@click.option(
    "--as",
    "as_user",
    metavar="LOGIN",
    envvar="ROSTER_USER",
    help=_(
        "Act as LOGIN (or $ROSTER_USER): on your own, unshared database (tests, "
        "scripts); on a shared one only a district coordinator may, and the audit names both."
    ),
)
@click.option(
    "--debug",
    is_flag=True,
    help=_("Show the full traceback of a failure (for reporting bugs)."),
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, param, value: use_language(value),
    help=_("The language to speak: zh or en (or $ROSTER_LANG; default: the locale's)."),
)
@click.version_option(package_name="roster")
@click.pass_context
def cli(ctx: click.Context, db_path: Path, as_user: str | None, debug: bool) -> None:
    """Duty rosters for cadres at village and community checkpoints.

    Without a command, opens the terminal UI (creating the demo database on first run).
    """
    ctx.obj = {"claim": as_user or None}
    if ctx.invoked_subcommand is not None:
        return  # the command binds who acts once it knows its own --db
    identity = bind_identity(ctx, db_path)
    notice = ""
    if not db_path.exists():
        from roster.cli.district import create_demo

        report = create_demo(db_path)
        # Said inside the app, where it is seen (a line printed before the UI starts is
        # wiped by it at once).
        notice = _(
            "No database at {path}: created one from the bundled demo district "
            "({report}). Use --db or $ROSTER_DB to open another."
        ).format(path=db_path, report=report)
    from roster.tui.app import run_app

    run_app(db_path, actor=identity.actor, notice=notice)


def main(argv: list[str] | None = None) -> None:
    """Run the command; every failure a user can meet is told in one line (see
    `roster.errors`), with exit code 1; `--debug` shows the traceback instead."""
    from roster import errors, store
    from roster.text import inert

    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    if "--" in args:  # after "--" it is an argument, not our option
        cut = args.index("--")
        args = [a for a in args[:cut] if a != "--debug"] + args[cut:]
    else:
        args = [a for a in args if a != "--debug"]  # accepted anywhere on the line

    told: list[float] = []

    def waiting(holder: str, waited: float) -> None:
        """Say who holds the database once, then every 10 s while waiting."""
        if told and 0 <= waited - told[-1] < 10:
            return
        told.append(waited)
        who = holder or _("another process")
        click.echo(
            inert(
                _("waiting: {who} is writing to the database (waited {seconds:.0f} s)…").format(
                    who=who, seconds=waited
                )
            ),
            err=True,
        )

    store.RosterDatabase.on_busy = staticmethod(waiting)
    try:
        cli.main(args=args, prog_name="roster", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo(_("interrupted: nothing more was saved"), err=True)
        sys.exit(130)
    except Exception as error:
        if debug:
            raise
        line = errors.describe(error, store.opened_path) or errors.unexpected(error)
        click.echo(
            _("Error: {message}").format(message=inert(line)), err=True
        )  # names in it show no control character
        sys.exit(1)


if __name__ == "__main__":
    main()
