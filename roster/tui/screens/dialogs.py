"""Small modal dialogs: override a refused edit, choose one of a few options, confirm."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from roster.edits import Refused
from roster.i18n import N_, _
from roster.tui.screens.base import RosterModal


class OverrideScreen(RosterModal[str | None]):
    """A refused edit: the reasons, and a box for the override reason (Esc cancels)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, refused: Refused) -> None:
        super().__init__()
        self.refused = refused

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="override"):
            yield Label(
                Text(_("Refused: {change}").format(change=self.refused.label), style="bold red")
            )
            reasons = Text()
            for breach in self.refused.breaches[:8]:
                reasons.append(_("• {rule}: ").format(rule=_(breach.rule)), style="bold")
                reasons.append(f"{breach.message}\n")
            if len(self.refused.breaches) > 8:
                more = _("… and {n} more").format(n=len(self.refused.breaches) - 8)
                reasons.append(f"{more}\n", style="dim")
            yield Static(reasons, id="reasons")
            yield Label(_("To make it anyway, type why (audited) and press Enter; Esc cancels."))
            yield Input(placeholder=_("override reason"), id="override-reason")

    @on(Input.Submitted, "#override-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.notify(_("An override needs a reason."), severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(RosterModal[str | None]):
    """Pick one of a few options with the arrows and Enter."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"))
            yield OptionList(*[Option(Text(label), id=value) for value, label in self.options])

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(RosterModal[bool]):
    """y / n."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No")),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            yield Label(Text(_("y = yes   n / Esc = no"), style="bold"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
