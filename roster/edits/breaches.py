"""Breaches as an edit compares them: the checker an editor uses by default, the key that
says two breaches are the same one, and one stable order to show them in."""

from __future__ import annotations

import datetime as dt

from roster.domain import District


def breach_key(b) -> tuple:
    return b.key


def ordered(breaches) -> list:
    """Breaches in one order however they were found: by rule (in the checker's order), then
    day, post and cadre."""
    from roster.solver.checker import RULE_NUMBERS

    rank = {rule: i for i, rule in enumerate(RULE_NUMBERS)}
    return sorted(
        breaches,
        key=lambda b: (
            rank.get(b.rule, len(rank)), b.date or dt.date.min, b.post_id or 0,
            b.cadre_id or 0, b.shift_code or "", b.record,
        ),
    )  # fmt: skip


def default_checker(district: District, monday: dt.date, assignments, history=(), **options):
    from roster.solver.checker import check_roster

    return check_roster(district, monday, list(assignments), history=list(history), **options)
