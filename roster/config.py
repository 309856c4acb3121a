"""What roster is run with: the options of the command line and the environment, read in
this one place, once, and handed down (nothing writes into the environment).

| variable | option | what |
| --- | --- | --- |
| `ROSTER_DB` | `--db` | the database file (default `./roster.db`) |
| `ROSTER_DEMO_DATA` | | a folder of demo CSV files to use instead of the shipped demo |
| `ROSTER_CURTOIS_DIR` | `roster bench curtois --dir` | other Curtois & Qu instances |
| `ROSTER_BUSY_TIMEOUT_MS` | | how long one try for the write lock waits (default 5000) |
| `ROSTER_BUSY_WAIT_SECONDS` | | how long a writer keeps trying in all (default 60) |
| `ROSTER_LANG` | `--lang` | the language roster speaks, `zh` or `en` (default: the locale's) |
| `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG` | | the locale, whose language roster speaks |
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from roster.i18n import N_, _

DEFAULT_DB = "roster.db"
ENV_DB = "ROSTER_DB"
ENV_DEMO_DATA = "ROSTER_DEMO_DATA"
ENV_CURTOIS_DIR = "ROSTER_CURTOIS_DIR"
ENV_BUSY_TIMEOUT_MS = "ROSTER_BUSY_TIMEOUT_MS"
ENV_BUSY_WAIT_SECONDS = "ROSTER_BUSY_WAIT_SECONDS"
ENV_LANG = "ROSTER_LANG"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # most binding first


@dataclass(frozen=True)
class Config:
    db_path: Path = Path(DEFAULT_DB)
    demo_data: Path | None = None  # None: the demo district shipped with roster
    curtois_dir: Path | None = None  # None: the instances shipped with roster
    busy_timeout_ms: int = 5000  # one try for the write lock (SQLite's busy timeout)
    busy_wait_seconds: float = 60.0  # a writer's tries in all, then "busy: try again later"
    lang: str | None = None  # --lang
    lang_setting: str | None = None  # $ROSTER_LANG
    locale: tuple[str, ...] = ()  # the locale variables' values, most binding first

    @property
    def language(self) -> str:
        """The language to speak (`roster.i18n.choose`): --lang, $ROSTER_LANG, the locale."""
        from roster.i18n import choose

        return choose(self.lang, self.lang_setting, self.locale)

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
            "lang_setting": env.get(ENV_LANG) or None,
            "locale": tuple(env.get(name, "") for name in LOCALE_VARIABLES if env.get(name)),
        }
        values.update({k: v for k, v in options.items() if v is not None})
        if env.get(ENV_BUSY_TIMEOUT_MS):
            values["busy_timeout_ms"] = _number(
                cls(**values), env, ENV_BUSY_TIMEOUT_MS, int,
                N_("{name} must be a whole number of milliseconds, not {value}"),
            )  # fmt: skip
        if env.get(ENV_BUSY_WAIT_SECONDS):
            values["busy_wait_seconds"] = _number(
                cls(**values), env, ENV_BUSY_WAIT_SECONDS, float,
                N_("{name} must be a number of seconds, not {value}"),
            )  # fmt: skip
        return cls(**values)


class ConfigError(ValueError):
    """A variable of the environment holds a value roster cannot use. The message is said
    in the language spoken when it is shown (`str()`); `language` is the language the rest
    of the configuration chose, to speak before saying it."""

    def __init__(self, template: str, language: str, **values) -> None:
        self.template, self.language, self.values = template, language, values
        super().__init__(template.format(**values))

    def __str__(self) -> str:
        return _(self.template).format(**self.values)


def _number(config: Config, env: Mapping[str, str], name: str, kind: type, template: str):
    """The value of the variable `name` as a `kind` (int or float), 0 or more."""
    text = env[name].strip()
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < 0:
        raise ConfigError(template, config.language, name=name, value=repr(env[name]))
    return value
