"""`WeekEditor`: the roster of one week, its checks, and the edits a coordinator makes to it
(assign, move, replace, exchange, swap, lock, accept a solve, undo, redo, publish); each
edit checked against the hard rules, refused or overridden, and saved with the version read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import sqlite_utils

from roster import store
from roster.domain import Assignment, District, posts_of, week_days
from roster.edits.breaches import breach_key, default_checker, ordered
from roster.edits.candidates import PickerChoices
from roster.edits.rebase import cross_week_recheck, rebased
from roster.i18n import N_, _, ngettext
from roster.i18n.said import Both, Said, english, to_record
from roster.solver.checker import quota_mates


class EditError(Exception):
    """The edit cannot be made at all (no override): the message says why."""


class Refused(Exception):
    """The edit would break hard rules; it may be made only with an override reason."""

    def __init__(self, label, breaches: list) -> None:
        self.label = str(label)  # in the language spoken (a `roster.i18n.said.Said`, or text)
        self.record = english(label)  # in English
        self.breaches = breaches
        reasons = _("; ").join(b.message for b in breaches[:3])
        extra = len(breaches) - 3
        more = (
            ngettext(" (and {n} more)", " (and {n} more)", extra).format(n=extra)
            if extra > 0
            else ""
        )
        super().__init__(
            _("{edit}: refused, {reasons}{more}").format(
                edit=self.label, reasons=reasons, more=more
            )
        )


@dataclass(frozen=True)
class Change:
    """One saved edit: what it did and the week before and after (for undo and redo)."""

    label: str  # what it did, in the language spoken (shown)
    before: tuple[Assignment, ...]
    after: tuple[Assignment, ...]
    overridden: tuple = ()
    note: str = ""  # e.g. that it was made on top of someone else's change
    posts: frozenset[int] = frozenset()  # the posts whose cells it changed
    record: str = ""  # what it did, in English (the audit's words)
    words: Said | None = None  # what it did, as said (an undo's audit says it in any language)

    @property
    def said(self) -> Said | Both:
        """The label in both languages."""
        return self.words if self.words is not None else Both(self.record or self.label, self.label)


@dataclass(frozen=True)
class CellState:
    """Coverage of one post, day and shift, as the board shows it."""

    required: int
    covered: int
    locked: bool
    changed: bool

    @property
    def state(self) -> str:
        if self.covered < self.required:
            return "short"
        if self.covered > self.required:
            return "over"
        return "met"


@dataclass
class WeekTotals:
    required: int = 0
    covered: int = 0  # slots filled, never counting over-staffing
    assigned: int = 0  # assignments
    unmet: int = 0  # slots short
    over: int = 0  # assignments beyond demand
    short_cells: int = 0


@dataclass
class WeekEditor(PickerChoices):
    """The roster of one week, its checks, and the edits a coordinator makes to it."""

    db: sqlite_utils.Database
    district: District
    week_start: dt.date
    actor: str | None = None
    checker: Callable = default_checker
    access: Any = None  # roster.access.Access of the actor; None: no limits (scripts, tests)
    # On a stale save, make the edit again on top of the other change when the two touch
    # different cadres and cells (the UI does; scripts and tests get StaleRoster).
    rebase: bool = False
    assignments: list[Assignment] = field(default_factory=list)
    version: int = 0
    status: str = "none"  # none (no roster yet), draft or published
    stats: dict = field(default_factory=dict)
    published: frozenset | None = None
    history: list[Assignment] = field(default_factory=list)
    following: list[Assignment] = field(default_factory=list)  # the next week, as stored
    neighbours_seen: dict = field(default_factory=dict)  # their versions, checked at save
    # The district's version `district` was read at (None: not checked at save, scripts).
    district_version: int | None = None
    undo_stack: list[Change] = field(default_factory=list)
    redo_stack: list[Change] = field(default_factory=list)
    _breaches: list | None = None
    _dry: bool = False  # `preview`: work the edit out, save nothing

    def __post_init__(self) -> None:
        self.reload()

    def preview(self, do: Callable[[], Change]) -> Change:
        """What the edit `do` would change, worked out without checking rules or saving
        (to ask before changing a published week)."""
        self._dry = True
        try:
            return do()
        finally:
            self._dry = False

    # --- reading -----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the week again from the database (after someone else changed it)."""
        roster = store.get_roster(self.db, self.week_start)
        self.neighbours_seen = store.neighbour_versions(self.db, self.week_start)
        self.history = store.history(self.db, self.week_start)
        self.following = store.following(self.db, self.week_start)
        if roster is None:
            self.assignments, self.version, self.status, self.stats = [], 0, "none", {}
        else:
            self.assignments = list(roster.assignments)
            self.version, self.status, self.stats = roster.version, roster.status, roster.stats
        self.published = (
            store.published_assignments(self.db, self.week_start)
            if self.status == "published"
            else None
        )
        self._breaches = None

    def stored_version(self) -> int:
        """The version in the database now: differs from `version` when someone else saved."""
        return store.roster_version_of(self.db, self.week_start)

    @property
    def neighbours(self) -> list[Assignment]:
        """The stored weeks around this one, as the checker takes them (rest across both
        boundaries): the weeks before and the week after."""
        return [*self.history, *self.following]

    def set_district(self, district: District, version: int | None) -> None:
        """The district read again (someone imported, recalled or changed settings)."""
        self.district, self.district_version = district, version
        self._breaches = None

    @property
    def days(self) -> list[dt.date]:
        days = self.__dict__.get("_days")
        if days is None or days[0] != self.week_start:
            days = self.__dict__["_days"] = week_days(self.week_start)
        return days

    @property
    def breaches(self) -> list:
        """Hard-rule breaches of the week as stored (cached until the next change)."""
        if self._breaches is None:
            self._breaches = ordered(
                self.checker(self.district, self.week_start, self.assignments, self.neighbours)
            )
        return self._breaches

    @property
    def checked(self) -> bool:
        """Whether the breaches of the current version are known (without computing them)."""
        return self._breaches is not None

    def set_breaches(self, breaches: list) -> None:
        """Breaches computed elsewhere (a worker) for the current version."""
        self._breaches = ordered(breaches)

    def check(self, assignments: Iterable[Assignment]) -> list:
        return ordered(
            self.checker(self.district, self.week_start, list(assignments), self.neighbours)
        )

    def check_change(self, new: list[Assignment], diff: set[Assignment] | None = None) -> list:
        """The week's breaches once the roster is `new`, checking again only what the change
        touches: every hard rule but coverage is about one cadre, and coverage about one
        (post, day, shift) cell, so the touched cadres' weeks and the touched cells are
        checked by the checker and every other breach stays as it was (a property test holds
        this equal to checking the whole week). A few milliseconds instead of a tenth of a
        second or more for the demo's 4,300 duties."""
        if diff is None:
            diff = set(self.assignments) ^ set(new)
        cadres = {a.cadre_id for a in diff}
        cadres |= quota_mates(self.district, cadres)  # a unit's quota counts them all
        cells = {(a.post_id, a.date, a.shift_code) for a in diff}

        def touched(b) -> bool:
            if b.rule == "coverage":
                return (b.post_id, b.date, b.shift_code) in cells
            return b.cadre_id in cadres

        theirs = [
            a for a in new if a.cadre_id in cadres or (a.post_id, a.date, a.shift_code) in cells
        ]
        past = [a for a in self.neighbours if a.cadre_id in cadres]
        fresh = self.checker(self.district, self.week_start, theirs, past, cells=cells)
        return ordered(
            [b for b in self.breaches if not touched(b)] + [b for b in fresh if touched(b)]
        )

    def by_cell(self) -> dict[tuple[int, dt.date, str], list[Assignment]]:
        cells: dict[tuple[int, dt.date, str], list[Assignment]] = defaultdict(list)
        for a in self.assignments:
            cells[(a.post_id, a.date, a.shift_code)].append(a)
        return cells

    def cell_states(
        self, posts: Iterable[int] | None = None
    ) -> dict[tuple[int, dt.date, str], CellState]:
        """State of every post (of `posts`, if given), day and shift that has demand or
        assignments."""
        cells = self.by_cell()
        changed = self.changed_cells()
        wanted = None if posts is None else set(posts)
        keys = {k for k in cells if wanted is None or k[0] in wanted}
        for post_id in self.district.posts if wanted is None else wanted:
            for day in self.days:
                for code in self.district.shifts:
                    if self.district.required(post_id, day, code):
                        keys.add((post_id, day, code))
        out = {}
        for key in keys:
            on = cells.get(key, [])
            out[key] = CellState(
                self.district.required(*key),
                len(on),
                bool(on) and all(a.locked for a in on),
                key in changed,
            )
        return out

    def totals(self, states: dict | None = None, posts: Iterable[int] | None = None) -> WeekTotals:
        states = self.cell_states() if states is None else states
        keep = set(posts) if posts is not None else None
        t = WeekTotals()
        for (post_id, _day, _code), s in states.items():
            if keep is not None and post_id not in keep:
                continue
            t.required += s.required
            t.assigned += s.covered
            t.covered += min(s.covered, s.required)
            t.unmet += max(0, s.required - s.covered)
            t.over += max(0, s.covered - s.required)
            t.short_cells += s.covered < s.required
        return t

    def changed_cells(self) -> set[tuple[int, dt.date, str]]:
        """Cells whose cadres differ from the published roster (empty when not published)."""
        if self.published is None:
            return set()
        now = {(a.post_id, a.date, a.shift_code, a.cadre_id) for a in self.assignments}
        return {(p, d, s) for p, d, s, _c in now ^ self.published}

    def deployment(self) -> dict[int, int]:
        """Each cadre's post of the week (`domain.posts_of`)."""
        return posts_of(self.assignments)

    def of_cadre(self, cadre_id: int) -> list[Assignment]:
        return [a for a in self.assignments if a.cadre_id == cadre_id]

    def at(self, cadre_id: int, day: dt.date) -> Assignment | None:
        for a in self.assignments:
            if a.cadre_id == cadre_id and a.date == day:
                return a
        return None

    def locks(self) -> list[Assignment]:
        return [a for a in self.assignments if a.locked]

    # --- edits -------------------------------------------------------------------------

    def assign(
        self, cadre_id: int, post_id: int, day: dt.date, shift_code: str, *, override: str = ""
    ) -> Change:
        self._need_week_day(day)
        current = self.at(cadre_id, day)
        if current is not None:
            raise EditError(
                _(
                    "{cadre} is already on duty on {day} at {post} ({shift}): move them instead"
                ).format(
                    cadre=self._cadre(cadre_id),
                    day=day,
                    post=self._post(current.post_id),
                    shift=current.shift_code,
                )  # fmt: skip
            )
        new = Assignment(day, cadre_id, post_id, shift_code, False, self._source(cadre_id, post_id))
        label = Said(
            N_("assign {cadre} to {post} {day} {shift}"),
            cadre=self._cadre(cadre_id), post=self._post(post_id), day=day, shift=shift_code,
        )  # fmt: skip
        return self._apply(label, [*self.assignments, new], override, "assign")

    def unassign(self, cadre_id: int, day: dt.date, *, override: str = "") -> Change:
        current = self._existing(cadre_id, day)
        self._not_locked([current])
        label = Said(N_("unassign {cadre} on {day}"), cadre=self._cadre(cadre_id), day=day)
        rest = [a for a in self.assignments if a is not current]
        return self._apply(label, rest, override, "unassign")

    def move(
        self,
        cadre_id: int,
        day: dt.date,
        *,
        to_post: int | None = None,
        to_day: dt.date | None = None,
        to_shift: str | None = None,
        replaced_by: int | None = None,
        override: str = "",
    ) -> Change:
        """Move one assignment to another post, day or shift; with `replaced_by`, that
        cadre takes the cell left behind in the same step (coverage kept)."""
        current = self._existing(cadre_id, day)
        self._not_locked([current])
        to_day = to_day or day
        self._need_week_day(to_day)
        if to_day != day and self.at(cadre_id, to_day) is not None:
            raise EditError(
                _("{cadre} is already on duty on {day}").format(
                    cadre=self._cadre(cadre_id), day=to_day
                )
            )
        post_id = to_post if to_post is not None else current.post_id
        moved = replace(
            current,
            post_id=post_id,
            date=to_day,
            shift_code=to_shift or current.shift_code,
            source=self._source(cadre_id, post_id, ignore=current),
        )
        if (moved.post_id, moved.date, moved.shift_code) == (
            current.post_id,
            current.date,
            current.shift_code,
        ):
            raise EditError(_("nothing to move: choose another post, day or shift"))
        where = dict(
            cadre=self._cadre(cadre_id), day=day, shift=current.shift_code,
            post=self._post(current.post_id), to_day=moved.date, to_shift=moved.shift_code,
            to_post=self._post(moved.post_id),
        )  # fmt: skip
        label = Said(
            N_("move {cadre} {day} {shift} {post} → {to_day} {to_shift} {to_post}"), **where
        )
        rest = [moved if a is current else a for a in self.assignments]
        if replaced_by is not None:
            rest.append(self._stand_in(replaced_by, current, [moved]))
            label = Said(
                N_(
                    "move {cadre} {day} {shift} {post} → {to_day} {to_shift} {to_post}, "
                    "{other} takes their place"
                ),
                other=self._cadre(replaced_by), **where,
            )  # fmt: skip
        return self._apply(label, rest, override, "move")

    def replace_cadre(
        self, cadre_id: int, day: dt.date, by_cadre: int, *, override: str = ""
    ) -> Change:
        """`by_cadre` takes `cadre_id`'s duty of `day` (same post and shift); the cell
        stays covered and `cadre_id` rests that day."""
        current = self._existing(cadre_id, day)
        self._not_locked([current])
        if by_cadre == cadre_id:
            raise EditError(_("choose another cadre to take this duty"))
        stand_in = self._stand_in(by_cadre, current, [])
        label = Said(
            N_("replace {cadre} by {other} on {day} {shift} {post}"),
            cadre=self._cadre(cadre_id), other=self._cadre(by_cadre), day=day,
            shift=current.shift_code, post=self._post(current.post_id),
        )  # fmt: skip
        new = [stand_in if a is current else a for a in self.assignments]
        return self._apply(label, new, override, "replace")

    def exchange_days(
        self, cadre_id: int, day: dt.date, other: int, other_day: dt.date, *, override: str = ""
    ) -> Change:
        """`cadre_id` takes `other`'s duty of `other_day` and `other` takes theirs of
        `day`: both cells stay covered (a move to another day that keeps coverage)."""
        mine, theirs = self._existing(cadre_id, day), self._existing(other, other_day)
        self._not_locked([mine, theirs])
        if day == other_day or cadre_id == other:
            raise EditError(_("choose another day and another cadre to exchange with"))
        for who, when in ((cadre_id, other_day), (other, day)):
            if self.at(who, when) is not None:
                raise EditError(
                    _("{cadre} is already on duty on {day}").format(
                        cadre=self._cadre(who), day=when
                    )
                )
        a = replace(mine, cadre_id=other, source=self._source(other, mine.post_id, theirs))
        b = replace(theirs, cadre_id=cadre_id, source=self._source(cadre_id, theirs.post_id, mine))
        new = [a if x is mine else b if x is theirs else x for x in self.assignments]
        label = Said(
            N_("exchange days: {cadre} {day} → {other_day}, {other} {other_day} → {day}"),
            cadre=self._cadre(cadre_id), day=day, other=self._cadre(other), other_day=other_day,
        )  # fmt: skip
        return self._apply(label, new, override, "move")

    def _stand_in(self, by_cadre: int, cell: Assignment, also: list[Assignment]) -> Assignment:
        """`by_cadre` on duty in `cell`'s post, day and shift, if they are free that day."""
        if by_cadre not in self.district.cadres:
            raise EditError(_("no cadre #{id}").format(id=by_cadre))
        busy = self.at(by_cadre, cell.date)
        if busy is not None and busy is not cell and not any(m.cadre_id == by_cadre for m in also):
            raise EditError(
                _(
                    "{cadre} is already on duty on {day} at {post} ({shift}): swap them instead"
                ).format(
                    cadre=self._cadre(by_cadre),
                    day=cell.date,
                    post=self._post(busy.post_id),
                    shift=busy.shift_code,
                )  # fmt: skip
            )
        return Assignment(
            cell.date, by_cadre, cell.post_id, cell.shift_code, False,
            self._source(by_cadre, cell.post_id),
        )  # fmt: skip

    def move_week(self, cadre_id: int, to_post: int, *, override: str = "") -> Change:
        """Redeploy a cadre: every assignment of their week goes to `to_post`."""
        mine = self.of_cadre(cadre_id)
        if not mine:
            raise EditError(_("{cadre} has no duty this week").format(cadre=self._cadre(cadre_id)))
        self._not_locked(mine)
        label = Said(
            N_("move {cadre}'s week to {post}"), cadre=self._cadre(cadre_id),
            post=self._post(to_post),
        )  # fmt: skip
        new = [
            replace(a, post_id=to_post, source="manual") if a.cadre_id == cadre_id else a
            for a in self.assignments
        ]
        return self._apply(label, new, override, "move")

    def swap(
        self, cadre_a: int, cadre_b: int, day: dt.date | None = None, *, override: str = ""
    ) -> Change:
        """Two cadres exchange their duties: of one day, or of the whole week."""
        if cadre_a == cadre_b:
            raise EditError(_("choose two different cadres to swap"))

        def mine(c: int) -> list[Assignment]:
            return [a for a in self.of_cadre(c) if day is None or a.date == day]

        a_list, b_list = mine(cadre_a), mine(cadre_b)
        if not a_list and not b_list:
            raise EditError(_("neither cadre is on duty then: nothing to swap"))
        self._not_locked(a_list + b_list)
        touched = set(map(id, a_list + b_list))
        new = [a for a in self.assignments if id(a) not in touched]
        new += [replace(a, cadre_id=cadre_b, source="manual") for a in a_list]
        new += [replace(a, cadre_id=cadre_a, source="manual") for a in b_list]
        pair = dict(cadre=self._cadre(cadre_a), other=self._cadre(cadre_b))
        if day:
            label = Said(N_("swap {cadre} and {other} on {day}"), day=day, **pair)
        else:
            label = Said(N_("swap {cadre} and {other}'s week"), **pair)
        return self._apply(label, new, override, "swap")

    def set_locked(self, pick: Callable[[Assignment], bool], locked: bool | None, what) -> Change:
        """Lock (or unlock) the assignments `pick` selects; None toggles: lock unless all are.
        `what` names them: text, or a `roster.i18n.said.Said` (English in the audit, shown translated)."""
        chosen = [a for a in self.assignments if pick(a)]
        if not chosen:
            raise EditError(_("nothing to lock: no one is on duty in {what}").format(what=what))
        if locked is None:
            locked = not all(a.locked for a in chosen)
        new = [replace(a, locked=locked) if pick(a) else a for a in self.assignments]
        label = Said(N_("lock {what}") if locked else N_("unlock {what}"), what=what)
        return self._apply(label, new, "", "lock" if locked else "unlock", check=False)

    def lock_cell(
        self, post_id: int, day: dt.date, shift_code: str | None = None, locked: bool | None = None
    ) -> Change:
        what = f"{self._post(post_id)} {day}{' ' + shift_code if shift_code else ''}"
        if post_id not in self.district.posts:
            what = Said(N_("{post} {day}{shift}"), post=self._post(post_id), day=day,
                        shift=" " + shift_code if shift_code else "")  # fmt: skip
        return self.set_locked(
            lambda a: (
                a.post_id == post_id
                and a.date == day
                and (shift_code is None or a.shift_code == shift_code)
            ),
            locked,
            what,
        )

    def lock_post_week(self, post_id: int, locked: bool | None = None) -> Change:
        return self.set_locked(
            lambda a: a.post_id == post_id, locked,
            Said(N_("{post}'s week"), post=self._post(post_id)),
        )  # fmt: skip

    def lock_cadre_week(self, cadre_id: int, locked: bool | None = None) -> Change:
        return self.set_locked(
            lambda a: a.cadre_id == cadre_id, locked,
            Said(N_("{cadre}'s week"), cadre=self._cadre(cadre_id)),
        )  # fmt: skip

    def replace_all(
        self,
        assignments: Iterable[Assignment],
        stats: dict,
        *,
        label=None,
        around: Iterable[Assignment] | None = None,
    ) -> Change:
        """Accept a solver's roster for the week (it keeps the locked cells itself).
        `around`: the neighbouring weeks the solver was given; when they have changed since
        so that the roster would break a rest rule across a boundary, it is refused."""
        label = Said(N_("accept solve")) if label is None else label
        assignments = list(assignments)
        if around is not None:
            recheck = cross_week_recheck(
                self.district, self.week_start, assignments, around, self.checker
            )
            problems = recheck(self.neighbours)
            if problems:
                raise EditError(
                    _(
                        "the week before or after was changed while solving, and this roster "
                        "would now break: {problem}; solve again"
                    ).format(problem=problems[0])
                )
        return self._apply(label, assignments, "", "solve.accept", check=False, stats=stats)

    def undo(self) -> Change:
        if not self.undo_stack:
            raise EditError(_("nothing to undo"))
        return self._replay(self.undo_stack, self.redo_stack, N_("undo {edit}"), "undo")

    def redo(self) -> Change:
        if not self.redo_stack:
            raise EditError(_("nothing to redo"))
        return self._replay(self.redo_stack, self.undo_stack, N_("redo {edit}"), "redo")

    def _replay(self, stack: list[Change], other: list[Change], said: str, op: str) -> Change:
        """Take back (undo) or make again (redo) the last change of `stack`, checked and
        saved like any edit, and move it onto `other`."""
        change = stack[-1]
        label = Said(said, edit=change.said)
        old, new = (change.after, change.before) if op == "undo" else (change.before, change.after)
        self._require(old, new, label)
        self._save(old, new, label, op)
        other.append(stack.pop())
        return change

    def publish(self) -> None:
        """Mark the week published and keep a copy: later edits show as changes to it."""
        if self.status == "none":
            raise EditError(_("no roster for this week yet: solve it first"))
        what = Said(N_("publish the week of {monday}"), monday=self.week_start)
        self._require((), (), what, whole=True)
        store.publish_roster(self.db, self.week_start, self.actor, expected_version=self.version)
        self.reload()

    # --- inside ------------------------------------------------------------------------

    def _apply(
        self,
        label: Said,
        new: list[Assignment],
        override: str,
        op: str,
        *,
        check: bool = True,
        stats: dict | None = None,
        retry: bool = True,
    ) -> Change:
        diff = set(self.assignments) ^ set(new)  # what the edit changes, worked out once
        if self._dry:
            posts = frozenset(a.post_id for a in diff)
            return Change(
                str(label), tuple(self.assignments), tuple(new), posts=posts,
                record=english(label), words=label if isinstance(label, Said) else None,
            )  # fmt: skip
        self._require(self.assignments, new, label, whole=op == "solve.accept", diff=diff)
        added: list = []
        if check:
            known = {breach_key(b) for b in self.breaches}
            after = self.check_change(new, diff)
            added = [b for b in after if breach_key(b) not in known]
            if added and not override.strip():
                raise Refused(label, added)
        before = tuple(self.assignments)
        known_breaches = self._breaches
        posts = frozenset(a.post_id for a in diff)
        change = Change(
            str(label), before, tuple(new), tuple(added), posts=posts, record=english(label),
            words=label if isinstance(label, Said) else None,
        )  # fmt: skip
        try:
            self._save(  # from the current list itself: nothing to compare
                self.assignments, change.after, label, op,
                override=override, breaches=added, stats=stats,
            )  # fmt: skip
        except store.StaleRoster as stale:
            rebased = self._rebased(before, new) if self.rebase and retry else None
            if rebased is None or op == "solve.accept":
                raise
            again = self._apply(label, rebased, override, op, check=check, stats=stats, retry=False)
            note = (
                _("made on top of {who}'s change").format(who=stale.by)
                if stale.by
                else _("made on top of another's change")
            )
            return replace(again, note=note)
        if check:
            self._breaches = after
        elif op in ("lock", "unlock") and known_breaches is not None:
            self._breaches = known_breaches  # a lock changes no duty, so no breach either
        self.undo_stack.append(change)
        self.redo_stack.clear()
        return change

    def _rebased(self, before: tuple[Assignment, ...], new: list[Assignment]):
        """The edit (`before` → `new`) made on the week as now stored, or None when someone
        else's change touched one of its cadres or cells (then the person must look again)."""
        self.reload()
        return rebased(before, new, self.assignments)

    def _save(
        self,
        expect: tuple[Assignment, ...],
        new: tuple[Assignment, ...],
        label,
        op: str,
        *,
        override: str = "",
        breaches: list | None = None,
        stats: dict | None = None,
    ) -> None:
        if expect is not self.assignments and set(expect) != set(self.assignments):
            raise EditError(_("the roster has changed since: reload it"))
        stats = dict(self.stats if stats is None else stats)
        if op != "solve.accept":
            stats["edited"] = True
        said = to_record(label)  # beside the English: the audit shows it as it was said
        label = english(label)  # the audit keeps English
        details = {"week": self.week_start.isoformat(), "edit": label, "status": self.status}
        if said != label:
            details["edit_said"] = said
        with self.db.atomic():
            saved = store.save_roster(
                self.db,
                self.week_start,
                new,
                stats=stats,
                action=f"edit.{op}" if op != "solve.accept" else op,
                actor=self.actor,
                expected_version=self.version,  # 0: there was no roster
                previous=self.assignments if self.status != "none" else None,
                district_version=self.district_version,
                neighbours_seen=self.neighbours_seen,
                recheck=cross_week_recheck(
                    self.district, self.week_start, new, self.neighbours, self.checker
                ),
                details={k: details[k] for k in ("edit", "edit_said", "status") if k in details},
            )
            if breaches:
                store.add_audit(
                    self.db,
                    "edit.override",
                    {
                        **details,
                        "reason": override.strip(),
                        "breaches": [f"{b.rule}: {b.record}" for b in breaches],
                    },
                    self.actor,
                )
        self.assignments = list(saved.assignments)
        self.version, self.status, self.stats = saved.version, saved.status, saved.stats
        self._breaches = None

    def _require(self, before, after, what, *, whole: bool = False, diff=None) -> None:
        """The actor may change every post the edit touches (a whole week: district only);
        a refusal is audited and raised as `EditError`."""
        if self.access is None:
            return
        from roster.access import NotAllowed, refuse

        try:  # `what` said in two languages: the refusal shown, its audit in English
            if whole:
                self.access.require_district(what)
                return
            if diff is None:
                diff = set(before) ^ set(after)
            for post_id in sorted({a.post_id for a in diff}):
                post = self.district.posts.get(post_id)
                town = self.district.towns.get(post.town_id) if post else None
                self.access.require_town(
                    post.town_id if post else -1, town.name if town else "?", what
                )
        except NotAllowed as error:
            refuse(self.db, self.access, what, error)
            raise EditError(str(error)) from error

    def _source(self, cadre_id: int, post_id: int, ignore: Assignment | None = None) -> str:
        """`relief` when the cadre is deployed at another post this week (lent for the day)."""
        home = {
            a.post_id
            for a in self.assignments
            if a.cadre_id == cadre_id and a.source != "relief" and a is not ignore
        }
        return "relief" if home and post_id not in home else "manual"

    def _existing(self, cadre_id: int, day: dt.date) -> Assignment:
        current = self.at(cadre_id, day)
        if current is None:
            raise EditError(
                _("{cadre} is not on duty on {day}").format(cadre=self._cadre(cadre_id), day=day)
            )
        return current

    def _not_locked(self, assignments: list[Assignment]) -> None:
        for a in assignments:
            if a.locked:
                raise EditError(
                    _("{cadre} on {day} at {post} is locked: unlock it first").format(
                        cadre=self._cadre(a.cadre_id), day=a.date, post=self._post(a.post_id)
                    )
                )

    def _need_week_day(self, day: dt.date) -> None:
        if day not in self.days:
            raise EditError(
                _("{day} is not in the week of {monday}").format(day=day, monday=self.week_start)
            )

    def _cadre(self, cadre_id: int):
        cadre = self.district.cadres.get(cadre_id)
        return f"{cadre.name}({cadre.code})" if cadre else Said(N_("cadre #{id}"), id=cadre_id)

    def _post(self, post_id: int):
        post = self.district.posts.get(post_id)
        return post.name if post else Said(N_("post #{id}"), id=post_id)
