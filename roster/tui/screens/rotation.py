"""Rotation: cadres by weeks, each cell the week's post with its nights (n) and weekend
duties (w); a post change from the week before is marked `>`. Enter opens the cadre, `o`
the post of the cell. The weeks end with the board's week."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Static

from roster.i18n import N_, _
from roster.rotation import RotationRow, rotation_table
from roster.tui.screens.base import RosterScreen

WEEKS = 8  # at most; 4 at 80 columns


class RotationScreen(RosterScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("c", "cadre", N_("Cadre page"), tooltip=N_("also Enter")),
        Binding("o", "post", N_("Post page"), tooltip=N_("the post of the cell")),
        Binding("left_square_bracket", "shift(-1)", N_("Earlier"), key_display="["),
        Binding("right_square_bracket", "shift(1)", N_("Later"), key_display="]"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.last = None
        self.mondays: list[dt.date] = []
        self.rows: list[RotationRow] = []

    def compose(self) -> ComposeResult:
        yield Static(id="rotation-header", classes="screen-header")
        yield DataTable(id="rotation", cursor_type="cell")
        yield Footer()

    def on_mount(self) -> None:
        self.last = self.host.editor.week_start
        self.rebuild()

    def on_resize(self) -> None:
        if self.last is not None and self.is_mounted:
            self.rebuild()
        self.query_one(DataTable).focus()

    def rebuild(self) -> None:
        app = self.host
        district = app.district
        # As many weeks as fit with a whole post name (8 cells) and its figures each.
        cell_w = 13
        weeks = max(2, min(WEEKS, (max(self.size.width, 40) - 12) // (cell_w + 2)))
        first = self.last - dt.timedelta(weeks=weeks - 1)
        self.mondays, self.rows = rotation_table(app.db, district, first, weeks)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(_("cadre"), key="cadre", width=8)
        for monday in self.mondays:
            table.add_column(f"{monday:%m-%d}", key=monday.isoformat(), width=cell_w)
        for row in self.rows:
            cadre = district.cadres.get(row.cadre_id)
            cells: list[Text] = [Text(cadre.name if cadre else "?", style="bold")]
            for c in row.cells:
                if c.post_id is None:
                    cells.append(Text("·", style="dim"))
                    continue
                post = district.posts.get(c.post_id)
                figures = f" {c.nights}n{c.weekends}w"
                name = Text(("> " if c.moved else "") + (post.name if post else "?"))
                name.truncate(cell_w - len(figures), overflow="ellipsis")
                text = name + Text(figures, style="dim")
                if c.moved:
                    text.stylize("bold yellow", 0, 1)
                cells.append(text)
            table.add_row(*cells, key=str(row.cadre_id))
        moves = sum(r.moves for r in self.rows)
        header = Text()
        header.append(
            _("Rotation · {first} to {last} · {n} cadres, {moves} post changes").format(
                first=f"{self.mondays[0]:%m-%d}",
                last=f"{self.mondays[-1]:%m-%d}",
                n=len(self.rows),
                moves=moves,
            )
            + "\n",
            style="bold",
        )
        header.append(
            _("post  n nights  w weekend duties  > another post than the week before"), "dim"
        )
        self.query_one("#rotation-header", Static).update(header)

    def _cursor(self):
        table = self.query_one(DataTable)
        if not table.row_count:
            return None, None
        row_key, _column = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        row = next(r for r in self.rows if str(r.cadre_id) == row_key.value)
        column = table.cursor_column
        cell = row.cells[column - 1] if column >= 1 else None
        return row, cell

    def on_data_table_cell_selected(self, _event) -> None:
        self.action_cadre()

    def action_back(self) -> None:
        self.host.pop_screen()

    def action_cadre(self) -> None:
        row, _cell = self._cursor()
        if row is not None:
            self.host.show_cadre(row.cadre_id)

    def action_post(self) -> None:
        _row, cell = self._cursor()
        if cell is None or cell.post_id is None:
            self.notify(_("Put the cursor on a week with a post first."), severity="warning")
            return
        self.host.show_post(cell.post_id)

    def action_shift(self, step: int) -> None:
        self.last = self.last + dt.timedelta(weeks=step)
        self.rebuild()
