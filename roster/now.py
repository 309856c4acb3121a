"""Who is on duty at a given moment: the inspector's question during a night check.

A shift belongs to the day it starts on, so at 03:00 on a Tuesday the people on duty are
those of Monday's night shift; this module looks at the day before as well as the day itself,
and so may need two weekly rosters (Monday 03:00 is still the previous week's Sunday night).
Nothing here knows Textual or SQL: rosters come through the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pendulum
import sqlite_utils

from roster import store
from roster.clock import TIMEZONE, ZONE, local
from roster.domain import Assignment, Cadre, District, Post, ShiftType, Town, week_start
from roster.i18n import _

# Where assignments come from: the store, or any function giving a week's assignments
# (the UI can pass the roster it holds; tests can pass a list).
AssignmentsSource = sqlite_utils.Database | Callable[[dt.date], Iterable[Assignment] | None]


def shift_window(day: dt.date, shift: ShiftType) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of `shift` worked on `day`, in Asia/Shanghai; a night shift ends next day."""
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZONE)
    return (
        midnight + dt.timedelta(minutes=shift.start_minutes),
        midnight + dt.timedelta(minutes=shift.end_minutes),
    )


def parse_moment(text: str, today: dt.date) -> dt.datetime:
    """A moment typed by a person, in Asia/Shanghai time: "2026-12-08 03:00", an ISO datetime
    (an explicit offset is respected), or "HH:MM" for `today`. ValueError says how to write it.
    """
    typed = text.strip()
    full = typed
    if re.fullmatch(r"\d{1,2}:\d{2}", typed):
        full = f"{today.isoformat()} {typed.zfill(5)}"
    try:
        parsed = pendulum.parse(full, tz=TIMEZONE)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        parsed = None
    if not isinstance(parsed, dt.datetime):
        raise ValueError(
            _(
                "{typed!r} is not a date and time: write it as YYYY-MM-DD HH:MM "
                "(Asia/Shanghai), e.g. 2026-12-08 03:00, or HH:MM for today"
            ).format(typed=typed)
        )
    return local(dt.datetime.fromisoformat(parsed.isoformat()))


@dataclass(frozen=True)
class OnDuty:
    """One cadre on duty at a post: the shift they are in and when it started and ends."""

    cadre: Cadre
    post: Post
    town: Town
    shift: ShiftType
    day: dt.date  # the day the shift started
    start: dt.datetime
    end: dt.datetime
    source: str

    def to_json(self, district: District) -> dict:
        unit = district.units.get(self.cadre.unit_id)
        return {
            "town": self.town.name,
            "post_code": self.post.code,
            "post_name": self.post.name,
            "address": self.post.address,
            "shift_code": self.shift.code,
            "shift_name": self.shift.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cadre_code": self.cadre.code,
            "cadre_name": self.cadre.name,
            "phone": self.cadre.phone,
            "unit": unit.name if unit else "",
            "source": self.source,
        }


def find_post(district: District, text: str) -> Post:
    """The post with that code, or else with exactly that name (if only one has it)."""
    for post in district.posts.values():
        if post.code == text:
            return post
    named = [p for p in district.posts.values() if p.name == text]
    if len(named) == 1:
        return named[0]
    if named:
        codes = ", ".join(p.code for p in named)
        raise LookupError(
            _("{n} posts are called {name!r} ({codes}): give the code").format(
                n=len(named), name=text, codes=codes
            )
        )
    raise LookupError(
        _("no post with code or name {name!r}: see the posts table for codes").format(name=text)
    )


def find_town(district: District, name: str) -> Town:
    for town in district.towns.values():
        if town.name == name:
            return town
    known = "、".join(sorted(t.name for t in district.towns.values()))
    raise LookupError(
        _("no town called {name!r}; the towns are: {known}").format(name=name, known=known)
    )


def _week_reader(source: AssignmentsSource) -> Callable[[dt.date], list[Assignment] | None]:
    if isinstance(source, sqlite_utils.Database):

        def read(monday: dt.date) -> list[Assignment] | None:
            roster = store.get_roster(source, monday)
            return None if roster is None else roster.assignments

        return read

    def call(monday: dt.date) -> list[Assignment] | None:
        found = source(monday)
        return None if found is None else list(found)

    return call


def weeks_needed(at: dt.datetime) -> list[dt.date]:
    """The Mondays of the rosters that can have someone on duty at `at`."""
    today = local(at).date()
    return sorted({week_start(today - dt.timedelta(days=1)), week_start(today)})


def on_duty(
    district: District,
    assignments_source: AssignmentsSource,
    at: dt.datetime,
    post: str | None = None,
    town: str | None = None,
) -> list[OnDuty]:
    """Everyone whose shift covers the moment `at` (start ≤ at < end), at one post (code or
    name), at every post of one town, or everywhere; sorted by town, post, shift, cadre.

    Raises LookupError for an unknown post or town.
    """
    at = local(at)
    post_ids: set[int] | None = None
    if post is not None:
        post_ids = {find_post(district, post).id}
    if town is not None:
        town_id = find_town(district, town).id
        in_town = {p.id for p in district.posts.values() if p.town_id == town_id}
        post_ids = in_town if post_ids is None else post_ids & in_town
    read = _week_reader(assignments_source)
    days = {at.date() - dt.timedelta(days=1), at.date()}
    found: list[OnDuty] = []
    for monday in weeks_needed(at):
        for a in read(monday) or ():
            if a.date not in days or (post_ids is not None and a.post_id not in post_ids):
                continue
            shift = district.shifts[a.shift_code]
            start, end = shift_window(a.date, shift)
            if start <= at < end:
                the_post = district.posts[a.post_id]
                found.append(
                    OnDuty(
                        district.cadres[a.cadre_id],
                        the_post,
                        district.towns[the_post.town_id],
                        shift,
                        a.date,
                        start,
                        end,
                        a.source,
                    )
                )
    found.sort(key=lambda d: (d.town.name, d.post.code, d.start, d.shift.code, d.cadre.code))
    return found
