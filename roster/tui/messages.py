"""Typed messages the screens and workers of the terminal UI exchange, all in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class SolveProgress(Message):
    """A new best roster from the solver thread; a flood collapses to the latest."""

    objective: float | None  # None until the solver has a whole roster
    bound: float
    gap: float | None
    seconds: float
    stage: str = ""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SolveProgress)


@dataclass
class SolveFinished(Message):
    """The solver returned (finished, stopped or hit its limit) or failed with `error`."""

    result: Any
    error: str = ""


@dataclass
class ChecksReady(Message):
    """The independent checker's breaches of the week, computed off the UI thread."""

    week_start: dt.date
    version: int
    breaches: list


@dataclass
class RosterChanged(Message):
    """The week shown was edited, solved, published, reloaded or changed week."""

    reason: str = ""
    posts: frozenset[int] | None = None  # the posts an edit touched; None: maybe all


@dataclass
class JumpTo(Message):
    """Show this post (and day) on the week board."""

    post_id: int
    day: dt.date | None = None


@dataclass
class ReliefOptionsReady(Message):
    """The ranked relief options for the days `asked` ((start, end, roster version)),
    computed off the UI thread; `error` says why there are none."""

    asked: tuple
    options: list
    seconds: float
    error: str = ""


@dataclass
class ReliefApplied(Message):
    """A relief option was applied (`applied`, a `roster.relief.Applied`) or refused."""

    applied: Any
    error: Exception | None = None
