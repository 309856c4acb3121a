"""The domain as plain values: what the store loads and the solver, checker and screens use.

Nothing here knows SQL or Textual. Dates are `datetime.date`; shift times are "HH:MM".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from roster.i18n import N_, WEEKDAYS_EN, _, current, pgettext

# Default maximum commute (km, road distance) by transport mode; a cadre may override it.
TRANSPORT_MAX_KM: dict[str, float] = {
    "walk": 3.0,
    "bicycle": 15.0,
    "e-bike": 25.0,
    "bus": 40.0,
    "car": 100.0,
}
TOWN_KINDS = ("street", "town", "township")
POST_KINDS = ("village", "community")
CADRE_STATUSES = ("active", "on_leave", "recalled", "withdrawn")
GENDERS = ("M", "F")
ABSENCE_KINDS = ("sick", "family", "leave", "training", "recalled", "other")
ASSIGNMENT_SOURCES = ("solver", "manual", "relief")
ROSTER_STATUSES = ("draft", "published")
WISH_KINDS = ("unavailable", "avoid", "prefer")
# The codes above are stored in English and shown translated, `_(code)`; their words:
CODE_WORDS = (
    N_("walk"), N_("bicycle"), N_("e-bike"), N_("bus"), N_("car"),
    N_("village"), N_("community"),
    N_("active"), N_("on_leave"), N_("recalled"), N_("withdrawn"),
    N_("sick"), N_("family"), N_("leave"), N_("training"), N_("other"),
    N_("draft"), N_("published"),
    N_("unavailable"), N_("avoid"), N_("prefer"),
)  # fmt: skip


def minutes(hhmm: str) -> int:
    """Minutes after midnight of an "HH:MM" time."""
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week that contains `day`."""
    return day - dt.timedelta(days=day.weekday())


def posts_of(assignments: Iterable[Assignment]) -> dict[int, int]:
    """Each cadre's post over `assignments` (their deployment): the post of most of their
    duties, relief loans aside (counted only for a cadre who has nothing else); on a tie,
    the lowest post id. The solver's continuity, the editor and relief all read it so."""
    own: dict[int, Counter] = defaultdict(Counter)
    lent: dict[int, Counter] = defaultdict(Counter)
    for a in assignments:
        (lent if a.source == "relief" else own)[a.cadre_id][a.post_id] += 1
    out = {}
    for cadre_id in own.keys() | lent.keys():
        counts = own.get(cadre_id) or lent[cadre_id]
        out[cadre_id] = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return out


def week_days(monday: dt.date) -> list[dt.date]:
    return [monday + dt.timedelta(days=i) for i in range(7)]


@dataclass(frozen=True)
class Town:
    id: int
    name: str
    kind: str
    lat: float
    lon: float


@dataclass(frozen=True)
class WorkGroup:
    id: int
    name: str


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind: str = ""
    liaison_name: str = ""
    liaison_phone: str = ""


@dataclass(frozen=True)
class ShiftType:
    code: str
    name: str
    start: str
    end: str

    @property
    def start_minutes(self) -> int:
        return minutes(self.start)

    @property
    def end_minutes(self) -> int:
        """End in minutes after the start day's midnight (past 1440 when it ends next day)."""
        end = minutes(self.end)
        return end + 1440 if end <= self.start_minutes else end

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minutes > 1440

    @property
    def duration_minutes(self) -> int:
        return self.end_minutes - self.start_minutes

    @property
    def is_night(self) -> bool:
        """A night shift (hard rule 7): it works some of the hours 22:00–06:00."""
        start, end = self.start_minutes, self.end_minutes
        windows = ((-120, 360), (1320, 1800), (2760, 3240))
        return any(start < hi and end > lo for lo, hi in windows)

    def rest_hours_before(self, nxt: ShiftType, days_between: int) -> float:
        """Hours between the end of this shift and the start of `nxt`, `days_between` days later."""
        return (days_between * 1440 + nxt.start_minutes - self.end_minutes) / 60


@dataclass(frozen=True)
class Post:
    id: int
    code: str
    name: str
    kind: str
    town_id: int
    work_group_id: int
    lat: float
    lon: float
    compounds: int = 0
    no_property: int = 0
    no_security: int = 0
    address: str = ""


