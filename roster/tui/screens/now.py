"""On duty now: who should be at the posts of a town (or the whole district) at this moment,
night shifts begun the day before included; the inspector's question, from the stored
rosters through `roster.now`, the same as `roster now`."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from roster import store
from roster.clock import now as now_local
from roster.clock import today
from roster.domain import week_start
from roster.i18n import N_, _, ngettext
from roster.now import on_duty, parse_moment, weeks_needed
from roster.tui.screens.base import RosterScreen

COLUMNS = (
    (N_("town"), 8), (N_("post"), 14), (N_("shift"), 5), (N_("hours"), 13), (N_("cadre"), 8),
    (N_("phone"), 11), ("", 6),
)  # fmt: skip


class NowScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding(
            "t", "toggle_town", N_("Town/all"), tooltip=N_("the cursor post's town, or everywhere")
        ),
        Binding("T", "edit_time", N_("Other time"), tooltip=N_("who is on duty at another moment")),
    ]

    def __init__(self, town_id: int | None, at: dt.datetime | None = None) -> None:
        super().__init__()
        self.town_id = town_id
        self.everywhere = town_id is None
        self.at = at or now_local()

    def compose(self) -> ComposeResult:
        yield Static(id="now-header", classes="screen-header")
        yield DataTable(id="now-table", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder=_("YYYY-MM-DD HH:MM, or HH:MM for today"), id="now-time")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#now-time", Input).display = False
        table = self.query_one(DataTable)
        for label, width in COLUMNS:
            heading = _(label) if label else ""
            table.add_column(heading, key=label or "note", width=max(width, cell_len(heading)))
        self.refresh_list()
        table.focus()

    def refresh_list(self) -> None:
        district = self.host.district
        town = None if self.everywhere else district.towns.get(self.town_id)
        found = on_duty(
            district, self.host.db, self.at, town=town.name if town is not None else None
        )
        rosters = {m: store.get_roster(self.host.db, m) for m in weeks_needed(self.at)}
        where = town.name if town is not None else _("the whole district")
        header = Text(
            _("On duty at {moment} (Asia/Shanghai) · {where}").format(
                moment=f"{self.at:%Y-%m-%d %H:%M}", where=where
            ),
            "bold",
        )
        if found:
            posts = len({d.post.id for d in found})
            header.append(
                " · "
                + ngettext(
                    "{n} on duty at {posts} post", "{n} on duty at {posts} posts", posts
                ).format(n=len(found), posts=posts)
            )
        elif all(r is None for r in rosters.values()):
            weeks = (" " + _("or") + " ").join(str(m) for m in rosters)
            header.append(
                " · "
                + _(
                    "no roster for the week of {weeks}, so nobody is scheduled: "
                    "solve that week first, or see another time (T)"
                ).format(weeks=weeks),
                "yellow",
            )
        else:
            header.append(" · " + _("nobody is scheduled at this moment"), "yellow")
        drafts = [
            str(m)
            for m in {week_start(d.day) for d in found}
            if (r := rosters.get(m)) is not None and r.status != "published"
        ]
        if drafts:
            header.append(
                " · " + _("draft roster: {weeks}").format(weeks=", ".join(sorted(drafts))), "dim"
            )
        self.query_one("#now-header", Static).update(header)
        table = self.query_one(DataTable)
        table.clear()
        for d in found:
            table.add_row(  # Text: names are never read as markup
                Text(d.town.name),
                Text(f"{d.post.code} {d.post.name}"),
                Text(d.shift.name),
                f"{d.start:%H:%M}–{d.end:%H:%M}" + ("+1" if d.end.date() > d.start.date() else ""),
                Text(d.cadre.name),
                Text(d.cadre.phone),
                Text(_("relief"), "italic") if d.source == "relief" else "",
                key=str(d.cadre.id),
            )

    def action_toggle_town(self) -> None:
        if self.town_id is not None:
            self.everywhere = not self.everywhere
            self.refresh_list()

    def action_edit_time(self) -> None:
        box = self.query_one("#now-time", Input)
        box.display = True
        box.value = f"{self.at:%Y-%m-%d %H:%M}"
        box.focus()

    @on(Input.Submitted, "#now-time")
    def _time(self, event: Input.Submitted) -> None:
        try:
            self.at = parse_moment(event.value, today())
        except ValueError as error:
            self.host.bell()
            self.notify(str(error), severity="error", timeout=6)
            return
        event.input.display = False
        self.refresh_list()
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _row(self, event: DataTable.RowSelected) -> None:
        self.host.show_cadre(int(event.row_key.value))

    def action_back(self) -> None:
        box = self.query_one("#now-time", Input)
        if box.display:
            box.display = False
            self.query_one(DataTable).focus()
            return
        self.host.pop_screen()
