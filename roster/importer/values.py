"""Checking one data row's values (`_Row`): text, choices, numbers, whole numbers, yes/no,
dates, times of day and references to other rows, each problem reported with its column
and a hint of what to write."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING

from roster.i18n import _

if TYPE_CHECKING:
    from roster.importer.run import _Importer

_BAD = object()  # what a converter returns for a value it reported as a problem
_SUPPRESSED = object()  # a reference to a row that failed earlier in this import

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_INT_RE = re.compile(r"[+-]?[0-9]{1,12}(?:\.0*)?")
_TRUE = {"1", "yes", "y", "true", "t", "是"}
_FALSE = {"0", "no", "n", "false", "f", "否"}


def _show(value: str) -> str:
    return '"' + (value if len(value) <= 60 else value[:57] + "…") + '"'


class _Row:
    """One data row being checked: its values by column, and the problems found in it."""

    __slots__ = ("imp", "file", "line", "values", "garbled", "ok")

    def __init__(self, imp: _Importer, file: str, line: int, values: dict[str, str], garbled):
        self.imp = imp
        self.file = file
        self.line = line
        self.values = values
        self.garbled = garbled  # columns already reported as not UTF-8
        self.ok = True

    def fail(self, column: str | None, message: str) -> object:
        self.ok = False
        if column not in self.garbled:
            self.imp.problems.add(self.file, self.line, column, message)
        return _BAD

    def _value(self, col: str, hint: str, required: bool) -> str | None:
        """The value, or None when it is empty (reported if required)."""
        v = self.values.get(col, "")
        if v:
            return v
        if required:
            self.fail(col, _("is empty; write {hint}").format(hint=hint))
        return None

    def text(self, col: str, hint: str, *, required: bool = True, default: str = ""):
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        return v

    def choice(self, col, options, hint, *, required=True, default=None, aliases=None):
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        if v in options:
            return v
        low = v.lower()
        if low in options:
            return low
        if aliases and (v in aliases or low in aliases):
            return aliases.get(v) or aliases[low]
        return self.fail(
            col,
            _("{value} is not one of: {options}").format(
                value=_show(v), options=", ".join(options)
            ),
        )

    def number(self, col, lo, hi, hint, *, required=True, default=None, low_open=False):
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        try:
            x = float(v)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            return self.fail(
                col, _("{value} is not a number; write {hint}").format(value=_show(v), hint=hint)
            )
        if x < lo or x > hi or (low_open and x == lo):
            if low_open:
                text = _("{value} is out of range; write {hint} (above {lo} to {hi})")
            else:
                text = _("{value} is out of range; write {hint} (from {lo} to {hi})")
            return self.fail(col, text.format(value=_show(v), hint=hint, lo=lo, hi=hi))
        return x

    def integer(self, col, lo, hi, hint, *, required=True, default=None):
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        if not _INT_RE.fullmatch(v):
            return self.fail(
                col,
                _("{value} is not a whole number; write {hint}").format(value=_show(v), hint=hint),
            )
        n = int(v.split(".")[0])
        if n < lo or n > hi:
            return self.fail(
                col,
                _("{value} is out of range; write {hint} ({lo} to {hi})").format(
                    value=_show(v), hint=hint, lo=lo, hi=hi
                ),
            )
        return n

    def boolean(self, col, *, required=True, default=None):
        hint = _("1 or 0 (yes/no, true/false and 是/否 also work)")
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        low = v.lower()
        if low in _TRUE:
            return 1
        if low in _FALSE:
            return 0
        return self.fail(
            col, _("{value} is not a yes/no value; write {hint}").format(value=_show(v), hint=hint)
        )

    def date(self, col, hint, *, required=True):
        v = self._value(col, _("{hint} as YYYY-MM-DD").format(hint=hint), required)
        if v is None:
            return _BAD if required else None
        if not _DATE_RE.fullmatch(v):
            return self.fail(
                col,
                _("{value} is not a date; write YYYY-MM-DD, e.g. 2026-03-01").format(
                    value=_show(v)
                ),
            )
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return self.fail(
                col, _("{value} is not a real date; write YYYY-MM-DD").format(value=_show(v))
            )

    def time(self, col, hint):
        v = self._value(col, _("{hint} as HH:MM").format(hint=hint), True)
        if v is None:
            return _BAD
        m = _TIME_RE.fullmatch(v)
        if m and int(m[1]) < 24 and int(m[2]) < 60 and int(m[3] or 0) == 0:
            return f"{int(m[1]):02d}:{m[2]}"
        return self.fail(
            col,
            _("{value} is not a time of day; write HH:MM, e.g. 08:00 (00:00 for midnight)").format(
                value=_show(v)
            ),
        )

    def ref(self, kind: str, col: str, what: str):
        """The id of the `kind` row named/coded by this column (`what`: what it is, in words
        of the current language, e.g. "cadre code")."""
        v = self._value(col, _("the {what}").format(what=what), True)
        if v is None:
            return _BAD
        found = self.imp.lookup(kind, v)
        if found is _SUPPRESSED:  # that row failed earlier in this import: already reported
            self.ok = False
            return _BAD
        if found is None:
            return self.fail(
                col,
                _(
                    "unknown {what} {value}: it is neither in the database nor in this import's "
                    "{kind} file; check the spelling or add it to {kind} first"
                ).format(what=what, value=_show(v), kind=kind),
            )
        return found
