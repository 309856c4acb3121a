"""The private copy of the district an import works on (`_Stage`): its tables copied into a
temporary file, every row the import inserts or changes noted there, and only those rows
copied back in one short write, if the district is still at the version copied."""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlite_utils

from roster import store
from roster.importer.report import ImportReport

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
                if report.total_inserted or any(c.changed for c in report.kinds.values()):
                    # an import that changed nothing leaves open windows and solves alone
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
