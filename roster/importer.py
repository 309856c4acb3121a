"""Loading a district from CSV or XLSX files: all or nothing, in bounded memory.

`import_file` loads one file of one kind, `import_dir` every `KIND.csv`/`KIND.xlsx` of a
folder in the order towns, units, shifts, posts, demand, cadres, absences, wishes,
unit_days. Either way the
whole import is one transaction: every row is checked, valid rows are written in batches
(so that later files can refer to them), and if anything at all was wrong the transaction
is rolled back and `ImportFailed` lists every problem with its file, line and column.

Rows are streamed (a csv reader over the file's lines, openpyxl's read-only `iter_rows`);
the keys already seen, which duplicate detection needs, are kept in a temporary SQLite
table rather than in Python, so memory does not grow with the size of the file.

Every value is trimmed of leading and trailing spaces (a code " M0005 " is M0005). A value
holding a control character (NUL, a lone carriage return, escape…), an invisible formatting
character (zero-width space, a byte-order mark, bidi controls) or a line/paragraph separator
is refused with its line and column; only the free-text columns (notes, note, address) may
hold tabs and line breaks.

Re-importing updates rows by their key (towns and units by name, shifts, posts and cadres
by code, demand by post/shift/weekday/date, absences by cadre/start/end/kind, wishes by
cadre/kind/date/weekday/until/shift, unit days by unit/weekday/date) and never
deletes. An optional column missing from a file's header leaves that column of updated
rows as it was (new rows get the default); a column present but empty gets the default.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import operator
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from roster import store
from roster.domain import (
    ABSENCE_KINDS,
    CADRE_STATUSES,
    GENDERS,
    POST_KINDS,
    TOWN_KINDS,
    TRANSPORT_MAX_KM,
    WISH_KINDS,
)

KINDS = (
    "towns", "units", "shifts", "posts", "demand", "cadres", "absences", "wishes", "unit_days",
)  # fmt: skip
EXTENSIONS = (".csv", ".xlsx")
MAX_PROBLEMS = 1000  # problems kept in `ImportFailed.problems`; the rest are only counted
BATCH_ROWS = 500  # rows per executemany
MAX_LINE_BYTES = 1 << 20  # a longer physical line is not a CSV file we can read
_CACHE_MAX = 20_000  # entries per reference cache before it is emptied
_SEEN = "roster_import_seen"  # temporary table: keys met in this import, for duplicates

_BAD = object()  # what a converter returns for a value it reported as a problem
_SUPPRESSED = object()  # a reference to a row that failed earlier in this import


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input. `line` as an editor shows it (the header is line 1)."""

    file: str
    line: int | None
    column: str | None
    message: str

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The input had problems; nothing was written.

    `problems` holds the first `MAX_PROBLEMS` problems in the order found, `more` how many
    more there were.
    """

    def __init__(self, problems: list[Problem], more: int = 0):
        self.problems = list(problems)
        self.more = more
        super().__init__(self.summary())

    @property
    def count(self) -> int:
        return len(self.problems) + self.more

    def summary(self) -> str:
        n = self.count
        return f"{n} problem{'s' if n != 1 else ''} found; nothing was imported"

    def to_json(self) -> dict:
        return {"problems": [p.to_json() for p in self.problems], "more": self.more}

    def __str__(self) -> str:
        lines = [self.summary() + ":"] + [f"  {p}" for p in self.problems]
        if self.more:
            lines.append(f"  … and {self.more} more")
        return "\n".join(lines)


@dataclass
class KindCounts:
    inserted: int = 0
    updated: int = 0  # rows found already stored (changed or not)
    files: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # header columns not used
    changed: int = 0  # stored rows the import changed
    fields: dict[str, int] = field(default_factory=dict)  # changed rows per column
    named: list[str] = field(default_factory=list)  # changes one must see, e.g. a status
    encoding: str = ""  # "GB18030" when a file was read as that rather than UTF-8

    @property
    def unchanged(self) -> int:
        return self.updated - self.changed


@dataclass
class ImportReport:
    """What an import wrote, per kind (in import order)."""

    kinds: dict[str, KindCounts] = field(default_factory=dict)

    def inserted(self, kind: str) -> int:
        return self.kinds[kind].inserted if kind in self.kinds else 0

    def updated(self, kind: str) -> int:
        return self.kinds[kind].updated if kind in self.kinds else 0

    @property
    def total_inserted(self) -> int:
        return sum(c.inserted for c in self.kinds.values())

    @property
    def total_updated(self) -> int:
        return sum(c.updated for c in self.kinds.values())

    def as_dict(self) -> dict:
        return {
            kind: {"inserted": c.inserted, "updated": c.updated, "files": list(c.files)}
            for kind, c in self.kinds.items()
        }

    def to_json(self) -> dict:
        """The report as JSON-ready values (what `roster import --json` prints)."""
        kinds = {
            kind: {
                "inserted": c.inserted,
                "updated": c.updated,
                "changed": c.changed,
                "unchanged": c.unchanged,
                "changed_fields": dict(c.fields),
                "named_changes": list(c.named),
                "files": list(c.files),
                "ignored_columns": list(c.ignored_columns),
                **({"encoding": c.encoding} if c.encoding else {}),
            }
            for kind, c in self.kinds.items()
        }
        return {"inserted": self.total_inserted, "updated": self.total_updated, "kinds": kinds}

    def __str__(self) -> str:
        """One line per kind: added, changed (per column) and unchanged; then each named
        change (status, nights, commute) on its own line."""
        lines = []
        for kind, c in self.kinds.items():
            text = f"{kind}: {c.inserted} added, {c.changed} changed, {c.unchanged} unchanged"
            if c.fields:
                text += " (" + ", ".join(f"{k} {n}" for k, n in sorted(c.fields.items())) + ")"
            if c.encoding:
                text += f" [read as {c.encoding}]"
            if c.ignored_columns:
                text += f" (ignored columns: {', '.join(c.ignored_columns)})"
            lines.append(text)
            lines.extend(f"  {line}" for line in c.named)
        return "\n".join(lines) or "nothing imported"


class _Problems:
    def __init__(self, cap: int = MAX_PROBLEMS):
        self.items: list[Problem] = []
        self.more = 0
        self.cap = cap

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        if len(self.items) < self.cap:
            self.items.append(Problem(file, line, column, message))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.items) or self.more > 0


# --- reading files ---------------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


# A record: (line where it starts, values, indices of values garbled by non-UTF-8 bytes,
# or None and an error message for a line the csv reader could not parse).
_Record = tuple[int, list[str] | None, tuple[int, ...], str | None]

_LONE_CR = re.compile(r"(?<=\r)(?!\n)")
_LONE_CR_INSIDE = re.compile(r"\r(?!\n)")
_CR_STANDIN = "\ue00d"  # a private-use character the csv reader takes as text


def _gb18030(path: Path) -> bytes | None:
    """The file as UTF-8 when it clearly is GB18030 (GBK, what Excel in China saves as
    CSV): no line of it is UTF-8 with Chinese, all of it is GB18030 with Chinese in it and
    no control characters. None when it is UTF-8, or only a few lines are not (each is
    then reported where it is); `_Unreadable`, one line, when many lines are neither."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:  # a UTF-8 file is checked in pieces, never held whole
            while chunk := f.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return None
    except UnicodeDecodeError:
        pass
    except OSError as e:
        raise _Unreadable(f"cannot be opened ({e.strerror or e})") from e
    try:
        data = path.read_bytes()
    except OSError as e:
        raise _Unreadable(f"cannot be read ({e.strerror or e})") from e
    bad, utf8_chinese, first = 0, False, None
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            utf8_chinese = True
        except UnicodeDecodeError:
            bad += 1
            first = first or n
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    controls = any(ch < " " and ch not in "\t\r\n" for ch in text)
    if chinese and not controls and not utf8_chinese:
        return text.encode("utf-8")
    if bad > 3:
        raise _Unreadable(
            f"{bad} lines are not UTF-8 text (nor GB18030): save the file from Excel as "
            '"CSV UTF-8" and import again',
            first,
        )
    return None