@dataclass(frozen=True)
class Demand:
    post_id: int
    shift_code: str
    weekday: int  # 1 = Monday … 7 = Sunday
    required: int
    date: dt.date | None = None  # set: overrides the weekday figure on that date


@dataclass(frozen=True)
class Cadre:
    id: int
    code: str
    name: str
    gender: str
    birth_date: dt.date
    unit_id: int
    phone: str
    party_member: bool
    home_lat: float
    home_lon: float
    transport: str
    max_commute_km: float
    night_ok: bool = True
    status: str = "active"
    notes: str = ""


@dataclass(frozen=True)
class Absence:
    id: int
    cadre_id: int
    start_date: dt.date
    end_date: dt.date
    kind: str
    note: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


@dataclass(frozen=True)
class Assignment:
    date: dt.date
    cadre_id: int
    post_id: int
    shift_code: str
    locked: bool = False
    source: str = "solver"


@dataclass(frozen=True)
class Wish:
    """A cadre's availability or wish: `unavailable` (hard), `avoid` or `prefer` (soft).

    It covers a day when the day is within `date`..`until` (either end open when unset;
    `date` alone without `weekdays` or `until` is that one day) and, if `weekdays` is set,
    falls on one of them (1 = Monday … 7 = Sunday); `shift` set: only that shift.
    `weight` 0 means the setting's default (`weight_wish_avoid` / `weight_wish_prefer`).
    """

    id: int
    cadre_id: int
    kind: str
    date: dt.date | None = None
    weekdays: tuple[int, ...] = ()
    until: dt.date | None = None
    shift: str = ""
    weight: int = 0
    note: str = ""

    def covers_day(self, day: dt.date) -> bool:
        if self.date is not None and day < self.date:
            return False
        if self.until is not None and day > self.until:
            return False
        if self.weekdays:
            return day.isoweekday() in self.weekdays
        if self.until is None and self.date is not None:
            return day == self.date
        return True

    def covers(self, day: dt.date, shift_code: str | None = None) -> bool:
        """The wish is about this day (and this shift, when one is given)."""
        if not self.covers_day(day):
            return False
        return not self.shift or shift_code is None or shift_code == self.shift

    def weight_in(self, settings: Settings) -> int:
        if self.weight:
            return self.weight
        if self.kind == "avoid":
            return settings.weight_wish_avoid
        return settings.weight_wish_prefer if self.kind == "prefer" else 0

    def describe(self) -> str:
        """When the wish applies, in English words (what audit records store): "Sat, Sun
        N from 2026-03-01 to 2026-03-31". `label()` says it in the current language."""
        return self.when().english

    def label(self) -> str:
        """When the wish applies, in the current language, for a screen or a command's
        output ("Sat, Sun N from 2026-03-01 to 2026-03-31" / "周六、周日 N 自2026-03-01
        至2026-03-31")."""
        return str(self.when())

    def when(self):
        """When the wish applies, said in both languages (`roster.i18n.said`: English for
        records, the language spoken for people, and storable as a record)."""
        from roster.i18n.said import Joined, Said, Weekday

        parts: list = []
        if self.weekdays:
            if len(self.weekdays) == 7:
                parts.append(Said(N_("every day")))
            else:
                days = [Weekday(d - 1) for d in self.weekdays]
                parts.append(Joined(days, sep=", ", zh_sep="、"))
        if self.shift:
            parts.append(Said(N_("shift {shift}"), shift=self.shift))
        if self.date and not self.weekdays and self.until is None:
            parts.append(Said(N_("on {date}"), date=self.date.isoformat()))
        else:
            if self.date:
                parts.append(Said(N_("from {date}"), date=self.date.isoformat()))
            if self.until:
                parts.append(Said(N_("until {date}"), date=self.until.isoformat()))
        return Joined(parts or [Said(N_("always"))], sep=" ", zh_sep=" ")


@dataclass(frozen=True)
class UnitDay:
    """A dispatching unit's quota: at most `max_cadres` of its cadres on duty on a weekday
    (1–7) or on one `date` (a dated row overrides the weekday); 0 = a home day."""

    unit_id: int
    weekday: int
    max_cadres: int
    date: dt.date | None = None


@dataclass
class Roster:
    id: int | None
    week_start: dt.date
    status: str = "draft"
    version: int = 0
    stats: dict = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)


