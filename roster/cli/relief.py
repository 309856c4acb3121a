"""`roster relief` and `roster recall`: option parsing over the core module `roster.relief`.

roster/cli.py registers these commands; import `roster.cli` to get them.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from roster import store
from roster.access import NotAllowed, access_for
from roster.cli.common import DATE, db_option, emit, json_option, open_existing, require
from roster.domain import week_start
from roster.i18n import N_, _

if TYPE_CHECKING:
    from roster.relief import Change, ReliefOption

DEFAULT_LIMIT = 10  # roster.relief.DEFAULT_LIMIT; relief (numpy, the solver) loads on use
# the kinds of relief option (codes, kept in --json), shown as _(kind)
OPTION_KINDS = (
    N_("swap"),
    N_("take_over"),
    N_("shift_change"),
    N_("reserve"),
    N_("lightly_used"),
    N_("lend"),
    N_("resolve"),
    N_("mixed"),
    N_("nothing_to_cover"),
)


@click.command(
    "relief",
    help=_(
        "Ways to cover CADRE's absence (code or exact name), fewest people disturbed first.\n\n"
        "The request is recorded (open) unless you are read-only; --apply N settles it with\n"
        "option N: checked again and written in one transaction with the request, and the text\n"
        "messages for the people whose week changed are printed. When someone else changed the\n"
        "week meanwhile, their change is kept if it touched other people and cells; else the\n"
        "apply is refused, naming who changed the week and when."
    ),
)
@db_option
@click.argument("cadre")
@click.option("--from", "first", type=DATE, required=True, help=_("First day away."))
@click.option("--to", "last", type=DATE, required=True, help=_("Last day away (same week)."))
@click.option(
    "--reason", default="", help=_("Why: sick, family, leave, training, recalled… (free text).")
)
@click.option("--apply", "apply_n", type=int, metavar="N", help=_("Apply option N of the list."))
@click.option("--limit", type=click.IntRange(1, 50), default=DEFAULT_LIMIT, show_default=True,
              help=_("Most options listed."))  # fmt: skip
@json_option
def relief_cmd(
    db_path: Path,
    cadre: str,
    first: dt.date,
    last: dt.date,
    reason: str,
    apply_n: int | None,
    limit: int,
    as_json: bool,
) -> None:
    """Ways to cover CADRE's absence (code or exact name), fewest people disturbed first.

    The request is recorded (open) unless you are read-only; --apply N settles it with
    option N: checked again and written in one transaction with the request, and the text
    messages for the people whose week changed are printed. When someone else changed the
    week meanwhile, their change is kept if it touched other people and cells; else the
    apply is refused, naming who changed the week and when.
    """
    from roster import relief

    db = open_existing(db_path)
    district_version = store.district_version(db)  # before the district the options are of
    district = store.load_district(db)
    try:
        who = relief.find_cadre(district, cadre)
    except relief.ReliefError as e:
        raise click.ClickException(str(e)) from None
    if last < first:
        raise click.ClickException(
            _(
                "--to {last} is before --from {first}: give the first day away, then the last"
            ).format(last=last, first=first)
        )
    monday = week_start(first)
    roster = store.get_roster(db, monday)
    if roster is None:
        raise click.ClickException(
            _(
                "no roster for the week of {monday}: build it with `roster solve --week {monday}`"
            ).format(monday=monday)
        )
    sunday = monday + dt.timedelta(days=6)
    if last > sunday:
        raise click.ClickException(
            _(
                "--to {last} is outside the roster's week ({monday} to {sunday}): give one "
                "request per week, e.g. --to {sunday}, then --from {next_monday}"
            ).format(
                last=last,
                monday=monday,
                sunday=sunday,
                next_monday=sunday + dt.timedelta(days=1),
            )  # fmt: skip
        )
    history = store.neighbours(db, monday)  # the weeks before and the next stored week
    t0 = time.perf_counter()
    try:
        options = relief.relief_options(
            district, roster, who.id, first, last, history=history, limit=limit
        )
    except relief.ReliefError as e:
        raise click.ClickException(str(e)) from None
    seconds = time.perf_counter() - t0
    request_id = None
    applied = None
    read_only = access_for(db).read_only
    if apply_n is None:
        if not read_only:
            request_id = relief.record_request(db, who.id, first, last, reason)
    else:
        if not 1 <= apply_n <= len(options):
            raise click.ClickException(
                _(
                    "--apply {n}: there are {count} option(s); give a number from 1 to {count}"
                ).format(n=apply_n, count=len(options))
            )
        if read_only:  # refused, and the attempt audited, as every refused change is
            require(db, N_("settle relief requests"), district=False)
        try:  # the request is recorded (or found open) and settled in one transaction
            applied = relief.apply_option(
                db, (who.id, first, last, reason), options[apply_n - 1], rebase=True,
                district_version=district_version,
            )  # fmt: skip
        except (relief.ReliefError, store.StaleRoster, store.DistrictChanged, NotAllowed) as e:
            raise click.ClickException(str(e)) from None
        request_id = applied.request_id
    if as_json:
        data = {"options": [o.to_json() for o in options], "seconds": round(seconds, 4),
                "request_id": request_id}  # fmt: skip
        if applied is not None:
            data["applied"] = {
                "option": apply_n,
                "request_id": applied.request_id,
                "roster_version": applied.roster_version,
                "published": applied.published,
                "rebased_on": applied.rebased_on,
                "messages": [m.__dict__ for m in applied.messages],
            }
        emit(data)
        return
    published = roster.status == "published"
    click.echo(
        _("{name} ({code}) away {first} to {last}").format(
            name=who.name, code=who.code, first=first, last=last
        )
        + (f" ({reason})" if reason else "")
        + (_(", request #{id}").format(id=request_id) if request_id else "")
        + _(": {n} option(s) in {ms:.0f} ms").format(n=len(options), ms=seconds * 1000)
        + (_(" — the week is published: changes are recorded as such") if published else "")
    )  # fmt: skip
    echo_freed(options)
    for option in options:
        echo_option(option)
    if applied is None:
        if options:
            click.echo(
                _(
                    "apply one with: roster relief {code} --from {first} --to {last} --apply N"
                ).format(code=who.code, first=first, last=last)
            )
        return
    click.echo(
        _("applied option {n}: request #{id} settled, roster version {version}").format(
            n=apply_n, id=applied.request_id, version=applied.roster_version
        )
        + (_(" (a change to the published roster)") if applied.published else "")
        + (_("; made on top of {who}'s change to other people and cells").format(
               who=applied.rebased_on) if applied.rebased_on else "")
    )  # fmt: skip
    click.echo(_("messages to send:"))
    for m in applied.messages:
        click.echo(_("  {phone}  {name}: {text}").format(phone=m.phone, name=m.name, text=m.text))


def freed(option: ReliefOption, ch: Change) -> bool:
    """The absent cadre's own shift in the span: every option frees it."""
    return (
        ch.cadre_id == option.cadre_id
        and ch.action == "remove"
        and option.start <= ch.date <= option.end
    )


