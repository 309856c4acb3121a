"""Cadre detail: this week and the past weeks, commute, unit, party membership, nights and
weekends against the district average, notes, wishes, absences, the rules this cadre's
duties break and the audit entries that name them. A coordinator corrects the cadre's
facts (e), adds a wish (a) or removes one (x) here: audited, within their towns; what the
change makes the roster break is listed with the cells to fix."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from roster.domain import readable_details, shown_edit
from roster.edits import audit_about, average_counts, duty_counts
from roster.geo import commute_km
from roster.i18n import N_, _, weekday_name
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterScreen

HISTORY_WEEKS = 4
# the kinds of absence (`roster.domain.ABSENCE_KINDS`), stored in English, shown translated
ABSENCE_KINDS = (
    N_("sick"),
    N_("family"),
    N_("leave"),
    N_("training"),
    N_("recalled"),
    N_("other"),
)


class CadreScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("g", "goto_post", N_("Post"), tooltip=N_("back to the board at their post")),
        Binding("m", "move_week", N_("Move"), tooltip=N_("move their whole week to another post")),
        Binding("w", "swap_week", N_("Swap"), tooltip=N_("swap their week with another cadre's")),
        Binding("K", "lock_week", N_("Lock"), tooltip=N_("lock (or unlock) their whole week")),
        Binding("r", "relief", N_("Relief"), tooltip=N_("cover an absence of this cadre")),
        Binding(
            "e",
            "edit_facts",
            N_("Edit"),
            tooltip=N_("phone, transport, commute limit, nights, status, notes"),
        ),
        Binding(
            "a", "add_wish", N_("Wish"), tooltip=N_("add a wish: unavailable, avoid or prefer")
        ),
        Binding(
            "x",
            "remove_wish",
            N_("Remove wish"),
            show=False,
            tooltip=N_("remove the wish under the cursor"),
        ),
        Binding("u", "undo", N_("Undo"), show=False),
        Binding("U,ctrl+r", "redo", N_("Redo"), key_display="U", show=False),
    ]

    def __init__(self, cadre_id: int) -> None:
        super().__init__()
        self.cadre_id = cadre_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="cadre-scroll"):
            yield Static(id="cadre-info", classes="screen-header")
            yield DataTable(id="cadre-weeks", cursor_type="row")
            yield Static(id="cadre-more")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.query_one(DataTable).focus()

    def on_roster_changed(self, message: RosterChanged) -> None:
        self.rebuild()  # "checks" too: the breaches of this cadre are shown

    def rebuild(self) -> None:
        app = self.host
        district = app.district
        editor = app.editor
        cadre = district.cadres[self.cadre_id]
        unit = district.units.get(cadre.unit_id)
        week = editor.assignments
        past = [
            a
            for a in editor.history
            if a.date >= editor.week_start - dt.timedelta(weeks=HISTORY_WEEKS)
        ]
        deployed = editor.deployment().get(self.cadre_id)
        post = district.posts.get(deployed) if deployed else None
        counts = duty_counts(district, [*past, *week])
        mine = counts.get(self.cadre_id)
        avg_nights, avg_weekends = average_counts(district, counts)

        info = Text()
        info.append(f"{cadre.name} ", style="bold")
        info.append(f"{cadre.code}  {'男' if cadre.gender == 'M' else '女'}  ")
        info.append(_("born {date}").format(date=cadre.birth_date) + f"  {cadre.phone}\n")
        info.append(_("unit {name}").format(name=unit.name if unit else "?") + "  ")
        info.append(_("party member") if cadre.party_member else _("not a party member"))
        info.append(
            "  " + _("status {status}").format(status=_(cadre.status)),
            style="" if cadre.status == "active" else "bold red",
        )
        info.append("\n")
        info.append(
            _("{transport}, max {km:g} km").format(
                transport=_(cadre.transport), km=cadre.max_commute_km
            )
            + "  "
        )
        if post is not None:
            km = commute_km(cadre, post, district.settings.road_factor)
            info.append(
                _("deployed at {code} {name}, {km:.1f} km").format(
                    code=post.code, name=post.name, km=km
                ),
                style="bold",
            )
            if km > cadre.max_commute_km:
                info.append(" " + _("(too far)"), style="bold red")
        else:
            info.append(_("no duty this week"), style="dim")
        if not cadre.night_ok:
            info.append("  " + _("no nights"), style="yellow")
        info.append("\n")
        nights = mine.nights if mine else 0
        weekends = mine.weekends if mine else 0
        info.append(
            _(
                "last {weeks} weeks + this: {days} duties, {nights} nights (avg {avg_nights:.1f}), "
                "{weekends} weekend (avg {avg_weekends:.1f})"
            ).format(
                weeks=HISTORY_WEEKS,
                days=mine.days if mine else 0,
                nights=nights,
                avg_nights=avg_nights,
                weekends=weekends,
                avg_weekends=avg_weekends,
            )
        )
        self.query_one("#cadre-info", Static).update(info)

        table = self.query_one(DataTable)
        table.clear(columns=True)
        wide = self.size.width >= 120
        table.add_column(_("week"), key="week", width=10)
        for i in range(7):
            table.add_column(weekday_name(i), key=str(i), width=14 if wide else 7)
        by_day = {(a.date, a.cadre_id): a for a in [*past, *week]}
        for back in range(HISTORY_WEEKS, -1, -1):
            monday = editor.week_start - dt.timedelta(weeks=back)
            label = Text(f"{monday:%m-%d}", style="bold" if back == 0 else "")
            cells: list[Text] = [label]
            for i in range(7):
                day = monday + dt.timedelta(days=i)
                a = by_day.get((day, self.cadre_id))
                if a is not None:
                    where = district.posts[a.post_id].name if a.post_id in district.posts else "?"
                    text = Text(f"{'#' if a.locked else ''}{a.shift_code} {where}")
                    shift = district.shifts.get(a.shift_code)
                    text.stylize(
                        "bold magenta" if shift is not None and shift.is_night else "bold cyan",
                        0,
                        1,
                    )
                    text.truncate(14 if wide else 7, overflow="ellipsis")
                elif district.absent(self.cadre_id, day):
                    text = Text(_("abs"), style="yellow")
                else:
                    text = Text("·", style="dim")
                cells.append(text)
            table.add_row(*cells, key=monday.isoformat())

        more = Text()
        none = "  " + _("none") + "\n"
        more.append(_("Notes") + "\n", style="bold")
        more.append(
            f"  {cadre.notes}\n" if cadre.notes else none, style="" if cadre.notes else "dim"
        )
        more.append(_("Wishes") + "\n", style="bold")
        wishes = district.wishes_of(self.cadre_id)
        for w in wishes:
            style = (
                "bold red"
                if w.kind == "unavailable"
                else "yellow"
                if w.kind == "avoid"
                else "green"
            )
            more.append(f"  #{w.id} ")
            more.append(_(w.kind), style=style)
            weight = " " + _("(weight {weight})").format(weight=w.weight) if w.weight else ""
            more.append(f" {w.label()}{weight}  {w.note}\n")
        if not wishes:
            more.append("  " + _("none (a: add one)") + "\n", style="dim")
        known = editor.breaches if editor.checked else []  # checked off the UI thread
        breaches = [b for b in known if b.cadre_id == self.cadre_id]
        if breaches:
            more.append(_("This week breaks") + "\n", style="bold red")
            for b in breaches:
                more.append(
                    "  "
                    + _("rule {number}: {message}").format(number=b.number, message=b.message)
                    + "\n"
                )
        absences = sorted(
            (a for a in district.absences if a.cadre_id == self.cadre_id),
            key=lambda a: a.start_date,
        )
        more.append(_("Absences") + "\n", style="bold")
        for a in absences:
            more.append(f"  {a.start_date} – {a.end_date}  {_(a.kind)}  {a.note}\n")
        if not absences:
            more.append(none, style="dim")
        more.append(_("Audit") + "\n", style="bold")
        entries = audit_about(app.db, cadre.code)
        for e in entries:
            more.append(f"  {e.when} {e.actor} {_(e.action)} ", style="dim")
            more.append(f"{_short(e.details)}\n")
        if not entries:
            more.append(none, style="dim")
        self.query_one("#cadre-more", Static).update(more)

    # --- actions ---------------------------------------------------------------------

    def action_back(self) -> None:
        self.host.pop_screen()

    def action_goto_post(self) -> None:
        deployed = self.host.editor.deployment().get(self.cadre_id)
        if deployed is None:
            self.notify(_("No duty this week."), severity="warning")
            return
        self.host.jump_to(deployed, None)

    def action_move_week(self) -> None:
        editor = self.host.editor
        self.host.pick(
            "post",
            _("Move this cadre's week to which post?"),
            lambda post_id: self.host.edit(
                lambda o: editor.move_week(self.cadre_id, post_id, override=o)
            ),
        )

    def action_swap_week(self) -> None:
        editor = self.host.editor
        self.host.pick(
            "cadre",
            _("Swap the week with which cadre?"),
            lambda other: self.host.edit(lambda o: editor.swap(self.cadre_id, other, override=o)),
        )

    def action_relief(self) -> None:
        """Relief from today if it is in the week shown, else from the first duty day."""
        from roster.clock import today

        editor = self.host.editor
        day = today()
        if day not in editor.days:
            duty = sorted(a.date for a in editor.of_cadre(self.cadre_id))
            day = duty[0] if duty else editor.days[0]
        self.host.show_relief(self.cadre_id, day)

    def action_lock_week(self) -> None:
        self.host.edit(lambda _o: self.host.editor.lock_cadre_week(self.cadre_id))

    def action_edit_facts(self) -> None:
        self.host.ask_cadre_edit(self.cadre_id, self._save_facts)

    def _save_facts(self, values: dict | None) -> None:
        from roster.wishes import CadreEdit, edit_cadre

        if values is None:
            return
        cadre = self.host.district.cadres[self.cadre_id]
        self._write(lambda: edit_cadre(self.host.db, self.host.access, cadre, CadreEdit(**values)))

    def action_add_wish(self) -> None:
        self.host.ask_wish(self.cadre_id, self._save_wish)

    def _save_wish(self, values: dict | None) -> None:
        import datetime as dt

        from roster.wishes import WishError, add_wish, parse_weekdays

        if values is None:
            return
        cadre = self.host.district.cadres[self.cadre_id]

        def write():
            try:
                day = dt.date.fromisoformat(values["date"]) if values["date"] else None
                until = dt.date.fromisoformat(values["until"]) if values["until"] else None
                weight = int(values["weight"]) if values["weight"] else 0
            except ValueError as e:
                raise WishError(
                    _("{error}: write dates as YYYY-MM-DD, the weight as a number").format(error=e)
                ) from None
            return add_wish(
                self.host.db, self.host.access, cadre, values["kind"], date=day,
                weekdays=parse_weekdays(values["weekday"]), until=until, shift=values["shift"],
                weight=weight, note=values["note"],
            )  # fmt: skip

        self._write(write)

    def action_remove_wish(self) -> None:
        from roster.wishes import remove_wish

        wishes = self.host.district.wishes_of(self.cadre_id)
        if not wishes:
            self.notify(_("No wishes to remove."), severity="warning")
            return
        options = [(str(w.id), f"#{w.id} {_(w.kind)} {w.label()} {w.note}") for w in wishes]
        labels = dict(options)

        def remove(wid: str) -> None:
            self.host.confirm(
                _("Remove wish {wish}?").format(wish=labels[wid]),
                lambda yes: (
                    yes
                    and self._write(lambda: remove_wish(self.host.db, self.host.access, int(wid)))
                ),
            )

        self.host.choose(_("Remove which wish?"), options, remove)

    def _write(self, change) -> None:
        """Make a change of the cadre's facts or wishes; refusals and bad values are one
        line; afterwards the roster's new breaches for this cadre are listed."""
        from roster.access import NotAllowed
        from roster.wishes import WishError, roster_breaches

        try:
            change()
        except (WishError, NotAllowed) as e:
            self.notify(str(e), severity="error", timeout=8)
            return
        self.host.district_changed()
        found = roster_breaches(self.host.db, self.cadre_id)
        if found:
            cells = "; ".join(f"{b.date} {b.shift_code or ''} {_(b.rule)}" for _w, b in found[:6])
            self.notify(
                _(
                    "Saved. The stored roster now breaks {n} rule(s) for this cadre: "
                    "{cells} — fix those cells."
                ).format(n=len(found), cells=cells),
                severity="warning",
                timeout=12,
            )
        else:
            self.notify(_("Saved."))
        self.rebuild()

    def action_undo(self) -> None:
        self.host.undo()

    def action_redo(self) -> None:
        self.host.redo()


def _short(details: str) -> str:
    import json

    try:
        data = json.loads(details)
    except ValueError:
        return details[:80]
    if isinstance(data, dict):
        edit = shown_edit(data)
        text = edit or data.get("reason") or readable_details(details)
        if data.get("reason"):
            text = _("override: {reason} ({edit})").format(reason=data["reason"], edit=edit or "")
        return str(text)[:100]
    return details[:80]
