"""The `roster` command group: the UI when no command is given, every command loaded
from the module of its group only when it runs."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import click

from roster.cli.common import (
    db_option,
)


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
    notice = ""
    if not db_path.exists():
        from roster.cli.district import create_demo

        report = create_demo(db_path)
        # Said inside the app, where it is seen (a line printed before the UI starts is
        # wiped by it at once).
        notice = (
            f"No database at {db_path}: created one from the bundled demo district "
            f"({report}). Use --db or $ROSTER_DB to open another."
        )
    from roster.tui.app import run_app

    run_app(db_path, notice=notice)


def main() -> None:
    cli(prog_name="roster")


if __name__ == "__main__":
    main()
