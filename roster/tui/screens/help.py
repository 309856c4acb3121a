"""Help: every key of the screen it was opened from, the app's keys, and the colours."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from roster.tui.screens.base import RosterModal

LEGEND = (
    ("met", "green", "covered as needed"),
    ("short", "bold #ffffff on #a00000", "fewer on duty than needed"),
    ("over", "black on #d7af00", "more on duty than needed"),
    ("#", "bold", "locked: kept by edits and re-solves"),
    ("*", "italic", "changed since the week was published"),
    ("·", "dim", "no demand, or rest"),
)


class HelpScreen(RosterModal[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(id="help-legend")

    def on_mount(self) -> None:
        name = type(self.under).__name__.removesuffix("Screen") or "Screen"
        self.query_one("#help-title", Static).update(
            Text(f"Keys on {name}  (Ctrl+P: command palette; Esc closes)", style="bold")
        )
        table = self.query_one(DataTable)
        table.add_column("key", key="key", width=12)
        table.add_column("action", key="action", width=20)
        table.add_column("more", key="more")
        for key, description, more in self.keys():
            table.add_row(Text(key, style="bold"), Text(description), Text(more, style="dim"))
        legend = Text()
        for mark, style, meaning in LEGEND:
            legend.append(f" {mark} ", style=style)
            legend.append(f" {meaning}  ")
        self.query_one("#help-legend", Static).update(legend)
        table.focus()

    def keys(self) -> list[tuple[str, str, str]]:
        """(key, description, tooltip) of every binding active on the screen underneath."""
        own = {b.action if isinstance(b, Binding) else b[1] for b in type(self.under).BINDINGS}
        actives = sorted(
            self.under.active_bindings.values(),
            key=lambda a: (a.binding.action not in own, a.node is not self.host),
        )
        out = []
        seen = set()
        for active in actives:
            binding = active.binding
            if not binding.description or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            out.append((self.host.get_key_display(binding), binding.description, binding.tooltip))
        out.append(("ctrl+p", "Command palette", "every action, searchable"))
        return out

    def action_close(self) -> None:
        self.dismiss(None)
