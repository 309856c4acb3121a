"""The text message for each person whose week a relief option changes."""

from __future__ import annotations

from collections.abc import Iterable

from roster.domain import Assignment
from roster.relief.options import ReliefError, ReliefMessage, ReliefOption


def messages_for(
    option: ReliefOption, after: Iterable[Assignment] | None = None
) -> list[ReliefMessage]:
    """The text message for each person whose week the option changes, the absent cadre
    included: their week as it now is, what changed, and the address of each post they
    are newly sent to with a contact on duty there (`exports.relief_sms_texts`, the same
    words the changed-only SMS export writes). `after` is the week as written (by default
    the option's roster with its changes made). The option must come from
    `relief_options`."""
    from roster.exports import relief_sms_texts

    base, district = option._week, option.district
    if base is None or district is None:
        raise ReliefError("messages need an option made by relief_options")
    if after is None:
        removed = {ch.key for ch in option.changes if ch.action == "remove"}
        after = [
            a for a in base.assignments if (a.date, a.cadre_id, a.post_id, a.shift_code)
            not in removed
        ] + [ch.assignment() for ch in option.changes if ch.action == "add"]  # fmt: skip
    x = option.cadre_id
    away = (
        {x: [(option.start, option.end)]} if any(ch.cadre_id == x for ch in option.changes) else {}
    )
    texts = relief_sms_texts(district, option.week_start, after, option.changes, away)
    out = []
    for cid, text in texts.items():
        cadre = district.cadres[cid]
        out.append(ReliefMessage(cid, cadre.code, cadre.name, cadre.phone, text))
    return out
