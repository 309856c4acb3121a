"""Relief: cover a cadre's absence from the week board or the cadre's page.

The coordinator gives the first and last day away and a reason; the ranked options of
`roster.relief.relief_options` come back from a thread worker as the dates are typed
(plain values in, a message out). Enter on an option applies it with `apply_option` in a
worker holding its own connection; the text messages for the people affected are shown
next, and the app reloads the week so every screen shows the new roster.
"""

from __future__ import annotations

import datetime as dt
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from roster import store
from roster.access import NotAllowed
from roster.domain import Roster
from roster.i18n import N_, _, day_label, ngettext, weekday_name
from roster.tui.messages import ReliefApplied, ReliefOptionsReady, RosterChanged
from roster.tui.screens.base import RosterModal, RosterScreen

KIND_WORDS = {
    "swap": N_("swap days"),
    "take_over": N_("colleague takes over"),
    "shift_change": N_("shift change"),
    "reserve": N_("reserve"),
    "lightly_used": N_("lightly used"),
    "lend": N_("lent by a post"),
    "resolve": N_("re-solve"),
    "none": N_("nothing to cover"),
}
# the kinds shown by their code in English (no word above), translated where shown
KIND_CODES = (N_("mixed"), N_("nothing_to_cover"))
# the rules an option may make worse (`roster.relief.costs`), shown by their code
WORSE_RULES = (
    N_("workload"),
    N_("commute"),
    N_("continuity"),
    N_("fairness_nights"),
    N_("fairness_weekends"),
    N_("party_post"),
)
MAX_CHANGE_LINES = 6


def parse_day(text: str, what: str, days: list[dt.date]) -> dt.date:
    """An ISO date of the week shown, or ValueError saying what is wrong in words (`what`
    is marked N_ by the caller: "first day", "last day")."""
    what = _(what)
    text = text.strip()
    if not text:
        raise ValueError(_("give the {what} (YYYY-MM-DD)").format(what=what))
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("{what} {text!r} is not a date: use YYYY-MM-DD, e.g. {example}").format(
                what=what, text=text, example=days[0]
            )
        ) from None
    if day not in days:
        raise ValueError(
            _("{what} {day} is outside this week ({first} to {last})").format(
                what=what, day=day, first=days[0], last=days[-1]
            )
        )
    return day


def is_freed(option, change) -> bool:
    """The absent cadre's own shift in the span: every option frees it."""
    return (
        change.cadre_id == option.cadre_id
        and change.action == "remove"
        and option.start <= change.date <= option.end
    )


def option_text(option, full: bool = True) -> Text:
    """One option as the list shows it: the head line and summary, and (`full`) its
    changes, costs and gaps."""
    d = option.district
    text = Text()
    text.append(f"{option.rank}. {_(KIND_WORDS.get(option.kind, option.kind))}", style="bold")
    n = len(option.disturbed)
    text.append(" · " + _("{n} disturbed").format(n=n))
    text.append(" · " + _("cost {cost}").format(cost=option.cost))
    if option.commute_km:
        text.append(" · " + _("{km:+.1f} km").format(km=option.commute_km))
    if option.uncovered:
        text.append(" · " + _("{n} uncovered").format(n=len(option.uncovered)), style="bold red")
    text.append(f"\n  {option.summary}", style="italic")
    if not full:
        return text
    changes = [ch for ch in option.changes if not is_freed(option, ch)]
    for ch in changes[:MAX_CHANGE_LINES]:
        sign, style = ("+", "green") if ch.action == "add" else ("−", "yellow")
        who = d.cadres[ch.cadre_id].name if d else str(ch.cadre_id)
        where = d.posts[ch.post_id].name if d else str(ch.post_id)
        text.append(f"\n  {sign} ", style=style)
        text.append(f"{day_label(ch.date)} {ch.shift_code} {where} {who}")
    if len(changes) > MAX_CHANGE_LINES:
        more = len(changes) - MAX_CHANGE_LINES
        text.append(
            "\n  " + ngettext("… {n} more change", "… {n} more changes", more).format(n=more),
            style="dim",
        )
    for u in option.uncovered:
        where = d.posts[u.post_id].name if d else str(u.post_id)
        text.append("\n  " + _("uncovered") + " ", style="bold red")
        text.append(
            _("{day} {shift} {post}: {why}").format(
                day=day_label(u.date), shift=u.shift_code, post=where, why=u.why
            )
        )
    for e in option.worsened:
        text.append(
            "\n  " + _("worse {rule} +{cost}: ").format(rule=_(e.rule), cost=e.cost),
            style="yellow",
        )
        text.append(e.detail, style="dim")
    return text


