"""What a relief option is: the changes it makes, what it costs, whom it disturbs, what it
leaves uncovered; the messages and results of applying one; the errors relief raises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from roster.clock import local_text as local_hhmm
from roster.domain import Assignment, District
from roster.errors import StaleRoster
from roster.i18n import N_, _
from roster.i18n.said import Said, english

if TYPE_CHECKING:
    from roster.relief.week_index import WeekIndex


RELIEF_SOURCE = "relief"
KINDS = (
    "swap",
    "take_over",
    "shift_change",
    "reserve",
    "lightly_used",
    "lend",
    "mixed",
    "resolve",
    "nothing_to_cover",
)
KIND_RANK = {k: i for i, k in enumerate(KINDS)}
# the kinds as people see them (the codes stay English in --json and the audit)
KIND_WORDS = (
    N_("swap"), N_("take_over"), N_("shift_change"), N_("reserve"), N_("lightly_used"),
    N_("lend"), N_("mixed"), N_("resolve"), N_("nothing_to_cover"),
)  # fmt: skip
# the soft rules an option can make worse (`Effect.rule`)
EFFECT_RULES = (
    N_("workload"), N_("commute"), N_("continuity"), N_("fairness_nights"),
    N_("fairness_weekends"), N_("party_post"), N_("unmet"),
)  # fmt: skip
DEFAULT_LIMIT = 10


class ReliefError(ValueError):
    """The request cannot be handled as asked; the message says what to fix."""


class StaleOption(ReliefError):
    """The option no longer fits the stored roster: compute the options again."""


class StaleWeek(StaleRoster):
    """The week was changed by someone else since the options were computed: says who and
    when, and that the options must be computed again."""

    def __init__(self, week_start: dt.date, stored: int, expected: int, by: str = "", at: str = ""):
        super().__init__(week_start, stored, expected, by, at)
        who = _(" by {who}").format(who=by) if by else _(" by someone else")
        when = _(" at {time}").format(time=local_hhmm(at)) if at else ""
        self.at = at
        self.args = (
            _(
                "the roster of the week of {monday} was changed{who}{when} (version "
                "{stored}; the options were computed on version {expected}): compute the "
                "options again"
            ).format(monday=week_start, who=who, when=when, stored=stored, expected=expected),
        )


@dataclass(frozen=True)
class Change:
    """One assignment added to or removed from the week."""

    action: str  # "add" | "remove"
    cadre_id: int
    date: dt.date
    post_id: int
    shift_code: str
    source: str = RELIEF_SOURCE

    @property
    def key(self) -> tuple[dt.date, int, int, str]:
        return (self.date, self.cadre_id, self.post_id, self.shift_code)

    def assignment(self) -> Assignment:
        return Assignment(
            self.date, self.cadre_id, self.post_id, self.shift_code, False, self.source
        )


@dataclass(frozen=True)
class Uncovered:
    """A freed shift the option leaves uncovered, and why nobody takes it."""

    post_id: int
    date: dt.date
    shift_code: str
    said: Any  # why, a `roster.i18n.said.Said` (or English text)

    @property
    def why(self) -> str:
        """Why nobody takes it, in the language spoken."""
        return str(self.said)


@dataclass(frozen=True)
class Effect:
    """A soft rule the option makes worse, with its cost and the reason in words."""

    rule: str
    cost: int
    said: Any  # the reason, a `roster.i18n.said.Said` (or English text)

    @property
    def detail(self) -> str:
        """The reason in the language spoken."""
        return str(self.said)


@dataclass(frozen=True)
class PersonEffect:
    """How one person's week changes: shifts, nights, weekend shifts, km travelled."""

    cadre_id: int
    shifts_before: int
    shifts_after: int
    nights_delta: int
    weekends_delta: int
    km_delta: float