@dataclass(frozen=True)
class ReliefRequest:
    id: int | None
    cadre_id: int
    start_date: dt.date
    end_date: dt.date
    reason: str = ""
    status: str = "open"
    resolution: str = ""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    details: str

    @property
    def when(self) -> str:
        """The time in the district's zone, "YYYY-MM-DD HH:MM" (stored as UTC)."""
        from roster.clock import local_text

        try:
            return local_text(self.at, "%Y-%m-%d %H:%M")
        except ValueError:  # a hand-written row: show what is there
            return self.at

    @property
    def text(self) -> str:
        return readable_details(self.details)


def readable_details(details: str) -> str:
    """Audit details for people: `week 2026-12-07 · replace 陈刚 by 赵洁蕾 … · version 5`
    (the edit's own words first, lists joined with `;`), not raw JSON."""
    import json

    try:
        value = json.loads(details)
    except (TypeError, ValueError):
        return " ".join(str(details).split())
    if not isinstance(value, dict):
        return str(value)
    parts = []
    semicolon, comma = ("; ", ", ") if current() == "en" else ("；", "，")
    for key in sorted(value, key=lambda k: (k != "edit", k != "week")):
        item = value[key]
        if key == "edit_said":
            continue
        if key == "edit":
            item = shown_edit(value)
        if isinstance(item, list):
            item = semicolon.join(str(i) for i in item)
        elif isinstance(item, dict):
            item = comma.join(f"{detail_word(k)} {detail_value(k, v)}" for k, v in item.items())
        else:
            item = detail_value(key, item)
        parts.append(str(item) if key == "edit" else f"{detail_word(key)} {item}")
    return " · ".join(parts)


def shown_edit(details: dict):
    """An audit entry's edit (`edit`, stored in English) in the language spoken: by the
    record of its words (`edit_said`) where that says the same English."""
    edit = details.get("edit")
    record = details.get("edit_said")
    if current() == "en" or not isinstance(record, dict):
        return edit
    from roster.i18n.said import english, from_record

    try:
        said = from_record(record)
        return str(said) if english(said) == edit else edit
    except (KeyError, IndexError, TypeError, ValueError):  # not a record of this edit
        return edit


def shown_when(text: str) -> str:
    """A wish's time as an audit record keeps it (`Wish.describe`, "Sat, Sun shift N from
    2026-03-01") in the language spoken (`Wish.label`); text it does not read, as it is."""
    import re

    days = "|".join(WEEKDAYS_EN)
    found = re.fullmatch(
        rf"(?:(every day|(?:{days})(?:, (?:{days}))*)(?: |$))?(?:shift (\S+)(?: |$))?"
        r"(?:on (\S+)|(?:from (\S+)(?: |$))?(?:until (\S+))?)",
        text.strip(),
    )
    if text.strip() == "always":
        return Wish(0, 0, "avoid").label()
    if not found or not text.strip():
        return text
    weekdays, shift, on, start, until = found.groups()
    try:
        wish = Wish(
            0, 0, "avoid",
            date=dt.date.fromisoformat(on or start) if (on or start) else None,
            weekdays=tuple(range(1, 8)) if weekdays == "every day" else
            tuple(WEEKDAYS_EN.index(d) + 1 for d in weekdays.split(", ")) if weekdays else (),
            until=dt.date.fromisoformat(until) if until else None,
            shift=shift or "",
        )  # fmt: skip
    except ValueError:
        return text
    return wish.label() if wish.describe() == text.strip() else text


def detail_word(key: str) -> str:
    """An audit detail's key (stored in English) as people read it."""
    label = key.replace("_", " ")
    if label in DETAIL_WORDS:
        return _(label)
    if label in DETAIL_WORDS_IN_CONTEXT:
        return detail_word_in_context(label)
    return label


def detail_value(key: str, item):
    """An audit detail's value as people read it: yes/no, a code translated (statuses,
    kinds, an export's grouping), a wish's time in words, anything else as stored."""
    if isinstance(item, bool):
        return _("yes") if item else _("no")
    if key == "when" and isinstance(item, str) and current() != "en":
        return shown_when(item)
    if isinstance(item, list) and current() != "en":  # (English shows the list as it always did)
        return "、".join(str(x) for x in item)
    if isinstance(item, str) and item and key in DETAIL_CODE_KEYS:
        return _(item)  # a code with no translation is shown as it is
    return item


