"""Curtois & Qu instances as plain values: the reader of the instance files, where the
instances are, and their best known objectives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from roster.config import ENV_CURTOIS_DIR, Config
from roster.shipped import shipped_dir

CURTOIS_ENV = ENV_CURTOIS_DIR


# --- the instance as plain values -------------------------------------------------------


@dataclass(frozen=True)
class ShiftType:
    id: str
    minutes: int
    not_followed_by: tuple[str, ...]  # shifts that may not start the next day


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: dict[str, int]  # shift id -> most of that type over the horizon
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int  # minimum consecutive days off
    max_weekends: int


@dataclass(frozen=True)
class Request:
    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass
class Instance:
    name: str
    horizon: int  # days; day 0 is a Monday
    shifts: list[ShiftType]
    staff: list[Staff]
    days_off: dict[str, frozenset[int]]
    on_requests: list[Request]
    off_requests: list[Request]
    cover: list[Cover]
    shift_index: dict[str, ShiftType] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.shift_index = {s.id: s for s in self.shifts}

    @property
    def size(self) -> str:
        return f"{len(self.staff)}×{self.horizon}×{len(self.shifts)}"

    def weekends(self) -> list[tuple[int, ...]]:
        """Saturday and Sunday of each week (a weekend cut by the horizon keeps its day)."""
        return [
            tuple(d for d in (w + 5, w + 6) if d < self.horizon)
            for w in range(0, self.horizon, 7)
            if w + 5 < self.horizon
        ]


class InstanceError(ValueError):
    pass


SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


def _sections(text: str, where: str) -> dict[str, list[tuple[int, list[str]]]]:
    out: dict[str, list[tuple[int, list[str]]]] = {}
    current = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InstanceError(f"{where}:{n}: unknown section {line}")
            current = line
            out.setdefault(current, [])
            continue
        if current is None:
            raise InstanceError(f"{where}:{n}: data before the first section")
        out[current].append((n, [f.strip() for f in line.split(",")]))
    return out


def parse(text: str, name: str = "instance") -> Instance:
    """An instance from the text of an `InstanceN.txt` file."""
    sec = _sections(text, name)

    def rows(section: str, width: int) -> list[tuple[int, list[str]]]:
        out = sec.get(section, [])
        for n, fields in out:
            if len(fields) != width:
                raise InstanceError(
                    f"{name}:{n}: {section} rows have {width} fields, this one {len(fields)}"
                )
        return out

    def num(n: int, value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise InstanceError(f"{name}:{n}: {value!r} is not a whole number") from None

    horizon_rows = rows("SECTION_HORIZON", 1)
    if len(horizon_rows) != 1:
        raise InstanceError(f"{name}: SECTION_HORIZON needs exactly one number")
    horizon = num(horizon_rows[0][0], horizon_rows[0][1][0])
    for _, f in sec.get("SECTION_SHIFTS", []):
        if len(f) == 2:  # no list of shifts that may not follow
            f.append("")
    shifts = [
        ShiftType(f[0], num(n, f[1]), tuple(t for t in f[2].split("|") if t))
        for n, f in rows("SECTION_SHIFTS", 3)
    ]
    ids = {s.id for s in shifts}
    for s in shifts:
        for t in s.not_followed_by:
            if t not in ids:
                raise InstanceError(f"{name}: shift {s.id} names unknown shift {t}")
    staff = []
    for n, f in rows("SECTION_STAFF", 8):
        most: dict[str, int] = {}
        for part in filter(None, f[1].split("|")):
            sid, _, value = part.partition("=")
            if sid not in ids:
                raise InstanceError(f"{name}:{n}: unknown shift {sid}")
            most[sid] = num(n, value)
        staff.append(Staff(f[0], most, *(num(n, v) for v in f[2:])))
    people = {e.id for e in staff}
    days_off: dict[str, frozenset[int]] = {e.id: frozenset() for e in staff}
    for n, f in sec.get("SECTION_DAYS_OFF", []):
        if f[0] not in people:
            raise InstanceError(f"{name}:{n}: unknown employee {f[0]}")
        days_off[f[0]] = days_off[f[0]] | {num(n, d) for d in f[1:] if d}

    def requests(section: str) -> list[Request]:
        out = []
        for n, f in rows(section, 4):
            if f[0] not in people or f[2] not in ids:
                raise InstanceError(f"{name}:{n}: unknown employee or shift in {f}")
            out.append(Request(f[0], num(n, f[1]), f[2], num(n, f[3])))
        return out

    cover = []
    for n, f in rows("SECTION_COVER", 5):
        if f[1] not in ids:
            raise InstanceError(f"{name}:{n}: unknown shift {f[1]}")
        cover.append(Cover(num(n, f[0]), f[1], *(num(n, v) for v in f[2:])))
    return Instance(
        name,
        horizon,
        shifts,
        staff,
        days_off,
        requests("SECTION_SHIFT_ON_REQUESTS"),
        requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover,
    )


def read(path: str | Path) -> Instance:
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), path.stem)


def benchmark_dir(config: Config | None = None) -> Path:
    """The instance folder: the configured one ($ROSTER_CURTOIS_DIR, for instance sets a user
    brings), else instances 1–12 shipped with roster (`benchmarks/curtois/` in the repo)."""
    config = config or Config.from_environment()
    return config.curtois_dir or shipped_dir("curtois")


def best_known(folder: Path) -> dict[str, dict[str, int]]:
    """`best_known.tsv`: instance name -> employees, days, shift_types, best_known."""
    lines = (folder / "best_known.tsv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    out = {}
    for line in lines[1:]:
        if line.strip():
            f = line.split("\t")
            out[f[0]] = {k: int(v) for k, v in zip(head[1:], f[1:], strict=True)}
    return out
