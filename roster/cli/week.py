"""`roster solve`, `roster check`, `roster publish`: a week's roster."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from roster import store
from roster.cli.common import (
    db_option,
    emit,
    fairness_values,
    json_option,
    open_existing,
    require,
    week_option,
)
from roster.domain import week_start
from roster.errors import NoDistrict
from roster.i18n import N_, _

# codes the solve's report carries (JSON keeps them), shown translated
SOLVE_STATUSES = (N_("optimal"), N_("feasible"), N_("stopped"))
WHY_CHANGED = (N_("absence"), N_("demand"), N_("trade-off"))
WISH_KINDS = (N_("unavailable"), N_("avoid"), N_("prefer"))
WISH_REASONS = (
    N_("locked"),
    N_("coverage"),
    N_("another soft rule"),
    N_("another hard rule"),
    N_("rest"),
)


@click.command(
    help=_(
        "Build the draft roster of the week: keeps locked cells, stays close to the week's\n"
        "current roster (--fresh: a clean slate), reports what is unmet and why."
    )
)
@db_option
@week_option(required=True)
@click.option("--time-limit", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=click.IntRange(0, 64), default=2, show_default=True,
              help=_("CP-SAT search workers (0 = all cores)."))  # fmt: skip
@click.option("--dry-run", is_flag=True, help=_("Solve and report, but do not save the roster."))
@click.option(
    "--fresh", is_flag=True, help=_("Ignore the week's current roster (locks still kept).")
)
@json_option
def solve(db_path: Path, week: dt.date, time_limit: float, seed: int, workers: int,
          dry_run: bool, fresh: bool, as_json: bool) -> None:  # fmt: skip
    """Build the draft roster of the week: keeps locked cells, stays close to the week's
    current roster (--fresh: a clean slate), reports what is unmet and why."""
    from roster.plan import later_weeks, solve_and_save

    db = open_existing(db_path)
    if not dry_run:
        require(db, N_("replace the district's roster"))
    monday = week_start(week)
    district_version = store.district_version(db)  # before the district it versions
    district = store.load_district(db)
    if not district.cadres or not district.posts:
        raise NoDistrict(
            _(
                "{path} holds no district to roster (no posts or no cadres): load one with "
                "`roster import DIR`"
            ).format(path=db_path)
        )
    current = store.get_roster(db, monday)
    if current is not None and current.status == "published" and not dry_run:
        raise click.ClickException(
            _(
                "the week of {monday} is published; re-solving it would replace what people "
                "were told. Use --dry-run to see a new solution, or settle changes as relief "
                "requests."
            ).format(monday=monday)
        )
    data = solve_and_save(
        db, district, monday, time_limit=time_limit, seed=seed, workers=workers, fresh=fresh,
        save=not dry_run, current=current, district_version=district_version,
    )  # fmt: skip
    later = later_weeks(db, monday, district) if not dry_run else []
    if later:
        click.echo(
            _(
                "warning: {n} stored week(s) after this one count it as history ({weeks}); "
                "re-plan them with `roster plan --from {first} --weeks {n}`"
            ).format(n=len(later), weeks=", ".join(w.isoformat() for w in later), first=later[0]),
            err=True,
        )
    if as_json:
        emit(data)
        return
    click.echo(
        _(
            "week of {monday}: {status}, objective {objective}, bound {bound}, gap {gap:.2%}, "
            "{seconds:.2f} s, {n} assignments"
        ).format(
            monday=monday,
            status=_(data["status"]),
            objective=data["objective"],
            bound=data["bound"],
            gap=data["gap"],
            seconds=data["seconds"],
            n=len(data["assignments"]),
        )  # fmt: skip
    )
    unmet_slots = sum(u["required"] - u["covered"] for u in data["unmet"])
    click.echo(
        _("unmet: {slots} shift slots at {posts} posts").format(
            slots=unmet_slots, posts=len({u["post_id"] for u in data["unmet"]})
        )
    )
    pc = data["post_changes"]
    click.echo(
        _(
            "nights over {weeks} weeks among the {cadres} cadres who could do them: {none} none, "
            "most {most}, top 10 % carry {top:.0%}, Gini {gini:.2f}; weekend duties Gini "
            "{weekend_gini:.2f}"
        ).format(**fairness_values(data["fairness"]))
    )
    click.echo(
        _(
            "changed post since last week: {total} (rotation {rotation}, absence {absence}, "
            "coverage {coverage})"
        ).format(**pc)
    )
    ch = data["changes"]
    if ch:
        why = _(", ").join(
            _("{why} {n}").format(why=_(k), n=v) for k, v in ch["why"].items() if v
        ) or _("none")
        click.echo(
            _(
                "against the roster it had: {changed} of {duties} duties changed ({why}), "
                "{moved} cadres at another post"
            ).format(
                changed=ch["duties_changed"],
                duties=ch["duties"],
                why=why,
                moved=ch["cadres_changed_post"],
            )  # fmt: skip
        )
    from roster.solver import explain

    for line in data["explanations"]:  # worked out by this process: `shown` knows them
        click.echo(f"  - {explain.shown(line)}")
    wishes = (data.get("stats") or {}).get("wishes") or data.get("wishes") or {}
    if wishes.get("total"):
        click.echo(
            _("wishes: {met} of {total} met").format(met=wishes["met"], total=wishes["total"])
        )
        # the wish's days in the language spoken (the data keeps them in English)
        said_when = {w.id: w.label() for w in district.wishes}
        for u in wishes["unmet"]:
            click.echo(
                _("  - {name} ({code}) {kind} {when}: not met on {days} ({reasons})").format(
                    name=u["cadre_name"],
                    code=u["cadre_code"],
                    kind=_(u["kind"]),
                    when=said_when.get(u["wish_id"], u["when"]),
                    days=", ".join(u["days"]),
                    reasons=_(", ").join(_(r) for r in u["reasons"]),
                )  # fmt: skip
            )
    click.echo(
        _("saved as a draft") if "saved_version" in data else _("not saved (--dry-run or empty)")
    )


@click.command(
    help=_("Check the stored roster against every hard rule; exit 1 and list each breach.")
)
@db_option
@week_option(required=True)
@json_option
def check(db_path: Path, week: dt.date, as_json: bool) -> None:
    """Check the stored roster against every hard rule; exit 1 and list each breach."""
    from roster.solver.checker import check_roster

    db = open_existing(db_path)
    monday = week_start(week)
    roster = store.get_roster(db, monday)
    if roster is None:
        raise click.ClickException(
            _("no roster for the week of {monday}: run `roster solve` first").format(monday=monday)
        )
    district = store.load_district(db)
    breaches = check_roster(
        district, monday, roster.assignments, history=store.history(db, monday),
        following=store.following(db, monday),
    )  # fmt: skip
    if as_json:
        emit({"week": monday.isoformat(), "breaches": [b.to_json() for b in breaches]})
    else:
        for breach in breaches:
            click.echo(_("{rule}: {message}").format(rule=_(breach.rule), message=breach.message))
        click.echo(
            _("{n} breach(es) in the roster of the week of {monday}").format(
                n=len(breaches), monday=monday
            )
        )
    if breaches:
        sys.exit(1)


@click.command(help=_("Mark the week published; later edits are recorded as changes to it."))
@db_option
@week_option(required=True)
def publish(db_path: Path, week: dt.date) -> None:
    """Mark the week published; later edits are recorded as changes to it."""
    db = open_existing(db_path)
    require(db, N_("publish the roster"))
    monday = week_start(week)
    try:
        store.publish_roster(db, monday)
    except LookupError as missing:
        raise click.ClickException(str(missing)) from None
    click.echo(_("published the roster of the week of {monday}").format(monday=monday))