def _csv_records(path: Path, counts: KindCounts | None = None) -> Iterator[_Record]:
    """The records of a UTF-8 CSV file (BOM or not), read line by line; a file that is
    clearly GB18030 is read as that (and `counts.encoding` says so)."""
    converted = _gb18030(path)
    try:
        f = io.BytesIO(converted) if converted is not None else open(path, "rb")
    except OSError as e:
        raise _Unreadable(f"cannot be opened ({e.strerror or e})") from e
    if converted is not None and counts is not None:
        counts.encoding = "GB18030"
    lineno = 0
    bad_lines: set[int] = set()
    yield_cr: list[bool] = []  # a stand-in for a CR was put in the record being read

    def lines() -> Iterator[str]:
        nonlocal lineno
        while True:
            raw = f.readline(MAX_LINE_BYTES)
            if not raw:
                return
            if lineno == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if len(raw) >= MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise _Unreadable(
                    "a line is longer than 1 MB; is this really a CSV file?", lineno + 1
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-8", "replace")
                bad_lines.add(lineno + 1)
            if "\r" in text.rstrip("\r\n") and text.endswith("\n"):
                # a CR inside an LF-ended line stays in its value (refused there)
                text = _LONE_CR_INSIDE.sub(_CR_STANDIN, text)
                yield_cr.append(True)
            if "\r" in text.rstrip("\r\n"):  # an old Mac file (no LF): a lone CR ends a line
                for part in _LONE_CR.split(text):
                    if part:
                        lineno += 1
                        yield part
            else:
                lineno += 1
                yield text

    try:
        reader = csv.reader(lines(), strict=True)
        while True:
            start = lineno + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                bad_lines.clear()
                if "unexpected end of data" in str(e):
                    message = "a double quote opened on this line is never closed; close it"
                else:
                    message = f"cannot be read as CSV ({e}); check the double quotes on this line"
                yield start, None, (), message
                continue
            if yield_cr:
                values = [v.replace(_CR_STANDIN, "\r") for v in values]
                yield_cr.clear()
            garbled: tuple[int, ...] = ()
            if bad_lines:
                if any(start <= n <= lineno for n in bad_lines):
                    garbled = tuple(i for i, v in enumerate(values) if "\ufffd" in v) or (-1,)
                bad_lines.clear()
            yield start, values, garbled, None
    except OSError as e:
        raise _Unreadable(f"cannot be read ({e.strerror or e})", lineno + 1) from e
    finally:
        f.close()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, dt.timedelta):
        total = int(value.total_seconds())
        if 0 <= total < 86400 and total % 60 == 0:
            return f"{total // 3600:02d}:{total % 3600 // 60:02d}"
        return str(value)
    return str(value).strip()


