"""The base classes of roster's screens: each knows the app it runs in as `host`, typed,
without importing it (the app imports the screens, never the other way round)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from roster.tui.app import RosterApp

ResultType = TypeVar("ResultType")


class RosterScreen(Screen):
    """A full screen of roster."""

    @property
    def host(self) -> RosterApp:
        return self.app  # type: ignore[return-value]


class RosterModal(ModalScreen[ResultType]):
    """A dialog of roster, answering with a `ResultType`."""

    @property
    def host(self) -> RosterApp:
        return self.app  # type: ignore[return-value]
