"""The audit log: who changed what and when, for the week on the board or for all weeks;
filter by actor, Enter shows an entry's whole details."""

from __future__ import annotations

import json

import pendulum
from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Input, Label, Static

from roster import i18n, store
from roster.clock import TIMEZONE
from roster.domain import detail_value, detail_word, readable_details, shown_edit
from roster.i18n import N_, _, ngettext, pgettext
from roster.text import inert
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterModal, RosterScreen

WIDTHS = {N_("time"): 11, N_("actor"): 10, N_("action"): 14}
ACTION_STYLES = {"edit.override": "bold red", "refused": "red"}
# the audit actions, stored in English (the records stay as written), shown translated
ACTIONS = (
    N_("edit.assign"),
    N_("edit.unassign"),
    N_("edit.move"),
    N_("edit.replace"),
    N_("edit.swap"),
    N_("edit.lock"),
    N_("edit.unlock"),
    N_("edit.override"),
    N_("solve.accept"),
    N_("publish"),
    N_("relief.request"),
    N_("relief.apply"),
    N_("relief.settle"),
    N_("relief.published"),
    N_("relief.recall"),
    N_("wish.add"),
    N_("wish.remove"),
    N_("cadre.edit"),
    N_("export"),
    N_("import"),
    N_("backup"),
    N_("restore"),
    N_("init"),
    N_("settings.set"),
    N_("settings.reset"),
    N_("user.add"),
    N_("user.remove"),
    N_("refused"),
)


def widths() -> dict[str, int]:
    """The fixed columns' widths, wide enough for their headings and the actions' names as
    translated (an action shown by its English code keeps the English width)."""
    out = {name: max(width, cell_len(_(name))) for name, width in WIDTHS.items()}
    out["action"] = max(out["action"], *(cell_len(_(a)) for a in ACTIONS if _(a) != a), 0)
    return out


def local_time(at: str) -> str:
    """A stored UTC ISO time as "MM-DD HH:MM" in the district's time zone."""
    try:
        return pendulum.parse(at).in_timezone(TIMEZONE).format("MM-DD HH:mm")
    except Exception:  # a hand-written row: show what is there
        return at[:11]


def compact(details: str) -> str:
    """The details on one line, in words (`roster.domain.readable_details`)."""
    return readable_details(details)


def pretty(details: str) -> str:
    """The whole details: the stored JSON, indented; in another language than English, one
    line per key in its words (`key：value`, a list's or a dict's items indented below)."""
    try:
        value = json.loads(details)
    except (TypeError, ValueError):
        return str(details)
    if i18n.current() == "en" or not isinstance(value, dict):
        if isinstance(value, dict):
            value.pop("edit_said", None)  # the edit's words, shown through "edit"
        return json.dumps(value, ensure_ascii=False, indent=2)
    return "\n".join(_lines(value))


def _lines(value: dict, indent: str = "") -> list[str]:
    out = []
    for key in sorted(value, key=lambda k: (k != "edit", k != "week")):
        item = shown_edit(value) if key == "edit" else value[key]
        if key == "edit_said":
            continue
        label = pgettext("audit detail", "edit") if key == "edit" else detail_word(key)
        if isinstance(item, dict):
            out.append(_("{key}:").format(key=f"{indent}{label}"))
            out.extend(_lines(item, indent + "  "))
        elif isinstance(item, list):
            out.append(_("{key}:").format(key=f"{indent}{label}"))
            out.extend(f"{indent}  - {detail_value(key, x)}" for x in item)
        else:
            shown = "-" if item is None else detail_value(key, item)
            out.append(_("{key}: {value}").format(key=f"{indent}{label}", value=shown))
    return out