def detail_word_in_context(label: str) -> str:
    """The keys whose plain word means something else elsewhere (a person's name, the
    demand change of a rule)."""
    words = {
        "name": pgettext("audit detail", "name"),  # a setting's name
        "cadres": pgettext("audit detail", "cadres"),  # a count, or the cadres file
        "demand": pgettext("audit detail", "demand"),  # the demand file
    }
    return words.get(label, label)


# The keys of audit details that `readable_details` shows translated (the records keep them
# in English; any other key is shown as stored).
DETAIL_WORDS = frozenset({
    N_("week"), N_("version"), N_("cadre"), N_("user"), N_("role"), N_("towns"), N_("what"),
    N_("reason"), N_("kind"), N_("when"), N_("wish"), N_("from"), N_("to"), N_("before"),
    N_("after"), N_("note"), N_("request"),
    # a roster saved, an override, relief (requests, settled options, recalls)
    N_("status"), N_("assignments"), N_("breaches"), N_("cadre id"), N_("start"), N_("end"),
    N_("summary"), N_("disturbed"), N_("uncovered"), N_("rebased on"), N_("cells"),
    N_("status set"), N_("absent until"),
    # exports, service records, imports (with each file kind's counts), backups, restores
    N_("by"), N_("format"), N_("changed only"), N_("files"), N_("folder"), N_("people"),
    N_("service"), N_("unit"), N_("file"), N_("demo"), N_("week start"), N_("units"),
    N_("shifts"), N_("posts"), N_("absences"), N_("wishes"), N_("unit days"), N_("inserted"),
    N_("updated"), N_("pages"), N_("replaced"), N_("replaced damaged"), N_("audit rows kept"),
    N_("district coordinator"),
    # a cadre's details changed (before / after)
    N_("phone"), N_("transport"), N_("max commute km"), N_("night ok"), N_("notes"),
})  # fmt: skip
# keys whose plain word has another sense elsewhere: `detail_word_in_context`
DETAIL_WORDS_IN_CONTEXT = frozenset({"name", "cadres", "demand"})
# keys whose values may be codes or messages the program marks, shown translated when they
# are known ones (a roster's status, a wish's, absence's or relief option's kind, an export's
# grouping, a cadre's status or transport, what a refusal refused and why, an edit's words
# when they take no values: `accept solve`); anything else is shown as stored
DETAIL_CODE_KEYS = frozenset({"status", "kind", "by", "transport", "what", "reason", "edit"})
DETAIL_CODES = (N_("changes"),)  # an export's grouping (`post` and `cadre` are marked elsewhere)


