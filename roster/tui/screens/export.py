"""Export: the week's duty sheets, cadre weeks, calendars, SMS texts and unit lists, and the
service records of a period, written to a folder on the server; the same core functions as
`roster export` and `roster service`, always from the stored roster, never from the screen."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pendulum
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from roster import exports, service, store
from roster.clock import TIMEZONE
from roster.i18n import N_, _, pgettext
from roster.service import service_details
from roster.tui.screens.base import RosterModal


@dataclass(frozen=True)
class Choice:
    key: str
    label: str  # marked N_, shown translated
    by: str  # "post", "cadre", "unit", or "service" for the service records
    fmt: str
    changed_only: bool = False


CHOICES = (
    Choice("post-xlsx", N_("Duty sheets: one workbook, a sheet per town (XLSX, A4)"), "post",
           "xlsx"),
    Choice("post-csv", N_("Duty sheets: one CSV per post"), "post", "csv"),
    Choice("cadre-xlsx", N_("Each cadre's week (XLSX)"), "cadre", "xlsx"),
    Choice("cadre-csv", N_("Each cadre's week (CSV)"), "cadre", "csv"),
    Choice("cadre-ics", N_("Calendars: one ICS file per cadre"), "cadre", "ics"),
    Choice("cadre-sms", N_("SMS texts for every cadre on duty (CSV)"), "cadre", "sms"),
    Choice("changed-sms", N_("SMS texts for cadres changed by relief only"), "cadre", "sms",
           True),
    Choice("unit-xlsx", N_("Unit lists for the liaisons (XLSX, a sheet per unit)"), "unit",
           "xlsx"),
    Choice("unit-csv", N_("Unit lists for the liaisons (one CSV per unit)"), "unit", "csv"),
    Choice("service-xlsx", N_("Service records of the period below (XLSX)"), "service", "xlsx"),
    Choice("service-csv", N_("Service records of the period below (CSV)"), "service", "csv"),
    Choice("changes-csv", N_("Who must be told: changes since publishing, with texts"),
           "changes", "csv"),
)  # fmt: skip
# a stored roster's status, shown translated
ROSTER_STATUSES = (N_("draft"), N_("published"))
# what a date typed in the dialog is (`parse_day`'s `what`) -> how a wrong one is told
NOT_A_DATE = {
    "from": N_("from {text!r} is not a date: write it as YYYY-MM-DD"),
    "to": N_("to {text!r} is not a date: write it as YYYY-MM-DD"),
}
# Each list into a folder of its own under the one chosen: exporting everything would
# otherwise put 1,100 files (a CSV per post, a calendar per cadre) side by side.
SUBFOLDERS = {
    "post-xlsx": "duty-sheets", "post-csv": "duty-sheets-csv", "cadre-xlsx": "cadres",
    "cadre-csv": "cadres", "cadre-ics": "calendars", "cadre-sms": "sms", "changed-sms": "sms",
    "unit-xlsx": "units", "unit-csv": "units-csv", "service-xlsx": "service",
    "service-csv": "service", "changes-csv": "changes",
}  # fmt: skip
SERVICE_WEEKS = 4  # the default service period: this many weeks, ending with the board's


def default_folder(monday: dt.date) -> Path:
    return Path.cwd() / "exports" / monday.isoformat()


def parse_day(text: str, what: str) -> dt.date:
    """A date typed in the dialog, or ValueError saying how to write it."""
    try:
        parsed = pendulum.parse(text.strip(), tz=TIMEZONE, exact=True)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        parsed = None
    if isinstance(parsed, dt.datetime):
        parsed = parsed.date()
    if not isinstance(parsed, dt.date):
        template = NOT_A_DATE.get(what)
        if template is None:
            raise ValueError(f"{what} {text.strip()!r} is not a date: write it as YYYY-MM-DD")
        raise ValueError(_(template).format(text=text.strip()))
    return dt.date(parsed.year, parsed.month, parsed.day)


class ExportScreen(RosterModal[None]):
    """Pick a list with the arrows, Enter writes it; the dialog stays open for the next."""

    BINDINGS = [Binding("escape", "close", N_("Close"))]

    def __init__(self, monday: dt.date, status: str) -> None:
        super().__init__()
        self.monday = monday
        self.status = status  # the stored roster's: "none", "draft" or "published"
        self._busy = False

    def compose(self) -> ComposeResult:
        state = _("no roster stored yet") if self.status == "none" else _(self.status)
        with Vertical(classes="dialog", id="export"):
            yield Label(
                Text(
                    _("Export · week of {monday} ({state})").format(
                        monday=self.monday, state=state
                    ),
                    style="bold",
                )
            )
            yield OptionList(
                *[Option(Text(_(c.label)), id=c.key) for c in CHOICES], id="export-choices"
            )
            with Horizontal(classes="export-row"):
                yield Label(_("Folder") + " ", classes="export-label")
                yield Input(str(default_folder(self.monday)), id="export-folder")
            start = self.monday - dt.timedelta(weeks=SERVICE_WEEKS - 1)
            with Horizontal(classes="export-row"):
                yield Label(_("Service") + " ", classes="export-label")
                yield Input(start.isoformat(), id="export-from", classes="export-date")
                yield Label(" " + pgettext("date range", "to") + " ")
                yield Input(
                    (self.monday + dt.timedelta(days=6)).isoformat(),
                    id="export-to",
                    classes="export-date",
                )
                yield Label(" " + _("unit") + " ")
                yield Input(placeholder=_("all units"), id="export-unit")
            yield Static(id="export-result")
            yield Label(
                Text(
                    _("Enter writes the highlighted list · Tab: folder, dates · Esc closes"), "dim"
                )
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def say(self, text: str | Text, style: str = "") -> None:
        self.query_one("#export-result", Static).update(
            text if isinstance(text, Text) else Text(text, style=style)
        )

    def chosen(self) -> Choice | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return CHOICES[options.highlighted]

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.export(CHOICES[event.option_index])

    @on(Input.Submitted)
    def _submitted(self) -> None:
        choice = self.chosen()
        if choice is None:
            self.say(_("Pick a list first (↑/↓ in the list above)."), "bold red")
        else:
            self.export(choice)

    def export(self, choice: Choice) -> None:
        if self._busy:
            return
        folder_text = self.query_one("#export-folder", Input).value.strip()
        if not folder_text:
            self.say(_("Say which folder to write into."), "bold red")
            return
        folder = Path(os.path.expanduser(folder_text)) / SUBFOLDERS[choice.key]
        period = None
        unit = None
        if choice.by == "service":
            try:
                start = parse_day(self.query_one("#export-from", Input).value, "from")
                end = parse_day(self.query_one("#export-to", Input).value, "to")
            except ValueError as error:
                self.say(_("Nothing written: {error}.").format(error=error), "bold red")
                return
            period = (start, end)
            unit = self.query_one("#export-unit", Input).value.strip() or None
        self._busy = True
        self.say(_("writing {list}…").format(list=_(choice.label).lower()), "dim")
        self._write(self.host.db_path, choice, folder, period, unit)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _write(self, db_path, choice: Choice, folder: Path, period, unit) -> None:
        """With a connection of the worker's own (a connection belongs to its thread).
        Every failure comes back as a message: the dialog never stays busy."""
        db = None
        try:
            db = store.open_db(db_path, create=False)
            if choice.by == "service":
                text, style = self._write_service(db, choice, folder, period, unit)
            elif choice.by == "changes":
                text, style = self._write_changes(db, folder)
            else:
                done = exports.export_lists(
                    db, self.monday, choice.by, choice.fmt, folder,
                    changed_only=choice.changed_only, actor=self.host.actor,
                )  # fmt: skip
                text, style = self._listing(done.summary(), done.paths, folder), "green"
                if done.cadres == 0:
                    style = "yellow"
        except (exports.ExportError, ValueError, LookupError, store.DatabaseBusy) as error:
            text, style = _("Nothing written: {error}").format(error=error), "bold red"
        except Exception as error:  # a locked or damaged database, a bug: say so, stay usable
            text = _("Nothing written: {kind}: {error}").format(
                kind=type(error).__name__, error=error
            )
            style = "bold red"
        finally:
            if db is not None:
                db.close()
        self.host.call_from_thread(self._done, text, style)

    def _write_service(self, db, choice: Choice, folder: Path, period, unit) -> tuple[str, str]:
        start, end = period
        report = service.service_report(db, start, end, unit)
        if not report.weeks:
            raise ValueError(
                _("no roster is stored for any week from {start} to {end}").format(
                    start=start, end=end
                )
            )
        scope = f"-{exports.safe_name(unit)}" if unit else ""
        path = folder / f"service-{start}-{end}{scope}.{choice.fmt}"
        service.write_service(report, choice.fmt, path)
        exports.audit_export(db, service_details(report, path), self.host.actor)
        summary = _("wrote the service records of {n} cadre(s)").format(n=len(report.records))
        return self._listing(summary, [path], folder, report.notes()), "green"

    def _write_changes(self, db, folder: Path) -> tuple[str, str]:
        from roster.changes import since_published, write_changes

        changes = since_published(db, self.monday)
        if changes is None:
            raise ValueError(_("the week is not published: nobody has been told anything yet"))
        if not changes.people:
            return _("nothing changed since publishing: nobody to tell"), "yellow"
        path = write_changes(changes, folder)
        exports.audit_export(
            db,
            {"week": self.monday.isoformat(), "by": "changes", "people": len(changes.people),
             "folder": str(folder.resolve())},
            self.host.actor,
        )  # fmt: skip
        summary = _("wrote {n} people to tell ({told} told before)").format(
            n=len(changes.people), told=len(changes.told)
        )
        return self._listing(summary, [path], folder), "green"

    @staticmethod
    def _listing(summary: str, paths: list[Path], folder: Path, notes=()) -> str:
        """What was written, where (the first few file names), then any notes."""
        shown = [p.name for p in paths[:3]] + (
            [_("… {n} more").format(n=len(paths) - 3)] if len(paths) > 3 else []
        )
        into = _("into {folder}: {files}").format(folder=folder, files=", ".join(shown))
        lines = [summary] + ([into] if paths else [])
        return "\n".join(lines + [n.removeprefix("note: ") for n in notes])

    def _done(self, text: str, style: str) -> None:
        self._busy = False
        self.say(text, style)
        if "red" in style:
            self.host.bell()

    def action_close(self) -> None:
        self.dismiss(None)
