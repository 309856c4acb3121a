"""`roster backup` and `roster restore`."""

from __future__ import annotations

from pathlib import Path

import click

from roster.cli.common import (
    db_option,
    open_existing,
    require,
)


@click.command("backup")
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


@click.command("restore")
@db_option
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_cmd(db_path: Path, source: Path, yes: bool) -> None:
    """Replace the database with the backup SOURCE; refused while others have it open."""
    from roster.backup import RestoreRefused, restore

    if not source.is_file():  # before asking: a typo should not need a "yes" first
        raise click.ClickException(f"no backup file at {source}: check the path")
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
