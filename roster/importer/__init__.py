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

from roster.importer.formats import (
    FORMATS,
    KINDS,
    AbsencesSpec,
    CadresSpec,
    DemandSpec,
    PostsSpec,
    ShiftsSpec,
    Spec,
    TownsSpec,
    UnitDaysSpec,
    UnitsSpec,
    WishesSpec,
    parse_weekdays,
)
from roster.importer.reading import EXTENSIONS, FREE_TEXT_COLUMNS, MAX_LINE_BYTES, bad_character
from roster.importer.report import MAX_PROBLEMS, ImportFailed, ImportReport, KindCounts, Problem
from roster.importer.run import BATCH_ROWS, dir_sources, import_dir, import_file, run_import

__all__ = [
    "BATCH_ROWS", "EXTENSIONS", "FORMATS", "FREE_TEXT_COLUMNS", "KINDS", "MAX_LINE_BYTES",
    "MAX_PROBLEMS", "AbsencesSpec", "CadresSpec", "DemandSpec", "ImportFailed", "ImportReport",
    "KindCounts", "PostsSpec", "Problem", "ShiftsSpec", "Spec", "TownsSpec", "UnitDaysSpec",
    "UnitsSpec", "WishesSpec", "bad_character", "dir_sources", "import_dir", "import_file",
    "parse_weekdays", "run_import",
]  # fmt: skip
