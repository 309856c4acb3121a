"""What changed in the week since it was published, and who must be told: one row per
person (already told or not, what went, what came), the SMS text of the person under the
cursor, and one key to write the whole list for the SMS gateway and the phone calls."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from roster import exports
from roster.changes import WeekChanges, write_changes
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterScreen


def default_folder(monday) -> Path:
    """Where the export dialog puts this list too (its folder, then one per kind)."""
    return Path.cwd() / "exports" / monday.isoformat() / "changes"


class ChangesScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("e", "export", "Export list", tooltip="one CSV: phone, change, text to send"),
        Binding("c", "cadre", "Cadre page", tooltip="also Enter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.changes: WeekChanges | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="changes-header", classes="screen-header")
        yield DataTable(id="changes", cursor_type="row")
        yield Static(id="changes-sms")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.query_one(DataTable).focus()

    def on_roster_changed(self, message: RosterChanged) -> None:
        if message.reason != "checks":
            self.rebuild()

    def rebuild(self) -> None:
        editor = self.host.editor
        header = Text()
        header.append(f"Changes since publishing · week of {editor.week_start}\n", style="bold")
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if editor.published is None:
            self.changes = None
            header.append(
                "Not published yet: nobody has been told. P on the board publishes.", "yellow"
            )
            self.query_one("#changes-header", Static).update(header)
            self.query_one("#changes-sms", Static).update("")
            return
        self.changes = changes = self.host.week_changes(editor.published, editor.assignments)
        told = len(changes.told)
        header.append(
            f"{len(changes.people)} people's duties changed ({changes.duties} added or removed); "
            f"{told} of them were told their week already. e writes the list.",
            style="magenta" if changes.people else "green",
        )
        self.query_one("#changes-header", Static).update(header)
        wide = self.size.width >= 110
        table.add_column("who", key="who", width=10 if not wide else 14)
        table.add_column("told", key="told", width=4)
        table.add_column("was", key="was", width=22 if not wide else 34)
        table.add_column("now", key="now", width=22 if not wide else 34)
        for p in changes.people:
            table.add_row(
                Text(p.name, style="bold"),
                Text("yes" if p.told else "new", style="magenta" if p.told else "dim"),
                Text("; ".join(p.before) or "-"),
                Text("; ".join(p.after) or "-"),
                key=str(p.cadre_id),
            )
        self.show_sms()

    def person(self):
        table = self.query_one(DataTable)
        if self.changes is None or not table.row_count:
            return None
        return self.changes.people[table.cursor_row]

    def on_data_table_row_highlighted(self, _event) -> None:
        self.show_sms()

    def on_data_table_row_selected(self, _event) -> None:
        self.action_cadre()

    def show_sms(self) -> None:
        p = self.person()
        text = Text()
        if p is not None:
            text.append(f"SMS to {p.name} {p.phone}: ", style="bold")
            text.append(p.sms)
        elif self.changes is not None:
            text.append("Nothing changed since publishing: nobody to tell.", style="green")
        self.query_one("#changes-sms", Static).update(text)

    def action_back(self) -> None:
        self.host.pop_screen()

    def action_cadre(self) -> None:
        p = self.person()
        if p is not None:
            self.host.show_cadre(p.cadre_id)

    def action_export(self) -> None:
        if self.changes is None or not self.changes.people:
            self.notify("Nobody to tell: nothing written.", severity="warning")
            return
        folder = default_folder(self.host.editor.week_start)
        try:
            path = write_changes(self.changes, folder)
        except exports.ExportError as error:
            self.notify(str(error), severity="error", timeout=8)
            return
        exports.audit_export(
            self.host.db,
            {"week": self.host.editor.week_start.isoformat(), "by": "changes",
             "people": len(self.changes.people), "folder": str(folder)},
            self.host.actor,
        )  # fmt: skip
        self.notify(f"wrote {len(self.changes.people)} people to {path}", timeout=8)
