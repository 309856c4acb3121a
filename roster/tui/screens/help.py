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
    ("!", "bold #ffffff on #8700af", "a rule broken (an override) until resolved"),
    ("·", "dim", "no demand, or rest"),
)


def own_bindings(screen: Screen, app) -> list[Binding]:
    """The keys roster gives a screen, in the order declared, then the app's own: nothing
    of Textual's (focus, copy, scrolling)."""
    out: list[Binding] = []
    seen: set[str] = set()
    for binding in [*type(screen).BINDINGS, *type(app).BINDINGS]:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        if binding.action in seen:
            continue
        seen.add(binding.action)
        out.append(binding)
    return out


def key_text(app, binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    keys = [app.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(",")]
    return "/".join(keys)


class HelpScreen(RosterModal[None]):
    """Every key of the screen it was opened from, in the words of the job."""

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
            Text(f"Keys on the {name.lower()} screen  (↑↓ scroll · Esc closes)", style="bold")
        )
        table = self.query_one(DataTable)
        wide = self.size.width >= 100
        table.add_column("key", key="key", width=7)
        table.add_column("does", key="does", width=16)
        table.add_column("more", key="more", width=60 if wide else 44)
        for key, description, more in self.keys():
            table.add_row(Text(key, style="bold"), Text(description), Text(more, style="dim"))
        legend = Text()
        for mark, style, meaning in LEGEND:
            legend.append(f" {mark} ", style=style)
            legend.append(f" {meaning}  ")
        self.query_one("#help-legend", Static).update(legend)
        table.focus()

    def keys(self) -> list[tuple[str, str, str]]:
        """(key, description, more) of every key roster gives the screen underneath."""
        out = [
            (key_text(self.host, b), b.description, b.tooltip)
            for b in own_bindings(self.under, self.host)
        ]
        out.append(("Ctrl+P", "Palette", "every action by name, searchable"))
        return out

    def action_close(self) -> None:
        self.dismiss(None)
