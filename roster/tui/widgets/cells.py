"""How a roster cell is drawn: its state colours, the day labels, and the lazily rendered
cell texts of the week board (totals, per shift, names) that the post page shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.measure import Measurement
from rich.text import Text

from roster import i18n
from roster.edits import CellState
from roster.i18n import N_

STATE_STYLE = {
    "met": "green",
    "short": "bold #ffffff on #a00000",
    "over": "black on #d7af00",
    "breach": "bold #ffffff on #8700af",  # a rule broken (an override): until resolved
}
MODES = (N_("auto"), N_("sum"), N_("shift"), N_("names"))  # the board's cell views
FLAGS = (N_("short"), N_("over"), N_("locked"), N_("changed"))  # filter words (and in Chinese)
STATES = (N_("met"), N_("short"), N_("over"))  # the legend's words for a cell's state


def flag_of(word: str) -> str | None:
    """The filter flag a typed word names: the English word, or its translation."""
    for flag in FLAGS:
        said = i18n._(flag).lower()
        if word in (flag, said, said.removeprefix("已")):  # 锁定 for 已锁定
            return flag
    return None


def day_heading(day: dt.date, width: int) -> str:
    """A day column's heading in `width` cells: `Mon 12-07` or `Mon 07`; in Chinese the
    longest of `12月7日 周一`, `12月7日周一`, `7日 周一`, `7日周一`, `周一 7`, `周一` that fits
    any day of the year (so that every column of a week reads alike)."""
    weekday = i18n.weekday_name(day.weekday())
    if i18n.current() != "zh":
        return weekday + (f" {day:%m-%d}" if width >= 9 else f" {day:%d}")
    forms = (
        (13, i18n.day_label(day)),
        (12, f"{day.month}月{day.day}日{weekday}"),
        (9, f"{day.day}日 {weekday}"),
        (8, f"{day.day}日{weekday}"),
        (7, f"{weekday} {day.day}"),
    )
    for widest, text in forms:
        if width >= widest:
            return text
    return weekday


class FixedCell(Text):
    """Text of a fixed-width column. The table measures every cell it is given, to size
    auto-width columns; ours are all fixed, so measuring 2,500 cells is time lost."""

    def __rich_measure__(self, console, options) -> Measurement:
        return Measurement(1, 1)


def fixed(text: Text) -> FixedCell:
    return FixedCell(
        text.plain,
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
        spans=list(text.spans),
    )


class LazyCell:
    """A board cell made into text only when the table first draws it: of 2,200 cells a
    screen shows a few hundred. Never measured either (the columns have fixed widths)."""

    __slots__ = ("key", "_make", "_text")

    def __init__(self, key: tuple, make: Callable[[], Text]) -> None:
        self.key = key
        self._make = make
        self._text: Text | None = None

    @property
    def text(self) -> Text:
        if self._text is None:
            self._text = self._make()
        return self._text

    def __rich_console__(self, console, options):
        yield self.text

    def __rich_measure__(self, console, options) -> Measurement:
        return Measurement(1, 1)

    def __str__(self) -> str:
        return str(self.text)


@dataclass(frozen=True)
class ShiftCell:
    code: str
    state: CellState
    names: tuple[str, ...]


def _state_of(cells: list[ShiftCell]) -> str:
    states = {c.state.state for c in cells if c.state.required or c.state.covered}
    for worst in ("short", "over", "met"):
        if worst in states:
            return worst
    return "none"


def _style(state: str, changed: bool = False) -> str:
    style = STATE_STYLE.get(state, "dim")
    return f"{style} italic" if changed else style


def render_cell(cells: list[ShiftCell], mode: str, width: int) -> Text:
    """One post-day cell. Locked cells start with `#`, cells changed since publish end with `*`."""
    if not cells or all(not c.state.required and not c.state.covered for c in cells):
        return Text("·", style="dim")
    if mode == "sum":
        req = sum(c.state.required for c in cells)
        cov = sum(c.state.covered for c in cells)
        locked = all(c.state.locked for c in cells if c.state.covered) and cov > 0
        changed = any(c.state.changed for c in cells)
        label = f"{'#' if locked else ''}{cov}/{req}{'*' if changed else ''}"
        return Text(label, style=_style(_state_of(cells), changed))
    if mode == "shift":
        text = Text()
        for i, c in enumerate(cells):
            if i:
                text.append(" ")
            mark = "#" if c.state.locked else ""
            star = "*" if c.state.changed else ""
            text.append(
                f"{mark}{c.code}{c.state.covered}/{c.state.required}{star}",
                style=_style(c.state.state, c.state.changed),
            )
        return text
    lines = []
    for c in cells:
        lines.append(_names_line(c, width))
    return Text("\n").join(lines)


def day_text(
    cells: tuple[ShiftCell, ...],
    wanted: tuple[str, ...],
    mode: str,
    width: int,
    breach: bool = False,
    empty: bool = False,
) -> Text:
    """A post-day cell: `render_cell`, or in names view one line per shift the post has.
    `breach`: a rule is broken there (an overridden edit): `!` first, in purple, until
    resolved. `empty`: the week has no roster yet, so the cell is need, not a problem."""
    text = _day_text(cells, wanted, mode, width)
    if empty:
        return Text(text.plain, style="dim")
    if breach:
        lines = []
        for i, line in enumerate(text.split("\n")):
            marked = Text(("!" if i == 0 else " ") + line.plain, style=STATE_STYLE["breach"])
            marked.truncate(width, overflow="ellipsis")
            lines.append(marked)
        return Text("\n").join(lines)
    return text


def _day_text(cells: tuple[ShiftCell, ...], wanted: tuple[str, ...], mode: str, width: int) -> Text:
    if mode != "names":
        return render_cell(list(cells), mode, width)
    have = {c.code: c for c in cells}
    lines = []
    for code in wanted:
        c = have.get(code)
        lines.append(
            _names_line(c, width)
            if c and (c.state.required or c.state.covered)
            else Text(f"{code} ·", style="dim")
        )
    return Text("\n").join(lines) if lines else Text("·", style="dim")


def _names_line(c: ShiftCell, width: int) -> Text:
    """`D 王金宝 李萌 -1`: who is on, and how many are missing, cut to `width` cells."""
    head = f"{'#' if c.state.locked else ''}{c.code}"
    missing = c.state.required - c.state.covered
    tail = f" -{missing}" if missing > 0 else ""
    tail += "*" if c.state.changed else ""
    room = width - cell_len(head) - cell_len(tail)
    shown: list[str] = []
    used = 0
    for i, name in enumerate(c.names):
        rest = len(c.names) - i - 1
        more = len(f" +{rest}") if rest else 0
        if used + 1 + cell_len(name) + more > room:
            shown.append(f"+{len(c.names) - i}")
            break
        shown.append(name)
        used += 1 + cell_len(name)
    body = " ".join([head, *shown]) + tail
    line = Text(body, style=_style(c.state.state, c.state.changed))
    line.truncate(width, overflow="ellipsis")
    return line
