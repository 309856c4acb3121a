"""What roster is run with: the options of the command line and the environment, read in
this one place, once, and handed down (nothing writes into the environment).

| variable | option | what |
| --- | --- | --- |
| `ROSTER_DB` | `--db` | the database file (default `./roster.db`) |
| `ROSTER_DEMO_DATA` | | a folder of demo CSV files to use instead of the shipped demo |
| `ROSTER_CURTOIS_DIR` | `roster bench curtois --dir` | other Curtois & Qu instances |
| `ROSTER_BUSY_TIMEOUT_MS` | | how long one try for the write lock waits (default 5000) |
| `ROSTER_BUSY_WAIT_SECONDS` | | how long a writer keeps trying in all (default 60) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "roster.db"
ENV_DB = "ROSTER_DB"
ENV_DEMO_DATA = "ROSTER_DEMO_DATA"
ENV_CURTOIS_DIR = "ROSTER_CURTOIS_DIR"
ENV_BUSY_TIMEOUT_MS = "ROSTER_BUSY_TIMEOUT_MS"
ENV_BUSY_WAIT_SECONDS = "ROSTER_BUSY_WAIT_SECONDS"


@dataclass(frozen=True)
class Config:
    db_path: Path = Path(DEFAULT_DB)
    demo_data: Path | None = None  # None: the demo district shipped with roster
    curtois_dir: Path | None = None  # None: the instances shipped with roster
    busy_timeout_ms: int = 5000  # one try for the write lock (SQLite's busy timeout)
    busy_wait_seconds: float = 60.0  # a writer's tries in all, then "busy: try again later"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **options) -> Config:
        """The configuration from `environ` (default: the process's), options winning."""
        env = os.environ if environ is None else environ

        def path(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        values = {
            "db_path": path(ENV_DB) or Path(DEFAULT_DB),
            "demo_data": path(ENV_DEMO_DATA),
            "curtois_dir": path(ENV_CURTOIS_DIR),
        }
        if env.get(ENV_BUSY_TIMEOUT_MS):
            values["busy_timeout_ms"] = int(env[ENV_BUSY_TIMEOUT_MS])
        if env.get(ENV_BUSY_WAIT_SECONDS):
            values["busy_wait_seconds"] = float(env[ENV_BUSY_WAIT_SECONDS])
        values.update({k: v for k, v in options.items() if v is not None})
        return cls(**values)
