"""Post detail: the cadres deployed at one post as rows, days as columns, shifts in cells.

Rest days show as `·`, absences as `abs`, duty at another post as `@`; the last rows give
each shift's `covered/needed` per day. Edits here act on the cadre and day under the cursor.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Static

from roster import i18n
from roster.edits import WeekEditor
from roster.geo import commute_km
from roster.i18n import N_, WEEKDAYS_EN, _
from roster.i18n.said import Said
from roster.tui.flows import (
    assign_flow,
    move_day_flow,
    move_post_flow,
    replace_flow,
    swap_flow,
    unassign_flow,
)
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterScreen
from roster.tui.widgets.cells import STATE_STYLE, day_heading

POST_KINDS = (N_("village"), N_("community"))  # a post's kind, stored in English


class PostScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("y", "replace", N_("Replace"), tooltip=N_("another cadre takes this duty")),
        Binding("x", "unassign", N_("Unassign"), tooltip=N_("offers the replacement first")),
        Binding(
            "m", "move_post", N_("Move to post"), tooltip=N_("short posts first; keeps coverage")
        ),
        Binding(
            "d",
            "move_day",
            N_("Move to day"),
            tooltip=N_("free days, exchanges that keep coverage"),
        ),
        Binding("w", "swap", N_("Swap"), tooltip=N_("the post's colleagues first")),
        Binding("a", "assign", N_("Assign"), show=False, tooltip=N_("best fits first")),
        Binding("l", "lock", N_("Lock cell"), show=False),
        Binding("L", "lock_post", N_("Lock post week"), show=False),
        Binding("K", "lock_cadre", N_("Lock cadre week"), show=False),
        Binding("u", "undo", N_("Undo"), show=False),
        Binding("U,ctrl+r", "redo", N_("Redo"), key_display="U", show=False),
        Binding("c", "cadre", N_("Cadre page"), show=False, tooltip=N_("also Enter")),
    ]

    def __init__(self, post_id: int, day: dt.date | None = None) -> None:
        super().__init__()
        self.post_id = post_id
        self.start_day = day

    @property
    def editor(self) -> WeekEditor:
        return self.host.editor

    def compose(self) -> ComposeResult:
        yield Static(id="post-header", classes="screen-header")
        yield DataTable(id="post-table", cursor_type="cell")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        table = self.query_one(DataTable)
        if self.start_day in self.editor.days:
            table.move_cursor(column=3 + self.editor.days.index(self.start_day), animate=False)
        else:
            table.move_cursor(column=3, animate=False)
        table.focus()

    def cadre_ids(self) -> list[int]:
        """Cadres on duty here this week, deployed ones first, by code."""
        district = self.host.district
        deployed = self.editor.deployment()
        ids = {a.cadre_id for a in self.editor.assignments if a.post_id == self.post_id}
        return sorted(
            ids,
            key=lambda c: (deployed.get(c) != self.post_id, district.cadres[c].code),
        )

    def rebuild(self) -> None:
        district = self.host.district
        editor = self.editor
        post = district.posts[self.post_id]
        town = district.towns.get(post.town_id)
        group = district.work_groups.get(post.work_group_id)
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        wide = self.size.width >= 120
        table.add_column(_("cadre"), key="cadre", width=14 if wide else 8)
        table.add_column(_("unit"), key="unit", width=16 if wide else 8)
        table.add_column(_("km"), key="km", width=5)
        day_w = 9 if wide else 5
        for day in editor.days:
            name = WEEKDAYS_EN[day.weekday()]
            label = f"{name} {day:%m-%d}" if wide else f"{name[:2]}{day:%d}"
            if i18n.current() == "zh":
                label = day_heading(day, day_w)
            table.add_column(label, key=day.isoformat(), width=day_w)
        states = editor.cell_states()
        for cadre_id in self.cadre_ids():
            cadre = district.cadres[cadre_id]
            unit = district.units.get(cadre.unit_id)
            km = commute_km(cadre, post, district.settings.road_factor)
            name = Text(cadre.name)
            km_text = Text(f"{km:.1f}", style="bold red" if km > cadre.max_commute_km else "")
            cells: list[Text] = [name, Text(unit.name if unit else "?"), km_text]
            for day in editor.days:
                cells.append(self._day_cell(cadre_id, day))
            table.add_row(*cells, key=f"c{cadre_id}")
        codes = sorted(
            {code for (p, _d, code) in states if p == self.post_id},
            key=lambda c: district.shifts[c].start_minutes,
        )
        for code in codes:
            cells = [
                Text(_("{shift} need").format(shift=code), style="bold"),
                Text(district.shifts[code].name),
                Text(""),
            ]
            for day in editor.days:
                s = states.get((self.post_id, day, code))
                if s is None or not (s.required or s.covered):
                    cells.append(Text("·", style="dim"))
                else:
                    cells.append(Text(f"{s.covered}/{s.required}", style=STATE_STYLE[s.state]))
            table.add_row(*cells, key=f"need-{code}")
        if table.row_count:
            table.move_cursor(
                row=min(cursor.row, table.row_count - 1), column=cursor.column, animate=False
            )
        header = Text()
        header.append(f"{post.code} {post.name}", style="bold")
        header.append(
            f"  {_(post.kind)}  {town.name if town else '?'}  {group.name if group else ''}"
        )
        header.append("  " + _("compounds {n}").format(n=post.compounds))
        locked = [a for a in editor.assignments if a.post_id == self.post_id and a.locked]
        if locked:
            header.append("  " + _("# {n} locked").format(n=len(locked)), style="cyan")
        header.append("\n")
        header.append(
            _("· rest  abs absent  @ other post  # locked  * changed since publish"),
            style="dim",
        )
        self.query_one("#post-header", Static).update(header)

    def _day_cell(self, cadre_id: int, day: dt.date) -> Text:
        district = self.host.district
        a = self.editor.at(cadre_id, day)
        if a is not None and a.post_id == self.post_id:
            key = (a.post_id, a.date, a.shift_code, a.cadre_id)
            published = self.editor.published
            changed = published is not None and key not in published
            label = f"{'#' if a.locked else ''}{a.shift_code}{'*' if changed else ''}"
            style = "bold cyan" if a.shift_code != "N" else "bold magenta"
            return Text(label, style=style + (" italic" if changed else ""))
        if a is not None:
            return Text("@", style="dim")
        if district.absent(cadre_id, day):
            return Text(_("abs"), style="yellow")
        if district.cadres[cadre_id].status != "active":
            return Text("-", style="dim")
        return Text("·", style="dim")

    # --- cursor ----------------------------------------------------------------------

    def cursor_cadre(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        key = row_key.value or ""
        return int(key[1:]) if key.startswith("c") else None

    def cursor_day(self) -> dt.date | None:
        column = self.query_one(DataTable).cursor_column
        return self.editor.days[column - 3] if column >= 3 else None

    def _need_cadre_day(self) -> tuple[int, dt.date] | None:
        cadre_id, day = self.cursor_cadre(), self.cursor_day()
        if cadre_id is None or day is None:
            self.notify(_("Put the cursor on a cadre and a day first."), severity="warning")
            return None
        return cadre_id, day

    # --- messages and actions --------------------------------------------------------

    def on_roster_changed(self, message: RosterChanged) -> None:
        if message.reason != "checks":
            self.rebuild()

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        self.action_cadre()

    def action_back(self) -> None:
        self.host.pop_screen()

    def action_cadre(self) -> None:
        cadre_id = self.cursor_cadre()
        if cadre_id is not None:
            self.host.show_cadre(cadre_id)

    def action_assign(self) -> None:
        day = self.cursor_day() or self.editor.days[0]
        assign_flow(self.host, self.post_id, day)

    def action_unassign(self) -> None:
        if picked := self._need_cadre_day():
            unassign_flow(self.host, *picked)

    def action_replace(self) -> None:
        if picked := self._need_cadre_day():
            replace_flow(self.host, *picked)

    def action_move_post(self) -> None:
        """Move the cadre's duty of this day (or of the week) to another post."""
        if picked := self._need_cadre_day():
            move_post_flow(self.host, *picked)

    def action_move_day(self) -> None:
        if picked := self._need_cadre_day():
            move_day_flow(self.host, *picked)

    def action_swap(self) -> None:
        if picked := self._need_cadre_day():
            swap_flow(self.host, *picked)

    def action_lock(self) -> None:
        if picked := self._need_cadre_day():
            cadre_id, day = picked
            self.host.edit(
                lambda _o: self.editor.set_locked(
                    lambda a: a.cadre_id == cadre_id and a.date == day,
                    None,
                    # English in the audit, translated in the notice (a `Said`)
                    Said(
                        N_("{cadre} on {day}"),
                        cadre=self.host.district.cadres[cadre_id].name,
                        day=day,
                    ),  # fmt: skip
                )
            )

    def action_lock_post(self) -> None:
        self.host.edit(lambda _o: self.editor.lock_post_week(self.post_id))

    def action_lock_cadre(self) -> None:
        cadre_id = self.cursor_cadre()
        if cadre_id is not None:
            self.host.edit(lambda _o: self.editor.lock_cadre_week(cadre_id))

    def action_undo(self) -> None:
        self.host.undo()

    def action_redo(self) -> None:
        self.host.redo()
