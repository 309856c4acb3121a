"""Text that is safe to show in a terminal or to hand to a spreadsheet.

User data (names, notes, reasons, audit details) comes from import files and other
coordinators. Written raw to a terminal, an escape sequence in a name (ESC ] 0 ; … BEL,
ESC [ 2 J) retitles or clears the reader's terminal, and bidi controls reorder what the
reader sees. Every CLI line and UI label built from user data goes through `inert()`.
Spreadsheets evaluate a cell that starts with `= + - @` as a formula: `cell_text()`
neutralises such text for CSV, the way spreadsheet users expect (a leading apostrophe).
"""

from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates, and the marks that change how text around
# them is ordered: a name must read as it is stored.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width and line/paragraph separators that hide or break a line.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2028\u2029\u2060\ufeff")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(ch: str) -> str:
    """`\\x1b` for the C0 controls, `\\u202e` for the rest (also a valid JSON escape:
    JSON output already escapes C0 itself, so filtered JSON stays valid)."""
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def _unsafe(ch: str, keep_newlines: bool) -> bool:
    if keep_newlines and ch in "\n\t":
        return False
    if ch in BIDI or ch in INVISIBLE:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn") and ch != "\u00ad"


def inert(text: object, *, keep_newlines: bool = False) -> str:
    """`text` with every control, bidi and invisible character shown as a visible escape
    (`\\x1b`, `\\u202e`): nothing in it acts on the terminal, and a reader sees that the
    data holds something odd instead of having it hidden."""
    s = "" if text is None else str(text)
    if s.isprintable() and not any(ch in BIDI or ch in INVISIBLE for ch in s):
        return s
    return "".join(_escape(ch) if _unsafe(ch, keep_newlines) else ch for ch in s)


def is_inert(text: str) -> bool:
    return inert(text, keep_newlines=True) == text


def cell_text(value: object) -> object:
    """A CSV field a spreadsheet shows as text: a string starting with `= + - @` (or a
    tab or carriage return) gets a leading apostrophe. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def inert_values(obj):
    """A frozen dataclass with every text field made `inert` (the same object when none
    needs it): names and notes shown on a screen."""
    import dataclasses

    changes = {
        f.name: inert(value)
        for f in dataclasses.fields(obj)
        if isinstance(value := getattr(obj, f.name), str) and not is_inert(value)
    }
    return dataclasses.replace(obj, **changes) if changes else obj


def inert_district(district):
    """`district` (a `roster.domain.District`) with the names, codes, notes, addresses
    and phones of its towns, work groups, units, shifts, posts and cadres made `inert`,
    in place: for a screen, which never writes them back."""
    for table in (
        district.towns,
        district.work_groups,
        district.units,
        district.shifts,
        district.posts,
        district.cadres,
    ):
        for key, value in table.items():
            table[key] = inert_values(value)
    return district
