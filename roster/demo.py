"""The demo district: the CSV files of the repo's `data/` folder, with absences dated
relative to the current week so that every week has something real to work around."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlite_utils

from roster import clock
from roster.config import Config
from roster.domain import week_start
from roster.i18n import _
from roster.importer import AbsencesSpec, ImportReport, Problem, dir_sources, run_import
from roster.shipped import shipped_dir

DEMO_KINDS = ("towns", "units", "shifts", "posts", "demand", "cadres")
DEMO_ABSENCES = "demo_absences.csv"


def demo_data_dir(config: Config | None = None) -> Path:
    """The folder of the demo CSV files: the configured one ($ROSTER_DEMO_DATA), or the
    demo district shipped with roster."""
    config = config or Config.from_environment()
    return config.demo_data or shipped_dir("demo")


class DemoAbsencesSpec(AbsencesSpec):
    """`demo_absences.csv`: like absences, with day offsets from the Monday of a week
    instead of dates; a `recalled` absence also marks the cadre recalled."""

    required = ("cadre", "start_day", "end_day", "kind")
    key_columns = ("cadre", "start_day", "end_day", "kind")

    def __init__(self, monday: dt.date):
        self.monday = monday

    def dates(self, r):
        hint = _("a number of days after this week's Monday (0 = Monday)")
        first = r.integer("start_day", -366, 366, hint)
        last = r.integer("end_day", -366, 366, hint)
        return tuple(
            self.monday + dt.timedelta(days=n) if isinstance(n, int) else n for n in (first, last)
        )

    def after_row(self, imp, record):
        if record["kind"] == "recalled":
            imp.conn.execute(
                "update cadres set status = 'recalled' where id = ?", [record["cadre_id"]]
            )


def load_demo(
    db: sqlite_utils.Database, today: dt.date | None = None, *, actor: str | None = None
) -> ImportReport:
    """Load the demo district into `db` in one transaction (`ImportFailed` if it is broken).

    Absences are placed relative to the Monday of `today`'s ISO week (default: today in
    Asia/Shanghai).
    """
    today = today or clock.today()
    monday = week_start(today)
    folder = demo_data_dir()
    sources, problems = dir_sources(folder)
    if folder.is_dir():
        present = {spec.kind for spec, _path in sources}
        for kind in DEMO_KINDS:
            if kind not in present:
                problems.append(
                    Problem(
                        f"{kind}.csv",
                        None,
                        None,
                        _("is missing from {folder}").format(folder=folder),
                    )
                )
        sources.append((DemoAbsencesSpec(monday), folder / DEMO_ABSENCES))
    else:
        problems = [Problem(str(folder), None, None, _("no demo data here: the folder is missing"))]
    details = {"demo": True, "week_start": monday.isoformat()}
    # Reloading the demo resets it: its cadres file makes every cadre active again and its
    # `recalled` absences mark the recalled ones (no question to ask about that).
    return run_import(db, sources, actor=actor, details=details, problems=problems, confirm=True)