def echo_freed(options: list[ReliefOption]) -> None:
    if not options:
        return
    d = options[0].district
    shifts = [
        f"{ch.date} {ch.shift_code} {d.posts[ch.post_id].name}"
        for ch in options[0].changes
        if freed(options[0], ch)
    ]
    if shifts:
        click.echo(_("frees: {shifts}").format(shifts=_("; ").join(shifts)))


def echo_option(option: ReliefOption) -> None:
    d = option.district
    head = (
        _("{rank}. [{kind}] {n} disturbed, cost {cost}").format(
            rank=option.rank, kind=_(option.kind), n=len(option.disturbed), cost=option.cost
        )
        + (_(", {km:+.1f} km").format(km=option.commute_km) if option.commute_km else "")
        + ("" if option.complete else _(", {n} uncovered").format(n=len(option.uncovered)))
    )
    click.echo(head)
    click.echo(f"   {option.summary}")
    for ch in option.changes:
        if freed(option, ch):
            continue
        sign = "+" if ch.action == "add" else "-"
        c, p = d.cadres[ch.cadre_id], d.posts[ch.post_id]
        click.echo(f"   {sign} {ch.date} {ch.shift_code} {p.name} ({p.code}) {c.name} ({c.code})")
    for e in option.worsened:
        click.echo(
            _("   worse: {rule} +{cost}: {detail}").format(
                rule=_(e.rule), cost=e.cost, detail=e.detail
            )
        )
    for u in option.uncovered:
        click.echo(
            _("   uncovered: {date} {shift} {post}: {why}").format(
                date=u.date, shift=u.shift_code, post=d.posts[u.post_id].name, why=u.why
            )
        )


@click.command(
    "recall",
    help=_(
        "Recall CADRE (code or exact name) from a date: records the absence to the end of that\n"
        "week and an open relief request for it, then lists the ways to cover it."
    ),
)
@db_option
@click.argument("cadre")
@click.option("--from", "first", type=DATE, required=True, help=_("First day recalled."))
@click.option("--reason", default="", help=_("Why (kept in the absence and the audit)."))
@json_option
def recall_cmd(db_path: Path, cadre: str, first: dt.date, reason: str, as_json: bool) -> None:
    """Recall CADRE (code or exact name) from a date: records the absence to the end of that
    week and an open relief request for it, then lists the ways to cover it."""
    from roster import relief

    db = open_existing(db_path)
    try:
        done = relief.recall(db, cadre, first, reason)
    except (relief.ReliefError, NotAllowed) as e:
        raise click.ClickException(str(e)) from None
    district = store.load_district(db)
    monday = week_start(first)
    roster = store.get_roster(db, monday)
    options: list[ReliefOption] = []
    seconds = 0.0
    who = relief.find_cadre(district, cadre)
    if roster is not None:
        t0 = time.perf_counter()
        options = relief.relief_options(
            district, roster, who.id, done.start, done.end, history=store.neighbours(db, monday)
        )  # fmt: skip
        seconds = time.perf_counter() - t0
    if as_json:
        emit({"request_id": done.request_id, "start": done.start.isoformat(),
              "end": done.end.isoformat(), "status_set": done.status_set, "note": done.note.english,
              "options": [o.to_json() for o in options], "seconds": round(seconds, 4)})  # fmt: skip
        return
    click.echo(
        _("{note}; relief request #{id} for {start} to {end}").format(
            note=done.note, id=done.request_id, start=done.start, end=done.end
        )
    )
    if roster is None:
        click.echo(
            _("no roster for the week of {monday} yet: nothing to cover").format(monday=monday)
        )
        return
    echo_freed(options)
    for option in options:
        echo_option(option)
    click.echo(
        _("apply one with: roster relief {code} --from {first} --to {last} --apply N").format(
            code=who.code, first=done.start, last=done.end
        )
    )
