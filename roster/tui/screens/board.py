"""The week board: posts as rows grouped by town, days as columns, coverage in every cell.

Every figure is computed from the stored roster and the demand (`WeekEditor.cell_states`).
Cells show the names on duty per shift when the terminal is wide, `covered/needed` per
shift when it is middling, and one `covered/needed` when it is narrow (80 columns).
Rows are keyed `p<post id>` and `t<town id>`; an edit updates only the cells that changed.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Input, Static

from roster import i18n
from roster.domain import Post
from roster.edits import WeekEditor
from roster.i18n import N_, _, day_label, ngettext, week_title
from roster.tui.flows import (
    assign_flow,
    has_flag,
    move_day_flow,
    move_post_flow,
    on_duty_flow,
    publish,
    relief_flow,
    replace_flow,
    swap_flow,
    unassign_flow,
)
from roster.tui.messages import JumpTo, RosterChanged
from roster.tui.screens.base import RosterScreen
from roster.tui.widgets.cells import (
    MODES,
    STATE_STYLE,
    FixedCell,
    LazyCell,
    ShiftCell,
    day_heading,
    day_text,
    fixed,
    flag_of,
)

# the week's status as the board's header shows it
STATUS = {"none": N_("no roster"), "draft": N_("DRAFT"), "published": N_("PUBLISHED")}


class BoardScreen(RosterScreen):
    """The week at a glance: where coverage is met, short, over, locked or changed."""

    # The footer shows what a coordinator needs most (it fits 80 columns); every key is in
    # the help (?) and the palette (Ctrl+P).
    BINDINGS = [
        Binding("s", "solve", N_("Solve"), tooltip=N_("build (or rebuild) the week's roster")),
        Binding(
            "a", "assign", N_("Assign"), tooltip=N_("put a cadre on the cell under the cursor")
        ),
        Binding(
            "y", "replace", N_("Replace"), tooltip=N_("another cadre takes a duty of this cell")
        ),
        Binding("p", "problems", N_("Problems"), tooltip=N_("every short cell and broken rule")),
        Binding(
            "P", "publish", N_("Publish"), tooltip=N_("tell people: later edits show as changes")
        ),
        Binding(
            "C", "changes", N_("Changes"), tooltip=N_("what changed since publishing, who to tell")
        ),
        Binding("left_square_bracket", "week(-1)", N_("Prev week"), key_display="[", show=False),
        Binding("right_square_bracket", "week(1)", N_("Next week"), key_display="]", show=False),
        Binding(
            "x", "unassign", N_("Unassign"), show=False, tooltip=N_("take a cadre off this cell")
        ),
        Binding(
            "m", "move_post", N_("Move to post"), show=False, tooltip=N_("a duty of this cell")
        ),
        Binding("d", "move_day", N_("Move to day"), show=False, tooltip=N_("a duty of this cell")),
        Binding(
            "w", "swap", N_("Swap"), show=False, tooltip=N_("a cadre of this cell with another")
        ),
        Binding("c", "cadre", N_("Cadre page"), show=False, tooltip=N_("a cadre of this cell")),
        Binding("o", "open_post", N_("Post page"), show=False, tooltip=N_("also Enter")),
        Binding("n", "next_short", N_("Next short"), show=False),
        Binding("f", "filter", N_("Filter"), show=False, tooltip=N_("name, town, short, locked…")),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False),
        Binding(
            "l", "lock_cell", N_("Lock cell"), show=False, tooltip=N_("kept by edits and solves")
        ),
        Binding("L", "lock_post", N_("Lock post week"), show=False),
        Binding(
            "K", "lock_cadre", N_("Lock cadre week"), show=False, tooltip=N_("a cadre of the cell")
        ),
        Binding("u", "undo", N_("Undo"), show=False),
        Binding("U,ctrl+r", "redo", N_("Redo"), key_display="U", show=False),
        Binding(
            "v", "view", N_("View"), show=False, tooltip=N_("cells: auto, sum, per shift, names")
        ),
        Binding("z", "collapse", N_("Fold town"), show=False),
        Binding("Z", "collapse_all", N_("Fold all"), show=False),
        Binding(
            "r", "relief", N_("Relief"), show=False, tooltip=N_("cover an absence in this cell")
        ),
        Binding(
            "W", "rotation", N_("Rotation"), show=False, tooltip=N_("who is where, week by week")
        ),
        Binding(
            "A", "audit", N_("Audit"), show=False, tooltip=N_("who changed this week, and when")
        ),
        Binding(
            "e", "export", N_("Export"), show=False, tooltip=N_("sheets, calendars, SMS, records")
        ),
        Binding("F", "fairness", N_("Fairness"), show=False, tooltip=N_("nights, weekends, km")),
        Binding(
            "N", "on_duty_now", N_("On duty now"), show=False, tooltip=N_("at this town's posts")
        ),
        Binding("R", "reload", N_("Reload"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mode = "auto"
        self.filter_text = ""
        self.collapsed: set[int] = set()
        self._layout: tuple | None = None  # (mode, widths) the rows were built with
        self._rendered: dict[tuple[str, str], object] = {}  # what each cell shows
        self._row_heights: dict[str, int] = {}
        self._states: dict = {}
        self._cells: dict = {}
        self._by_post: dict = {}
        self._day_totals: dict = {}
        self._post_shifts: dict[int, list[str]] = {}
        self._breach_cells: dict[tuple[int, dt.date], list] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="board-top"):
            yield Static(id="board-header")
            yield Static(id="board-totals")
        yield DataTable(id="board", cursor_type="cell", zebra_stripes=False)
        yield Static(id="board-status")
        yield Input(
            placeholder=_("filter: name, code, town, pinyin, short/over/locked/changed"),
            id="filter",
        )
        yield Footer()

    @property
    def editor(self) -> WeekEditor:
        return self.host.editor

    @property
    def table(self) -> DataTable:
        return self.query_one("#board", DataTable)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.rebuild()
        self._start_on_own_town()
        self.table.focus()
        self.update_status()

    def _start_on_own_town(self) -> None:
        """A town coordinator starts on their own town (the first of theirs on the board)."""
        access = self.host.access
        if access.role != "town" or not access.town_ids:
            return
        for row_key in self.table.rows:
            key = row_key.value or ""
            if key.startswith("t") and int(key[1:]) in access.town_ids:
                self._move_to_key(key, 1)
                self.table.scroll_to(y=self.table.cursor_row, animate=False)
                return

    def on_resize(self) -> None:
        if self._layout != self._wanted_layout():
            self.rebuild(keep_cursor=True)

    # --- layout ----------------------------------------------------------------------

    def _wanted_layout(self) -> tuple[str, int, int]:
        width = max(self.size.width, 40)
        post_w = 12 if width < 100 else (18 if width < 170 else 22)
        day_w = max(5, (width - (post_w + 2) - 2 - 7 * 2) // 7)
        mode = self.mode
        if mode == "auto":
            mode = "names" if day_w >= 16 else ("shift" if day_w >= 10 else "sum")
        if mode == "names":
            # Names need every column they can get: no padding (a space ends each cell's
            # text instead) and a shorter post column, so a name fits where it can.
            post_w = 10 if width < 100 else post_w
            day_w = max(5, (width - post_w - 2 - 1) // 7)
        return mode, post_w, day_w

    def shift_codes(self) -> list[str]:
        shifts = self.host.district.shifts
        return sorted(shifts, key=lambda code: (shifts[code].start_minutes, code))

    def visible_posts(self) -> list[Post]:
        district = self.host.district
        posts = sorted(
            district.posts.values(),
            key=lambda p: (
                district.towns[p.town_id].name if p.town_id in district.towns else "",
                p.code,
            ),
        )
        if not self.filter_text.strip():
            return posts
        from roster.find import initials

        tokens = self.filter_text.lower().split()
        flags = [flag for t in tokens if (flag := flag_of(t))]
        words = [t for t in tokens if not flag_of(t)]
        out = []
        for post in posts:
            town = district.towns.get(post.town_id)
            hay = (
                f"{post.code} {post.name} {town.name if town else ''} {initials(post.name)}".lower()
            )
            if any(w not in hay for w in words):
                continue
            if flags:
                mine = self._by_post.get(post.id, [])
                if not all(has_flag(mine, f) for f in flags):
                    continue
            out.append(post)
        return out

    def rebuild(self, keep_cursor: bool = True) -> None:
        """Lay the table out again (week, filter, fold or width changed)."""
        table = self.table
        cursor_key = None
        if keep_cursor and table.row_count:
            cursor_key = self._cursor_row_key()
        cursor_col = table.cursor_column
        mode, post_w, day_w = self._layout = self._wanted_layout()
        self._set_states()
        codes = self.shift_codes()
        table.clear(columns=True)
        table.cell_padding = 0 if mode == "names" else 1
        self._rendered.clear()
        self._row_heights.clear()
        table.add_column(Text(_("post")), width=post_w, key="post")
        # names view has no padding: a Chinese heading keeps a space free after it
        heading_w = day_w - 1 if mode == "names" and i18n.current() == "zh" else day_w
        for day in self.editor.days:
            label = day_heading(day, heading_w)
            table.add_column(Text(label), width=day_w, key=day.isoformat())
        posts = self.visible_posts()
        by_town: dict[int, list[Post]] = {}
        for post in posts:
            by_town.setdefault(post.town_id, []).append(post)
        table.add_row(*self._total_cells(posts, post_w), key="all", height=1)
        for town_id, town_posts in by_town.items():
            key = f"t{town_id}"
            table.add_row(*self._town_cells(town_id, town_posts, post_w), key=key, height=1)
            if town_id in self.collapsed:
                continue
            for post in town_posts:
                height = 1
                if mode == "names":
                    height = max(1, len(self._shifts_of(post.id, codes)))
                key = f"p{post.id}"
                cells = [self._post_label(post, post_w)]
                for day in self.editor.days:
                    text = self._post_day(post.id, day, codes, mode, day_w)
                    self._rendered[(key, day.isoformat())] = text.key
                    cells.append(text)
                table.add_row(*cells, key=key, height=height)
                self._row_heights[key] = height
        if cursor_key is not None:
            self._move_to_key(cursor_key, cursor_col)
        self.update_header()

    def _set_states(self, posts: frozenset[int] | None = None) -> None:
        """Read the week's cell states (of `posts` only, after an edit that touched just
        them) and index them by post and by post and day."""
        if posts is None or not self._states:
            fresh = self._states = self.editor.cell_states()
            self._by_post, self._day_totals, self._cells, self._post_shifts = {}, {}, {}, {}
        else:
            fresh = self.editor.cell_states(posts)
            self._states = {k: v for k, v in self._states.items() if k[0] not in posts}
            self._states.update(fresh)
            for index in (self._day_totals, self._cells):
                for key in [k for k in index if k[0] in posts]:
                    del index[key]
            for post_id in posts:
                self._by_post.pop(post_id, None)
                self._post_shifts.pop(post_id, None)
        for (post_id, day, _code), s in fresh.items():
            self._by_post.setdefault(post_id, []).append(s)
            r, c, n = self._day_totals.get((post_id, day), (0, 0, 0))
            self._day_totals[(post_id, day)] = (
                r + s.required,
                c + min(s.covered, s.required),
                n + (s.covered < s.required),
            )
        self._cells.update(self._group_cells(fresh))

    def _group_cells(self, states: dict) -> dict[tuple[int, dt.date], list[ShiftCell]]:
        names = {c.id: c.name for c in self.host.district.cadres.values()}
        by_cell = self.editor.by_cell()
        grouped: dict[tuple[int, dt.date], list[ShiftCell]] = {}
        order = {code: i for i, code in enumerate(self.shift_codes())}
        for (post_id, day, code), state in states.items():
            who = tuple(
                sorted(names.get(a.cadre_id, "?") for a in by_cell.get((post_id, day, code), []))
            )
            grouped.setdefault((post_id, day), []).append(ShiftCell(code, state, who))
        for cells in grouped.values():
            cells.sort(key=lambda c: order.get(c.code, 99))
        return grouped

    def _shifts_of(self, post_id: int, codes: list[str]) -> list[str]:
        """The shifts the post has this week (demand or duty), one line each in names view."""
        known = self._post_shifts.get(post_id)
        if known is None:
            used = {c.code for day in self.editor.days for c in self._cells.get((post_id, day), [])}
            known = self._post_shifts[post_id] = [c for c in codes if c in used]
        return known

    def _post_day(
        self, post_id: int, day: dt.date, codes: list[str], mode: str, width: int
    ) -> LazyCell:
        """The cell of a post and day, drawn only when first shown; its `key` says what it
        shows, so a refresh replaces only cells whose key changed."""
        cells = tuple(self._cells.get((post_id, day), ()))
        wanted = tuple(self._shifts_of(post_id, codes)) if mode == "names" else ()
        width = width - 1 if mode == "names" else width  # a space between the columns
        breach = (post_id, day) in self._breach_cells
        empty = self.editor.status == "none"
        key = (cells, wanted, mode, width, breach, empty)
        return LazyCell(key, partial(day_text, cells, wanted, mode, width, breach, empty))

    def _post_label(self, post: Post, width: int) -> Text:
        text = Text(post.name if width < 18 else f"{post.code} {post.name}")
        states = self._by_post.get(post.id, [])
        if any(s.state == "short" for s in states):
            text.stylize("bold red")
        if any(s.covered for s in states) and all(s.locked for s in states if s.covered):
            text = Text("#") + text
        text.truncate(width, overflow="ellipsis")
        return fixed(text)

    def _town_cells(self, town_id: int, posts: list[Post], width: int) -> list[Text]:
        town = self.host.district.towns.get(town_id)
        sign = "+" if town_id in self.collapsed else "-"
        name = town.name if town else "?"
        label = Text(f"{sign} {name}" + (f" ({len(posts)})" if width >= 18 else ""), style="bold")
        label.truncate(width, overflow="ellipsis")
        cells: list[Text] = [fixed(label)]
        for day in self.editor.days:
            req = cov = short = 0
            for post in posts:
                r, c, n = self._day_totals.get((post.id, day), (0, 0, 0))
                req, cov, short = req + r, cov + c, short + n
            style = "bold " + ("red" if short else "green")
            if self.editor.status == "none":
                style = "dim"
            cells.append(FixedCell(f"{cov}/{req}", style=style if req else "dim"))
        return cells

    def _total_cells(self, posts: list[Post], width: int) -> list[Text]:
        """The district's (or the filter's) row: slots covered of needed, per day."""
        label = Text(_("Σ all") if not self.filter_text.strip() else _("Σ shown"), style="bold")
        cells: list[Text] = [fixed(label)]
        for day in self.editor.days:
            req = cov = short = 0
            for post in posts:
                r, c, n = self._day_totals.get((post.id, day), (0, 0, 0))
                req, cov, short = req + r, cov + c, short + n
            style = "bold reverse " + ("red" if short else "green")
            if self.editor.status == "none" or not req:
                style = "dim"
            cells.append(FixedCell(f"{cov}/{req}", style=style))
        return cells

    def refresh_cells(self, posts: frozenset[int] | None = None) -> None:
        """After an edit: update only the cells whose text changed (of `posts`, if known,
        and their towns' rows), in one batch."""
        mode, post_w, day_w = self._layout or self._wanted_layout()
        old_states = self._states
        self._set_states(posts)
        codes = self.shift_codes()
        table = self.table
        if mode == "names":
            for key, height in self._row_heights.items():
                if max(1, len(self._shifts_of(int(key[1:]), codes))) != height:
                    self.rebuild()
                    return
        if self.filter_text.strip() and old_states != self._states:
            visible = {f"p{p.id}" for p in self.visible_posts()}
            if visible != set(self._row_heights):
                self.rebuild()
                return
        district = self.host.district
        rows = [k for k in self._row_heights if posts is None or int(k[1:]) in posts]
        towns = None if posts is None else {district.posts[p].town_id for p in posts}
        with self.host.batch_update():
            for key in rows:
                post = district.posts[int(key[1:])]
                label = self._post_label(post, post_w)
                if self._rendered.get((key, "post")) != label:
                    self._rendered[(key, "post")] = label
                    table.update_cell(key, "post", label)
                for day in self.editor.days:
                    text = self._post_day(post.id, day, codes, mode, day_w)
                    column = day.isoformat()
                    if self._rendered.get((key, column)) != text.key:
                        self._rendered[(key, column)] = text.key
                        table.update_cell(key, column, text)
            by_town: dict[int, list[Post]] = {}
            for key in self._row_heights:
                post = district.posts[int(key[1:])]
                by_town.setdefault(post.town_id, []).append(post)
            if "all" in {k.value for k in table.rows}:
                for i, text in enumerate(self._total_cells(self.visible_posts(), post_w)):
                    column = "post" if i == 0 else self.editor.days[i - 1].isoformat()
                    table.update_cell("all", column, text)
            for row_key in table.rows:
                if row_key.value and row_key.value.startswith("t"):
                    town_id = int(row_key.value[1:])
                    if towns is not None and town_id not in towns:
                        continue
                    posts = by_town.get(town_id) or [
                        p for p in district.posts.values() if p.town_id == town_id
                    ]
                    for i, text in enumerate(self._town_cells(town_id, posts, post_w)):
                        column = "post" if i == 0 else self.editor.days[i - 1].isoformat()
                        table.update_cell(row_key, column, text)
        self.update_header()

    def update_header(self) -> None:
        editor = self.editor
        monday = editor.week_start
        status = _(STATUS[editor.status])
        header = Text()
        header.append(_("Week {week}").format(week=week_title(monday)) + " ", style="bold")
        if i18n.current() == "zh":
            last = editor.days[-1]
            header.append(f"{monday.month}月{monday.day}日–{last.month}月{last.day}日 ")
        else:
            header.append(f"{monday:%m-%d}–{editor.days[-1]:%m-%d} ")
        header.append(
            f" {status} v{editor.version} ",
            style="bold black on #5fd75f"
            if editor.status == "published"
            else "bold black on #d7af00",
        )
        if editor.status == "none":
            header.append(" " + _("press s to solve it, ] for next week"), style="bold")
        elif editor.checked:
            n = len(editor.breaches)
            header.append(
                " " + ngettext("{n} problem", "{n} problems", n).format(n=n),
                style="bold red" if n else "green",
            )
        else:
            header.append(" " + _("checking…"), style="dim")
        if editor.status == "published" and editor.changed_cells():
            changed = _("{n} cells changed").format(n=len(editor.changed_cells()))
            header.append(" " + changed, style="magenta")
        access = self.host.access
        if access.read_only:
            header.append("  " + _("read-only"), style="bold yellow")
        elif access.role == "town":
            header.append("  " + _("town coordinator"), style="yellow")
        if self.filter_text.strip():
            header.append(
                "  " + _("filter: {text}").format(text=self.filter_text.strip()), style="cyan"
            )
        self.query_one("#board-header", Static).update(header)
        total = editor.totals(self._states)
        posts = self.visible_posts()
        shown = None
        if self.filter_text.strip():
            shown = editor.totals(self._states, [p.id for p in posts])
        line = Text()
        if editor.status == "none":
            line.append(
                _(
                    "No roster for this week: {slots} duty slots at {posts} posts to fill. "
                    "s solves it."
                ).format(slots=total.required, posts=len(self.host.district.posts)),
                style="bold yellow",
            )
            self.query_one("#board-totals", Static).update(line)
            return
        n_posts = len(self.host.district.posts)
        line.append(ngettext("{n} post", "{n} posts", n_posts).format(n=n_posts) + " ")
        line.append(
            _("slots {covered}/{required}").format(covered=total.covered, required=total.required)
            + " "
        )
        line.append(
            _("unmet {n}").format(n=total.unmet) + " ",
            style="bold red" if total.unmet else "green",
        )
        if total.over:
            line.append(_("over {n}").format(n=total.over) + " ", style="yellow")
        gap = editor.stats.get("gap")
        if gap is not None:
            edited = "~" if editor.stats.get("edited") else ""
            line.append(_("gap {gap}").format(gap=f"{edited}{float(gap) * 100:.2f}%") + " ")
        if shown is not None:
            line.append(
                _("| shown {n}: unmet {unmet}").format(n=len(posts), unmet=shown.unmet) + " ",
                style="cyan",
            )
        if self.size.width >= 150:
            line.append("   ")
            for state in ("met", "short", "over"):
                line.append(f" {_(state)} ", style=STATE_STYLE[state])
                line.append(" ")
            line.append(" " + _("#locked  *changed since publish  ? help"), style="dim")
        self.query_one("#board-totals", Static).update(line)

    # --- cursor ----------------------------------------------------------------------

    def _cursor_row_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        try:
            row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        except Exception:
            return None
        return row_key.value

    def _move_to_key(self, key: str, column: int) -> bool:
        try:
            row = self.table.get_row_index(key)
        except Exception:
            return False
        self.table.move_cursor(row=row, column=column, animate=False)
        return True

    def cursor_post(self) -> int | None:
        key = self._cursor_row_key()
        return int(key[1:]) if key and key.startswith("p") else None

    def cursor_day(self) -> dt.date | None:
        column = self.table.cursor_column
        return self.editor.days[column - 1] if column >= 1 else None

    def jump(self, post_id: int, day: dt.date | None) -> None:
        """Put the cursor on the post and day, unfolding or unfiltering what hides it."""
        post = self.host.district.posts.get(post_id)
        if post is None:
            return
        column = (
            (self.editor.days.index(day) + 1)
            if day in self.editor.days
            else max(1, self.table.cursor_column)
        )
        if not self._move_to_key(f"p{post_id}", column):
            self.collapsed.discard(post.town_id)
            self.filter_text = ""
            self.rebuild(keep_cursor=False)
            self._move_to_key(f"p{post_id}", column)
        self.table.focus()

    # --- messages --------------------------------------------------------------------

    def on_roster_changed(self, message: RosterChanged) -> None:
        if message.reason in ("week", "reload", "solve"):
            self._set_breach_cells()
            self.rebuild()
        elif message.reason == "checks":
            before = self._breach_cells
            self._set_breach_cells()
            if set(before) != set(self._breach_cells):
                touched = frozenset(p for p, _d in set(before) ^ set(self._breach_cells))
                self.refresh_cells(touched)
            self.update_header()
        else:
            self._set_breach_cells()
            self.refresh_cells(message.posts)
        self.update_status()

    def _set_breach_cells(self) -> None:
        """The cells where a rule other than coverage is broken (what an override let
        through), from the checks of the current version; none while unchecked."""
        editor = self.editor
        cells: dict[tuple[int, dt.date], list] = {}
        if editor.checked:
            duties: dict[int, list] = {}
            for a in editor.assignments:
                duties.setdefault(a.cadre_id, []).append(a)
            for b in editor.breaches:
                if b.rule == "coverage":
                    continue
                if b.post_id is not None and b.date is not None:
                    cells.setdefault((b.post_id, b.date), []).append(b)
                    continue
                # a rule of the cadre's week (days in a row, rest, hours): every duty of
                # theirs from the day it names on
                for a in duties.get(b.cadre_id, []):
                    if b.date is None or a.date >= b.date:
                        cells.setdefault((a.post_id, a.date), []).append(b)
        self._breach_cells = cells

    @on(DataTable.CellHighlighted, "#board")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.update_status()

    def update_status(self) -> None:
        """One line about the cell under the cursor: post, day, who is on which shift,
        what is missing and which rule is broken there."""
        if not self.is_mounted:
            return
        status = self.query_one("#board-status", Static)
        key = self._cursor_row_key() or ""
        day = self.cursor_day()
        district = self.host.district
        line = Text()
        if key.startswith("p"):
            post = district.posts[int(key[1:])]
            line.append(f"{post.name} ", style="bold")
            if day is None:
                town = district.towns.get(post.town_id)
                line.append(
                    _("{code} {town} · Enter: post page").format(
                        code=post.code, town=town.name if town else ""
                    )
                )
            else:
                line.append(day_label(day))
                by_cell = self.editor.by_cell()
                for cell in self._cells.get((post.id, day), []):
                    on = by_cell.get((post.id, day, cell.code), [])
                    names = " ".join(
                        ("#" if a.locked else "") + district.cadres[a.cadre_id].name for a in on
                    )
                    s = cell.state
                    style = STATE_STYLE.get(s.state, "") if s.state != "met" else ""
                    line.append(" │ ")
                    line.append(f"{cell.code} {names or '-'} {s.covered}/{s.required}", style)
                for b in self._breach_cells.get((post.id, day), [])[:2]:
                    line.append(" │ ")
                    line.append(f"! {b.message}", style=STATE_STYLE["breach"])
        elif key.startswith("t") or key == "all":
            name = _("All towns")
            if key.startswith("t"):
                town = district.towns.get(int(key[1:]))
                name = town.name if town else "?"
            line.append(f"{name} ", style="bold")
            line.append(_("Enter/z: fold or unfold · ? every key"))
        status.update(line)

    def on_jump_to(self, message: JumpTo) -> None:
        self.jump(message.post_id, message.day)

    @on(DataTable.CellSelected, "#board")
    def _selected(self, event: DataTable.CellSelected) -> None:
        key = event.cell_key.row_key.value or ""
        if key.startswith("t"):
            self._toggle_town(int(key[1:]))
        elif key.startswith("p"):
            self.host.show_post(int(key[1:]), self.cursor_day())

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.filter_text = event.value
        event.input.display = False
        self.rebuild(keep_cursor=True)
        if self.table.row_count and self.table.cursor_row >= self.table.row_count:
            self.table.move_cursor(row=0)
        self.table.focus()

    # --- actions ---------------------------------------------------------------------

    def action_week(self, step: int) -> None:
        self.host.set_week(self.editor.week_start + dt.timedelta(weeks=step))

    def action_solve(self) -> None:
        self.host.show_solve()

    def action_problems(self) -> None:
        self.host.show_problems()

    def action_audit(self) -> None:
        self.host.show_audit()

    def action_export(self) -> None:
        self.host.show_export(self.editor.week_start, self.editor.status)

    def action_fairness(self) -> None:
        self.host.show_fairness()

    def action_on_duty_now(self) -> None:
        key = self._cursor_row_key() or ""
        post = self.host.district.posts.get(self.cursor_post() or 0)
        town_id = post.town_id if post else (int(key[1:]) if key.startswith("t") else None)
        self.host.show_now(town_id)

    def action_open_post(self) -> None:
        post_id = self.cursor_post()
        if post_id is not None:
            self.host.show_post(post_id, self.cursor_day())

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display or self.filter_text:
            box.display = False
            box.value = ""
            self.filter_text = ""
            self.rebuild(keep_cursor=True)
            self.table.focus()

    def action_next_short(self) -> None:
        """Cursor to the next short cell after it, in board order."""
        table = self.table
        keys = [rk.value for rk in table.rows]
        start_row, start_col = table.cursor_row, table.cursor_column
        n = len(keys)
        for step in range(n + 1):
            row = (start_row + step) % n if n else 0
            key = keys[row] if n else None
            if not key or not key.startswith("p"):
                continue
            post_id = int(key[1:])
            for col, day in enumerate(self.editor.days, start=1):
                if step == 0 and col <= start_col:
                    continue
                if any(c.state.state == "short" for c in self._cells.get((post_id, day), [])):
                    table.move_cursor(row=row, column=col, animate=False)
                    return
        hidden = sum(s.state == "short" for s in self._states.values())
        self.notify(
            _("No short cell shown.") if hidden else _("No short cell this week."), timeout=3
        )

    def action_view(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.notify(_("cells: {view}").format(view=_(self.mode)), timeout=2)
        self.rebuild(keep_cursor=True)

    def _toggle_town(self, town_id: int) -> None:
        if town_id in self.collapsed:
            self.collapsed.discard(town_id)
        else:
            self.collapsed.add(town_id)
        self.rebuild(keep_cursor=False)
        self._move_to_key(f"t{town_id}", self.table.cursor_column)

    def action_collapse(self) -> None:
        key = self._cursor_row_key()
        if key and key.startswith("t"):
            self._toggle_town(int(key[1:]))
        elif key and key.startswith("p"):
            self._toggle_town(self.host.district.posts[int(key[1:])].town_id)

    def action_collapse_all(self) -> None:
        towns = {p.town_id for p in self.host.district.posts.values()}
        self.collapsed = set() if self.collapsed >= towns else towns
        self.rebuild(keep_cursor=True)

    def action_assign(self) -> None:
        post_id, day = self.cursor_post(), self.cursor_day()
        if post_id is None or day is None:
            self.notify(_("Put the cursor on a post and a day first."), severity="warning")
            return
        assign_flow(self.host, post_id, day)

    def action_relief(self) -> None:
        post_id, day = self.cursor_post(), self.cursor_day()
        if post_id is None or day is None:
            self.notify(_("Put the cursor on a post and a day first."), severity="warning")
            return
        relief_flow(self.host, post_id, day)

    def _on_cell_cadre(self, what: str, then) -> None:
        """Ask which cadre of the cell under the cursor `what` is for, then `then(id, day)`."""
        post_id, day = self.cursor_post(), self.cursor_day()
        if post_id is None or day is None:
            self.notify(_("Put the cursor on a post and a day first."), severity="warning")
            return
        on_duty_flow(self.host, post_id, day, what, lambda cadre_id: then(cadre_id, day))

    def action_replace(self) -> None:
        self._on_cell_cadre(_("Replace"), partial(replace_flow, self.host))

    def action_unassign(self) -> None:
        self._on_cell_cadre(_("Unassign"), partial(unassign_flow, self.host))

    def action_move_post(self) -> None:
        self._on_cell_cadre(_("Move to another post"), partial(move_post_flow, self.host))

    def action_move_day(self) -> None:
        self._on_cell_cadre(_("Move to another day"), partial(move_day_flow, self.host))

    def action_swap(self) -> None:
        self._on_cell_cadre(_("Swap"), partial(swap_flow, self.host))

    def action_cadre(self) -> None:
        self._on_cell_cadre(_("Cadre page"), lambda cadre_id, _day: self.host.show_cadre(cadre_id))

    def action_lock_cadre(self) -> None:
        editor = self.editor
        self._on_cell_cadre(
            _("Lock the week of"),
            lambda cadre_id, _day: self.host.edit(lambda _o: editor.lock_cadre_week(cadre_id)),
        )

    def action_changes(self) -> None:
        self.host.show_changes()

    def action_rotation(self) -> None:
        self.host.show_rotation()

    def action_lock_cell(self) -> None:
        post_id, day = self.cursor_post(), self.cursor_day()
        if post_id is None or day is None:
            self.notify(_("Put the cursor on a post and a day first."), severity="warning")
            return
        self.host.edit(lambda _override: self.editor.lock_cell(post_id, day))

    def action_lock_post(self) -> None:
        post_id = self.cursor_post()
        if post_id is None:
            self.notify(_("Put the cursor on a post first."), severity="warning")
            return
        self.host.edit(lambda _override: self.editor.lock_post_week(post_id))

    def action_undo(self) -> None:
        self.host.undo()

    def action_redo(self) -> None:
        self.host.redo()

    def action_reload(self) -> None:
        self.editor.reload()
        self.host.roster_changed("reload")

    def action_publish(self) -> None:
        editor = self.editor
        total = editor.totals(self._states)
        question = _(
            "Publish the week of {monday}? {unmet} slots unmet, {problems} problems. "
            "Later edits show as changes."
        ).format(monday=editor.week_start, unmet=total.unmet, problems=len(editor.breaches))

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.edit(lambda _o: publish(self.host))

        self.host.confirm(question, answered)
