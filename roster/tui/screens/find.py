"""Find a cadre or a post by name, code or pinyin initials (`wjb` finds 王金宝)."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from roster.find import Entry, Finder
from roster.i18n import N_, _
from roster.tui.screens.base import RosterModal


class FindScreen(RosterModal[Entry | None]):
    """Type to search; ↑/↓ to choose; Enter to go; Esc to cancel."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("down", "move(1)", N_("Next"), show=False),
        Binding("up", "move(-1)", N_("Previous"), show=False),
    ]

    def __init__(
        self,
        finder: Finder,
        *,
        kind: str | None = None,
        title: str | None = None,
        suggestions: list[tuple[Entry, str]] | None = None,
        notes_for: Callable[[list[Entry]], dict[int, str]] | None = None,
    ) -> None:
        super().__init__()
        # The deciding facts of typed matches (distance, duties, need), by entry id: the
        # picker keeps them visible while typing, not only for the suggestions.
        self.notes_for = notes_for
        self.finder = finder
        self.kind = kind
        self.title_text = title or _("Find")
        self.suggestions = suggestions or []
        self.entries: list[Entry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="find-box"):
            yield Label(Text(self.title_text, style="bold"))
            yield Input(placeholder=_("name, code or pinyin initials (wjb)"), id="find-input")
            yield OptionList(id="find-results")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.show([(e, note) for e, note in self.suggestions])

    @on(Input.Changed, "#find-input")
    def _changed(self, event: Input.Changed) -> None:
        if not event.value.strip() and self.suggestions:
            self.show(self.suggestions)
            return
        matches = self.finder.find(event.value, kind=self.kind, limit=30)
        entries = [m.entry for m in matches]
        known = {e.id: note for e, note in self.suggestions}
        notes = self.notes_for([e for e in entries if e.id not in known]) if self.notes_for else {}
        known.update(notes)
        self.show(
            [(e, f"{e.detail}  {known[e.id]}" if e.id in known else e.detail) for e in entries]
        )

    def show(self, rows: list[tuple[Entry, str]]) -> None:
        self.entries = [entry for entry, _note in rows]
        results = self.query_one(OptionList)
        results.clear_options()
        kinds = {"cadre": _("cadre"), "post": _("post")}
        room = max(cell_len(k) for k in kinds.values()) + 1
        for i, (entry, note) in enumerate(rows):
            label = Text()
            if self.kind is None:
                kind = kinds["cadre" if entry.kind == "cadre" else "post"]
                label.append(kind + " " * (room - cell_len(kind)), style="dim")
            label.append(f"{entry.code} ", style="bold")
            label.append(entry.name)
            label.append(f"  {note}", style="dim")
            results.add_option(Option(label, id=str(i)))
        if self.entries:
            results.highlighted = 0

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if not self.entries:
            return
        current = results.highlighted or 0
        results.highlighted = max(0, min(len(self.entries) - 1, current + step))

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        index = self.query_one(OptionList).highlighted
        if self.entries:
            self.dismiss(self.entries[index or 0])

    @on(OptionList.OptionSelected, "#find-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.entries[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
