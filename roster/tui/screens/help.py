"""Help: every key of the screen it was opened from, the app's keys, and the colours."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from roster.i18n import N_, _
from roster.tui.screens.base import RosterModal

LEGEND = (
    (N_("met"), "green", N_("covered as needed")),
    (N_("short"), "bold #ffffff on #a00000", N_("fewer on duty than needed")),
    (N_("over"), "black on #d7af00", N_("more on duty than needed")),
    ("#", "bold", N_("locked: kept by edits and re-solves")),
    ("*", "italic", N_("changed since the week was published")),
    ("!", "bold #ffffff on #8700af", N_("a rule broken (an override) until resolved")),
    ("·", "dim", N_("no demand, or rest")),
)
# the screens the help names ("Keys on the board screen"), by their class's name
SCREENS = {
    "board": N_("the board screen"), "post": N_("the post screen"),
    "cadre": N_("the cadre screen"), "cadreedit": N_("the cadreedit screen"),
    "wishadd": N_("the wishadd screen"), "problems": N_("the problems screen"),
    "solve": N_("the solve screen"), "relief": N_("the relief screen"),
    "audit": N_("the audit screen"), "auditdetail": N_("the auditdetail screen"),
    "export": N_("the export screen"), "fairness": N_("the fairness screen"),
    "now": N_("the now screen"), "changes": N_("the changes screen"),
    "messages": N_("the messages screen"), "rotation": N_("the rotation screen"),
    "find": N_("the find screen"),
}  # fmt: skip


class Legend:
    """The colours' entries side by side, a new line before one that would not fit: a mark
    is never left at the end of a line with its meaning on the next."""

    def __init__(self, entries: list[Text]) -> None:
        self.entries = entries

    def __rich_console__(self, console, options):
        line = Text()
        for entry in self.entries:
            if line and line.cell_len + entry.cell_len - 2 > options.max_width:
                yield line
                line = Text()
            line.append_text(entry)
        yield line


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

    BINDINGS = [Binding("escape,question_mark,q", "close", N_("Close"))]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(id="help-legend")

    def on_mount(self) -> None:
        name = (type(self.under).__name__.removesuffix("Screen") or "Screen").lower()
        screen = _(SCREENS[name]) if name in SCREENS else f"the {name} screen"
        self.query_one("#help-title", Static).update(
            Text(_("Keys on {screen}  (↑↓ scroll · Esc closes)").format(screen=screen),
                 style="bold")
        )  # fmt: skip
        table = self.query_one(DataTable)
        wide = self.size.width >= 100
        table.add_column(_("key"), key="key", width=7)
        table.add_column(_("does"), key="does", width=16)
        table.add_column(_("more"), key="more", width=60 if wide else 44)
        for key, description, more in self.keys():
            table.add_row(Text(key, style="bold"), Text(description), Text(more, style="dim"))
        entries = []
        for mark, style, meaning in LEGEND:
            entry = Text()
            entry.append(f" {_(mark)} ", style=style)
            entry.append(f" {_(meaning)}  ")
            entries.append(entry)
        self.query_one("#help-legend", Static).update(Legend(entries))
        table.focus()

    def keys(self) -> list[tuple[str, str, str]]:
        """(key, description, more) of every key roster gives the screen underneath."""
        out = [
            (key_text(self.host, b), _(b.description), _(b.tooltip) if b.tooltip else b.tooltip)
            for b in own_bindings(self.under, self.host)
        ]
        out.append(("Ctrl+P", _("Palette"), _("every action by name, searchable")))
        return out

    def action_close(self) -> None:
        self.dismiss(None)