class AuditDetailScreen(RosterModal[None]):
    """One audit entry's whole details."""

    BINDINGS = [Binding("escape,enter,q", "close", N_("Close"))]

    def __init__(self, entry: store.AuditEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(classes="dialog", id="audit-detail"):
            yield Label(
                Text(
                    inert(f"#{entry.id}  {local_time(entry.at)}  {entry.actor}  {_(entry.action)}"),
                    style="bold",
                )
            )
            with VerticalScroll(id="audit-detail-body"):
                yield Static(
                    Text(inert(pretty(entry.details), keep_newlines=True)), id="audit-detail-text"
                )
            yield Label(Text(_("Esc or Enter closes"), style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)


class AuditScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding(
            "w", "toggle_week", N_("Week/all"), tooltip=N_("this week's entries, or every entry")
        ),
        Binding(
            "f", "filter", N_("Actor filter"), tooltip=N_("only one actor's entries (exact name)")
        ),
    ]

    def __init__(self, *, limit: int = 200) -> None:
        super().__init__()
        self.limit = limit
        self.all_weeks = False
        self.actor = ""
        self.entries: dict[str, store.AuditEntry] = {}
        self._details_width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="audit-header", classes="screen-header")
        yield DataTable(id="audit", cursor_type="row")
        yield Input(placeholder=_("actor (exact; empty shows everyone)"), id="audit-filter")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#audit-filter", Input).display = False
        table = self.query_one(DataTable)
        for name, width in widths().items():
            table.add_column(_(name), key=name, width=width)
        table.add_column(_("details"), key="details")
        self.rebuild()
        table.focus()

    def details_width(self) -> int:
        """What is left of the width for the details (cells are padded by one each side)."""
        fixed = sum(w + 2 for w in widths().values()) + 2 + 2  # details padding, scrollbar
        return max(10, self.size.width - fixed)

    def on_resize(self) -> None:
        if self.is_mounted and self.details_width() != self._details_width:
            self.rebuild()

    def rows(self) -> list[store.AuditEntry]:
        week = None if self.all_weeks else self.host.editor.week_start
        return store.audit_entries(
            self.host.db, actor=self.actor or None, week=week, limit=self.limit
        )

    def rebuild(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.entries.clear()
        width = self._details_width = self.details_width()
        entries = self.rows()
        for entry in entries:
            key = str(entry.id)
            self.entries[key] = entry
            details = Text(inert(compact(entry.details)), no_wrap=True)
            details.truncate(width, overflow="ellipsis")
            table.add_row(
                Text(local_time(entry.at), style="dim"),
                Text(inert(entry.actor) or "-", style="bold"),
                Text(inert(_(entry.action)), style=ACTION_STYLES.get(entry.action, "")),
                details,
                key=key,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        header = Text()
        week = self.host.editor.week_start
        header.append(
            _("Audit of all weeks")
            if self.all_weeks
            else _("Audit of the week of {monday}").format(monday=week),
            style="bold",
        )
        n = len(entries)
        header.append("  " + ngettext("{n} entry", "{n} entries", n).format(n=n))
        if n >= self.limit:
            header.append(" " + _("(newest {limit})").format(limit=self.limit), style="dim")
        if self.actor:
            header.append("  " + _("actor: {actor}").format(actor=self.actor), style="cyan")
        header.append("\n" + _("w: this week/all  f: actor  Enter: whole details"), style="dim")
        self.query_one("#audit-header", Static).update(header)

    def on_roster_changed(self, message: RosterChanged) -> None:
        if message.reason != "checks":
            self.rebuild()

    @on(DataTable.RowSelected, "#audit")
    def _selected(self, event: DataTable.RowSelected) -> None:
        entry = self.entries.get(event.row_key.value or "")
        if entry is not None:
            self.host.push_screen(AuditDetailScreen(entry))

    @on(Input.Submitted, "#audit-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.actor = event.value.strip()
        event.input.display = False
        self.rebuild()
        self.query_one(DataTable).focus()

    def action_toggle_week(self) -> None:
        self.all_weeks = not self.all_weeks
        self.rebuild()

    def action_filter(self) -> None:
        box = self.query_one("#audit-filter", Input)
        box.display = True
        box.value = self.actor
        box.focus()

    def action_back(self) -> None:
        box = self.query_one("#audit-filter", Input)
        if box.display:  # Esc in the actor box: leave it, the filter as it was
            box.display = False
            self.query_one(DataTable).focus()
            return
        self.host.pop_screen()
