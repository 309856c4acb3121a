"""Fixtures every layer shares: a fresh database, the small district's database (with its
roster) as a connection or as a path for the UI, and a frozen district clock."""

from __future__ import annotations

import pendulum
import pytest

from roster import store
from tests.factories import make_db


@pytest.fixture
def db(tmp_path):
    """A new, empty roster database."""
    return store.open_db(tmp_path / "roster.db")


@pytest.fixture
def small_db(tmp_path):
    """The small fixed district (`factories.fill`) with its roster of MONDAY's week."""
    return make_db(tmp_path / "small.db")


@pytest.fixture
def db_path(tmp_path):
    """The path of the small fixed district's database, for the UI and the CLI."""
    path = tmp_path / "ui.db"
    make_db(path).close()
    return path


@pytest.fixture
def frozen_clock(monkeypatch):
    """Freeze the district's clock: `frozen_clock(moment)` makes `pendulum.now` and
    `pendulum.today` (and so `roster.clock`) answer that moment."""

    def freeze(moment: pendulum.DateTime) -> pendulum.DateTime:
        monkeypatch.setattr(pendulum, "now", lambda tz=None: moment.in_tz(tz or "UTC"))
        monkeypatch.setattr(
            pendulum, "today", lambda tz=None: moment.in_tz(tz or "UTC").start_of("day")
        )
        return moment

    return freeze
