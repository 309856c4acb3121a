"""Reading an import file as records: CSV line by line (UTF-8 with or without a BOM, or
GB18030 when the file clearly is that, as Excel in China saves it), XLSX rows streamed
from the first sheet; and the check that refuses invisible characters in a value."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from roster.i18n import _, ngettext
from roster.importer.report import KindCounts

EXTENSIONS = (".csv", ".xlsx")
MAX_LINE_BYTES = 1 << 20  # a longer physical line is not a CSV file we can read


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
        raise _Unreadable(_("cannot be opened ({reason})").format(reason=e.strerror or e)) from e
    try:
        data = path.read_bytes()
    except OSError as e:
        raise _Unreadable(_("cannot be read ({reason})").format(reason=e.strerror or e)) from e
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
            ngettext(
                '{n} line is not UTF-8 text (nor GB18030): save the file from Excel as "CSV '
                'UTF-8" and import again',
                '{n} lines are not UTF-8 text (nor GB18030): save the file from Excel as "CSV '
                'UTF-8" and import again',
                bad,
            ).format(n=bad),
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
        raise _Unreadable(_("cannot be opened ({reason})").format(reason=e.strerror or e)) from e
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
                    _("a line is longer than 1 MB; is this really a CSV file?"), lineno + 1
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
                    message = _("a double quote opened on this line is never closed; close it")
                else:
                    message = _(
                        "cannot be read as CSV ({reason}); check the double quotes on this line"
                    ).format(reason=e)
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
        raise _Unreadable(
            _("cannot be read ({reason})").format(reason=e.strerror or e), lineno + 1
        ) from e
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
        raise _Unreadable(_not_a_workbook(e)) from e
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
            raise _Unreadable(_not_a_workbook(e), line + 1) from e
    finally:
        wb.close()


def _not_a_workbook(error: Exception) -> str:
    return _(
        "cannot be read as an Excel workbook ({kind}: {error}); save it again as .xlsx or as "
        "CSV UTF-8"
    ).format(kind=type(error).__name__, error=error)


def _records(path: Path, counts: KindCounts | None = None) -> Iterator[_Record]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path, counts)
    if suffix == ".xlsx":
        return _xlsx_records(path)
    raise _Unreadable(
        _('is neither .csv nor .xlsx ("{suffix}"); save it as CSV UTF-8 or .xlsx').format(
            suffix=path.suffix
        )
    )


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
            return _(
                "has an invisible character U+{code:04X} {name} at position {position}; "
                "delete it (retype the value)"
            ).format(code=ord(ch), name=name, position=pos)
    return None


_CONTROL_NAMES = {"\0": "NUL", "\r": "CARRIAGE RETURN", "\n": "LINE FEED", "\t": "TAB",
                  "\x1b": "ESCAPE", "\x07": "BELL"}  # fmt: skip
