"""`roster settings`: the limits and weights of the rules, listed and changed."""

from __future__ import annotations

from pathlib import Path

import click

from roster import store
from roster.cli.common import db_option, emit, json_option, open_existing, require
from roster.domain import SettingError, Settings
from roster.i18n import N_, _
from roster.i18n.said import Said


@click.group(
    invoke_without_command=True,
    help=_("List every setting: its value, default and meaning (`set` and `reset` change one)."),
)
@db_option
@json_option
@click.pass_context
def settings(ctx: click.Context, db_path: Path, as_json: bool) -> None:
    """List every setting: its value, default and meaning (`set` and `reset` change one)."""
    if ctx.invoked_subcommand is not None:
        return
    db = open_existing(db_path)
    try:
        current = store.load_settings(db)
    except SettingError as e:
        raise click.ClickException(str(e)) from None
    rows = current.describe()
    if as_json:
        emit({"settings": [
            {"name": n, "value": v, "default": d, "meaning": m} for n, v, d, m in rows
        ]})  # fmt: skip
        return
    width = max(len(n) for n, *_ in rows)
    for name, value, default, meaning in rows:
        mark = " " if value == default else "*"
        click.echo(f"{mark} {name:<{width}}  {value:<8} {_(meaning) if meaning else ''}")
    click.echo(_("(* differs from the default)"))


@settings.command(
    "set", help=_("Set NAME to VALUE (checked against the setting's range; audited).")
)
@db_option
@click.argument("name")
@click.argument("value")
def set_(db_path: Path, name: str, value: str) -> None:
    """Set NAME to VALUE (checked against the setting's range; audited)."""
    db = open_existing(db_path)
    try:
        parsed = Settings.parse(name, value)
    except SettingError as e:
        raise click.ClickException(str(e)) from None
    access = require(db, Said(N_("change setting {name}"), name=name))
    before = store.stored_settings(db).get(name, Settings().__dict__[name])
    with db.atomic():
        store.save_settings(db, {name: parsed})
        store.add_audit(db, "settings.set", {"name": name, "from": before, "to": parsed},
                        access.actor)  # fmt: skip
    click.echo(_("{name}: {before} -> {after}").format(name=name, before=before, after=parsed))


@settings.command("reset", help=_("Put NAME back to its default (audited)."))
@db_option
@click.argument("name")
def reset(db_path: Path, name: str) -> None:
    """Put NAME back to its default (audited)."""
    db = open_existing(db_path)
    defaults = Settings().__dict__
    if name not in defaults:
        raise click.ClickException(
            _("there is no setting {name}; `roster settings` lists them").format(name=repr(name))
        )
    access = require(db, Said(N_("change setting {name}"), name=name))
    before = store.stored_settings(db).get(name, defaults[name])
    with db.atomic():
        store.delete_setting(db, name)
        store.add_audit(db, "settings.reset", {"name": name, "from": before,
                        "to": defaults[name]}, access.actor)  # fmt: skip
    click.echo(
        _("{name}: {before} -> {after} (the default)").format(
            name=name, before=before, after=defaults[name]
        )
    )
