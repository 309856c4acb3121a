"""What an import reports: each problem with its file, line and column (`Problem`), the
failure that lists them (`ImportFailed`), and what was written per kind (`ImportReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from roster.i18n import _, ngettext
from roster.i18n.said import english

MAX_PROBLEMS = 1000  # problems kept in `ImportFailed.problems`; the rest are only counted


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
            where = _("{file} line {line}").format(file=where, line=self.line)
        if self.column:
            where = _("{place}, column {column}").format(place=where, column=self.column)
        return _("{place}: {problem}").format(place=where, problem=self.message)


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
        return ngettext(
            "{n} problem found; nothing was imported", "{n} problems found; nothing was imported", n
        ).format(n=n)

    def to_json(self) -> dict:
        return {"problems": [p.to_json() for p in self.problems], "more": self.more}

    def __str__(self) -> str:
        lines = [_("{summary}:").format(summary=self.summary())] + [f"  {p}" for p in self.problems]
        if self.more:
            lines.append("  " + _("… and {n} more").format(n=self.more))
        return "\n".join(lines)


@dataclass
class KindCounts:
    inserted: int = 0
    updated: int = 0  # rows found already stored (changed or not)
    files: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # header columns not used
    changed: int = 0  # stored rows the import changed
    fields: dict[str, int] = field(default_factory=dict)  # changed rows per column
    named: list = field(default_factory=list)  # changes one must see, e.g. a status (Said)
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
                "named_changes": [english(x) for x in c.named],
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
            text = _("{kind}: {added} added, {changed} changed, {unchanged} unchanged").format(
                kind=kind, added=c.inserted, changed=c.changed, unchanged=c.unchanged
            )
            if c.fields:
                fields = ", ".join(f"{k} {n}" for k, n in sorted(c.fields.items()))
                text += _(" ({fields})").format(fields=fields)
            if c.encoding:
                text += _(" [read as {encoding}]").format(encoding=c.encoding)
            if c.ignored_columns:
                text += _(" (ignored columns: {columns})").format(
                    columns=", ".join(c.ignored_columns)
                )
            lines.append(text)
            lines.extend(f"  {line}" for line in c.named)  # (Said: in the language spoken)
        return "\n".join(lines) or _("nothing imported")


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
