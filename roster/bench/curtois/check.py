"""The independent checker of Curtois & Qu solutions: plain Python, apart from the solver.

It reads the instance file itself and the solution as `employee,day,shift` rows, verifies
every hard rule of the benchmark and recomputes the penalty. It imports nothing of the
solver (not the reader in `curtois.py`, not the models), so a roster is judged by a second
path, as `checker.py` does for the cadre rosters.

Rules (the benchmark's README): at most one shift a day; fixed days off; shifts that may
not follow each other on consecutive days; a maximum count per shift type; minimum and
maximum total minutes; maximum consecutive working days; minimum consecutive working days
and days off (a run starting on day 0 is exempt, a run cut by the horizon's end may be
shorter); a maximum number of working weekends (Saturday or Sunday worked, day 0 is a
Monday). Penalty: each unmet shift-on request and each met shift-off request costs its
weight; each day and shift pays under_weight × missing plus over_weight × surplus.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Breach:
    rule: str
    message: str
    employee: str | None = None
    day: int | None = None


@dataclass
class Report:
    penalty: int
    breaches: list[Breach]
    parts: dict[str, int] = field(default_factory=dict)  # cover_under, cover_over, on, off

    @property
    def feasible(self) -> bool:
        return not self.breaches


@dataclass
class _Person:
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_run: int
    min_run: int
    min_off: int
    max_weekends: int


@dataclass
class _Problem:
    horizon: int = 0
    minutes: dict[str, int] = field(default_factory=dict)
    banned_next: dict[str, set[str]] = field(default_factory=dict)
    people: dict[str, _Person] = field(default_factory=dict)
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on: list[tuple[str, int, str, int]] = field(default_factory=list)
    off: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[tuple[int, str, int, int, int]] = field(default_factory=list)


def parse_instance(text: str) -> _Problem:
    """The instance format: `SECTION_*` headers, comma-separated rows, `#` comments."""
    p = _Problem()
    section = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            section = line
            continue
        f = [x.strip() for x in line.split(",")]
        if section == "SECTION_HORIZON":
            p.horizon = int(f[0])
        elif section == "SECTION_SHIFTS":
            p.minutes[f[0]] = int(f[1])
            p.banned_next[f[0]] = {x for x in f[2].split("|") if x} if len(f) > 2 else set()
        elif section == "SECTION_STAFF":
            limits = {}
            for part in f[1].split("|"):
                if part:
                    sid, value = part.split("=")
                    limits[sid] = int(value)
            p.people[f[0]] = _Person(limits, *(int(x) for x in f[2:8]))
        elif section == "SECTION_DAYS_OFF":
            p.days_off.setdefault(f[0], set()).update(int(x) for x in f[1:] if x)
        elif section == "SECTION_SHIFT_ON_REQUESTS":
            p.on.append((f[0], int(f[1]), f[2], int(f[3])))
        elif section == "SECTION_SHIFT_OFF_REQUESTS":
            p.off.append((f[0], int(f[1]), f[2], int(f[3])))
        elif section == "SECTION_COVER":
            p.cover.append((int(f[0]), f[1], int(f[2]), int(f[3]), int(f[4])))
    return p


def read_solution(text: str) -> list[tuple[str, int, str]]:
    """`employee,day,shift` rows; a header row is optional."""
    rows = []
    for n, row in enumerate(csv.reader(io.StringIO(text))):
        if not row or not "".join(row).strip():
            continue
        if n == 0 and row[0].strip().lower() == "employee":
            continue
        if len(row) != 3:
            raise ValueError(f"line {n + 1}: expected employee,day,shift, got {row}")
        rows.append((row[0].strip(), int(row[1]), row[2].strip()))
    return rows


def _runs(worked: list[bool]) -> list[tuple[int, int, bool]]:
    """(first day, length, worked?) of each maximal run of worked days or days off."""
    out = []
    start = 0
    for d in range(1, len(worked) + 1):
        if d == len(worked) or worked[d] != worked[start]:
            out.append((start, d - start, worked[start]))
            start = d
    return out


def check(instance_text: str, roster: list[tuple[str, int, str]]) -> Report:
    """Every breach of a hard rule by `roster`, and its penalty."""
    p = parse_instance(instance_text)
    breaches: list[Breach] = []
    shift_on: dict[tuple[str, int], str] = {}
    for e, d, s in roster:
        if e not in p.people or s not in p.minutes or not 0 <= d < p.horizon:
            breaches.append(Breach("unknown", f"row {e},{d},{s}: unknown employee, day or shift"))
            continue
        if (e, d) in shift_on:
            breaches.append(
                Breach(
                    "one_shift", f"{e} has two shifts on day {d}: {shift_on[e, d]} and {s}", e, d
                )
            )
            continue
        shift_on[e, d] = s

    for e, person in p.people.items():
        days = [shift_on.get((e, d)) for d in range(p.horizon)]
        for d in sorted(p.days_off.get(e, ())):
            if d < p.horizon and days[d]:
                breaches.append(Breach("day_off", f"{e} works {days[d]} on day off {d}", e, d))
        for d in range(p.horizon - 1):
            s, t = days[d], days[d + 1]
            if s and t and t in p.banned_next.get(s, ()):
                breaches.append(
                    Breach("succession", f"{e}: {t} on day {d + 1} may not follow {s}", e, d + 1)
                )
        for sid, most in person.max_shifts.items():
            n = sum(1 for s in days if s == sid)
            if n > most:
                breaches.append(Breach("max_shifts", f"{e} works {n} {sid}, at most {most}", e))
        minutes = sum(p.minutes[s] for s in days if s)
        if minutes > person.max_minutes:
            breaches.append(
                Breach("max_minutes", f"{e} works {minutes} min, most {person.max_minutes}", e)
            )
        if minutes < person.min_minutes:
            breaches.append(
                Breach("min_minutes", f"{e} works {minutes} min, least {person.min_minutes}", e)
            )
        for first, length, worked in _runs([bool(s) for s in days]):
            exempt = first == 0 or first + length == p.horizon
            if worked and length > person.max_run:
                breaches.append(
                    Breach(
                        "max_consecutive",
                        f"{e} works {length} days from day {first}, at most {person.max_run}",
                        e,
                        first,
                    )
                )
            if worked and not exempt and length < person.min_run:
                breaches.append(
                    Breach(
                        "min_consecutive",
                        f"{e} works {length} days from day {first}, at least {person.min_run}",
                        e,
                        first,
                    )
                )
            if not worked and not exempt and length < person.min_off:
                breaches.append(
                    Breach(
                        "min_days_off",
                        f"{e} is off {length} days from day {first}, at least {person.min_off}",
                        e,
                        first,
                    )
                )
        weekends = sum(
            1
            for w in range(0, p.horizon, 7)
            if any(w + k < p.horizon and days[w + k] for k in (5, 6))
        )
        if weekends > person.max_weekends:
            breaches.append(
                Breach(
                    "max_weekends", f"{e} works {weekends} weekends, most {person.max_weekends}", e
                )
            )

    parts = dict.fromkeys(("on_requests", "off_requests", "cover_under", "cover_over"), 0)
    for e, d, s, w in p.on:
        if shift_on.get((e, d)) != s:
            parts["on_requests"] += w
    for e, d, s, w in p.off:
        if shift_on.get((e, d)) == s:
            parts["off_requests"] += w
    count: dict[tuple[int, str], int] = {}
    for (_, d), s in shift_on.items():
        count[d, s] = count.get((d, s), 0) + 1
    for d, s, need, under, over in p.cover:
        have = count.get((d, s), 0)
        parts["cover_under"] += under * max(0, need - have)
        parts["cover_over"] += over * max(0, have - need)
    return Report(sum(parts.values()), breaches, parts)


def check_files(instance: str | Path, solution: str | Path) -> Report:
    return check(
        Path(instance).read_text(encoding="utf-8"),
        read_solution(Path(solution).read_text(encoding="utf-8-sig")),
    )
