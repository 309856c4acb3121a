"""Problems of the week: every hard-rule breach (independent checker), every short cell,
and the solver's explanations; Enter jumps to the cell on the board."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from roster import i18n
from roster.i18n import N_, _, day_label, ngettext, pgettext
from roster.tui.messages import RosterChanged
from roster.tui.screens.base import RosterScreen
from roster.tui.widgets.cells import day_heading

KINDS = (N_("breach"), N_("short"), N_("solver"))  # a problem's kind, first column


class ProblemsScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("o", "open_post", N_("Post detail")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.targets: dict[str, tuple[int | None, dt.date | None]] = {}
        self.messages: dict[str, str] = {}
        self._what_width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="problems-header", classes="screen-header")
        yield DataTable(id="problems", cursor_type="row")
        yield Static(id="problem-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("kind"), key="kind", width=7)
        table.add_column(_("where"), key="where", width=self.where_width)
        table.add_column(pgettext("problem column", "what"), key="what")
        self.rebuild()
        table.focus()

    @property
    def where_width(self) -> int:
        return 24 if self.size.width >= 120 else 16

    def what_width(self) -> int:
        """What is left of the width for the message (cells are padded by one each side):
        a message wider than the table scrolled it sideways, and End (the far right) showed
        the blank tail of every shorter row. The detail below shows the whole message."""
        fixed = (7 + 2) + (self.where_width + 2) + 2 + 2  # message padding, scrollbar
        return max(10, self.size.width - fixed)

    def on_resize(self) -> None:
        if self.is_mounted and self.what_width() != self._what_width:
            self.rebuild()

    def rows(self) -> list[tuple[str, int | None, dt.date | None, str]]:
        """(kind, post, day, message): breaches first, then short cells, then explanations."""
        editor = self.host.editor
        district = self.host.district
        out = []
        for b in editor.breaches:
            said = _("{rule}: {message}").format(rule=_(b.rule), message=b.message)
            out.append(("breach", b.post_id, b.date, said))
        covered = {(b.post_id, b.date, b.shift_code) for b in editor.breaches}
        for (post_id, day, code), state in sorted(
            editor.cell_states().items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])
        ):
            if state.state == "short" and (post_id, day, code) not in covered:
                post = district.posts[post_id]
                out.append(
                    (
                        "short",
                        post_id,
                        day,
                        _("{post} {shift}: {covered} of {required} on duty").format(
                            post=post.name,
                            shift=code,
                            covered=state.covered,
                            required=state.required,
                        ),  # fmt: skip
                    )
                )
        lines = [str(x) for x in editor.stats.get("explanations", []) or []]
        lines_shown: list[str] = []
        if lines:
            from roster.solver import explain  # (it loads numpy: not before it is needed)

            lines_shown = explain.shown_stored(lines, editor.stats.get("explanations_said"))
        for text, shown in zip(lines, lines_shown, strict=True):
            out.append(("solver", _post_in(text, district), None, shown))
        return out

    def rebuild(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.targets.clear()
        self.messages.clear()
        district = self.host.district
        rows = self.rows()
        wide = self.size.width >= 120
        width = self._what_width = self.what_width()
        for i, (kind, post_id, day, message) in enumerate(rows):
            post = district.posts.get(post_id) if post_id else None
            when = ""
            if day:
                zh = i18n.current() == "zh"
                if zh:
                    when = day_heading(day, 13 if wide else 7)
                else:  # "Mon 7" where "Mon 12-07" after a post's name would be cut
                    when = (
                        day_label(day) if wide else f"{i18n.WEEKDAYS_EN[day.weekday()]} {day.day}"
                    )
            where = " ".join(part for part in (post.name if post else "", when) if part)
            style = {"breach": "bold red", "short": "red", "solver": "yellow"}[kind]
            key = f"r{i}"
            self.targets[key] = (post_id, day)
            self.messages[key] = message
            what = Text(message, no_wrap=True)
            what.truncate(width, overflow="ellipsis")
            table.add_row(Text(_(kind), style=style), Text(where or "-"), what, key=key)
        counts = {k: sum(r[0] == k for r in rows) for k in ("breach", "short", "solver")}
        # a short cell is also a coverage breach: count every short cell once, wherever listed
        short_cells = counts["short"] + sum(b.rule == "coverage" for b in self.host.editor.breaches)
        breaches, notes = counts["breach"], counts["solver"]
        header = Text()
        header.append(
            _("Problems of the week of {monday}").format(monday=self.host.editor.week_start),
            style="bold",
        )
        header.append(
            "  "
            + _("{breaches}, {short_cells}, {notes}").format(
                breaches=ngettext("{n} rule breach", "{n} rule breaches", breaches).format(
                    n=breaches
                ),
                short_cells=ngettext("{n} short cell", "{n} short cells", short_cells).format(
                    n=short_cells
                ),
                notes=ngettext("{n} solver note", "{n} solver notes", notes).format(n=notes),
            ),
        )
        header.append("\n" + _("Enter: go to the cell on the board"), style="dim")
        self.query_one("#problems-header", Static).update(header)
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        """The whole message of the highlighted problem, wrapped (the table cuts it)."""
        table = self.query_one(DataTable)
        text = Text()
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
            text = Text(self.messages.get(key, ""))
        self.query_one("#problem-detail", Static).update(text)

    def on_roster_changed(self, message: RosterChanged) -> None:
        self.rebuild()

    def _target(self) -> tuple[int | None, dt.date | None]:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None, None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return self.targets.get(key, (None, None))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        post_id, day = self.targets.get(event.row_key.value or "", (None, None))
        if post_id is None:
            self.notify(_("This problem has no single cell."), severity="warning")
            return
        self.host.jump_to(post_id, day)

    def action_open_post(self) -> None:
        post_id, day = self._target()
        if post_id is not None:
            self.host.show_post(post_id, day)

    def action_back(self) -> None:
        self.host.pop_screen()


def _post_in(text: str, district) -> int | None:
    """The post an explanation is about: the first one it names by code (`name (code)`: a
    line about a post may go on to name others that share its shortage), else the one it
    names (longest name wins)."""
    at = {p.id: text.find(f"({p.code})") for p in district.posts.values()}
    named = [p for p, i in at.items() if i >= 0]
    if named:
        return min(named, key=lambda p: at[p])
    best = None
    for post in district.posts.values():
        if post.name in text or post.code in text:
            if best is None or len(post.name) > len(best.name):
                best = post
    return best.id if best else None
