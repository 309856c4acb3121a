"""`roster user …` and `roster audit`: who may change what, and who changed what."""

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
    pad,
    require,
    week_option,
)
from roster.domain import week_start
from roster.i18n import N_, _, pgettext


@click.group(help=_("Coordinators: who may change which towns (district, town, inspector)."))
def user() -> None:
    """Coordinators: who may change which towns (district, town, inspector)."""


@user.command(
    "add", help=_("Add LOGIN (an OS user name) as a coordinator, or change their role and towns.")
)
@db_option
@click.argument("login")
@click.option("--role", type=click.Choice(["district", "town", "inspector"]), required=True)
@click.option("--town", "towns", multiple=True, help=_("A town this coordinator manages (repeat)."))
def user_add(db_path: Path, login: str, role: str, towns: tuple[str, ...]) -> None:
    """Add LOGIN (an OS user name) as a coordinator, or change their role and towns."""
    from roster.access import add_user

    db = open_existing(db_path)
    access = require(db, N_("add coordinators"))
    try:
        add_user(db, login, role, list(towns), access)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    from roster.access import role_word

    if towns:
        click.echo(
            _("{login}: {role} for {towns}").format(
                login=login, role=role_word(role), towns=_(", ").join(towns)
            )
        )
    else:
        click.echo(_("{login}: {role}").format(login=login, role=role_word(role)))


@user.command("remove", help=_("Remove LOGIN from the coordinators (they become read-only)."))
@db_option
@click.argument("login")
def user_remove(db_path: Path, login: str) -> None:
    """Remove LOGIN from the coordinators (they become read-only)."""
    from roster.access import remove_user

    db = open_existing(db_path)
    access = require(db, N_("remove coordinators"))
    try:
        remove_user(db, login, access)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(_("removed {login}").format(login=login))


@user.command("list", help=_("List the coordinators with their roles and towns."))
@db_option
@json_option
def user_list(db_path: Path, as_json: bool) -> None:
    """List the coordinators with their roles and towns."""
    from roster.access import access_for, list_users, role_word

    db = open_existing(db_path)
    users = list_users(db)
    if as_json:
        emit({"users": users, "you": access_for(db).describe(english=True)})
        return
    for u in users:
        towns = _(", ").join(u["towns"])
        click.echo(f"{u['user']:<16} {pad(role_word(u['role']), 10)} {towns}")
    click.echo(_("you: {who}").format(who=access_for(db).describe()))


@click.command(help=_("Who changed what and when, newest first."))
@db_option
@week_option(required=False)
@click.option(
    "--actor",
    help=_("Only entries by this login (with those done for them or by them for others)."),
)
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
    if not entries:
        who = pgettext("audit entries", " by {actor}").format(actor=actor) if actor else ""
        when = _(" about the week of {monday}").format(monday=week_start(week)) if week else ""
        actors = [r[0] for r in db.execute("select distinct actor from audit")]
        # "li (by wang)": both are logins in the audit
        known = sorted({n.strip(" ()") for a in actors for n in a.split(" (by ")})
        hint = (
            _(" (logins in the audit: {logins})").format(logins=", ".join(known))
            if actor and known
            else ""
        )
        click.echo(_("no audit entries{who}{when}{hint}").format(who=who, when=when, hint=hint))
        return
    for e in entries:  # times in the district's zone, like the UI; actions as the UI says them
        click.echo(f"{e.when}  {e.actor:<12} {pad(_(e.action), 14)} {e.text}")
