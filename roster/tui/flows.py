"""Flows that several screens start: assign a cadre to a cell, relief from a cell, publish.
Each asks its questions through the app's dialogs and makes the edit through `app.edit`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from roster.domain import Assignment
from roster.edits import CellState, Change, WeekEditor
from roster.i18n import _, day_label, weekday_name

if TYPE_CHECKING:
    from roster.tui.app import RosterApp


def publish(app: RosterApp) -> Change:
    app.editor.publish()
    return Change(_("published the week of {monday}").format(monday=app.editor.week_start), (), ())


def has_flag(states: list[CellState], flag: str) -> bool:
    if flag == "locked":
        return any(s.locked for s in states)
    if flag == "changed":
        return any(s.changed for s in states)
    return any(s.state == flag for s in states)


def candidate_notes(
    app: RosterApp, post_id: int, day: dt.date, code: str, replacing: int | None = None
):
    """The facts of any cadre typed into a picker for this cell: distance, duties and
    nights this week, colleague or not, and the rule they would break."""
    editor = app.editor

    def notes(ids: list[int]) -> dict[int, str]:
        ranked = editor.ranked_candidates(
            post_id, day, code, replacing=replacing, only=ids, limit=len(ids) or 1
        )
        out = {c.cadre_id: c.note for c in ranked}
        for cadre_id in ids:
            busy = editor.at(cadre_id, day)
            if cadre_id not in out and busy is not None:
                where = app.district.posts[busy.post_id].name
                out[cadre_id] = _("on duty that day: {shift} {post}").format(
                    shift=busy.shift_code, post=where
                )
        return out

    return notes


def ranked(app: RosterApp, post_id: int, day: dt.date, code: str, replacing: int | None = None):
    """The best candidates for the cell, with their notes, for a picker's first list."""
    return [
        (c.cadre_id, c.note)
        for c in app.editor.ranked_candidates(post_id, day, code, replacing=replacing)
    ]


def assign_flow(app: RosterApp, post_id: int, day: dt.date) -> None:
    """Assign: pick a shift if the post has several (the shortest first), then a cadre;
    the find box first lists the best fits, each with its facts and consequences, and keeps
    the facts of anyone typed."""
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
            _("Assign to {post} {day} {shift}: best first (d duties, n nights)").format(
                post=post.name, day=day_label(day), shift=code
            ),
            with_cadre,
            suggestions=ranked(app, post_id, day, code),
            notes_for=candidate_notes(app, post_id, day, code),
        )

    options = []
    for code in codes:
        s = states.get((post_id, day, code), empty)
        options.append((code, f"{code} {district.shifts[code].name}  {s.covered}/{s.required}"))
    app.choose(
        _("Which shift at {post} on {day}?").format(post=post.name, day=day_label(day)),
        options,
        with_shift,
    )


def on_duty_flow(
    app: RosterApp, post_id: int, day: dt.date, what: str, then: Callable[[int], None]
) -> None:
    """Ask which of those on duty in a board cell `what` is for (none asked if one)."""
    district = app.district
    shifts = district.shifts
    on_duty = sorted(
        (a for a in app.editor.assignments if a.post_id == post_id and a.date == day),
        key=lambda a: (shifts[a.shift_code].start_minutes if a.shift_code in shifts else 0,
                       district.cadres[a.cadre_id].code),
    )  # fmt: skip
    post = district.posts[post_id]
    if not on_duty:
        app.notify(
            _("Nobody is on duty at {post} on {day}.").format(post=post.name, day=day_label(day)),
            severity="warning",
        )
        return
    options = [
        (str(a.cadre_id), f"{a.shift_code} {district.cadres[a.cadre_id].name}"
         f" {district.cadres[a.cadre_id].code}")
        for a in on_duty
    ]  # fmt: skip
    app.choose(
        _("{what}: whom, at {post} on {day}?").format(
            what=what, post=post.name, day=day_label(day)
        ),
        options,
        lambda cadre_id: then(int(cadre_id)),
    )


def leaves_short(editor: WeekEditor, a: Assignment) -> bool:
    """Whether taking `a` away leaves its cell short (a solved week is exactly covered)."""
    state = editor.cell_states([a.post_id]).get((a.post_id, a.date, a.shift_code))
    return state is not None and state.covered <= state.required


