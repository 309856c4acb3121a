"""`roster backup` and `roster restore`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from roster import store
from roster.cli.common import (
    db_option,
    open_existing,
    require,
)
from roster.i18n import N_, _
from roster.text import inert


@click.command(
    "backup",
    help=_(
        "Copy the database to TARGET while others keep working (SQLite online backup).\n\n"
        "The copy is readable by its owner only from its first byte, checked with SQLite's\n"
        "integrity check, never written through a symlink, and audited. A district\n"
        "coordinator, or the account owning the database (a scheduled backup), may make one."
    ),
)
@db_option
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_cmd(db_path: Path, target: Path) -> None:
    """Copy the database to TARGET while others keep working (SQLite online backup).

    The copy is readable by its owner only from its first byte, checked with SQLite's
    integrity check, never written through a symlink, and audited. A district
    coordinator, or the account owning the database (a scheduled backup), may make one.
    """
    from roster.access import NotAllowed
    from roster.backup import BackupFailed, backup, may_back_up

    try:
        db = open_existing(db_path)
    except sqlite3.DatabaseError as e:
        raise click.ClickException(
            inert(
                _("{path} cannot be read ({error}): restore the last good backup").format(
                    path=db_path, error=e
                )
            )
        ) from None
    try:
        may_back_up(db, db_path)
    except NotAllowed as e:
        raise click.ClickException(inert(str(e))) from None
    finally:
        db.close()
    try:
        pages = backup(db_path, target)
    except (FileExistsError, BackupFailed) as e:
        raise click.ClickException(inert(str(e))) from None
    click.echo(
        inert(
            _("backed up {path} to {target} ({pages} pages, readable by you only)").format(
                path=db_path, target=target, pages=pages
            )
        )
    )


@click.command(
    "restore",
    help=_(
        "Replace the database with the backup SOURCE; refused while others have it open.\n\n"
        "Needs a district coordinator (or, for a database too damaged to read, the account\n"
        "owning it). The audit rows written since the backup are kept, marked as such."
    ),
)
@db_option
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help=_("Do not ask for confirmation."))
def restore_cmd(db_path: Path, source: Path, yes: bool) -> None:
    """Replace the database with the backup SOURCE; refused while others have it open.

    Needs a district coordinator (or, for a database too damaged to read, the account
    owning it). The audit rows written since the backup are kept, marked as such.
    """
    from roster.backup import RestoreRefused, check_backup, restore

    if not db_path.exists():
        raise click.ClickException(
            inert(
                _("no roster database at {path}: to start from a backup, copy it there").format(
                    path=db_path
                )
            )
        )
    try:
        check_backup(source)
    except RestoreRefused as e:
        raise click.ClickException(inert(str(e))) from None
    try:
        db = open_existing(db_path)
    except (sqlite3.DatabaseError, store.DatabaseBusy):
        pass  # damaged or busy: `restore` below says who may replace it, or who has it open
    else:
        try:
            require(db, N_("restore a backup"))
        finally:
            db.close()
    if not yes:
        click.confirm(
            inert(
                _("Replace everything in {path} with {source}?").format(path=db_path, source=source)
            ),
            abort=True,
        )
    try:
        replaced = restore(db_path, source)
    except RestoreRefused as e:
        raise click.ClickException(inert(str(e))) from None
    if replaced.damaged:
        said = _("restored {path} from {source} (the damaged database was replaced: {damaged})")
    else:
        said = _("restored {path} from {source}")
    click.echo(inert(said.format(path=db_path, source=source, damaged=replaced.damaged)))
