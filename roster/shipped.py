"""Where the data that ships with roster is: the demo district and the benchmark instances.

A normal install carries copies in `roster/_shipped/` (made by the build, see `setup.py`);
in a checkout or an editable install they are read from the repository's own folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent
_IN_REPO = {"demo": Path("data"), "curtois": Path("benchmarks") / "curtois"}


def shipped_dir(name: str) -> Path:
    """The folder of shipped data `name` ("demo" or "curtois")."""
    packaged = _PACKAGE / "_shipped" / name
    if packaged.is_dir():
        return packaged
    return _REPO / _IN_REPO[name]
