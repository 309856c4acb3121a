"""`roster plan`: draft rosters for the weeks ahead (core in `roster.plan`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from roster.cli.common import (
    DATE,
    db_option,
    emit,
    fairness_values,
    json_option,
    open_existing,
    require,
)
from roster.i18n import N_, _


@click.command(
    "plan",
    help=_("Build N consecutive draft weeks as one rotation (locks and published weeks kept)."),
)
@db_option
@click.option("--from", "first", type=DATE, required=True, help=_("Any date of the first week."))
@click.option("--weeks", type=click.IntRange(1, 8), default=4, show_default=True)
@click.option("--time-limit", type=click.FloatRange(0.1, 3600), default=8.0, show_default=True,
              help=_("Seconds per week."))  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=click.IntRange(0, 64), default=2, show_default=True)
@click.option("--fresh", is_flag=True, help=_("Ignore the weeks' current drafts (locks kept)."))
@json_option
def plan_cmd(db_path: Path, first: dt.date, weeks: int, time_limit: float, seed: int,
             workers: int, fresh: bool, as_json: bool) -> None:  # fmt: skip
    """Build N consecutive draft weeks as one rotation (locks and published weeks kept)."""
    from roster.plan import plan_weeks

    db = open_existing(db_path)
    require(db, N_("replace the district's roster"))

    def line(d: dict) -> None:
        if as_json:
            return
        if d.get("kept"):
            click.echo(_("week of {monday}: published, kept as it is").format(monday=d["week"]))
            return
        pc = d["post_changes"]
        unmet = sum(u["required"] - u["covered"] for u in d["unmet"])
        click.echo(
            _(
                "week of {monday}: {status}, objective {objective}, gap {gap:.2%}, {seconds:.2f} s, "
                "unmet {unmet}; nights over {weeks} weeks: {none} of {cadres} none, most {most}, "
                "top 10 % {top:.0%}, Gini {gini:.2f}; weekends Gini {weekend_gini:.2f}; changed "
                "post {total} (rotation {rotation}, absence {absence}, coverage {coverage})"
            ).format(
                monday=d["week"],
                status=_(d["status"]),
                objective=d["objective"],
                gap=d["gap"],
                seconds=d["seconds"],
                unmet=unmet,
                **fairness_values(d["fairness"]),
                total=pc["total"],
                rotation=pc["rotation"],
                absence=pc["absence"],
                coverage=pc["coverage"],
            )  # fmt: skip
        )

    results = plan_weeks(
        db, first, weeks, time_limit=time_limit, seed=seed, workers=workers, fresh=fresh,
        progress=line,
    )  # fmt: skip
    if as_json:
        emit({"weeks": results})
    else:
        kept = sum(1 for r in results if r.get("kept"))
        planned = len(results) - kept
        if kept:
            said = _(
                "{planned} week(s) planned as drafts; {kept} published week(s) kept as they were"
            )
        else:
            said = _("{planned} week(s) planned as drafts")
        click.echo(said.format(planned=planned, kept=kept))
