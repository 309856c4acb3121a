"""Fairness: how evenly nights, weekend days, commutes and duties fall across the cadres, in
one week or over the last N weeks, so a coordinator sees at a glance who carries more.

Counted from the stored rosters through the service records (`roster.service`), so the
fairness view, `roster service` and the solver's night count agree on every number. The
cadres counted are those on active status plus anyone else who served in the period; a cadre
with no duty counts as a zero (the summary says how many there are).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from roster.domain import District, week_start
from roster.i18n import N_, _
from roster.service import ServiceRecord, service_report


@dataclass(frozen=True)
class Measure:
    key: str
    noun: str  # "nights": what is counted, plural (English, marked N_; `label` translates it)
    suffix: str  # after a value: "" or " km" (English, marked N_; `unit` translates it)
    get: Callable[[ServiceRecord], float]
    integer: bool = True

    @property
    def label(self) -> str:
        """What is counted, in the current language: "nights" / "夜班"."""
        return _(self.noun)

    @property
    def unit(self) -> str:
        """Shown after a value, in the current language: "" or " km" / "公里"."""
        return _(self.suffix) if self.suffix else ""

    def show(self, value: float) -> str:
        return f"{value:.0f}{self.unit}" if self.integer else f"{value:.1f}{self.unit}"


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("nights", N_("nights"), "", lambda r: r.nights),
        Measure("weekend_days", N_("weekend days"), "", lambda r: r.weekend_days),
        Measure("commute_km", N_("commute"), N_(" km"), lambda r: r.commute_km, integer=False),
        Measure("shifts", N_("duties"), "", lambda r: r.shifts),
    )
}


@dataclass(frozen=True)
class Bin:
    low: float  # inclusive
    high: float  # exclusive (inclusive for an integer bin of width 1: low == high - 1)
    label: str
    count: int


@dataclass
class Distribution:
    measure: Measure
    ranked: list[tuple[ServiceRecord, float]]  # most first, then by cadre code
    bins: list[Bin]
    total: float
    mean: float
    median: float
    maximum: float
    zeros: int  # cadres with none of it
    top_share: float  # share of the total carried by the top 10 % of cadres (0 if none)

    @property
    def cadres(self) -> int:
        return len(self.ranked)

    def _median(self) -> str:
        """A half-way median of whole numbers (an even count of cadres) keeps its .5."""
        m = self.measure
        if m.integer and self.median != int(self.median):
            return f"{self.median:.1f}{m.unit}"
        return m.show(self.median)

    def summary(self) -> str:
        m = self.measure
        if not self.ranked:
            return _("{measure}: no cadre counted").format(measure=m.label)
        text = _(
            "{measure}: total {total}, mean {mean:.2f}{unit}, median {median}, most {most}; "
            "{zeros} of {cadres} cadres have none"
        ).format(
            measure=m.label,
            total=m.show(self.total),
            mean=self.mean,
            unit=m.unit,
            median=self._median(),
            most=m.show(self.maximum),
            zeros=self.zeros,
            cadres=self.cadres,
        )
        if self.total > 0:
            text += _("; the top 10 % carry {share:.0%}").format(share=self.top_share)
        return text


@dataclass
class FairnessReport:
    start: dt.date
    end: dt.date
    records: list[ServiceRecord]
    weeks: list[dt.date] = field(default_factory=list)  # Mondays with a stored roster
    draft_weeks: list[dt.date] = field(default_factory=list)
    missing_weeks: list[dt.date] = field(default_factory=list)

    def distribution(self, key: str, most: int = 12) -> Distribution:
        return distribution(self.records, MEASURES[key], most)

    def period(self) -> str:
        return f"{self.start} – {self.end}"


def _nice_width(span: float, bins: int) -> float:
    """The smallest of 1, 2, 5 × 10^k at least span / bins."""
    raw = max(span / bins, 1e-9)
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if step * power >= raw - 1e-12:
            return step * power
    return 10 * power


def bins_of(values: list[float], measure: Measure, most: int = 12) -> list[Bin]:
    """Counts of cadres per value (integers with few values) or per range of `nice` width;
    every cadre falls in exactly one bin. Values are binned as shown (commute to 0.1 km, in
    whole tenths, so no rounding error moves a cadre), so a cadre shown at 40.0 km is in
    the bin from 40, not below it."""
    if not values:
        return []
    scale = 1 if measure.integer else 10
    # whole units, or whole tenths of a km rounded as the table shows them (0.05 → 0.1)
    shown = [round(v) if measure.integer else round(round(v, 1) * 10) for v in values]
    top = max(shown)
    if measure.integer and top < most:
        return [
            Bin(v, v + 1, measure.show(v), sum(1 for x in shown if x == v)) for v in range(top + 1)
        ]
    if top == 0:
        return [Bin(0, 1 / scale, measure.show(0), len(shown))]
    nice = _nice_width(top / scale, most - 1) * scale
    width = max(1, math.ceil(nice - 1e-9) if measure.integer else round(nice))
    per_bin = Counter(x // width for x in shown)
    out = []
    for i in range(top // width + 1):
        low, high = i * width / scale, (i + 1) * width / scale
        if measure.integer:  # whole numbers: say the last one in the bin, not the next
            label = f"{low:g}–{high - 1:g}" if width > 1 else f"{low:g}"
        else:
            label = f"{low:g}–{high:g}"
        out.append(Bin(low, high, label, per_bin.get(i, 0)))
    return out


def distribution(records: list[ServiceRecord], measure: Measure, most: int = 12) -> Distribution:
    """The cadres ranked by `measure`, most first, in at most about `most` bins."""
    ranked = sorted(
        ((r, float(measure.get(r))) for r in records), key=lambda rv: (-rv[1], rv[0].cadre.code)
    )
    values = [v for _r, v in ranked]
    total = sum(values)
    top_n = math.ceil(len(values) / 10)
    return Distribution(
        measure=measure,
        ranked=ranked,
        bins=bins_of(values, measure, most),
        total=total,
        mean=total / len(values) if values else 0.0,
        median=statistics.median(values) if values else 0.0,
        maximum=values[0] if values else 0.0,
        zeros=sum(1 for v in values if v == 0),
        top_share=sum(values[:top_n]) / total if total > 0 else 0.0,
    )


def fairness_report(
    db: sqlite_utils.Database,
    monday: dt.date,
    weeks: int = 1,
    *,
    district: District | None = None,
) -> FairnessReport:
    """The week of `monday` (weeks=1) or the `weeks` weeks ending with it."""
    if weeks < 1:
        raise ValueError(_("count at least one week, not {weeks}").format(weeks=weeks))
    last = week_start(monday)
    start = last - dt.timedelta(weeks=weeks - 1)
    end = last + dt.timedelta(days=6)
    report = service_report(db, start, end, district=district)
    counted = [r for r in report.records if r.cadre.status == "active" or r.shifts > 0]
    return FairnessReport(
        start=start,
        end=end,
        records=counted,
        weeks=report.weeks,
        draft_weeks=report.draft_weeks,
        missing_weeks=report.missing_weeks,
    )
