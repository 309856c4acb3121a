"""The domain as plain values: what the store loads and the solver, checker and screens use.

Nothing here knows SQL or Textual. Dates are `datetime.date`; shift times are "HH:MM".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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


def minutes(hhmm: str) -> int:
    """Minutes after midnight of an "HH:MM" time."""
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week that contains `day`."""
    return day - dt.timedelta(days=day.weekday())


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
        kwargs = {}
        for name, default in cls().__dict__.items():
            if name in values:
                number = float(values[name])
                if isinstance(default, int) and not number.is_integer():
                    raise ValueError(f"setting {name} must be a whole number, not {values[name]}")
                kwargs[name] = type(default)(number)
        return cls(**kwargs)


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

    def required(self, post_id: int, day: dt.date, shift_code: str) -> int:
        """The demand of one post, day and shift: a dated row overrides the weekday row."""
        dated = self._demand.get((post_id, shift_code, day))
        if dated is not None:
            return dated
        return self._demand.get((post_id, shift_code, day.isoweekday()), 0)

    def absent(self, cadre_id: int, day: dt.date) -> bool:
        return any(a.covers(day) for a in self._absences.get(cadre_id, ()))