def _xlsx_records(path: Path) -> Iterator[_Record]:
    """The rows of the first sheet of an XLSX workbook, streamed (openpyxl read-only)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds: all mean unreadable
        raise _Unreadable(
            f"cannot be read as an Excel workbook ({type(e).__name__}: {e}); "
            "save it again as .xlsx or as CSV UTF-8"
        ) from e
    try:
        if not wb.worksheets:
            return
        ws = wb.worksheets[0]
        line = 0
        try:
            for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield line, [_cell_text(v) for v in row], (), None
        except _Unreadable:
            raise
        except Exception as e:
            raise _Unreadable(
                f"cannot be read as an Excel workbook ({type(e).__name__}: {e}); "
                "save it again as .xlsx or as CSV UTF-8",
                line + 1,
            ) from e
    finally:
        wb.close()


def _records(path: Path, counts: KindCounts | None = None) -> Iterator[_Record]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path, counts)
    if suffix == ".xlsx":
        return _xlsx_records(path)
    raise _Unreadable(f'is neither .csv nor .xlsx ("{path.suffix}"); save it as CSV UTF-8 or .xlsx')


# --- checking values -------------------------------------------------------------------

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_INT_RE = re.compile(r"[+-]?[0-9]{1,12}(?:\.0*)?")
_PHONE_RE = re.compile(r"\+?[0-9(][0-9 ()\-]{3,30}")
_TRUE = {"1", "yes", "y", "true", "t", "是"}
_FALSE = {"0", "no", "n", "false", "f", "否"}
_GENDER_ALIASES = {"男": "M", "女": "F", "m": "M", "f": "F"}


FREE_TEXT_COLUMNS = frozenset({"notes", "note", "address"})
_FREE_TEXT_ALLOWED = frozenset("\t\n")


def bad_character(value: str, column: str | None) -> str | None:
    """Why `value` cannot be stored, or None: a control, invisible-format or separator
    character (tabs and line breaks are allowed in the free-text columns only)."""
    if value.isprintable():
        return None
    free = column in FREE_TEXT_COLUMNS
    for pos, ch in enumerate(value, start=1):
        if free and ch in _FREE_TEXT_ALLOWED:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ch, "control character")
            return (
                f"has an invisible character U+{ord(ch):04X} {name} at position {pos}; "
                "delete it (retype the value)"
            )
    return None


_CONTROL_NAMES = {"\0": "NUL", "\r": "CARRIAGE RETURN", "\n": "LINE FEED", "\t": "TAB",
                  "\x1b": "ESCAPE", "\x07": "BELL"}  # fmt: skip


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
            self.fail(col, f"is empty; write {hint}")
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
        return self.fail(col, f"{_show(v)} is not one of: {', '.join(options)}")

    def number(self, col, lo, hi, hint, *, required=True, default=None, low_open=False):
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        try:
            x = float(v)
        except ValueError:
            return self.fail(col, f"{_show(v)} is not a number; write {hint}")
        if not math.isfinite(x):
            return self.fail(col, f"{_show(v)} is not a number; write {hint}")
        if x < lo or x > hi or (low_open and x == lo):
            bound = f"above {lo}" if low_open else f"from {lo}"
            return self.fail(col, f"{_show(v)} is out of range; write {hint} ({bound} to {hi})")
        return x

    def integer(self, col, lo, hi, hint, *, required=True, default=None):
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        if not _INT_RE.fullmatch(v):
            return self.fail(col, f"{_show(v)} is not a whole number; write {hint}")
        n = int(v.split(".")[0])
        if n < lo or n > hi:
            return self.fail(col, f"{_show(v)} is out of range; write {hint} ({lo} to {hi})")
        return n

    def boolean(self, col, *, required=True, default=None):
        hint = "1 or 0 (yes/no, true/false and 是/否 also work)"
        v = self._value(col, hint, required)
        if v is None:
            return _BAD if required else default
        low = v.lower()
        if low in _TRUE:
            return 1
        if low in _FALSE:
            return 0
        return self.fail(col, f"{_show(v)} is not a yes/no value; write {hint}")

    def date(self, col, hint, *, required=True):
        v = self._value(col, f"{hint} as YYYY-MM-DD", required)
        if v is None:
            return _BAD if required else None
        if not _DATE_RE.fullmatch(v):
            return self.fail(col, f"{_show(v)} is not a date; write YYYY-MM-DD, e.g. 2026-03-01")
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return self.fail(col, f"{_show(v)} is not a real date; write YYYY-MM-DD")

    def time(self, col, hint):
        v = self._value(col, f"{hint} as HH:MM", True)
        if v is None:
            return _BAD
        m = _TIME_RE.fullmatch(v)
        if m and int(m[1]) < 24 and int(m[2]) < 60 and int(m[3] or 0) == 0:
            return f"{int(m[1]):02d}:{m[2]}"
        return self.fail(
            col, f"{_show(v)} is not a time of day; write HH:MM, e.g. 08:00 (00:00 for midnight)"
        )

    def ref(self, kind: str, col: str, what: str):
        """The id of the `kind` row named/coded by this column."""
        v = self._value(col, f"the {what}", True)
        if v is None:
            return _BAD
        found = self.imp.lookup(kind, v)
        if found is _SUPPRESSED:  # that row failed earlier in this import: already reported
            self.ok = False
            return _BAD
        if found is None:
            return self.fail(
                col,
                f"unknown {what} {_show(v)}: it is neither in the database nor in this import's "
                f"{kind} file; check the spelling or add it to {kind} first",
            )
        return found


# --- the kinds of file -----------------------------------------------------------------


class Spec:
    """How one kind of file is checked and written."""

    kind = ""  # file name stem and report key
    table = ""
    pk = "id"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    key_columns: tuple[str, ...] = ()  # file columns that identify a row
    key_db: tuple[str, ...] = ()  # table columns that identify a row
    keep_if_absent: tuple[str, ...] = ()  # optional columns left alone on update if absent
    find_sql = ""

    def parse(self, r: _Row) -> tuple[tuple | None, dict]:
        """The row's key (None if it could not be read) and its record (table columns)."""
        raise NotImplementedError

    def find_params(self, record: dict) -> list:
        return [record[c] for c in self.key_db]

    def after_row(self, imp: _Importer, record: dict) -> None:
        """Called for each row written."""

    def describe_key(self, key: tuple) -> str:
        col = self.key_columns[0]
        return f"{col} {_show(key[0])}"


class TownsSpec(Spec):
    kind = table = "towns"
    required = ("name", "kind", "lat", "lon")
    key_columns = key_db = ("name",)
    find_sql = "select id from towns where name = ?"

    def parse(self, r):
        name = r.text("name", "the town's name")
        rec = {
            "name": name,
            "kind": r.choice("kind", TOWN_KINDS, "street, town or township"),
            "lat": r.number("lat", -90, 90, "the latitude in degrees, e.g. 40.3162"),
            "lon": r.number("lon", -180, 180, "the longitude in degrees, e.g. 116.6318"),
        }
        return (None if name is _BAD else (name,)), rec


class UnitsSpec(Spec):
    kind = table = "units"
    required = ("name",)
    optional = keep_if_absent = ("kind", "liaison_name", "liaison_phone")
    key_columns = key_db = ("name",)
    find_sql = "select id from units where name = ?"

    def parse(self, r):
        name = r.text("name", "the unit's name")
        phone = r.text("liaison_phone", "", required=False)
        if phone and not _PHONE_RE.fullmatch(phone):
            phone = r.fail("liaison_phone", f"{_show(phone)} is not a phone number; write digits")
        rec = {
            "name": name,
            "kind": r.text("kind", "", required=False),
            "liaison_name": r.text("liaison_name", "", required=False),
            "liaison_phone": phone,
        }
        return (None if name is _BAD else (name,)), rec


class ShiftsSpec(Spec):
    kind = "shifts"
    table = "shift_types"
    pk = "code"
    required = ("code", "name", "start", "end")
    key_columns = key_db = ("code",)
    find_sql = "select code from shift_types where code = ?"

    def parse(self, r):
        code = r.text("code", "the shift's code, e.g. D")
        rec = {
            "code": code,
            "name": r.text("name", "the shift's name"),
            "start": r.time("start", "the start time"),
            "end": r.time("end", "the end time (at or before the start: the next day)"),
        }
        return (None if code is _BAD else (code,)), rec


