"""The base classes of roster's screens: each knows the app it runs in as `host`, typed,
without importing it (the app imports the screens, never the other way round)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

from roster.tui.keys import translate_bindings

if TYPE_CHECKING:
    from roster.tui.app import RosterApp

ResultType = TypeVar("ResultType")


class RosterScreen(Screen):
    """A full screen of roster (its keys in the language being spoken)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def on_mount(self) -> None:
        """Every footer compact, without the palette's own entry (the help names Ctrl+P):
        the keys shown fit 80 columns. (Textual runs this besides a screen's own.)"""
        from textual.widgets import Footer

        for footer in self.query(Footer):
            footer.compact = True
            footer.show_command_palette = False

    @property
    def host(self) -> RosterApp:
        return self.app  # type: ignore[return-value]


class RosterModal(ModalScreen[ResultType]):
    """A dialog of roster, answering with a `ResultType` (its keys in the language spoken)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def host(self) -> RosterApp:
        return self.app  # type: ignore[return-value]
