"""Fixtures every layer shares: a fresh database, the small district's database (with its
roster) as a connection or as a path for the UI, and a frozen district clock."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import settings

from roster import i18n, store
from roster.config import ENV_LANG, LOCALE_VARIABLES
from tests.factories import make_db

# The property tests draw the same examples on every run ("ci"), so a red run is this
# change's doing and can be repeated; `pytest --hypothesis-profile=explore` draws new
# ones, many more, to look for trouble (and prints how to reproduce what it finds).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=400, print_blob=True)
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Every test starts in English whatever the machine's locale (a test that wants Chinese
    says so with `chinese`), and leaves English behind."""
    for name in (ENV_LANG, *LOCALE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.use("en")
    yield
    i18n.use("en")


@pytest.fixture
def chinese():
    """Speak Chinese for this test (the `english` fixture restores English after it)."""
    i18n.use("zh")


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
