"""Manual edits of one week's roster: checked at once against the hard rules, saved, undoable.

`WeekEditor` holds the stored roster of one week as plain values. Every edit builds the new
list of assignments, runs the independent checker on it and compares with the breaches the
week already had: an edit that adds a breach is refused (`Refused`, with the reasons) unless
the caller passes an override reason, which goes to the audit log with the breaches. An edit
that cannot be made at all (a locked assignment, a cadre already on duty) raises `EditError`.
Saves go through `store.save_roster` with the version read, so a stale view is refused
(`store.StaleRoster`) instead of overwriting someone else's change.

Nothing here imports Textual: the screens call this package.
"""

from roster.edits.breaches import breach_key, default_checker, ordered
from roster.edits.candidates import Candidate, DayOption, PickerChoices, PostOption
from roster.edits.counts import DutyCounts, audit_about, average_counts, duty_counts
from roster.edits.diff import RosterDiff, diff_rosters, keep_locks
from roster.edits.editor import CellState, Change, EditError, Refused, WeekEditor, WeekTotals
from roster.edits.rebase import cross_week_recheck, rebased

__all__ = [
    "Candidate", "CellState", "Change", "DayOption", "DutyCounts", "EditError", "PickerChoices",
    "PostOption", "Refused", "RosterDiff", "WeekEditor", "WeekTotals", "audit_about",
    "average_counts", "breach_key", "cross_week_recheck", "default_checker", "diff_rosters",
    "duty_counts", "keep_locks", "ordered", "rebased",
]  # fmt: skip
