"""roster: duty rosters for cadres sent to village and community checkpoints."""

import sys as _sys

__version__ = "0.1.0"


def _import_sqlite_utils_without_pandas() -> None:
    """sqlite-utils imports pandas when it is installed (OR-Tools installs it) only to map
    `pandas.Timestamp` values to TEXT columns, which roster never stores; that import takes
    about 0.5 s, a third of the UI's start before the board shows. Hide pandas while
    sqlite-utils loads; a later `import pandas` (OR-Tools, off the UI thread) works as usual.
    """
    if "pandas" in _sys.modules or "sqlite_utils" in _sys.modules:
        return
    _sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del _sys.modules["pandas"]


_import_sqlite_utils_without_pandas()
