"""`roster wish add|list|remove`: cadres' availability and wishes, one at a time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from roster import store
from roster.cli.common import DATE, db_option, emit, json_option, open_existing, pad
from roster.i18n import N_, _

KINDS = (N_("unavailable"), N_("avoid"), N_("prefer"))  # stored in English, shown as _(kind)


@click.group(
    help=_("Cadres' availability and wishes: unavailable (hard), avoid and prefer (soft).")
)
def wish() -> None:
    """Cadres' availability and wishes: unavailable (hard), avoid and prefer (soft)."""


def _fail(e: Exception) -> click.ClickException:
    return click.ClickException(str(e))


@wish.command(
    "add",
    help=_(
        "Record a wish of CADRE (code or exact name), e.g.\n"
        "`roster wish add G0002 unavailable --weekday 1-7 --shift N --note 不排夜班`."
    ),
)
@db_option
@click.argument("cadre")
@click.argument("kind", type=click.Choice(["unavailable", "avoid", "prefer"]))
@click.option("--date", "date", type=DATE, help=_("The day, or the first day with --until."))
@click.option("--weekday", default="", help=_("Weekdays 1–7 (1 = Monday), e.g. 6,7 or 1-5."))
@click.option("--until", type=DATE, help=_("The last day the wish holds."))
@click.option(
    "--shift", default="", help=_("Only this shift (a code, e.g. N); default every shift.")
)
@click.option("--weight", type=click.IntRange(1, 100_000), default=None,
              help=_("For avoid/prefer: the weight (default: the setting)."))  # fmt: skip
@click.option("--note", default="", help=_("Why, in a few words."))
@json_option
def wish_add(db_path: Path, cadre: str, kind: str, date: dt.date | None, weekday: str,
             until: dt.date | None, shift: str, weight: int | None, note: str,
             as_json: bool) -> None:  # fmt: skip
    """Record a wish of CADRE (code or exact name), e.g.
    `roster wish add G0002 unavailable --weekday 1-7 --shift N --note 不排夜班`."""
    from roster.access import NotAllowed, access_for
    from roster.wishes import WishError, add_wish, find_cadre, parse_weekdays, roster_breaches

    db = open_existing(db_path)
    try:
        who = find_cadre(db, cadre)
        w = add_wish(
            db, access_for(db), who, kind, date=date, weekdays=parse_weekdays(weekday),
            until=until, shift=shift, weight=weight or 0, note=note,
        )  # fmt: skip
    except (WishError, NotAllowed) as e:
        raise _fail(e) from None
    breaches = roster_breaches(db, who.id)
    if as_json:
        emit({"wish": _json(w, who), "breaches": [_breach(m, b) for m, b in breaches]})
        return
    click.echo(
        _("wish #{id}: {name} ({code}) {kind} {when}").format(
            id=w.id, name=who.name, code=who.code, kind=_(kind), when=w.label()
        )
    )
    _echo_breaches(breaches)


@wish.command("list", help=_("The wishes on record, by cadre."))
@db_option
@click.option("--cadre", default=None, help=_("Only this cadre's wishes (code or exact name)."))
@json_option
def wish_list(db_path: Path, cadre: str | None, as_json: bool) -> None:
    """The wishes on record, by cadre."""
    from roster.wishes import WishError, find_cadre

    db = open_existing(db_path)
    district = store.load_district(db)
    try:
        only = find_cadre(db, cadre).id if cadre else None
    except WishError as e:
        raise _fail(e) from None
    items = [w for w in store.wishes(db, only)]
    items.sort(key=lambda w: (district.cadres[w.cadre_id].code, w.id))
    if as_json:
        emit({"wishes": [_json(w, district.cadres[w.cadre_id]) for w in items]})
        return
    if not items:
        click.echo(_("no wishes on record"))
    for w in items:
        c = district.cadres[w.cadre_id]
        weight = _(" weight {weight}").format(weight=w.weight) if w.weight else ""
        note = _("  ({note})").format(note=w.note) if w.note else ""
        click.echo(f"#{w.id:<5} {c.code} {c.name}  {pad(_(w.kind), 11)} {w.label()}{weight}{note}")


@wish.command("remove", help=_("Remove wish WISH_ID (its number in `roster wish list`)."))
@db_option
@click.argument("wish_id", type=int)
def wish_remove(db_path: Path, wish_id: int) -> None:
    """Remove wish WISH_ID (its number in `roster wish list`)."""
    from roster.access import NotAllowed, access_for
    from roster.wishes import WishError, remove_wish

    db = open_existing(db_path)
    try:
        w = remove_wish(db, access_for(db), wish_id)
    except (WishError, NotAllowed) as e:
        raise _fail(e) from None
    click.echo(
        _("removed wish #{id} ({kind} {when})").format(id=w.id, kind=_(w.kind), when=w.label())
    )


def _json(w, cadre) -> dict:
    return {
        "id": w.id,
        "cadre_id": w.cadre_id,
        "cadre_code": cadre.code,
        "kind": w.kind,
        "date": w.date.isoformat() if w.date else None,
        "weekdays": list(w.weekdays),
        "until": w.until.isoformat() if w.until else None,
        "shift": w.shift or None,
        "weight": w.weight or None,
        "note": w.note,
        "when": w.describe(),
    }


def _breach(monday: dt.date, b) -> dict:
    return {"week": monday.isoformat(), **b.to_json()}


def _echo_breaches(breaches) -> None:
    if not breaches:
        return
    click.echo(_("the stored roster now breaks {n} rule(s); cells to fix:").format(n=len(breaches)))
    for _monday, b in breaches:
        click.echo(_("  rule {number}: {message}").format(number=b.number, message=b.message))
