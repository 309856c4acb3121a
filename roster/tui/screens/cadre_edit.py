"""Dialogs of the cadre page: correct a cadre's facts, add a wish. Each answers with the
values typed (or None on Esc); the cadre page writes them through `roster.wishes`, which
checks them, audits them and refuses what the coordinator's towns do not cover."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from roster.domain import CADRE_STATUSES, TRANSPORT_MAX_KM, WISH_KINDS, Cadre
from roster.i18n import N_, _
from roster.tui.screens.base import RosterModal

# the codes stored in English and shown translated (`roster.domain`)
TRANSPORTS = (N_("walk"), N_("bicycle"), N_("e-bike"), N_("bus"), N_("car"))
STATUSES = (N_("active"), N_("on_leave"), N_("recalled"), N_("withdrawn"))
KINDS = (N_("unavailable"), N_("avoid"), N_("prefer"))


def _row(label: str, widget) -> Horizontal:
    return Horizontal(Label(label, classes="form-label"), widget, classes="form-row")


class CadreEditScreen(RosterModal[dict | None]):
    """Phone, transport, commute limit, night eligibility, status and notes."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel")), Binding("ctrl+s", "save", N_("Save"))]

    def __init__(self, cadre: Cadre) -> None:
        super().__init__()
        self.cadre = cadre

    def compose(self) -> ComposeResult:
        c = self.cadre
        with VerticalScroll(classes="dialog form", id="cadre-edit"):
            yield Label(Text(_("{name} {code}: details").format(name=c.name, code=c.code), "bold"))
            yield _row(_("phone"), Input(c.phone, id="phone"))
            yield _row(
                _("transport"),
                Select(
                    [(_(t), t) for t in TRANSPORT_MAX_KM], value=c.transport, allow_blank=False,
                    id="transport",
                ),
            )  # fmt: skip
            yield _row(_("max km"), Input(f"{c.max_commute_km:g}", id="max_km"))
            yield _row(
                _("nights"),
                Select(
                    [(_("may do nights"), "yes"), (_("no nights"), "no")],
                    value="yes" if c.night_ok else "no", allow_blank=False, id="night_ok",
                ),
            )  # fmt: skip
            yield _row(
                _("status"),
                Select(
                    [(_(s), s) for s in CADRE_STATUSES], value=c.status, allow_blank=False,
                    id="status",
                ),
            )  # fmt: skip
            yield _row(_("notes"), Input(c.notes, id="notes"))
            yield Label(_("Enter or ctrl+s saves (audited); Esc cancels. A new transport mode "
                          "takes its default limit unless you change max km too."))  # fmt: skip
            yield Button(_("Save"), id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#phone", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        km_text = self.query_one("#max_km", Input).value.strip()
        if not km_text:  # said as '' it read as a riddle, in Chinese even more
            self.notify(_("max km: write a number of kilometres"), severity="error")
            return
        try:
            km = float(km_text)
        except ValueError:
            self.notify(
                _("max km: {text!r} is not a number").format(text=km_text), severity="error"
            )
            return
        transport = self.query_one("#transport", Select).value
        km_changed = km != self.cadre.max_commute_km
        self.dismiss(
            {
                "phone": self.query_one("#phone", Input).value.strip(),
                "transport": transport,
                "max_commute_km": km if km_changed or transport == self.cadre.transport else None,
                "night_ok": self.query_one("#night_ok", Select).value == "yes",
                "status": self.query_one("#status", Select).value,
                "notes": self.query_one("#notes", Input).value,
            }
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class WishAddScreen(RosterModal[dict | None]):
    """A new wish: kind, when (a date, weekdays, until), shift, weight, note."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel")), Binding("ctrl+s", "save", N_("Save"))]

    def __init__(self, cadre: Cadre, shifts: list[str]) -> None:
        super().__init__()
        self.cadre = cadre
        self.shifts = shifts

    def compose(self) -> ComposeResult:
        c = self.cadre
        with VerticalScroll(classes="dialog form", id="wish-add"):
            yield Label(
                Text(_("{name} {code}: a new wish").format(name=c.name, code=c.code), "bold")
            )
            yield _row(
                _("kind"),
                Select([(_(k), k) for k in WISH_KINDS], value="unavailable", allow_blank=False,
                       id="kind"),
            )  # fmt: skip
            yield _row(
                _("date"), Input(placeholder=_("YYYY-MM-DD (a day, or the first)"), id="date")
            )
            yield _row(
                _("weekdays"), Input(placeholder=_("e.g. 6,7 or 1-5 (1 = Monday)"), id="weekday")
            )
            yield _row(_("until"), Input(placeholder=_("YYYY-MM-DD (the last day)"), id="until"))
            yield _row(
                _("shift"),
                Select([(_("every shift"), ""), *[(s, s) for s in self.shifts]], value="",
                       allow_blank=False, id="shift"),
            )  # fmt: skip
            yield _row(
                _("weight"),
                Input(placeholder=_("avoid/prefer: default from settings"), id="weight"),
            )
            yield _row(_("note"), Input(id="note"))
            yield Label(_("Enter or ctrl+s saves (audited); Esc cancels."))
            yield Button(_("Save"), id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#kind", Select).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(
            {
                "kind": self.query_one("#kind", Select).value,
                "date": self.query_one("#date", Input).value.strip(),
                "weekday": self.query_one("#weekday", Input).value.strip(),
                "until": self.query_one("#until", Input).value.strip(),
                "shift": self.query_one("#shift", Select).value,
                "weight": self.query_one("#weight", Input).value.strip(),
                "note": self.query_one("#note", Input).value,
            }
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