@dataclass(frozen=True)
class Settings:
    """Limits and weights of the rules; stored as key/value rows in `settings`."""

    min_rest_days: int = 1
    max_consecutive_days: int = 6
    min_consecutive_days: int = 1  # shortest run of worked days in a week (1: no minimum)
    min_consecutive_days_off: int = 1  # shortest run of days off in a week (1: no minimum)
    min_rest_hours: float = 11.0
    road_factor: float = 1.3
    weight_unmet: int = 1000
    weight_continuity: int = 20
    weight_commute: int = 1  # per km of commute of a deployed cadre
    weight_commute_max: int = 2  # per km of the longest commute
    weight_fairness: int = 5
    weight_party_post: int = 3
    weight_party_group: int = 30
    weight_unit_spread: int = 2
    weight_reserve: int = 2
    weight_wish_avoid: int = 10  # per shift worked that an `avoid` wish covers
    weight_wish_prefer: int = 5  # per `prefer` wish (day or shift) not given
    # rotation over weeks (docs/rotation.md)
    fairness_weeks: int = 8  # window of night fairness: this week and the 7 before
    weight_night_share: int = 12  # per night, times (2 × the cadre's nights in the window + 1)
    min_stint_weeks: int = 2  # weeks at a post before a planned move
    max_team_turnover: float = 0.5  # share of a post's team that may leave in one week
    max_night_weeks: int = 2  # consecutive night-heavy weeks (3+ nights) before a break
    weight_rotation: int = 40  # per breach of a rotation rule (stint, night weeks)
    weight_turnover: int = 60  # per cadre too many leaving a post's team in one week
    weight_stability: int = 12  # per duty a re-solve changes in a draft week
    weight_stability_published: int = 60  # per duty changed in a published week
    weight_week_end: int = 3  # per cadre whose run reaches the limit on Sunday (Monday lost)

    @classmethod
    def from_mapping(cls, values: dict[str, str]) -> Settings:
        """Settings from stored text values; unknown keys are ignored. A value that cannot
        be a setting raises `SettingError` naming the setting and how to fix it."""
        kwargs = {}
        for name in cls().__dict__:
            if name in values:
                kwargs[name] = cls.parse(name, values[name], stored=True)
        return cls(**kwargs)

    @classmethod
    def parse(cls, name: str, text: str, *, stored: bool = False) -> int | float:
        """The value of setting `name` written as `text`, checked against its range."""
        defaults = cls().__dict__
        if name not in defaults:
            raise SettingError(
                _("there is no setting {name}; `roster settings` lists them").format(
                    name=repr(name)
                )
            )
        default = defaults[name]
        fix = (
            _("; set it with `roster settings set {name} VALUE`").format(name=name)
            if stored
            else ""
        )
        value = repr(text)
        try:
            number = float(str(text).strip())
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise SettingError(
                _("setting {name} is {value}, not a number{fix}").format(
                    name=name, value=value, fix=fix
                )
            )
        if isinstance(default, int) and not number.is_integer():
            raise SettingError(
                _("setting {name} must be a whole number, not {value}{fix}").format(
                    name=name, value=value, fix=fix
                )
            )
        lo, hi = SETTING_RANGES.get(name, (0, 1_000_000))
        if not lo <= number <= hi:
            raise SettingError(
                _("setting {name} must be between {lo} and {hi}, not {value}{fix}").format(
                    name=name, lo=lo, hi=hi, value=value, fix=fix
                )
            )
        return type(default)(number)

    def describe(self) -> list[tuple[str, int | float, int | float, str]]:
        """Every setting: name, value in force, default, meaning (in English, as
        `SETTING_MEANINGS` holds it: show it as `_(meaning)`)."""
        defaults = Settings().__dict__
        return [
            (name, value, defaults[name], SETTING_MEANINGS.get(name, ""))
            for name, value in self.__dict__.items()
        ]


class SettingError(ValueError):
    """A setting's value is not one it can take; the message says which and how to fix it."""


# Ranges a setting may take (others: 0 to 1,000,000).
SETTING_RANGES: dict[str, tuple[float, float]] = {
    "min_rest_days": (0, 7),
    "max_consecutive_days": (1, 7),
    "min_consecutive_days": (1, 7),
    "min_consecutive_days_off": (1, 7),
    "min_rest_hours": (0, 24),
    "road_factor": (1, 3),
    "fairness_weeks": (1, 26),
    "min_stint_weeks": (0, 52),
    "max_team_turnover": (0, 1),
    "max_night_weeks": (1, 52),
}

# What each setting means, as `roster settings` and docs/rules.md say it (marked N_: show
# a meaning as `_(meaning)`).
SETTING_MEANINGS: dict[str, str] = {
    "min_rest_days": N_("days off each cadre has at least in each week"),
    "max_consecutive_days": N_("most working days in a row, counting last week's roster"),
    "min_consecutive_days": N_("shortest run of worked days inside a week (1: no minimum)"),
    "min_consecutive_days_off": N_("shortest run of days off inside a week (1: no minimum)"),
    "min_rest_hours": N_("hours from the end of one shift to the start of the next"),
    "road_factor": N_("road km = great-circle km times this factor"),
    "weight_unmet": N_("cost per required shift nobody covers"),
    "weight_continuity": N_("cost per cadre taken away from last week's post"),
    "weight_commute": N_("cost per km of each deployed cadre's commute"),
    "weight_commute_max": N_("cost per km of the longest commute"),
    "weight_fairness": N_(
        "cost per weekend shift of spread at a post beyond the tolerance "
        "(in relief: nights, weekends and workload too)"
    ),
    "weight_party_post": N_("cost per day of demand at a post with no party member"),
    "weight_party_group": N_("cost per party member a work group lacks below three"),
    "weight_unit_spread": N_("cost per cadre outside their unit's home work group"),
    "weight_reserve": N_("cost per cadre deployed beyond what a post needs"),
    "fairness_weeks": N_(
        "weeks over which nights and weekend duties are balanced (this week and the ones before)"
    ),
    "weight_night_share": N_(
        "cost per night, times (2 x the cadre's nights in the window + 1): "
        "nights go to those who have had fewest"
    ),
    "min_stint_weeks": N_("weeks at a post before a planned move"),
    "max_team_turnover": N_("share of a post's team that may leave in one week (absences aside)"),
    "max_night_weeks": N_("consecutive night-heavy weeks (3 or more nights) before a break"),
    "weight_rotation": N_("cost per breach of a rotation rule (stint, night weeks)"),
    "weight_turnover": N_("cost per cadre beyond the share of a team that may leave in a week"),
    "weight_stability": N_("cost per duty a re-solve changes in a draft week"),
    "weight_stability_published": N_("cost per duty a re-solve changes in a published week"),
    "weight_week_end": N_(
        "cost per cadre whose run of days reaches the limit on Sunday (Monday then lost)"
    ),
    "weight_wish_avoid": N_(
        "cost per shift worked on a day or shift the cadre asked to avoid "
        "(a wish's own weight replaces it)"
    ),
    "weight_wish_prefer": N_(
        "cost per preferred day the cadre does not work (a wish's own weight replaces it)"
    ),
}


