"""The fairness figures on the fixture week, counted by hand from `ui_fixture.week_roster`:
night slots (P01, N) and (P03, N) are worked Mon–Sat by cadres 3 and 9; cadre 4 works P01's
Sunday night and P03's Sunday night is left empty. Saturdays fall to cadres 1, 3, 5, 7, 9, 11,
Sundays to 2, 4, 6, 8, 12."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from roster import store
from roster.fairness import MEASURES, bins_of, distribution, fairness_report
from roster.service import ServiceRecord
from tests.factories import MONDAY, make_db


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "fair.db")


def test_nights_of_the_week(db):
    report = fairness_report(db, MONDAY)
    assert (report.start, report.end) == (MONDAY, MONDAY + dt.timedelta(days=6))
    assert len(report.records) == 16  # every cadre is active
    nights = report.distribution("nights")
    assert [(r.cadre.id, v) for r, v in nights.ranked[:3]] == [(3, 6), (9, 6), (4, 1)]
    assert nights.total == 13
    assert nights.mean == pytest.approx(13 / 16)
    assert (nights.median, nights.maximum, nights.zeros) == (0, 6, 13)
    assert nights.top_share == pytest.approx(12 / 13)  # the top 10 %: 2 of 16 cadres
    assert [(b.label, b.count) for b in nights.bins] == [
        ("0", 13), ("1", 1), ("2", 0), ("3", 0), ("4", 0), ("5", 0), ("6", 2),
    ]  # fmt: skip
    assert "13 of 16 cadres have none" in nights.summary()


def test_weekend_days_and_duties(db):
    report = fairness_report(db, MONDAY)
    weekend = report.distribution("weekend_days")
    assert {r.cadre.id for r, v in weekend.ranked if v == 1} == {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12}
    assert (weekend.total, weekend.zeros) == (11, 5)
    duties = report.distribution("shifts")
    assert duties.total == 6 * 6 + 5
    assert {r.cadre.id: v for r, v in duties.ranked}[10] == 0  # its Sunday was left empty


def test_commute_is_the_service_records(db):
    """The commute distribution sums the same round trips as `roster service`."""
    from roster.service import service_report

    report = fairness_report(db, MONDAY)
    commute = report.distribution("commute_km")
    service = service_report(db, MONDAY, MONDAY + dt.timedelta(days=6))
    assert commute.total == pytest.approx(sum(r.commute_km for r in service.records))
    assert commute.total > 0
    assert sum(b.count for b in commute.bins) == 16


def test_last_weeks_count_stored_weeks_and_name_the_missing(db):
    report = fairness_report(db, MONDAY + dt.timedelta(weeks=1), weeks=3)
    assert report.start == MONDAY - dt.timedelta(weeks=1)
    assert report.weeks == [MONDAY]
    assert report.missing_weeks == [MONDAY - dt.timedelta(weeks=1), MONDAY + dt.timedelta(weeks=1)]
    assert report.draft_weeks == [MONDAY]
    assert report.distribution("nights").total == 13
    with pytest.raises(ValueError, match="at least one week"):
        fairness_report(db, MONDAY, weeks=0)


def test_a_recalled_cadre_counts_only_if_they_served(db):
    db["cadres"].update(16, {"status": "recalled"})  # cadre 16 has no duty
    db["cadres"].update(1, {"status": "recalled"})  # cadre 1 served Mon–Sat
    ids = {r.cadre.id for r in fairness_report(db, MONDAY).records}
    assert 16 not in ids and 1 in ids and len(ids) == 15


def test_district_passed_in_gives_the_same_figures(db):
    district = store.load_district(db)
    a = fairness_report(db, MONDAY).distribution("commute_km")
    b = fairness_report(db, MONDAY, district=district).distribution("commute_km")
    assert a.total == b.total and [x.count for x in a.bins] == [x.count for x in b.bins]


@settings(deadline=None)
@example(values=[1.0], key="commute_km")  # 1.0 // 0.1 is 9.0 in floating point
@example(values=[0.3, 39.96, 0.0], key="commute_km")
@example(values=[0.05], key="commute_km")  # shown as 0.1: round(0.5) would say 0
@given(
    st.lists(st.floats(min_value=0, max_value=5000, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from(sorted(MEASURES)),
)
def test_every_cadre_falls_in_exactly_one_bin(values, key):
    measure = MEASURES[key]
    if measure.integer:
        values = [float(round(v) % 40) for v in values]
    bins = bins_of(values, measure)
    assert sum(b.count for b in bins) == len(values)
    assert all(b.low < b.high for b in bins)
    for v in values:
        shown = round(v) if measure.integer else round(v, 1)  # binned as shown
        assert sum(1 for b in bins if b.low <= shown < b.high) == 1
    assert len(bins) <= 13


def test_count_bins_name_their_last_whole_number():
    """Nights 0..19 in ranges of two: "0–1", "2–3", …; a cadre with 2 nights is in "2–3"."""
    bins = bins_of([float(v) for v in range(20)], MEASURES["nights"])
    assert [b.label for b in bins[:3]] == ["0–1", "2–3", "4–5"]
    assert all(b.count == 2 for b in bins)


def test_commute_is_binned_as_shown_and_all_zero_is_one_bar():
    """39.96 km is shown as 40.0 km, so it is counted from 40, not in "35–40"."""
    bins = bins_of([0.0, 39.96, 80.0], MEASURES["commute_km"])
    at_40 = next(b for b in bins if b.low <= 40 < b.high)
    assert at_40.count == 1 and at_40.label.startswith("40")
    assert [(b.label, b.count) for b in bins_of([0.0, 0.0], MEASURES["commute_km"])] == [
        ("0.0 km", 2)
    ]


def test_a_half_way_median_keeps_its_half(db):
    cadres = list(store.load_district(db).cadres.values())[:4]
    records = [ServiceRecord(c, "", nights=n) for c, n in zip(cadres, [0, 0, 1, 3], strict=True)]
    dist = distribution(records, MEASURES["nights"])
    assert dist.median == 0.5 and "median 0.5," in dist.summary()