def replace_flow(app: RosterApp, cadre_id: int, day: dt.date, title: str = "") -> None:
    """Replace X by Y: Y takes X's duty of the day; the candidates ranked by fit, each with
    its facts and consequences."""
    editor = app.editor
    a = editor.at(cadre_id, day)
    if a is None:
        app.notify(_("No duty to replace that day."), severity="warning")
        return
    name = app.district.cadres[cadre_id].name
    post = app.district.posts[a.post_id].name

    def by(other: int) -> None:
        app.edit(lambda o: editor.replace_cadre(cadre_id, day, other, override=o))

    app.pick(
        "cadre",
        title
        or _("Replace {name} ({shift} {post} {day}) by? d duties n nights").format(
            name=name, shift=a.shift_code, post=post, day=day_label(day)
        ),
        by,
        suggestions=ranked(app, a.post_id, day, a.shift_code, replacing=cadre_id),
        notes_for=candidate_notes(app, a.post_id, day, a.shift_code, replacing=cadre_id),
    )


def unassign_flow(app: RosterApp, cadre_id: int, day: dt.date) -> None:
    """Unassign; when that would leave the cell short, offer the replacement first."""
    editor = app.editor
    a = editor.at(cadre_id, day)
    if a is None:
        app.notify(_("No duty to unassign that day."), severity="warning")
        return

    def plain() -> None:
        app.edit(lambda o: editor.unassign(cadre_id, day, override=o))

    if not leaves_short(editor, a):
        plain()
        return
    name = app.district.cadres[cadre_id].name

    def chosen(which: str) -> None:
        if which == "replace":
            replace_flow(app, cadre_id, day)
        else:
            plain()

    app.choose(
        always=True,
        title=_("Taking {name} off leaves {shift} at {post} short.").format(
            name=name, shift=a.shift_code, post=app.district.posts[a.post_id].name
        ),
        options=[
            ("replace", _("Replace by someone (keeps the cell covered)")),
            ("short", _("Leave it short (needs an override reason)")),
        ],
        then=chosen,
    )


def _then_stand_in(
    app: RosterApp, cadre_id: int, day: dt.date, move: Callable[[int | None], None]
) -> None:
    """After choosing where a duty goes: when the cell left behind would be short, ask
    who takes it (the move and the replacement are one edit)."""
    editor = app.editor
    a = editor.at(cadre_id, day)
    if a is None or not leaves_short(editor, a):
        move(None)
        return
    post = app.district.posts[a.post_id].name
    app.pick(
        "cadre",
        _("Who takes {shift} at {post} {day}? (keeps it covered; Esc cancels)").format(
            shift=a.shift_code, post=post, day=day_label(day)
        ),
        move,
        suggestions=ranked(app, a.post_id, day, a.shift_code, replacing=cadre_id),
        notes_for=candidate_notes(app, a.post_id, day, a.shift_code, replacing=cadre_id),
    )


def move_post_flow(app: RosterApp, cadre_id: int, day: dt.date) -> None:
    """Move the day's duty (or the week) to another post: posts short that day first, then
    nearer, each with distance and need; the cell left behind is filled in the same step."""
    editor = app.editor
    district = app.district
    if editor.at(cadre_id, day) is None:
        app.notify(_("No duty to move that day."), severity="warning")
        return
    options = editor.post_options(cadre_id, day)

    def note(o) -> str:
        if o.short and o.reachable:
            text = _("{km:.1f} km, short {n} that day")
        elif o.short:
            text = _("{km:.1f} km, short {n} that day, beyond their commute")
        elif o.reachable:
            text = _("{km:.1f} km, covered that day")
        else:
            text = _("{km:.1f} km, covered that day, beyond their commute")
        return text.format(km=o.km, n=o.short)

    by_id = {o.post_id: o for o in options}

    def to_post(post_id: int) -> None:
        def scope(which: str) -> None:
            if which == "week":
                app.edit(lambda o: editor.move_week(cadre_id, post_id, override=o))
                return

            _move_with_stand_in(app, cadre_id, day, to_post=post_id)

        name = district.posts[post_id].name
        app.choose(
            _("Move to {post}: which duties?").format(post=name),
            [
                ("day", _("only {day}").format(day=day_label(day))),
                ("week", _("the whole week (redeploy)")),
            ],
            scope,
        )

    app.pick(
        "post",
        _("Move to which post? short that day first, then nearer"),
        to_post,
        suggestions=[(o.post_id, note(o)) for o in options[:15]],
        notes_for=lambda ids: {i: note(by_id[i]) for i in ids if i in by_id},
    )


