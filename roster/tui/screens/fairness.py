"""Fairness: how nights, weekend days, commutes and duties are spread across the cadres in
the week on the board or the last N weeks: a chart of how many cadres carry how much, the
figures that sum it up, and the cadres ranked, most first (Enter opens one)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, Tab, Tabs
from textual_plotext import PlotextPlot

from roster import store
from roster.fairness import MEASURES, Distribution, FairnessReport, distribution, fairness_report
from roster.i18n import N_, _, ngettext
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterScreen

MAX_WEEKS = 26
COLUMNS = (("rank", "#", 4), ("code", N_("code"), 6), ("name", N_("name"), 8),
           ("unit", N_("unit"), 14))  # fmt: skip
SHORT = {
    "nights": N_("nights"),
    "weekend_days": N_("wkend"),
    "commute_km": N_("km"),
    "shifts": N_("duties"),
}
# the measures' labels (`roster.fairness.MEASURES`), shown translated
LABELS = (N_("nights"), N_("weekend days"), N_("commute"), N_("duties"))


def _nice_step(top: int, ticks: int = 4) -> int:
    """An integer tick step of 1, 2 or 5 × 10^k giving about `ticks` ticks up to `top`."""
    step = 1
    while top / step > ticks:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if top / step <= ticks:
                break
    return step


class FairnessScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding(
            "m", "measure(1)", N_("Measure"), tooltip=N_("nights, weekend days, commute, duties")
        ),
        Binding(
            "w", "toggle_weeks", N_("Week/last N"), tooltip=N_("this week, or the last N weeks")
        ),
        Binding("plus,equals_sign", "weeks(1)", N_("More weeks"), key_display="+"),
        Binding("minus", "weeks(-1)", N_("Fewer weeks"), key_display="-"),
        Binding("left_square_bracket", "week(-1)", N_("Prev week"), key_display="[", show=False),
        Binding("right_square_bracket", "week(1)", N_("Next week"), key_display="]", show=False),
    ]

    def __init__(self, *, weeks: int = 4) -> None:
        super().__init__()
        self.measure = "nights"
        self.last_n = weeks
        self.span = 1  # weeks counted: 1 or last_n
        self.report: FairnessReport | None = None
        self._count_no = 0  # the newest count asked for

    def compose(self) -> ComposeResult:
        yield Static(id="fairness-header", classes="screen-header")
        yield Tabs(
            *[Tab(_(m.label).capitalize(), id=key) for key, m in MEASURES.items()],
            id="fairness-tabs",
        )
        yield Static(id="fairness-summary")
        yield PlotextPlot(id="fairness-chart")
        yield DataTable(id="fairness-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(_(label), key=key, width=width)
        for key in MEASURES:
            table.add_column(_(SHORT[key]), key=key, width=7)
        self.load()
        table.focus()

    # --- data ------------------------------------------------------------------------

    def load(self) -> None:
        """Count again off the UI thread; only the newest count is shown."""
        monday = self.host.editor.week_start
        self._count_no += 1
        self.report = None
        self.query_one("#fairness-header", Static).update(
            Text(
                _("Fairness · {period} · counting…").format(period=self.period_text(monday)),
                style="bold",
            )
        )
        self._count(self._count_no, self.host.db_path, self.host.district, monday, self.span)

    @work(thread=True, exclusive=True, group="fairness", exit_on_error=False)
    def _count(self, number: int, db_path, district, monday: dt.date, span: int) -> None:
        """With a connection of the worker's own (a connection belongs to its thread)."""
        db = None
        try:
            db = store.open_db(db_path, create=False)
            result: FairnessReport | str = fairness_report(db, monday, span, district=district)
        except Exception as error:  # a busy or damaged database: say so, stay usable
            result = _("Could not count: {kind}: {error}").format(
                kind=type(error).__name__, error=error
            )
        finally:
            if db is not None:
                db.close()
        self.host.call_from_thread(self._counted, number, result)

    def _counted(self, number: int, result: FairnessReport | str) -> None:
        if number != self._count_no:  # the week, span or roster changed: a newer count comes
            return
        if isinstance(result, str):
            self.query_one("#fairness-header", Static).update(Text(result, style="bold red"))
            return
        self.report = result
        self.show()

    def period_text(self, monday: dt.date, span: int | None = None) -> str:
        span = span or self.span
        if span == 1:
            return _("week of {monday}").format(monday=monday)
        first = monday - dt.timedelta(weeks=span - 1)
        return _("last {span} weeks, {first} – {last}").format(
            span=span, first=first, last=monday + dt.timedelta(days=6)
        )

    # --- display -----------------------------------------------------------------------

    def show(self) -> None:
        report = self.report
        if report is None:
            return
        span = len(report.weeks) + len(report.missing_weeks)
        monday = report.end - dt.timedelta(days=6)
        header = Text(
            _("Fairness · {period}").format(period=self.period_text(monday, span)), style="bold"
        )
        n = len(report.records)
        header.append(" · " + ngettext("{n} cadre", "{n} cadres", n).format(n=n))
        stored, drafts = len(report.weeks), len(report.draft_weeks)
        if span > 1:
            header.append(
                " · "
                + _("{stored} of {span} weeks have a roster").format(stored=stored, span=span),
                "yellow" * (stored < span),
            )
        if drafts:
            draft = _("(draft)") if span == 1 else _("({n} draft)").format(n=drafts)
            header.append(" " + draft, "dim")
        self.query_one("#fairness-header", Static).update(header)
        # as many bars as the chart has room to label ("10: 1", or "200–400: 178" for km)
        width = self.query_one(PlotextPlot).size.width or 76
        most = max(4, min(16, width // (6 if MEASURES[self.measure].integer else 10)))
        if report.weeks:
            dist = report.distribution(self.measure, most)
            summary = Text(dist.summary())
        else:
            dist = distribution([], MEASURES[self.measure])
            summary = Text(
                _(
                    "No roster is stored for the {period}: nothing to count "
                    "(solve the week on the board first)."
                ).format(period=self.period_text(monday, span)),
                style="yellow",
            )
        self.query_one("#fairness-summary", Static).update(summary)
        self.draw_chart(dist)
        self.fill_table(report, dist)

    def draw_chart(self, dist: Distribution) -> None:
        chart = self.query_one(PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        if dist.bins:
            # the exact count under each bar: a short bar beside a tall one stays readable
            labels = [f"{b.label}: {b.count}" for b in dist.bins]
            plt.bar(labels, [b.count for b in dist.bins], width=0.6)
            top = max(b.count for b in dist.bins)
            step = max(1, _nice_step(top))
            plt.yticks(list(range(0, top + 1, step)))
        measure = _(dist.measure.label) + (dist.measure.unit and " (km)")
        plt.xlabel(_("{measure} per cadre").format(measure=measure))
        plt.ylabel(_("cadres"))
        chart.refresh()

    def fill_table(self, report: FairnessReport, dist: Distribution) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for rank, (record, _value) in enumerate(dist.ranked, start=1):
            cells = [str(rank), Text(record.cadre.code), Text(record.cadre.name), Text(record.unit)]
            for key, m in MEASURES.items():
                value = m.show(m.get(record)).removesuffix(m.unit)
                cells.append(Text(value, style="bold" if key == self.measure else ""))
            table.add_row(*cells, key=str(record.cadre.id))
        for key in MEASURES:
            column = table.columns[key]
            column.label = Text(_(SHORT[key]), style="bold reverse" if key == self.measure else "")
        table.refresh()

    # --- actions ---------------------------------------------------------------------

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        if event.tab.id and event.tab.id != self.measure:
            self.measure = event.tab.id
            self.show()

    def action_measure(self, step: int) -> None:
        keys = list(MEASURES)
        self.query_one(Tabs).active = keys[(keys.index(self.measure) + step) % len(keys)]

    def action_week(self, step: int) -> None:
        self.host.set_week(self.host.editor.week_start + dt.timedelta(weeks=step))

    def action_toggle_weeks(self) -> None:
        self.span = self.last_n if self.span == 1 else 1
        self.load()

    def action_weeks(self, step: int) -> None:
        self.last_n = min(MAX_WEEKS, max(2, self.last_n + step))
        self.span = self.last_n
        self.load()

    @on(DataTable.RowSelected)
    def _row(self, event: DataTable.RowSelected) -> None:
        self.host.show_cadre(int(event.row_key.value))

    def on_roster_changed(self, message: RosterChanged) -> None:
        if message.reason != "checks" and self.is_mounted:
            self.load()

    def action_back(self) -> None:
        self.host.pop_screen()