@dataclass
class ReliefOption:
    """One way to cover an absence. `changes` include the absent cadre's freed shifts."""

    kind: str
    said: Any  # the summary, a `roster.i18n.said.Said` (English in --json and the audit) or English text
    cadre_id: int
    start: dt.date
    end: dt.date
    week_start: dt.date
    roster_version: int
    published: bool
    changes: tuple[Change, ...]
    disturbed: tuple[int, ...]  # cadres other than the absent one whose week changes
    cost: int
    cost_terms: dict[str, int]
    worsened: tuple[Effect, ...]
    people: tuple[PersonEffect, ...]
    uncovered: tuple[Uncovered, ...]
    freed: int  # shifts the absent cadre had in the span
    parts: tuple[str, ...] = ()  # the kind of each disturbed person's part
    rank: int = 0  # 1 = best
    district: District | None = field(default=None, repr=False, compare=False)
    _week: WeekIndex | None = field(default=None, repr=False, compare=False)

    @property
    def summary(self) -> str:
        """What the option does, in the language spoken."""
        return str(self.said)

    @property
    def summary_english(self) -> str:
        """What the option does, in English (as stored)."""
        return english(self.said)

    @property
    def complete(self) -> bool:
        return not self.uncovered

    @property
    def commute_km(self) -> float:
        """Change in km travelled (one way, summed over shifts) by the people disturbed."""
        return round(sum(p.km_delta for p in self.people if p.cadre_id != self.cadre_id), 1)

    @property
    def added(self) -> list[Change]:
        return [c for c in self.changes if c.action == "add"]

    @property
    def removed(self) -> list[Change]:
        return [c for c in self.changes if c.action == "remove"]

    def sort_key(self) -> tuple:
        codes = tuple(sorted(self._code(c) for c in self.disturbed))
        return (len(self.uncovered), len(self.disturbed), self.cost, KIND_RANK[self.kind], codes)

    def _code(self, cadre_id: int) -> str:
        d = self.district
        return d.cadres[cadre_id].code if d and cadre_id in d.cadres else str(cadre_id)

    def to_json(self) -> dict:
        d = self.district

        def cadre(cid: int) -> dict:
            c = d.cadres.get(cid) if d else None
            return {"cadre_id": cid, "cadre_code": c.code if c else None,
                    "cadre_name": c.name if c else None}  # fmt: skip

        def post(pid: int) -> dict:
            p = d.posts.get(pid) if d else None
            return {"post_id": pid, "post_code": p.code if p else None,
                    "post_name": p.name if p else None}  # fmt: skip

        return {
            "rank": self.rank,
            "kind": self.kind,
            "parts": list(self.parts),
            "summary": self.summary_english,
            "complete": self.complete,
            "cadre": cadre(self.cadre_id),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "week": self.week_start.isoformat(),
            "roster_version": self.roster_version,
            "published": self.published,
            "freed": self.freed,
            "disturbed": [cadre(c) for c in self.disturbed],
            "people_disturbed": len(self.disturbed),
            "changes": [
                {
                    "action": c.action,
                    **cadre(c.cadre_id),
                    "date": c.date.isoformat(),
                    **post(c.post_id),
                    "shift_code": c.shift_code,
                    "source": c.source,
                }
                for c in self.changes
            ],
            "cost": self.cost,
            "cost_terms": dict(self.cost_terms),
            "commute_km": self.commute_km,
            "fairness": [
                {
                    **cadre(p.cadre_id),
                    "shifts_before": p.shifts_before,
                    "shifts_after": p.shifts_after,
                    "nights_delta": p.nights_delta,
                    "weekends_delta": p.weekends_delta,
                    "km_delta": round(p.km_delta, 1),
                }
                for p in self.people
            ],
            "worsened": [
                {"rule": e.rule, "cost": e.cost, "detail": english(e.said)} for e in self.worsened
            ],
            "uncovered": [
                {
                    **post(u.post_id),
                    "date": u.date.isoformat(),
                    "shift_code": u.shift_code,
                    "why": english(u.said),
                }
                for u in self.uncovered
            ],  # fmt: skip
        }


@dataclass(frozen=True)
class ReliefMessage:
    """The text message for one person whose week changed."""

    cadre_id: int
    code: str
    name: str
    phone: str
    text: str


@dataclass(frozen=True)
class Applied:
    request_id: int
    roster_version: int
    published: bool
    messages: tuple[ReliefMessage, ...]
    rebased_on: str = ""  # whose change, made meanwhile elsewhere in the week, was kept


@dataclass(frozen=True)
class Recalled:
    request_id: int
    start: dt.date
    end: dt.date
    status_set: bool  # cadres.status became 'recalled' now
    note: Said  # `.english` for --json, `str()` for people