@dataclass
class District:
    """Everything the solver and checker need about a district, as plain values."""

    towns: dict[int, Town]
    work_groups: dict[int, WorkGroup]
    units: dict[int, Unit]
    shifts: dict[str, ShiftType]
    posts: dict[int, Post]
    cadres: dict[int, Cadre]
    demand: list[Demand]
    absences: list[Absence]
    settings: Settings = field(default_factory=Settings)
    wishes: list[Wish] = field(default_factory=list)
    unit_days: list[UnitDay] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the lookup indexes; call after changing `demand` or `absences` in place."""
        self._demand: dict[tuple, int] = {}
        for d in self.demand:
            self._demand[(d.post_id, d.shift_code, d.date if d.date else d.weekday)] = d.required
        self._absences: dict[int, list[Absence]] = {}
        for a in self.absences:
            self._absences.setdefault(a.cadre_id, []).append(a)
        self._wishes: dict[int, list[Wish]] = {}
        for w in self.wishes:
            self._wishes.setdefault(w.cadre_id, []).append(w)
        self._unit_days: dict[tuple, int] = {}
        for u in self.unit_days:
            self._unit_days[(u.unit_id, u.date if u.date else u.weekday)] = u.max_cadres

    def required(self, post_id: int, day: dt.date, shift_code: str) -> int:
        """The demand of one post, day and shift: a dated row overrides the weekday row."""
        dated = self._demand.get((post_id, shift_code, day))
        if dated is not None:
            return dated
        return self._demand.get((post_id, shift_code, day.isoweekday()), 0)

    def absent(self, cadre_id: int, day: dt.date) -> bool:
        return any(a.covers(day) for a in self._absences.get(cadre_id, ()))

    def wishes_of(self, cadre_id: int) -> list[Wish]:
        return self._wishes.get(cadre_id, [])

    def unavailable(self, cadre_id: int, day: dt.date, shift_code: str | None = None) -> bool:
        """Rule 9: the cadre said they cannot work this day (this shift, when given; with no
        shift, a wish about one shift only leaves the day open)."""
        for w in self._wishes.get(cadre_id, ()):
            if w.kind == "unavailable" and w.covers_day(day):
                if not w.shift or w.shift == shift_code:
                    return True
        return False

    def unit_quota(self, unit_id: int, day: dt.date) -> int | None:
        """Most cadres of a unit on duty that day (None: no limit); a dated row wins."""
        dated = self._unit_days.get((unit_id, day))
        if dated is not None:
            return dated
        return self._unit_days.get((unit_id, day.isoweekday()))


def most_working_days(mask: list[bool], run_before: int, settings: Settings) -> int:
    """Most days a cadre can work in a week given the days open to them (`mask`), the run
    of days worked just before it and the rest rules (exact, a small dynamic program)."""
    limit = max(1, settings.max_consecutive_days)
    total_cap = 7 - settings.min_rest_days
    # state: current run length -> most days worked so far
    states = {min(run_before, limit): 0}
    for ok in mask:
        nxt: dict[int, int] = {}
        for run, worked in states.items():
            nxt[0] = max(nxt.get(0, -1), worked)
            if ok and run < limit:
                nxt[run + 1] = max(nxt.get(run + 1, -1), worked + 1)
        states = nxt
    return max(0, min(total_cap, max(states.values())))