class PostsSpec(Spec):
    kind = table = "posts"
    required = ("code", "name", "kind", "town", "work_group", "lat", "lon")
    optional = keep_if_absent = ("compounds", "no_property", "no_security", "address")
    key_columns = key_db = ("code",)
    find_sql = "select id from posts where code = ?"

    def parse(self, r):
        code = r.text("code", "the post's code")
        count = "the number of gated compounds"
        rec = {
            "code": code,
            "name": r.text("name", "the village's or community's name"),
            "kind": r.choice("kind", POST_KINDS, "village or community"),
            "town_id": r.ref("towns", "town", "town"),
            "work_group_id": r.text("work_group", "the work group's name"),
            "lat": r.number("lat", -90, 90, "the latitude in degrees, e.g. 40.3162"),
            "lon": r.number("lon", -180, 180, "the longitude in degrees, e.g. 116.6318"),
            "compounds": r.integer("compounds", 0, 100_000, count, required=False, default=0),
            "no_property": r.integer("no_property", 0, 100_000, count, required=False, default=0),
            "no_security": r.integer("no_security", 0, 100_000, count, required=False, default=0),
            "address": r.text("address", "", required=False),
        }
        if "compounds" in r.values and isinstance(rec["compounds"], int):
            for col in ("no_property", "no_security"):
                n = rec[col]
                if col in r.values and isinstance(n, int) and n > rec["compounds"]:
                    r.fail(col, f"{n} is more than the post's {rec['compounds']} compounds")
        if r.ok:  # a work group named here is created if new
            rec["work_group_id"] = r.imp.work_group_id(rec["work_group_id"])
        return (None if code is _BAD else (code,)), rec


class DemandSpec(Spec):
    kind = table = "demand"
    required = ("post", "shift", "weekday", "required")
    optional = ("date",)
    key_columns = ("post", "shift", "weekday", "date")
    key_db = ("post_id", "shift_code", "weekday", "date")
    find_sql = """select id from demand where post_id = ? and shift_code = ? and weekday = ?
                  and coalesce(date, '') = ?"""

    def parse(self, r):
        post = r.values.get("post", "")
        shift = r.values.get("shift", "")
        rec = {
            "post_id": r.ref("posts", "post", "post code"),
            "shift_code": r.ref("shifts", "shift", "shift code"),
            "weekday": r.integer("weekday", 1, 7, "the weekday, 1 = Monday … 7 = Sunday"),
            "date": r.date("date", "the date", required=False),
            "required": r.integer("required", 0, 10_000, "the number of cadres needed"),
        }
        day, weekday = rec["date"], rec["weekday"]
        if isinstance(day, dt.date) and isinstance(weekday, int):
            if day.isoweekday() != weekday:
                r.fail(
                    "weekday",
                    f"{weekday} does not match the date {day} (a {day:%A}, weekday "
                    f"{day.isoweekday()}); write {day.isoweekday()}",
                )
            rec["date"] = day.isoformat()
        key_parts = (post, shift, weekday, rec["date"] or "")
        key = None if (not post or not shift or _BAD in key_parts) else key_parts
        return key, rec

    def find_params(self, record):
        return [record["post_id"], record["shift_code"], record["weekday"], record["date"] or ""]

    def describe_key(self, key):
        post, shift, weekday, day = key
        text = f"post {_show(post)}, shift {_show(shift)}, weekday {weekday}"
        return text + (f", date {day}" if day else "")


class CadresSpec(Spec):
    kind = table = "cadres"
    required = (
        "code", "name", "gender", "birth_date", "unit", "phone", "party_member",
        "home_lat", "home_lon", "transport",
    )  # fmt: skip
    optional = ("max_commute_km", "night_ok", "status", "notes")
    keep_if_absent = ("night_ok", "status", "notes")
    key_columns = key_db = ("code",)
    find_sql = "select id from cadres where code = ?"

    def parse(self, r):
        code = r.text("code", "the cadre's code")
        born = r.date("birth_date", "the date of birth")
        if isinstance(born, dt.date):
            if born > r.imp.today:
                born = r.fail("birth_date", f"{born} is in the future; check the year")
            else:
                born = born.isoformat()
        phone = r.text("phone", "the phone number")
        if phone is not _BAD and not _PHONE_RE.fullmatch(phone):
            phone = r.fail("phone", f"{_show(phone)} is not a phone number; write digits")
        transport = r.choice(
            "transport", tuple(TRANSPORT_MAX_KM), "how the cadre travels: walk, bicycle, …"
        )
        km = r.number(
            "max_commute_km", 0, 1000, "the longest commute in km", required=False, low_open=True
        )
        if km is None and transport is not _BAD:
            km = TRANSPORT_MAX_KM[transport]
        rec = {
            "code": code,
            "name": r.text("name", "the cadre's name"),
            "gender": r.choice("gender", GENDERS, "M or F", aliases=_GENDER_ALIASES),
            "birth_date": born,
            "unit_id": r.ref("units", "unit", "unit"),
            "phone": phone,
            "party_member": r.boolean("party_member"),
            "home_lat": r.number("home_lat", -90, 90, "the latitude of home in degrees"),
            "home_lon": r.number("home_lon", -180, 180, "the longitude of home in degrees"),
            "transport": transport,
            "max_commute_km": km,
            "night_ok": r.boolean("night_ok", required=False, default=1),
            "status": r.choice(
                "status", CADRE_STATUSES, "the status", required=False, default="active"
            ),
            "notes": r.text("notes", "", required=False),
        }
        return (None if code is _BAD else (code,)), rec


class AbsencesSpec(Spec):
    kind = table = "absences"
    required = ("cadre", "start_date", "end_date", "kind")
    optional = keep_if_absent = ("note",)
    key_columns = ("cadre", "start_date", "end_date", "kind")
    key_db = ("cadre_id", "start_date", "end_date", "kind")
    find_sql = """select id from absences where cadre_id = ? and start_date = ? and end_date = ?
                  and kind = ?"""

    def dates(self, r: _Row):
        return r.date("start_date", "the first day away"), r.date("end_date", "the last day away")

    def parse(self, r):
        cadre = r.values.get("cadre", "")
        start, end = self.dates(r)
        end_col = "end_date" if "end_date" in self.required else self.required[2]
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            end = r.fail(end_col, f"the absence ends ({end}) before it starts ({start})")
        rec = {
            "cadre_id": r.ref("cadres", "cadre", "cadre code"),
            "start_date": start.isoformat() if isinstance(start, dt.date) else start,
            "end_date": end.isoformat() if isinstance(end, dt.date) else end,
            "kind": r.choice("kind", ABSENCE_KINDS, "the kind of absence"),
            "note": r.text("note", "", required=False),
        }
        parts = (cadre, rec["start_date"], rec["end_date"], rec["kind"])
        return (None if (not cadre or _BAD in parts) else parts), rec

    def describe_key(self, key):
        cadre, start, end, kind = key
        return f"the {kind} absence of cadre {_show(cadre)} from {start} to {end}"


