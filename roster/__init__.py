"""roster: duty rosters for cadres sent to village and community checkpoints."""

import sys as _sys

__version__ = "0.1.0"


_HIDDEN = ("pandas", "numpy")


def _import_sqlite_utils_without_pandas() -> None:
    """sqlite-utils imports pandas and numpy when they are installed (OR-Tools installs
    them) only to map `pandas.Timestamp` and numpy scalars to column types when it creates a
    table from Python values, which roster never does (its tables come from migrations, and
    sqlite3 itself cannot store numpy scalars). Those imports take about 0.6 s, a third of
    the UI's start before the board shows. Hide them while sqlite-utils loads; a later
    `import pandas` or `import numpy` (OR-Tools, off the UI thread) works as usual.
    """
    if "sqlite_utils" in _sys.modules or any(name in _sys.modules for name in _HIDDEN):
        return
    for name in _HIDDEN:
        _sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in _HIDDEN:
            del _sys.modules[name]


_import_sqlite_utils_without_pandas()
