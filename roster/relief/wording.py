"""Options in words a coordinator can act on: what each person does, and why a shift
stays uncovered."""

from __future__ import annotations

from collections.abc import Sequence

from roster.domain import District
from roster.relief.options import Change
from roster.relief.week_index import Freed, Move, Request, WeekIndex

REASON_WORDS = {
    "busy": "are on duty that day where they are needed",
    "rest_days": "would have no day off this week",
    "consecutive_days": "would work too many days in a row",
    "rest_hours": "would not have the rest hours between shifts",
    "night": "may not work nights",
    "absent": "are absent that day",
    "status": "are not active (on leave, recalled or withdrawn)",
}


def why_uncovered(week: WeekIndex, req: Request, f: Freed) -> str:
    """Why nobody covers a freed shift, in words a coordinator can act on."""
    district = week.district
    post = district.posts[f.a.post_id]
    counts = req.reasons[f.index]
    total = counts.get("reach", 0)
    if not total:
        return f"no other cadre lives within commute of {post.name}"
    able = sorted({m.cadre_id for m in req.moves if f.index in m.covers},
                  key=lambda c: district.cadres[c].code)  # fmt: skip
    if able:
        names = "、".join(district.cadres[c].name for c in able[:5])
        return (
            f"those who could take it ({names}) are needed for the other days of this "
            "absence or cannot take them together"
        )
    parts = [f"{counts[k]} {words}" for k, words in REASON_WORDS.items() if counts.get(k)]
    return f"none of the {total} cadres within commute of {post.name} can take it: " + "; ".join(
        parts
    )


def summarise(week: WeekIndex, req: Request, moves: Sequence[Move], uncovered) -> str:
    district = week.district
    x = district.cadres[req.cadre_id]
    parts = []
    for m in moves:
        c = district.cadres[m.cadre_id]
        who = f"{c.name} ({c.code})"
        took = [ch for ch in m.changes if ch.cadre_id == m.cadre_id and ch.action == "add"]
        what = "; ".join(cell_words(district, ch) for ch in took)
        if m.kind == "swap":
            back = "; ".join(
                cell_words(district, ch)
                for ch in m.changes
                if ch.cadre_id == req.cadre_id and ch.action == "add"
            )
            parts.append(f"{who} of the same post takes {what}; {x.name} works {back} in return")
        elif m.kind == "take_over":
            parts.append(f"{who} of the same post, resting then, takes {what}")
        elif m.kind == "shift_change":
            parts.append(f"{who} moves from an over-staffed shift to {what}")
        elif m.kind == "reserve":
            parts.append(f"{who}, in reserve nearby, takes {what}")
        elif m.kind == "lightly_used":
            home = district.posts[week.deployment[m.cadre_id]].name
            parts.append(f"{who} of {home}, resting then, is lent for {what}")
        else:
            home = district.posts[m.takes_from[0][0]].name
            parts.append(f"{who} leaves over-staffed {home} for {what}")
    if uncovered:
        parts.append(
            f"{len(uncovered)} shift(s) stay uncovered: "
            + "; ".join(f"{u.date.strftime('%a %m-%d')} {u.shift_code}" for u in uncovered)
        )
    return ". ".join(parts) or "nobody takes the freed shifts"


def cell_words(district: District, ch: Change) -> str:
    shift = district.shifts[ch.shift_code]
    return f"{ch.date.strftime('%a %m-%d')} {shift.name} at {district.posts[ch.post_id].name}"
