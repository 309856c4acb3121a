"""Cadre detail: this week and the past weeks, commute, unit, party membership, nights and
weekends against the district average, absences and the audit entries that name them."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from roster.edits import audit_about, average_counts, duty_counts
from roster.geo import commute_km
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterScreen
from roster.tui.widgets.cells import WEEKDAYS

HISTORY_WEEKS = 4


class CadreScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("g", "goto_post", "Go to post"),
        Binding("m", "move_week", "Move week"),
        Binding("w", "swap_week", "Swap week"),
        Binding("K", "lock_week", "Lock week"),
        Binding("r", "relief", "Relief", tooltip="cover an absence of this cadre"),
        Binding("u", "undo", "Undo", show=False),
        Binding("U,ctrl+r", "redo", "Redo", key_display="U", show=False),
    ]

    def __init__(self, cadre_id: int) -> None:
        super().__init__()
        self.cadre_id = cadre_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="cadre-scroll"):
            yield Static(id="cadre-info", classes="screen-header")
            yield DataTable(id="cadre-weeks", cursor_type="row")
            yield Static(id="cadre-more")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.query_one(DataTable).focus()

    def on_roster_changed(self, message: RosterChanged) -> None:
        if message.reason != "checks":
            self.rebuild()

    def rebuild(self) -> None:
        app = self.host
        district = app.district
        editor = app.editor
        cadre = district.cadres[self.cadre_id]
        unit = district.units.get(cadre.unit_id)
        week = editor.assignments
        past = [
            a
            for a in editor.history
            if a.date >= editor.week_start - dt.timedelta(weeks=HISTORY_WEEKS)
        ]
        deployed = editor.deployment().get(self.cadre_id)
        post = district.posts.get(deployed) if deployed else None
        counts = duty_counts(district, [*past, *week])
        mine = counts.get(self.cadre_id)
        avg_nights, avg_weekends = average_counts(district, counts)

        info = Text()
        info.append(f"{cadre.name} ", style="bold")
        info.append(f"{cadre.code}  {'男' if cadre.gender == 'M' else '女'}  ")
        info.append(f"born {cadre.birth_date}  {cadre.phone}\n")
        info.append(f"unit {unit.name if unit else '?'}  ")
        info.append("party member" if cadre.party_member else "not a party member")
        info.append(
            f"  status {cadre.status}", style="" if cadre.status == "active" else "bold red"
        )
        info.append("\n")
        info.append(f"{cadre.transport}, max {cadre.max_commute_km:g} km  ")
        if post is not None:
            km = commute_km(cadre, post, district.settings.road_factor)
            info.append(f"deployed at {post.code} {post.name}, {km:.1f} km", style="bold")
            if km > cadre.max_commute_km:
                info.append(" (too far)", style="bold red")
        else:
            info.append("no duty this week", style="dim")
        if not cadre.night_ok:
            info.append("  no nights", style="yellow")
        info.append("\n")
        nights = mine.nights if mine else 0
        weekends = mine.weekends if mine else 0
        info.append(
            f"last {HISTORY_WEEKS} weeks + this: {mine.days if mine else 0} duties, "
            f"{nights} nights (avg {avg_nights:.1f}), {weekends} weekend (avg {avg_weekends:.1f})"
        )
        self.query_one("#cadre-info", Static).update(info)

        table = self.query_one(DataTable)
        table.clear(columns=True)
        wide = self.size.width >= 120
        table.add_column("week", key="week", width=10)
        for i in range(7):
            table.add_column(WEEKDAYS[i], key=str(i), width=14 if wide else 7)
        by_day = {(a.date, a.cadre_id): a for a in [*past, *week]}
        for back in range(HISTORY_WEEKS, -1, -1):
            monday = editor.week_start - dt.timedelta(weeks=back)
            label = Text(f"{monday:%m-%d}", style="bold" if back == 0 else "")
            cells: list[Text] = [label]
            for i in range(7):
                day = monday + dt.timedelta(days=i)
                a = by_day.get((day, self.cadre_id))
                if a is not None:
                    where = district.posts[a.post_id].name if a.post_id in district.posts else "?"
                    text = Text(f"{'#' if a.locked else ''}{a.shift_code} {where}")
                    text.stylize("bold magenta" if a.shift_code == "N" else "bold cyan", 0, 1)
                    text.truncate(14 if wide else 7, overflow="ellipsis")
                elif district.absent(self.cadre_id, day):
                    text = Text("abs", style="yellow")
                else:
                    text = Text("·", style="dim")
                cells.append(text)
            table.add_row(*cells, key=monday.isoformat())

        more = Text()
        absences = sorted(
            (a for a in district.absences if a.cadre_id == self.cadre_id),
            key=lambda a: a.start_date,
        )
        more.append("Absences\n", style="bold")
        for a in absences:
            more.append(f"  {a.start_date} – {a.end_date}  {a.kind}  {a.note}\n")
        if not absences:
            more.append("  none\n", style="dim")
        more.append("Audit\n", style="bold")
        entries = audit_about(app.db, cadre.code)
        for e in entries:
            more.append(f"  {e.when} {e.actor} {e.action} ", style="dim")
            more.append(f"{_short(e.details)}\n")
        if not entries:
            more.append("  none\n", style="dim")
        self.query_one("#cadre-more", Static).update(more)

    # --- actions ---------------------------------------------------------------------

    def action_back(self) -> None:
        self.host.pop_screen()

    def action_goto_post(self) -> None:
        deployed = self.host.editor.deployment().get(self.cadre_id)
        if deployed is None:
            self.notify("No duty this week.", severity="warning")
            return
        self.host.jump_to(deployed, None)

    def action_move_week(self) -> None:
        editor = self.host.editor
        self.host.pick(
            "post",
            "Move this cadre's week to which post?",
            lambda post_id: self.host.edit(
                lambda o: editor.move_week(self.cadre_id, post_id, override=o)
            ),
        )

    def action_swap_week(self) -> None:
        editor = self.host.editor
        self.host.pick(
            "cadre",
            "Swap the week with which cadre?",
            lambda other: self.host.edit(lambda o: editor.swap(self.cadre_id, other, override=o)),
        )

    def action_relief(self) -> None:
        """Relief from today if it is in the week shown, else from the first duty day."""
        from roster.clock import today

        editor = self.host.editor
        day = today()
        if day not in editor.days:
            duty = sorted(a.date for a in editor.of_cadre(self.cadre_id))
            day = duty[0] if duty else editor.days[0]
        self.host.show_relief(self.cadre_id, day)

    def action_lock_week(self) -> None:
        self.host.edit(lambda _o: self.host.editor.lock_cadre_week(self.cadre_id))

    def action_undo(self) -> None:
        self.host.undo()

    def action_redo(self) -> None:
        self.host.redo()


def _short(details: str) -> str:
    import json

    try:
        data = json.loads(details)
    except ValueError:
        return details[:80]
    if isinstance(data, dict):
        text = data.get("edit") or data.get("reason") or details
        if data.get("reason"):
            text = f"override: {data['reason']} ({data.get('edit', '')})"
        return str(text)[:100]
    return details[:80]