_WEEKDAYS_HINT = "weekdays 1–7 (1 = Monday), e.g. 6 or 6,7 or 1-5"
_WEEKDAY_RE = re.compile(r"[1-7](?:-[1-7])?(?:[,;][1-7](?:-[1-7])?)*")


def parse_weekdays(text: str) -> tuple[int, ...] | None:
    """ "6,7" / "1-5" / "1-7" as sorted weekdays, or None if it is not such a list."""
    text = text.replace(" ", "")
    if not _WEEKDAY_RE.fullmatch(text):
        return None
    days: set[int] = set()
    for part in re.split("[,;]", text):
        lo, _, hi = part.partition("-")
        first, last = int(lo), int(hi or lo)
        if last < first:
            return None
        days.update(range(first, last + 1))
    return tuple(sorted(days))


class WishesSpec(Spec):
    """A cadre's availability or wish: `unavailable` (hard), `avoid` or `prefer` (soft),
    for a `date`, a `weekday` list, or a range `date`..`until` (weekdays may narrow it)."""

    kind = table = "wishes"
    required = ("cadre", "kind")
    optional = ("date", "weekday", "until", "shift", "weight", "note")
    keep_if_absent = ("weight", "note")
    key_columns = ("cadre", "kind", "date", "weekday", "until", "shift")
    key_db = ("cadre_id", "kind", "date", "weekday", "until", "shift")
    find_sql = """select id from wishes where cadre_id = ? and kind = ?
                  and coalesce(date, '') = ? and weekday = ? and coalesce(until, '') = ?
                  and shift = ?"""

    def parse(self, r):
        cadre = r.values.get("cadre", "")
        kind = r.choice("kind", WISH_KINDS, "unavailable, avoid or prefer")
        first = r.date("date", "the day (or first day)", required=False)
        until = r.date("until", "the last day", required=False)
        weekday = ""
        text = r.values.get("weekday", "")
        if text:
            days = parse_weekdays(text)
            if days is None:
                r.fail(
                    "weekday", f"{_show(text)} is not a list of weekdays; write {_WEEKDAYS_HINT}"
                )
            else:
                weekday = ",".join(map(str, days))
        if first is None and not text and r.ok:
            r.fail(
                "date",
                "is empty and so is weekday; write a date (YYYY-MM-DD), "
                f"or {_WEEKDAYS_HINT}, or a date and an until for a range",
            )
        if isinstance(first, dt.date) and isinstance(until, dt.date) and until < first:
            until = r.fail("until", f"the wish ends ({until}) before it starts ({first})")
        weight = r.integer("weight", 1, 100_000, "the weight, a whole number", required=False)
        if kind == "unavailable" and isinstance(weight, int):
            weight = r.fail(
                "weight", "unavailable is a hard rule and takes no weight; leave it empty"
            )
        shift = r.values.get("shift", "")
        rec = {
            "cadre_id": r.ref("cadres", "cadre", "cadre code"),
            "kind": kind,
            "date": first.isoformat() if isinstance(first, dt.date) else first,
            "weekday": weekday,
            "until": until.isoformat() if isinstance(until, dt.date) else until,
            "shift": r.ref("shifts", "shift", "shift code") if shift else "",
            "weight": weight or 0,
            "note": r.text("note", "", required=False),
        }
        parts = (cadre, kind, rec["date"] or "", weekday, rec["until"] or "", shift)
        return (None if (not cadre or _BAD in parts) else parts), rec

    def find_params(self, record):
        return [
            record["cadre_id"], record["kind"], record["date"] or "", record["weekday"],
            record["until"] or "", record["shift"],
        ]  # fmt: skip

    def describe_key(self, key):
        cadre, kind, first, weekday, until, shift = key
        when = " ".join(
            x for x in (first and f"date {first}", weekday and f"weekday {weekday}",
                        until and f"until {until}", shift and f"shift {shift}") if x
        )  # fmt: skip
        return f"the {kind} wish of cadre {_show(cadre)} ({when})"


class UnitDaysSpec(Spec):
    """A dispatching unit's quota: at most `max_cadres` of its cadres on duty on a weekday
    (or on one date); 0 makes it a home day (the unit needs all its cadres)."""

    kind = table = "unit_days"
    required = ("unit", "max_cadres")
    optional = ("weekday", "date", "note")
    keep_if_absent = ("note",)
    key_columns = ("unit", "weekday", "date")
    key_db = ("unit_id", "weekday", "date")
    find_sql = """select id from unit_days where unit_id = ? and weekday = ?
                  and coalesce(date, '') = ?"""

    def parse(self, r):
        unit = r.values.get("unit", "")
        day = r.date("date", "the date", required=False)
        weekday = r.integer(
            "weekday", 1, 7, "the weekday, 1 = Monday … 7 = Sunday", required=day is None
        )
        if isinstance(day, dt.date):
            if isinstance(weekday, int) and weekday != day.isoweekday():
                r.fail(
                    "weekday",
                    f"{weekday} does not match the date {day} (weekday {day.isoweekday()}); "
                    f"write {day.isoweekday()} or leave it empty",
                )
            weekday = day.isoweekday()
            day = day.isoformat()
        rec = {
            "unit_id": r.ref("units", "unit", "unit"),
            "weekday": weekday,
            "date": day,
            "max_cadres": r.integer(
                "max_cadres", 0, 100_000, "how many of its cadres the unit can spare that day"
            ),
            "note": r.text("note", "", required=False),
        }
        parts = (unit, weekday, day or "")
        return (None if (not unit or _BAD in parts) else parts), rec

    def find_params(self, record):
        return [record["unit_id"], record["weekday"], record["date"] or ""]

    def describe_key(self, key):
        unit, weekday, day = key
        return f"unit {_show(unit)}, " + (f"date {day}" if day else f"weekday {weekday}")


FORMATS: dict[str, Spec] = {
    s.kind: s
    for s in (
        TownsSpec(), UnitsSpec(), ShiftsSpec(), PostsSpec(), DemandSpec(), CadresSpec(),
        AbsencesSpec(), WishesSpec(), UnitDaysSpec(),
    )
}  # fmt: skip

