"""`roster plan`: draft rosters for the weeks ahead (core in `roster.plan`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from roster.cli.common import DATE, db_option, emit, json_option, open_existing, require


@click.command("plan")
@db_option
@click.option("--from", "first", type=DATE, required=True, help="Any date of the first week.")
@click.option("--weeks", type=click.IntRange(1, 8), default=4, show_default=True)
@click.option("--time-limit", type=click.FloatRange(0.1, 3600), default=8.0, show_default=True,
              help="Seconds per week.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=click.IntRange(0, 64), default=2, show_default=True)
@click.option("--fresh", is_flag=True, help="Ignore the weeks' current drafts (locks kept).")
@json_option
def plan_cmd(db_path: Path, first: dt.date, weeks: int, time_limit: float, seed: int,
             workers: int, fresh: bool, as_json: bool) -> None:  # fmt: skip
    """Build N consecutive draft weeks as one rotation (locks and published weeks kept)."""
    from roster.plan import plan_weeks

    db = open_existing(db_path)
    require(db, "replace the district's roster")

    def line(d: dict) -> None:
        if as_json:
            return
        if d.get("kept"):
            click.echo(f"week of {d['week']}: published, kept as it is")
            return
        n, w, pc = d["fairness"]["nights"], d["fairness"]["weekends"], d["post_changes"]
        unmet = sum(u["required"] - u["covered"] for u in d["unmet"])
        click.echo(
            f"week of {d['week']}: {d['status']}, objective {d['objective']}, gap {d['gap']:.2%}, "
            f"{d['seconds']:.2f} s, unmet {unmet}; nights over {d['fairness']['weeks']} weeks: "
            f"{n['none']} of {n['cadres']} none, most {n['max']}, top 10 % {n['top10_share']:.0%},"
            f" Gini {n['gini']:.2f}; weekends Gini {w['gini']:.2f}; changed post "
            f"{pc['total']} (rotation {pc['rotation']}, absence {pc['absence']}, "
            f"coverage {pc['coverage']})"
        )

    results = plan_weeks(
        db, first, weeks, time_limit=time_limit, seed=seed, workers=workers, fresh=fresh,
        progress=line,
    )  # fmt: skip
    if as_json:
        emit({"weeks": results})
    else:
        kept = sum(1 for r in results if r.get("kept"))
        note = f"; {kept} published week(s) kept as they were" if kept else ""
        click.echo(f"{len(results) - kept} week(s) planned as drafts{note}")
