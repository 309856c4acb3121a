"""Options in words a coordinator can act on: what each person does, and why a shift
stays uncovered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from roster.domain import District
from roster.i18n import N_
from roster.i18n.said import Day, Joined, Said
from roster.relief.options import Change
from roster.relief.week_index import Freed, Move, Request, WeekIndex

REASON_WORDS = {
    "busy": N_("{n} are on duty that day where they are needed"),
    "rest_days": N_("{n} would have no day off this week"),
    "consecutive_days": N_("{n} would work too many days in a row"),
    "rest_hours": N_("{n} would not have the rest hours between shifts"),
    "night": N_("{n} may not work nights"),
    "absent": N_("{n} are absent that day"),
    "status": N_("{n} are not active (on leave, recalled or withdrawn)"),
}


def day_words(day: dt.date) -> Day:
    """A day as relief names it: `Mon 12-07` in English, `12月7日 周一` in Chinese."""
    return Day(day, day.strftime("%a %m-%d"))


def why_uncovered(week: WeekIndex, req: Request, f: Freed) -> Said:
    """Why nobody covers a freed shift, in words a coordinator can act on."""
    district = week.district
    post = district.posts[f.a.post_id]
    counts = req.reasons[f.index]
    total = counts.get("reach", 0)
    if not total:
        return Said(N_("no other cadre lives within commute of {post}"), post=post.name)
    able = sorted({m.cadre_id for m in req.moves if f.index in m.covers},
                  key=lambda c: district.cadres[c].code)  # fmt: skip
    if able:
        names = "、".join(district.cadres[c].name for c in able[:5])
        return Said(
            N_("those who could take it ({names}) are needed for the other days of this absence "
               "or cannot take them together"),
            names=names,
        )  # fmt: skip
    parts = [Said(words, n=counts[k]) for k, words in REASON_WORDS.items() if counts.get(k)]
    return Said(
        N_("none of the {total} cadres within commute of {post} can take it: {reasons}"),
        total=total, post=post.name, reasons=Joined(parts),
    )  # fmt: skip


def summarise(week: WeekIndex, req: Request, moves: Sequence[Move], uncovered) -> Said:
    district = week.district
    x = district.cadres[req.cadre_id]
    parts = []
    for m in moves:
        c = district.cadres[m.cadre_id]
        who = f"{c.name} ({c.code})"
        took = [ch for ch in m.changes if ch.cadre_id == m.cadre_id and ch.action == "add"]
        what = Joined(cell_words(district, ch) for ch in took)
        if m.kind == "swap":
            back = Joined(
                cell_words(district, ch)
                for ch in m.changes
                if ch.cadre_id == req.cadre_id and ch.action == "add"
            )
            parts.append(
                Said(
                    N_("{who} of the same post takes {what}; {absent} works {back} in return"),
                    who=who,
                    what=what,
                    absent=x.name,
                    back=back,
                )  # fmt: skip
            )
        elif m.kind == "take_over":
            parts.append(
                Said(N_("{who} of the same post, resting then, takes {what}"), who=who, what=what)
            )
        elif m.kind == "shift_change":
            parts.append(
                Said(N_("{who} moves from an over-staffed shift to {what}"), who=who, what=what)
            )
        elif m.kind == "reserve":
            parts.append(Said(N_("{who}, in reserve nearby, takes {what}"), who=who, what=what))
        elif m.kind == "lightly_used":
            home = district.posts[week.deployment[m.cadre_id]].name
            parts.append(
                Said(
                    N_("{who} of {home}, resting then, is lent for {what}"),
                    who=who,
                    home=home,
                    what=what,
                )  # fmt: skip
            )
        else:
            home = district.posts[m.takes_from[0][0]].name
            parts.append(
                Said(
                    N_("{who} leaves over-staffed {home} for {what}"), who=who, home=home, what=what
                )  # fmt: skip
            )
    if uncovered:
        parts.append(
            Said(
                N_("{n} shift(s) stay uncovered: {shifts}"),
                n=len(uncovered),
                shifts=Joined(
                    Said(N_("{day} {shift}"), day=day_words(u.date), shift=u.shift_code)
                    for u in uncovered
                ),
            )
        )
    if not parts:
        return Said(N_("nobody takes the freed shifts"))
    return Joined(parts, ". ", "。")


def cell_words(district: District, ch: Change) -> Said:
    shift = district.shifts[ch.shift_code]
    return Said(
        N_("{day} {shift} at {post}"),
        day=day_words(ch.date), shift=shift.name, post=district.posts[ch.post_id].name,
    )  # fmt: skip