# How `lookup` finds a referenced row: kind -> SQL returning its id.
_REF_SQL = {
    "towns": "select id from towns where name = ?",
    "units": "select id from units where name = ?",
    "posts": "select id from posts where code = ?",
    "shifts": "select code from shift_types where code = ?",
    "cadres": "select id from cadres where code = ?",
}


# --- the import ------------------------------------------------------------------------


class _Importer:
    def __init__(self, db: sqlite_utils.Database, confirm: bool = False):
        self.db = db
        self.confirm = confirm  # status changes of recalled or withdrawn cadres are wanted
        self.conn = db.conn
        self.problems = _Problems()
        self.report = ImportReport()
        self.caches: dict[str, dict[str, object]] = {k: {} for k in (*_REF_SQL, "work_groups")}
        self.broken: set[str] = set()  # kinds whose file could not be read row by row
        self.today = dt.date.today()

    def begin(self) -> None:
        self.conn.execute(f"drop table if exists temp.{_SEEN}")
        self.conn.execute(
            f"""create temp table {_SEEN} (kind text not null, key text not null,
                line integer not null, ok integer not null, primary key (kind, key))
                without rowid"""
        )

    def end(self) -> None:
        self.conn.execute(f"drop table if exists temp.{_SEEN}")

    # references

    def lookup(self, kind: str, value: str):
        cache = self.caches[kind]
        found = cache.get(value)
        if found is not None:
            return found
        row = self.conn.execute(_REF_SQL[kind], [value]).fetchone()
        if row is not None:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            cache[value] = row[0]
            return row[0]
        if kind in self.broken:
            return _SUPPRESSED
        seen = self.conn.execute(
            f"select ok from temp.{_SEEN} where kind = ? and key = ?", [kind, value]
        ).fetchone()
        return _SUPPRESSED if seen is not None else None

    def work_group_id(self, name: str) -> int:
        cache = self.caches["work_groups"]
        if name in cache:
            return cache[name]
        row = self.conn.execute("select id from work_groups where name = ?", [name]).fetchone()
        if row is None:
            wg_id = self.conn.execute("insert into work_groups (name) values (?)", [name]).lastrowid
        else:
            wg_id = row[0]
        cache[name] = wg_id
        return wg_id

    def _mark(self, kind: str, key: tuple, line: int, ok: bool) -> int | None:
        """Note a key as met; the line it was first met on if it was already."""
        text = "\x1f".join(str(p) for p in key)
        cur = self.conn.execute(
            f"insert or ignore into temp.{_SEEN} (kind, key, line, ok) values (?, ?, ?, ?)",
            [kind, text, line, int(ok)],
        )
        if cur.rowcount == 1:
            return None
        return self.conn.execute(
            f"select line from temp.{_SEEN} where kind = ? and key = ?", [kind, text]
        ).fetchone()[0]

    # files

    def load(self, spec: Spec, path: Path) -> None:
        path = Path(path)
        file = path.name
        counts = self.report.kinds.setdefault(spec.kind, KindCounts())
        counts.files.append(file)
        records = None
        try:
            if not path.is_file():
                raise _Unreadable("does not exist" if not path.exists() else "is not a file")
            records = _records(path, counts)
            self._load_records(spec, file, records, counts)
        except _Unreadable as e:
            self.broken.add(spec.kind)
            self.problems.add(file, e.line, None, e.message)
        finally:
            if records is not None:
                records.close()

    def _load_records(self, spec: Spec, file: str, records, counts: KindCounts) -> None:
        header: list[str] | None = None
        header_line = 0
        columns: dict[str, int] = {}
        rows = 0
        writer: _Writer | None = None
        for line, values, garbled, error in records:
            if error is not None:
                self.broken.add(spec.kind)
                self.problems.add(file, line, None, error)
                continue
            if not any(v.strip() for v in values):
                continue  # blank line, or a row of empty cells
            if header is None:
                header, header_line = [v.strip().lstrip("\ufeff").lower() for v in values], line
                if garbled:
                    self.problems.add(
                        file, line, None, "the header has bytes that are not UTF-8; "
                        "save the file as CSV UTF-8",
                    )  # fmt: skip
                columns = self._header(spec, file, line, header, counts)
                if columns is None:
                    self.broken.add(spec.kind)
                    return
                writer = _Writer(self, spec, columns)
                continue
            rows += 1
            self._row(spec, file, line, header, columns, values, garbled, writer, counts)
        if header is None:
            self.broken.add(spec.kind)
            cols = ",".join(spec.required)
            self.problems.add(
                file, None, None, f"the file is empty; it needs a header row ({cols}) and rows"
            )
        elif rows == 0:
            self.broken.add(spec.kind)
            self.problems.add(file, header_line, None, "the file has a header but no rows")
        if writer is not None:
            writer.flush()

    def _header(self, spec, file, line, header, counts) -> dict[str, int] | None:
        known = set(spec.required) | set(spec.optional)
        columns: dict[str, int] = {}
        for i, name in enumerate(header):
            if not name:
                continue
            if name in columns:
                self.problems.add(
                    file, line, name,
                    f"appears twice in the header (columns {columns[name] + 1} and {i + 1}); "
                    "keep one",
                )  # fmt: skip
            elif name in known:
                columns[name] = i
            elif name not in counts.ignored_columns:
                counts.ignored_columns.append(name)
        missing = [c for c in spec.required if c not in columns]
        for col in missing:
            self.problems.add(
                file, line, col,
                f"the header has no column {col}; the columns of {spec.kind} are "
                f"{','.join(spec.required)}"
                + (f" and optionally {','.join(spec.optional)}" if spec.optional else ""),
            )  # fmt: skip
        return None if missing else columns

    def _row(self, spec, file, line, header, columns, values, garbled, writer, counts) -> None:
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            self.problems.add(
                file, line, None,
                f"the line has {len(values)} values but the header has {len(header)} columns; "
                "is there a comma in a value that is not in double quotes?",
            )  # fmt: skip
            return
        if len(values) >= len(header):
            row = {c: values[i].strip() for c, i in columns.items()}
        else:
            row = {c: values[i].strip() if i < len(values) else "" for c, i in columns.items()}
        bad_cols = set()
        for i in garbled:
            name = header[i] if 0 <= i < len(header) else None
            bad_cols.add(name)
            self.problems.add(
                file, line, name, "has bytes that are not UTF-8 text; save the file as CSV UTF-8"
            )
        for i, value in enumerate(values):
            name = header[i] if i < len(header) and header[i] else None
            if name in bad_cols:
                continue
            if name in FREE_TEXT_COLUMNS:
                value = value.replace("\r\n", "\n")
                row[name] = row[name].replace("\r\n", "\n")
            why = bad_character(value, name)
            if why:
                bad_cols.add(name)
                self.problems.add(file, line, name or f"column {i + 1}", why)
        r = _Row(self, file, line, row, bad_cols)
        if bad_cols:
            r.ok = False
        key, record = spec.parse(r)
        if key is not None:
            first = self._mark(spec.kind, key, line, r.ok)
            if first is not None:
                r.fail(
                    spec.key_columns[0],
                    f"{spec.describe_key(key)} is also on line {first}; keep one of the two lines",
                )
                return
        if r.ok:
            writer.add(record, counts, file, line)


