"""Running an import: each file's header and rows checked (`_Importer`), valid rows written
in batches (`_Writer`), duplicates found through a temporary table, and the entry points
`import_file`, `import_dir` and `run_import`, all or nothing on a private copy."""

from __future__ import annotations

import datetime as dt
import operator
from pathlib import Path

import sqlite_utils

from roster import store
from roster.i18n import N_, _, ngettext
from roster.i18n.said import Said
from roster.importer.formats import FORMATS, KINDS, Spec
from roster.importer.reading import (
    EXTENSIONS,
    FREE_TEXT_COLUMNS,
    _records,
    _Unreadable,
    bad_character,
)
from roster.importer.report import ImportFailed, ImportReport, KindCounts, Problem, _Problems
from roster.importer.staging import _Stage
from roster.importer.values import _SUPPRESSED, _Row

BATCH_ROWS = 500  # rows per executemany
_CACHE_MAX = 20_000  # entries per reference cache before it is emptied
_SEEN = "roster_import_seen"  # temporary table: keys met in this import, for duplicates

# How `lookup` finds a referenced row: kind -> SQL returning its id.
_REF_SQL = {
    "towns": "select id from towns where name = ?",
    "units": "select id from units where name = ?",
    "posts": "select id from posts where code = ?",
    "shifts": "select code from shift_types where code = ?",
    "cadres": "select id from cadres where code = ?",
}


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
                raise _Unreadable(_("does not exist") if not path.exists() else _("is not a file"))
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
                        file, line, None,
                        _("the header has bytes that are not UTF-8; save the file as CSV UTF-8"),
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
                file,
                None,
                None,
                _("the file is empty; it needs a header row ({columns}) and rows").format(
                    columns=cols
                ),
            )
        elif rows == 0:
            self.broken.add(spec.kind)
            self.problems.add(file, header_line, None, _("the file has a header but no rows"))
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
                    _("appears twice in the header (columns {first} and {second}); keep one")
                    .format(first=columns[name] + 1, second=i + 1),
                )  # fmt: skip
            elif name in known:
                columns[name] = i
            elif name not in counts.ignored_columns:
                counts.ignored_columns.append(name)
        missing = [c for c in spec.required if c not in columns]
        for col in missing:
            if spec.optional:
                text = _(
                    "the header has no column {column}; the columns of {kind} are {required} "
                    "and optionally {optional}"
                )
            else:
                text = _("the header has no column {column}; the columns of {kind} are {required}")
            self.problems.add(
                file, line, col,
                text.format(column=col, kind=spec.kind, required=",".join(spec.required),
                            optional=",".join(spec.optional)),
            )  # fmt: skip
        return None if missing else columns

    def _row(self, spec, file, line, header, columns, values, garbled, writer, counts) -> None:
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            self.problems.add(
                file, line, None,
                ngettext(
                    "the line has {values} values but the header has {n} column; is there a "
                    "comma in a value that is not in double quotes?",
                    "the line has {values} values but the header has {n} columns; is there a "
                    "comma in a value that is not in double quotes?",
                    len(header),
                ).format(values=len(values), n=len(header)),
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
                file, line, name, _("has bytes that are not UTF-8 text; save the file as CSV UTF-8")
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
                self.problems.add(file, line, name or _("column {n}").format(n=i + 1), why)
        r = _Row(self, file, line, row, bad_cols)
        if bad_cols:
            r.ok = False
        key, record = spec.parse(r)
        if key is not None:
            first = self._mark(spec.kind, key, line, r.ok)
            if first is not None:
                r.fail(
                    spec.key_columns[0],
                    _("{row} is also on line {line}; keep one of the two lines").format(
                        row=spec.describe_key(key), line=first
                    ),
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
                    _("{cadre} is {was}; this file makes them {now}. If that is right, import "
                      "again with --confirm").format(cadre=who, was=_(was), now=_(now)),
                )  # fmt: skip
            if c in ("status", "night_ok", "max_commute_km"):
                counts.named.append(
                    Said(N_("{cadre}: {column} {was} → {now}"),
                         cadre=who, column=c, was=_word(c, was), now=_word(c, now))
                )  # fmt: skip

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


def _word(column: str, value):
    """A changed value as people read it, in English (the report's --json) and the
    language spoken (`Said`)."""
    if column == "night_ok":
        return Said(N_("nights ok")) if value in (1, True, "1") else Said(N_("no nights"))
    if column == "max_commute_km" and isinstance(value, int | float):
        return Said(N_("{km} km"), km=f"{float(value):g}")
    if column == "status" and isinstance(value, str):
        return Said(value)  # a cadre status, marked in roster.domain.CADRE_STATUSES
    return str(value)


# --- entry points ----------------------------------------------------------------------


def dir_sources(folder: str | Path) -> tuple[list[tuple[Spec, Path]], list[Problem]]:
    """The files of a folder `import_dir` would load, in order, and problems finding them."""
    folder = Path(folder)
    label = folder.name or str(folder)
    if not folder.is_dir():
        return [], [Problem(label, None, None, _("is not a folder"))]
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
                    _("both {first} and {second} are in the folder; remove one").format(
                        first=found[0].name, second=found[1].name
                    ),
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
                    path.name,
                    None,
                    None,
                    _("unknown kind {kind}; use one of {kinds}").format(
                        kind=repr(kind), kinds=_(", ").join(KINDS)
                    ),
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
        names = _(", ").join(f"{k}.csv" for k in KINDS)
        problems = [
            Problem(
                Path(folder).name,
                None,
                None,
                _("holds none of {names} (or .xlsx)").format(names=names),
            )
        ]
    return run_import(db, sources, actor=actor, problems=problems, confirm=confirm)