class ReliefScreen(RosterScreen):
    """Days away and reason above, the ranked options below; Enter applies one."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("down", "to_options", N_("Options"), show=False),
    ]
    FULL_HEIGHT = 40  # below this many lines, only the highlighted option shows in full

    def __init__(self, cadre_id: int, day: dt.date | None = None) -> None:
        super().__init__()
        self.cadre_id = cadre_id
        self.day = day
        self.options: list = []
        # (start, end, roster version, district version) the options shown are for
        self._asked: tuple | None = None
        self._applying = False
        self._note: Text | None = None  # why the last apply was refused, kept on recompute

    def compose(self) -> ComposeResult:
        yield Static(id="relief-header", classes="screen-header")
        with Horizontal(id="relief-form"):
            yield Input(id="relief-first", max_length=10)
            yield Input(id="relief-last", max_length=10)
            yield Input(id="relief-reason", placeholder=_("sick, family, recalled…"))
        yield Static(id="relief-status")
        yield OptionList(id="relief-options")
        yield Footer()

    def on_mount(self) -> None:
        days = self.host.editor.days
        day = self.day if self.day in days else days[0]
        first, last = self.query_one("#relief-first", Input), self.query_one("#relief-last", Input)
        first.border_title, last.border_title = _("first day"), _("last day")
        self.query_one("#relief-reason", Input).border_title = _("reason")
        first.value = last.value = day.isoformat()
        self.update_header()
        self.ask()
        first.focus()

    def update_header(self) -> None:
        app = self.host
        cadre = app.district.cadres[self.cadre_id]
        editor = app.editor
        text = Text()
        text.append(_("Relief") + " ", style="bold")
        text.append(f"{cadre.name} {cadre.code}", style="bold cyan")
        post = app.district.posts.get(editor.deployment().get(self.cadre_id, -1))
        text.append(f"  {post.name}" if post else "  " + _("no duty this week"))
        text.append(
            "  "
            + _("week {first}–{last}").format(
                first=f"{editor.days[0]:%m-%d}", last=f"{editor.days[-1]:%m-%d}"
            )
        )
        if editor.status == "published":
            text.append("  " + _("PUBLISHED: changes are recorded"), style="magenta")
        if app.access.read_only:
            text.append("  " + _("read-only"), style="bold yellow")
        self.query_one("#relief-header", Static).update(text)

    def say(self, text: str | Text, style: str = "") -> None:
        self.query_one("#relief-status", Static).update(
            Text(text, style=style) if isinstance(text, str) else text
        )

    # --- options -----------------------------------------------------------------------

    def span(self) -> tuple[dt.date, dt.date]:
        """The days asked for, or ValueError in words."""
        days = self.host.editor.days
        first = parse_day(self.query_one("#relief-first", Input).value, N_("first day"), days)
        last = parse_day(self.query_one("#relief-last", Input).value, N_("last day"), days)
        if last < first:
            raise ValueError(
                _("the last day {last} is before the first day {first}").format(
                    last=last, first=first
                )
            )
        return first, last

    def ask(self) -> None:
        """Compute the options for the days typed, off the UI thread."""
        editor = self.host.editor
        if editor.status == "none":
            self._show_options([])
            self.say(_("No roster this week: solve it first (s on the board)."), "bold red")
            return
        try:
            start, end = self.span()
        except ValueError as error:
            self._asked = None
            self._show_options([])
            self.say(str(error), "bold red")
            return
        asked = (start, end, editor.version, self.host.district_version)
        if asked == self._asked:
            return
        self._asked = asked
        self.say(_("finding options…"), "dim")
        roster = Roster(
            None,
            editor.week_start,
            editor.status,
            editor.version,
            dict(editor.stats),
            list(editor.assignments),
        )
        self._compute(self.host.district, roster, list(editor.neighbours), asked)

    @work(thread=True, exclusive=True, group="relief", exit_on_error=False)
    def _compute(self, district, roster: Roster, history: list, asked: tuple) -> None:
        """Plain values in, a message out: no connection of the UI thread's is touched."""
        from roster.relief import ReliefError, relief_options

        start, end, _version, _district_version = asked
        t0 = time.perf_counter()
        try:
            options = relief_options(district, roster, self.cadre_id, start, end, history=history)
        except ReliefError as error:
            self.post_message(ReliefOptionsReady(asked, [], 0.0, str(error)))
            return
        self.post_message(ReliefOptionsReady(asked, options, time.perf_counter() - t0))

    def on_relief_options_ready(self, message: ReliefOptionsReady) -> None:
        if message.asked != self._asked:
            return  # the dates changed since: a newer answer is on its way
        if message.error:
            self._show_options([])
            self.say(message.error, "bold red")
            return
        self._show_options(message.options)
        status = Text()
        n = len(message.options)
        status.append(
            ngettext("{n} option in {ms:.0f} ms", "{n} options in {ms:.0f} ms", n).format(
                n=n, ms=message.seconds * 1000
            ),
            "bold",
        )
        first = message.options[0] if message.options else None
        if first is not None:
            d = first.district
            freed = [
                f"{weekday_name(ch.date.weekday())} {ch.shift_code} {d.posts[ch.post_id].name}"
                for ch in first.changes
                if is_freed(first, ch)
            ]
            status.append(
                " · "
                + (
                    _("frees: {duties}").format(duties=", ".join(freed))
                    if freed
                    else _("no duty to cover")
                )
            )
        status.append("  " + _("↓ choose, Enter applies"), style="dim")
        self.say(Text("\n").join([self._note, status]) if self._note else status)

    def _show_options(self, options: list) -> None:
        self.options = options
        listing = self.query_one("#relief-options", OptionList)
        listing.clear_options()
        full = self.size.height >= self.FULL_HEIGHT
        listing.add_options(
            [Option(option_text(o, full or i == 0), id=str(i)) for i, o in enumerate(options)]
        )
        self._full = 0
        if options:
            listing.highlighted = 0

    @on(OptionList.OptionHighlighted, "#relief-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """On a small terminal the highlighted option shows its changes and costs, the
        others their head and summary: several options fit on the screen at once."""
        index = event.option_index
        before = getattr(self, "_full", None)
        if self.size.height >= self.FULL_HEIGHT or index == before:
            return
        listing = event.option_list
        if before is not None and 0 <= before < len(self.options):
            listing.replace_option_prompt_at_index(before, option_text(self.options[before], False))
        listing.replace_option_prompt_at_index(index, option_text(self.options[index]))
        self._full = index

    def action_to_options(self) -> None:
        """↓ from the day or reason fields goes to the options."""
        if self.options:
            self.query_one("#relief-options", OptionList).focus()

    @on(Input.Changed, "#relief-first, #relief-last")
    def _dates_changed(self, event: Input.Changed) -> None:
        self._note = None
        if event.input.id == "relief-first" and event.input.has_focus:
            last = self.query_one("#relief-last", Input)
            if len(event.value) == 10 and last.value < event.value:
                last.value = event.value  # a later first day moves the last day along
        self.ask()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "relief-first":
            self.query_one("#relief-last", Input).focus()
        elif event.input.id == "relief-last":
            self.query_one("#relief-reason", Input).focus()
        elif self.options:
            self.query_one("#relief-options", OptionList).focus()

    # --- apply -------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#relief-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.apply(int(event.option.id or 0))

    def apply(self, index: int) -> None:
        if self._applying or not 0 <= index < len(self.options):
            return
        option = self.options[index]
        app = self.host
        if self._asked is None or self._asked[2:] != (app.editor.version, app.district_version):
            self.say(
                _("The week or the district changed: the options are computed again."),
                "bold red",
            )
            self.ask()
            return
        reason = self.query_one("#relief-reason", Input).value.strip()
        self._applying = True
        self.say(_("applying option {rank}…").format(rank=option.rank), "dim")
        self._apply(app.db_path, option, reason, app.actor, self._asked[3])

    @work(thread=True, exclusive=True, group="relief-apply", exit_on_error=False)
    def _apply(
        self, db_path, option, reason: str, actor: str | None, district_version: int
    ) -> None:
        """Apply with a connection of the worker's own (a connection belongs to its thread)."""
        from roster.relief import ReliefError, apply_option

        db = store.open_db(db_path, create=False)
        try:
            request = (self.cadre_id, option.start, option.end, reason)
            applied = apply_option(db, request, option, actor, district_version=district_version)
        except (ReliefError, store.StaleRoster, store.DistrictChanged, NotAllowed) as error:
            self.post_message(ReliefApplied(None, error))
        else:
            self.post_message(ReliefApplied(applied, None))
        finally:
            db.close()

    def on_relief_applied(self, message: ReliefApplied) -> None:
        app = self.host
        if message.error is not None:
            self._applying = False
            app.bell()
            refused = _("Refused: {error}").format(error=message.error)
            app.notify(refused, severity="error", timeout=8)
            self._note = Text(refused, style="bold red")
            self.say(self._note)
            if not isinstance(message.error, NotAllowed):
                app.relief_applied()  # stale: read the week again, then the options
            return
        applied = message.applied
        app.relief_applied()
        settled = (
            _("Relief request #{id} settled (a change to the published roster).")
            if applied.published
            else _("Relief request #{id} settled.")
        )
        app.notify(settled.format(id=applied.request_id), timeout=4)
        app.push_screen(MessagesScreen(applied), self._done)

    def _done(self, _result: None) -> None:
        self.dismiss()  # not returned: a callback's awaitable would be awaited here

    def on_roster_changed(self, message: RosterChanged) -> None:
        if message.reason != "checks" and not self._applying:
            self.update_header()
            self.ask()

    def action_back(self) -> None:
        self.dismiss()


class MessagesScreen(RosterModal[None]):
    """The text messages for the people whose week changed, ready to send."""

    BINDINGS = [
        Binding("escape,enter", "close", N_("Done")),
        Binding("c", "copy", N_("Copy all")),
    ]

    def __init__(self, applied) -> None:
        super().__init__()
        self.applied = applied

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="relief-messages"):
            n = len(self.applied.messages)
            yield Static(
                Text(
                    ngettext(
                        "Request #{id} settled: {n} message to send",
                        "Request #{id} settled: {n} messages to send",
                        n,
                    ).format(id=self.applied.request_id, n=n),
                    style="bold",
                )
            )
            with VerticalScroll(id="relief-message-list"):
                yield Static(self.message_text())
            yield Static(Text(_("c copies them all · Enter / Esc closes"), style="dim"))

    def message_text(self) -> Text:
        text = Text()
        for i, m in enumerate(self.applied.messages):
            if i:
                text.append("\n\n")
            text.append(f"{m.name} {m.phone}\n", style="bold cyan")
            text.append(m.text)
        return text

    def action_copy(self) -> None:
        lines = [f"{m.phone}\t{m.name}\t{m.text}" for m in self.applied.messages]
        self.host.copy_to_clipboard("\n".join(lines))
        self.notify(_("Messages copied."), timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)