class _Writer:
    """Batches one file's inserts and updates."""

    def __init__(self, imp: _Importer, spec: Spec, columns: dict[str, int]):
        self.imp = imp
        self.spec = spec
        self.inserts: list[tuple] = []
        self.updates: list[tuple] = []
        self.insert_cols: list[str] | None = None
        self.update_cols: list[str] | None = None
        # Optional file columns absent from this file's header: left alone on update.
        self.keep = {c for c in spec.keep_if_absent if c not in columns}

    def add(self, record: dict, counts: KindCounts, file: str = "", line: int = 0) -> None:
        spec = self.spec
        if self.insert_cols is None:
            self.insert_cols = list(record)
            self.update_cols = [
                c for c in record if c not in spec.key_db and c != spec.pk and c not in self.keep
            ]
            cols = ", ".join(f'"{c}"' for c in self.insert_cols)
            marks = ", ".join("?" for _ in self.insert_cols)
            self.insert_sql = f"insert into {spec.table} ({cols}) values ({marks})"
            sets = ", ".join(f'"{c}" = ?' for c in self.update_cols)
            self.update_sql = f"update {spec.table} set {sets} where {spec.pk} = ?"
            self.insert_values = operator.itemgetter(*self.insert_cols)
            self.update_values = operator.itemgetter(*self.update_cols, spec.pk)
        found = self.imp.conn.execute(spec.find_sql, spec.find_params(record)).fetchone()
        if found is None:
            self.inserts.append(self.insert_values(record))
            counts.inserted += 1
        else:
            if self.update_cols:
                record[spec.pk] = found[0]
                self.updates.append(self.update_values(record))
                self._changes(found[0], record, counts, file, line)
            counts.updated += 1
        spec.after_row(self.imp, record)
        if len(self.inserts) + len(self.updates) >= BATCH_ROWS:
            self.flush()

    def _changes(self, pk, record: dict, counts: KindCounts, file: str, line: int) -> None:
        """Count what an update changes, per column; name the changes one must see (a
        cadre's status, nights, commute limit); refuse to change a recalled or withdrawn
        cadre's status unless confirmed."""
        spec = self.spec
        cols = self.update_cols or []
        quoted = ", ".join(f'"{c}"' for c in cols)
        old_row = self.imp.conn.execute(
            f"select {quoted} from {spec.table} where {spec.pk} = ?", [pk]
        ).fetchone()
        if old_row is None:
            return
        changed = [
            (c, was, record[c]) for c, was in zip(cols, old_row, strict=True)
            if not _same(was, record[c])
        ]  # fmt: skip
        if not changed:
            return
        counts.changed += 1
        for c, _was, _now in changed:
            counts.fields[c] = counts.fields.get(c, 0) + 1
        if spec.table != "cadres":
            return
        who = f"{record.get('code')} {record.get('name')}"
        for c, was, now in changed:
            if c == "status" and was in ("recalled", "withdrawn") and not self.imp.confirm:
                self.imp.problems.add(
                    file, line, "status",
                    f"{who} is {was}; this file makes them {now}. If that is right, import "
                    "again with --confirm",
                )  # fmt: skip
            if c in ("status", "night_ok", "max_commute_km"):
                counts.named.append(f"{who}: {c} {_word(c, was)} → {_word(c, now)}")

    def flush(self) -> None:
        if self.inserts:
            self.imp.conn.executemany(self.insert_sql, self.inserts)
            self.inserts.clear()
        if self.updates:
            self.imp.conn.executemany(self.update_sql, self.updates)
            self.updates.clear()


def _same(was, now) -> bool:
    if isinstance(was, int | float) and isinstance(now, int | float):
        return abs(float(was) - float(now)) < 1e-9
    return ("" if was is None else str(was)) == ("" if now is None else str(now))


def _word(column: str, value) -> str:
    if column == "night_ok":
        return "nights ok" if value in (1, True, "1") else "no nights"
    if column == "max_commute_km" and isinstance(value, int | float):
        return f"{float(value):g} km"
    return str(value)


# --- entry points ----------------------------------------------------------------------


def dir_sources(folder: str | Path) -> tuple[list[tuple[Spec, Path]], list[Problem]]:
    """The files of a folder `import_dir` would load, in order, and problems finding them."""
    folder = Path(folder)
    label = folder.name or str(folder)
    if not folder.is_dir():
        return [], [Problem(label, None, None, "is not a folder")]
    sources, problems = [], []
    for kind in KINDS:
        found = [
            folder / f"{kind}{ext}" for ext in EXTENSIONS if (folder / f"{kind}{ext}").exists()
        ]
        if len(found) > 1:
            problems.append(
                Problem(
                    found[0].name,
                    None,
                    None,
                    f"both {found[0].name} and {found[1].name} are in the folder; remove one",
                )  # fmt: skip
            )
        elif found:
            sources.append((FORMATS[kind], found[0]))
    return sources, problems


def run_import(
    db: sqlite_utils.Database,
    sources: list[tuple[Spec, Path]],
    *,
    actor: str | None = None,
    details: dict | None = None,
    problems: list[Problem] = (),
    confirm: bool = False,
) -> ImportReport:
    """Load `sources` in order, all or nothing; `ImportFailed` (and nothing written) on any
    problem. The building block of `import_file`, `import_dir` and `roster.demo`.

    The rows are read, checked and written first into a private copy of the district (a
    temporary file), without the database's write lock: a long import does not keep other
    coordinators waiting. Only the rows it inserted or changed are then copied in one short
    write transaction, if the district is still the one it was copied from (else the
    import runs again on the district as it is now)."""
    for attempt in range(3):
        with _Stage(db) as stage:
            report = _load(stage.db, sources, problems, confirm)
            try:
                stage.apply(report, actor, details)
            except store.DistrictChanged:
                if attempt == 2:
                    raise
                continue
            return report
    raise AssertionError("unreachable")  # pragma: no cover