def move_day_flow(app: RosterApp, cadre_id: int, day: dt.date) -> None:
    """Move the duty to another day: each day says whether the cadre is free and how the
    cell stands; exchanging with a colleague keeps both days covered."""
    editor = app.editor
    district = app.district
    a = editor.at(cadre_id, day)
    if a is None:
        app.notify(_("No duty to move that day."), severity="warning")
        return
    options: list[tuple[str, str]] = []
    for o in editor.day_options(cadre_id, day):
        when = day_label(o.day)
        if not o.free:
            continue
        for partner in o.partners[:3]:
            other = district.cadres[partner].name
            options.append(
                (
                    f"x{o.day.isoformat()}:{partner}",
                    _("{day}: exchange with {name} (both covered)").format(day=when, name=other),
                )
            )
        if o.short:
            there = _("{day}: move there ({shift} short {n} there)")
        else:
            there = _("{day}: move there ({shift} covered)")
        there = there.format(day=when, shift=a.shift_code, n=o.short)
        options.append((f"m{o.day.isoformat()}", there))
    if not options:
        app.notify(_("No free day this week to move the duty to."), severity="warning")
        return

    def chosen(value: str) -> None:
        if value.startswith("x"):
            target, partner = value[1:].split(":")
            other_day = dt.date.fromisoformat(target)
            app.edit(
                lambda o: editor.exchange_days(cadre_id, day, int(partner), other_day, override=o)
            )
            return
        target_day = dt.date.fromisoformat(value[1:])

        _move_with_stand_in(app, cadre_id, day, to_day=target_day)

    name = district.cadres[cadre_id].name
    app.choose(
        _("Move {name}'s {shift} of {day} to which day?").format(
            name=name, shift=a.shift_code, day=day_label(day)
        ),
        options,
        chosen,
        always=True,
    )


def swap_flow(app: RosterApp, cadre_id: int, day: dt.date) -> None:
    """Swap with another cadre: the post's colleagues first, with their duty that day."""
    editor = app.editor
    district = app.district
    a = editor.at(cadre_id, day)
    home = editor.deployment().get(cadre_id, a.post_id if a else None)

    def duty_note(other: int) -> str:
        b = editor.at(other, day)
        weekday = weekday_name(day.weekday())
        if b is None:
            return _("rests {weekday}").format(weekday=weekday)
        return f"{weekday} {b.shift_code} {district.posts[b.post_id].name}"

    colleagues = sorted(
        (c for c, p in editor.deployment().items() if p == home and c != cadre_id),
        key=lambda c: district.cadres[c].code,
    )

    def with_other(other: int) -> None:
        def scope(which: str) -> None:
            when = None if which == "week" else day
            app.edit(lambda o: editor.swap(cadre_id, other, when, override=o))

        app.choose(
            _("Swap which duties?"),
            [("day", _("only {day}").format(day=day_label(day))), ("week", _("the whole week"))],
            scope,
        )

    app.pick(
        "cadre",
        _("Swap with whom? colleagues of the post first"),
        with_other,
        suggestions=[(c, _("colleague: {duty}").format(duty=duty_note(c))) for c in colleagues],
        notes_for=lambda ids: {i: duty_note(i) for i in ids},
    )


def relief_flow(app: RosterApp, post_id: int, day: dt.date) -> None:
    """Relief from a board cell: the cadre on duty there, or one of them if several."""
    on_duty_flow(app, post_id, day, _("Relief"), lambda cadre_id: app.show_relief(cadre_id, day))


def _move_with_stand_in(app: RosterApp, cadre_id: int, day: dt.date, **where) -> None:
    """Move a cadre's duty of `day` (`to_post=` or `to_day=`), a stand-in chosen first for
    the cell it leaves when that would leave it short."""
    editor = app.editor

    def move(stand_in: int | None) -> None:
        app.edit(lambda o: editor.move(cadre_id, day, replaced_by=stand_in, override=o, **where))

    _then_stand_in(app, cadre_id, day, move)
