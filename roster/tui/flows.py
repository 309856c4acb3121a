"""Flows that several screens start: assign a cadre to a cell, relief from a cell, publish.
Each asks its questions through the app's dialogs and makes the edit through `app.edit`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from roster.edits import CellState, Change, WeekEditor

if TYPE_CHECKING:
    from roster.tui.app import RosterApp


def publish(app: RosterApp) -> Change:
    app.editor.publish()
    return Change(f"published the week of {app.editor.week_start}", (), ())


def has_flag(states: list[CellState], flag: str) -> bool:
    if flag == "locked":
        return any(s.locked for s in states)
    if flag == "changed":
        return any(s.changed for s in states)
    return any(s.state == flag for s in states)


def assign_flow(app: RosterApp, post_id: int, day: dt.date) -> None:
    """Assign: pick a shift if the post has several (the shortest first), then a cadre;
    the find box first lists cadres who could take it without breaking a hard rule."""
    editor: WeekEditor = app.editor
    district = app.district
    codes = [c for c in district.shifts if district.required(post_id, day, c)] or list(
        district.shifts
    )
    states = editor.cell_states()
    empty = CellState(0, 0, False, False)

    def shortfall(code: str) -> int:
        state = states.get((post_id, day, code), empty)
        return state.covered - state.required

    codes.sort(key=lambda c: (shortfall(c), c))  # the shift most short first
    post = district.posts[post_id]

    def with_shift(code: str) -> None:
        def with_cadre(cadre_id: int) -> None:
            app.edit(
                lambda override: editor.assign(cadre_id, post_id, day, code, override=override)
            )

        app.pick(
            "cadre",
            f"Assign to {post.name} {day:%a %m-%d} {code}: free cadres first, or type a name",
            with_cadre,
            suggestions=editor.candidates(post_id, day, code),
        )

    options = []
    for code in codes:
        s = states.get((post_id, day, code), empty)
        options.append((code, f"{code} {district.shifts[code].name}  {s.covered}/{s.required}"))
    app.choose(f"Which shift at {post.name} on {day:%a %m-%d}?", options, with_shift)


def relief_flow(app: RosterApp, post_id: int, day: dt.date) -> None:
    """Relief from a board cell: the cadre on duty there, or one of them if several."""
    district = app.district
    shifts = district.shifts
    on_duty = sorted(
        (a for a in app.editor.assignments if a.post_id == post_id and a.date == day),
        key=lambda a: (shifts[a.shift_code].start_minutes if a.shift_code in shifts else 0,
                       district.cadres[a.cadre_id].code),
    )  # fmt: skip
    if not on_duty:
        post = district.posts[post_id]
        app.notify(f"Nobody is on duty at {post.name} on {day:%a %m-%d}.", severity="warning")
        return
    options = [
        (str(a.cadre_id), f"{a.shift_code} {district.cadres[a.cadre_id].name}"
         f" {district.cadres[a.cadre_id].code}")
        for a in on_duty
    ]  # fmt: skip
    app.choose(
        f"Relief for whom at {district.posts[post_id].name} on {day:%a %m-%d}?",
        options,
        lambda cadre_id: app.show_relief(int(cadre_id), day),
    )