def _load(db: sqlite_utils.Database, sources, problems, confirm: bool = False) -> ImportReport:
    """The import itself, on `db` (the stage): one transaction, rolled back on a problem."""
    with db.conn:
        imp = _Importer(db, confirm)
        for p in problems:
            imp.problems.add(p.file, p.line, p.column, p.message)
            if Path(p.file).stem in FORMATS:  # e.g. two files of a kind: neither is loaded
                imp.broken.add(Path(p.file).stem)
        imp.begin()
        for spec, path in sources:
            imp.load(spec, path)
        if imp.problems:
            raise ImportFailed(imp.problems.items, imp.problems.more)
        imp.end()
    return imp.report


# The tables an import writes, in the order their rows may refer to each other, with keys.
_DISTRICT_TABLES = {
    "towns": "id", "work_groups": "id", "units": "id", "shift_types": "code",
    "posts": "id", "demand": "id", "cadres": "id", "absences": "id", "wishes": "id",
    "unit_days": "id",
}  # fmt: skip


def _sweep_stages(folder: Path) -> None:
    """Remove the private copies left by imports that were killed (their process is gone)."""
    import shutil

    for stage in folder.glob("roster-import-*-*"):
        try:
            pid = int(stage.name.split("-")[2])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(stage, ignore_errors=True)
        except (ValueError, IndexError, PermissionError, OSError):
            continue  # not ours to judge: another user's, or not a stage


class _Stage:
    """A private copy of the district's tables in a temporary file, with a note of every
    row the import inserts or updates there (by triggers), and the district's version it
    was copied at."""

    def __init__(self, live: sqlite_utils.Database) -> None:
        self.live = live

    def __enter__(self) -> _Stage:
        import tempfile

        _sweep_stages(Path(tempfile.gettempdir()))
        self.folder = tempfile.TemporaryDirectory(prefix=f"roster-import-{os.getpid()}-")
        self.path = Path(self.folder.name) / "stage.db"
        conn = self.live.conn
        schema = [
            sql
            for (sql,) in conn.execute(
                "select sql from sqlite_master where tbl_name in "
                f"({', '.join('?' for _ in _DISTRICT_TABLES)}) and sql is not null "
                "order by type = 'index'",
                list(_DISTRICT_TABLES),
            )
        ]
        conn.execute("attach database ? as stage", [str(self.path)])
        try:
            conn.execute("begin")  # one snapshot of the district and its version
            try:
                self.version = store.district_version(self.live)
                for sql in schema:
                    conn.execute(re.sub(r"^(create (?:unique )?(?:table|index) )", r"\1stage.",
                                        sql, flags=re.IGNORECASE))  # fmt: skip
                for table in _DISTRICT_TABLES:
                    conn.execute(f'insert into stage."{table}" select * from main."{table}"')
                conn.execute("commit")
            except BaseException:
                conn.execute("rollback")
                raise
        finally:
            conn.execute("detach database stage")
        self.db = sqlite_utils.Database(self.path)
        self.db.conn.execute("pragma journal_mode = off")
        self.db.conn.execute("pragma synchronous = off")
        self.db.conn.execute("pragma foreign_keys = on")
        self.db.execute(
            "create table changed (tbl text not null, key not null, primary key (tbl, key))"
            " without rowid"
        )
        for table, key in _DISTRICT_TABLES.items():
            for event in ("insert", "update"):
                self.db.execute(
                    f'create trigger "{table}_{event}" after {event} on "{table}" begin '
                    f"insert or ignore into changed (tbl, key) values ('{table}', new.\"{key}\"); "
                    "end"
                )
        return self

    def apply(self, report: ImportReport, actor: str | None, details: dict | None) -> None:
        """Copy the inserted and changed rows into the live database in one transaction,
        if its district is still at the version copied (else `DistrictChanged`)."""
        self.db.conn.commit()
        live = self.live
        live.conn.execute("attach database ? as stage", [str(self.path)])
        try:
            with live.atomic():
                store.require_district_version(live, self.version)
                for table, key in _DISTRICT_TABLES.items():
                    cols = [r[1] for r in live.conn.execute(f'pragma main.table_info("{table}")')]
                    names = ", ".join(f'"{c}"' for c in cols)
                    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != key)
                    live.conn.execute(
                        f'insert into main."{table}" ({names}) select {names} from '
                        f'stage."{table}" where "{key}" in (select key from stage.changed '
                        f'where tbl = ?) on conflict ("{key}") do update set {sets}',
                        [table],
                    )
                store.bump_district(live, "import", actor)
                audit = dict(details or {})
                audit.update(report.as_dict())
                store.add_audit(live, "import", audit, actor)
        finally:
            live.conn.execute("detach database stage")

    def __exit__(self, *exc) -> None:
        if getattr(self, "db", None) is not None:
            self.db.close()
        self.folder.cleanup()


def import_file(
    db: sqlite_utils.Database,
    kind: str,
    path: str | Path,
    *,
    actor: str | None = None,
    confirm: bool = False,
) -> ImportReport:
    """Load one CSV or XLSX file of `kind` (one of KINDS)."""
    path = Path(path)
    if kind not in FORMATS:
        raise ImportFailed(
            [
                Problem(
                    path.name, None, None, f"unknown kind {kind!r}; use one of {', '.join(KINDS)}"
                )
            ]
        )
    return run_import(db, [(FORMATS[kind], path)], actor=actor, confirm=confirm)


def import_dir(
    db: sqlite_utils.Database,
    folder: str | Path,
    *,
    actor: str | None = None,
    confirm: bool = False,
) -> ImportReport:
    """Load every KIND.csv / KIND.xlsx of `folder`, in the order of KINDS, as one transaction."""
    sources, problems = dir_sources(folder)
    if not sources and not problems:
        names = ", ".join(f"{k}.csv" for k in KINDS)
        problems = [Problem(Path(folder).name, None, None, f"holds none of {names} (or .xlsx)")]
    return run_import(db, sources, actor=actor, problems=problems, confirm=confirm)
