"""Who could take a cell and where a duty could go, with the facts one decides by: what the
replace, assign and move pickers show. `PickerChoices` is the part of `WeekEditor` that
works these out from the week it holds; it changes nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from roster.domain import Assignment, District
from roster.geo import commute_km
from roster.i18n import _


@dataclass(frozen=True)
class Candidate:
    """A cadre who could take a cell, with the facts one decides by."""

    cadre_id: int
    km: float
    duties: int  # this week, before the edit
    nights: int  # this week, before the edit
    near_duty: bool  # on duty the day before or after
    where: str  # colleague here, free this week, or from which post (the language spoken)
    breaks: tuple[str, ...]  # the rules taking the cell would break (the language spoken)
    rank: int = 0

    @property
    def note(self) -> str:
        """`12.4 km · 3d 1n · colleague here · ok`: d duties and n nights this week; `+1`
        when on duty the day before or after; the first rule it breaks, else ok."""
        rest = " +1" if self.near_duty else ""
        facts = _("{km:.1f} km · {duties}d {nights}n{rest} · {where}").format(
            km=self.km, duties=self.duties, nights=self.nights, rest=rest, where=self.where
        )
        if self.breaks:
            return _("{facts} · BREAKS {breach}").format(facts=facts, breach=self.breaks[0])
        return _("{facts} · ok").format(facts=facts)


@dataclass(frozen=True)
class DayOption:
    day: dt.date
    free: bool  # the cadre has no duty that day
    short: int  # slots the same post and shift lack that day
    partners: tuple[int, ...]  # on duty there that day and free on the original day


@dataclass(frozen=True)
class PostOption:
    post_id: int
    km: float
    short: int  # slots the post lacks that day
    reachable: bool  # within the cadre's commute limit


def _by_cadre(assignments: Iterable[Assignment]) -> defaultdict[int, list[Assignment]]:
    """The assignments of each cadre (an empty list for a cadre with none)."""
    out: defaultdict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        out[a.cadre_id].append(a)
    return out


class PickerChoices:
    """`WeekEditor`'s answers to "who could take this cell?" and "where could this duty
    go?", worked out on the editor's week: the attributes below, and its reading methods
    `days`, `at`, `by_cell`, `cell_states`, `deployment`, `_existing` and `_post`."""

    district: District
    week_start: dt.date
    assignments: list[Assignment]
    history: list[Assignment]  # the weeks before, as stored
    neighbours: list[Assignment]  # the weeks before and after, as stored
    checker: Callable

    def candidates(
        self, post_id: int, day: dt.date, shift_code: str, limit: int = 12
    ) -> list[tuple[int, str]]:
        """Cadres who could take this post, day and shift without breaking a hard rule,
        best first: those deployed here, then those with no duty this week, then those
        lent from another post; nearer first. Each with a short note for the picker."""
        district = self.district
        post = district.posts[post_id]
        shift = district.shifts[shift_code]
        on_duty = {a.cadre_id for a in self.assignments if a.date == day}
        deployed = self.deployment()
        mine, past = _by_cadre(self.assignments), _by_cadre(self.neighbours)
        pool = []
        for cadre in district.cadres.values():
            if cadre.status != "active" or cadre.id in on_duty or district.absent(cadre.id, day):
                continue
            if district.unavailable(cadre.id, day, shift_code):
                continue
            if shift.is_night and not cadre.night_ok:
                continue
            km = commute_km(cadre, post, district.settings.road_factor)
            if km > cadre.max_commute_km:
                continue
            home = deployed.get(cadre.id)
            rank = 0 if home == post_id else (1 if home is None else 2)
            pool.append((rank, km, cadre.id, home))
        pool.sort()
        out: list[tuple[int, str]] = []
        for rank, km, cadre_id, home in pool:
            source = "relief" if rank == 2 else "manual"
            trial = [*mine[cadre_id], Assignment(day, cadre_id, post_id, shift_code, False, source)]
            if self._cadre_breaches(cadre_id, trial, past[cadre_id]):
                continue
            where = (
                _("deployed here")
                if rank == 0
                else _("no duty this week")
                if rank == 1
                else _("lent from {post}").format(post=self._post(home))
            )
            out.append((cadre_id, _("{km:.1f} km, {where}").format(km=km, where=where)))
            if len(out) >= limit:
                break
        return out

    def _cadre_breaches(self, cadre_id: int, week: list[Assignment], past) -> list:
        """The rules of one cadre's own week (all but coverage) on just their duties."""
        try:
            return list(
                self.checker(self.district, self.week_start, week, list(past), coverage=False)
            )
        except TypeError:  # a checker without the coverage switch
            return [
                b
                for b in self.checker(self.district, self.week_start, week, list(past))
                if b.cadre_id == cadre_id
            ]

    def ranked_candidates(
        self,
        post_id: int,
        day: dt.date,
        shift_code: str,
        *,
        replacing: int | None = None,
        limit: int = 15,
        only: Iterable[int] | None = None,
    ) -> list[Candidate]:
        """Who could take this post, day and shift (in `replacing`'s place, if given),
        ranked by fit: no rule broken first, then colleagues deployed here, then those
        with no duty this week; fewer duties and nights this week, nearer, rested. Each with
        the facts one decides by and its consequences (the rules it would break)."""
        district = self.district
        post = district.posts[post_id]
        shift = district.shifts[shift_code]
        on_duty = {a.cadre_id for a in self.assignments if a.date == day}
        deployed = self.deployment()
        mine, past = _by_cadre(self.assignments), _by_cadre(self.history)
        nights = {c for c, s in district.shifts.items() if s.crosses_midnight}
        pool = []
        wanted = None if only is None else set(only)
        for cadre in district.cadres.values():
            if cadre.id == replacing or cadre.id in on_duty:
                continue
            if wanted is not None and cadre.id not in wanted:
                continue
            if cadre.status != "active" or district.absent(cadre.id, day):
                continue
            km = commute_km(cadre, post, district.settings.road_factor)
            home = deployed.get(cadre.id)
            rank = 0 if home == post_id else (1 if home is None else 2)
            week = mine[cadre.id]
            n_nights = sum(a.shift_code in nights for a in week)
            near = {a.date for a in week} & {day - dt.timedelta(days=1), day + dt.timedelta(days=1)}
            pre = (
                (shift.crosses_midnight and not cadre.night_ok) or km > cadre.max_commute_km,
                rank, len(week), n_nights, len(near), km,
            )  # fmt: skip
            pool.append((pre, cadre.id, km, home, len(week), n_nights, bool(near)))
        pool.sort()
        out: list[Candidate] = []
        for pre, cadre_id, km, home, duties, n_nights, near in pool[: max(limit * 3, 40)]:
            source = "manual" if home in (None, post_id) else "relief"
            trial = [*mine[cadre_id], Assignment(day, cadre_id, post_id, shift_code, False, source)]
            breaks = [b.message for b in self._cadre_breaches(cadre_id, trial, past[cadre_id])]
            where = (
                _("colleague here")
                if home == post_id
                else _("free this week")
                if home is None
                else _("from {post}").format(post=self._post(home))
            )
            out.append(
                Candidate(cadre_id, km, duties, n_nights, near, where, tuple(breaks), pre[1])
            )
        out.sort(key=lambda c: (bool(c.breaks), c.rank, c.duties, c.nights, c.near_duty, c.km))
        return out[:limit]

    def day_options(self, cadre_id: int, day: dt.date) -> list[DayOption]:
        """Where `cadre_id`'s duty of `day` could go in the week: each other day, whether
        they are free then, how the same post and shift stands that day, and the colleagues
        on duty there who could take `day` in exchange (both cells stay covered)."""
        current = self._existing(cadre_id, day)
        states = self.cell_states([current.post_id])
        cells = self.by_cell()
        out = []
        for other in self.days:
            if other == day:
                continue
            busy = self.at(cadre_id, other)
            key = (current.post_id, other, current.shift_code)
            state = states.get(key)
            short = max(0, state.required - state.covered) if state else 0
            partners = tuple(
                a.cadre_id
                for a in cells.get(key, [])
                if not a.locked and self.at(a.cadre_id, day) is None
            )
            out.append(DayOption(other, busy is None, short, partners))
        return out

    def post_options(self, cadre_id: int, day: dt.date) -> list[PostOption]:
        """Every post `cadre_id` could move to on `day`: short ones first, then nearer;
        each with the distance and what that post still needs that day."""
        district = self.district
        cadre = district.cadres[cadre_id]
        current = self._existing(cadre_id, day)
        states = self.cell_states()
        out = []
        for post in district.posts.values():
            if post.id == current.post_id:
                continue
            need = sum(
                max(0, s.required - s.covered)
                for code in district.shifts
                if (s := states.get((post.id, day, code))) is not None
            )
            km = commute_km(cadre, post, district.settings.road_factor)
            out.append(PostOption(post.id, km, need, km <= cadre.max_commute_km))
        out.sort(key=lambda o: (not o.reachable, -o.short, o.km))
        return out
