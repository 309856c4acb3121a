"""What changed in the week since it was published, and who must be told: one row per
person (already told or not, what went, what came), the SMS text of the person under the
cursor, and one key to write the whole list for the SMS gateway and the phone calls."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from roster import exports
from roster.changes import WeekChanges, write_changes
from roster.i18n import N_, _
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterScreen


def default_folder(monday) -> Path:
    """Where the export dialog puts this list too (its folder, then one per kind)."""
    return Path.cwd() / "exports" / monday.isoformat() / "changes"


class ChangesScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding(
            "e", "export", N_("Export list"), tooltip=N_("one CSV: phone, change, text to send")
        ),
        Binding("c", "cadre", N_("Cadre page"), tooltip=N_("also Enter")),
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
        header.append(
            _("Changes since publishing · week of {monday}").format(monday=editor.week_start)
            + "\n",
            style="bold",
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if editor.published is None:
            self.changes = None
            header.append(
                _("Not published yet: nobody has been told. P on the board publishes."), "yellow"
            )
            self.query_one("#changes-header", Static).update(header)
            self.query_one("#changes-sms", Static).update("")
            return
        self.changes = changes = self.host.week_changes(editor.published, editor.assignments)
        told = len(changes.told)
        header.append(
            _(
                "{n} people's duties changed ({duties} added or removed); "
                "{told} of them were told their week already. e writes the list."
            ).format(n=len(changes.people), duties=changes.duties, told=told),
            style="magenta" if changes.people else "green",
        )
        self.query_one("#changes-header", Static).update(header)
        wide = self.size.width >= 110
        table.add_column(_("who"), key="who", width=10 if not wide else 14)
        table.add_column(_("told"), key="told", width=max(4, cell_len(_("told"))))
        table.add_column(_("was"), key="was", width=22 if not wide else 34)
        table.add_column(_("now"), key="now", width=22 if not wide else 34)
        for p in changes.people:
            table.add_row(
                Text(p.name, style="bold"),
                Text(_("yes") if p.told else _("new"), style="magenta" if p.told else "dim"),
                Text("; ".join(p.before.shown()) or "-"),
                Text("; ".join(p.after.shown()) or "-"),
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
            text.append(_("SMS to {name} {phone}: ").format(name=p.name, phone=p.phone), "bold")
            text.append(p.sms)
        elif self.changes is not None:
            text.append(_("Nothing changed since publishing: nobody to tell."), style="green")
        self.query_one("#changes-sms", Static).update(text)

    def action_back(self) -> None:
        self.host.pop_screen()

    def action_cadre(self) -> None:
        p = self.person()
        if p is not None:
            self.host.show_cadre(p.cadre_id)

    def action_export(self) -> None:
        if self.changes is None or not self.changes.people:
            self.notify(_("Nobody to tell: nothing written."), severity="warning")
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
        self.notify(
            _("wrote {n} people to {path}").format(n=len(self.changes.people), path=path),
            timeout=8,
        )
