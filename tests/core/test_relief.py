"""Relief requests: ranked options, the checker's verdict on each, apply, messages, CLI.

Hand-made districts (tests/solver_factory.py) where the minimal answer is known; every
option offered is judged again by the whole-week checker here, not only by relief.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from dataclasses import replace

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roster import relief, store
from roster.access import NotAllowed, access_for, add_user
from roster.cli import cli
from roster.domain import Absence, Assignment, District, Roster, UnitDay
from roster.edits import breach_key
from roster.solver import solve_week
from roster.solver.checker import check_roster
from tests.factories import MONDAY, cadre, day, demand, district, post, small_week

A = Assignment


def week_roster(assignments: list[Assignment], status: str = "draft") -> Roster:
    return Roster(1, MONDAY, status, 1, {}, list(assignments))


def whole_week_ok(d: District, roster: Roster, option: relief.ReliefOption, history=()) -> list:
    """The whole-week checker on the roster after the option, with the absence recorded:
    no breach it did not have, coverage short only where the option says so."""
    absence = Absence(-1, option.cadre_id, option.start, option.end, "sick")
    checked = replace(d, absences=[*d.absences, absence])
    new = relief.apply_changes(roster.assignments, option)
    locks = [
        a
        for a in roster.assignments
        if a.locked and not (a.cadre_id == option.cadre_id and option.start <= a.date <= option.end)
    ]
    before = check_roster(checked, MONDAY, roster.assignments, history, locks=locks)
    after = check_roster(checked, MONDAY, new, history, locks=locks)
    known = {breach_key(b) for b in before if b.rule != "coverage"}
    short_before = {(b.post_id, b.date, b.shift_code) for b in before if b.rule == "coverage"}
    named = {(u.post_id, u.date, u.shift_code) for u in option.uncovered}
    bad = [b for b in after if b.rule != "coverage" and breach_key(b) not in known]
    bad += [
        b
        for b in after
        if b.rule == "coverage" and (b.post_id, b.date, b.shift_code) not in named | short_before
    ]
    return bad


# --- hand-made cases ---------------------------------------------------------------------


def colleague_or_neighbour() -> tuple[District, Roster]:
    """Post 1: cadre 1 works Mon-Thu, cadre 2 Fri-Sun (one day shift a day). Post 2, 2 km
    away: cadres 3 and 4, both on duty on Tuesday (one more than needed)."""
    d = district(
        [post(1), post(2, north_km=2)],
        [cadre(i) for i in range(1, 5)],
        demand(1) + demand(2),
    )
    week = [A(day(i), 1, 1, "D") for i in range(4)] + [A(day(i), 2, 1, "D") for i in (4, 5, 6)]
    week += [A(day(i), 3, 2, "D") for i in range(4)] + [A(day(i), 4, 2, "D") for i in (1, 4, 5, 6)]
    return d, week_roster(week)


def test_a_resting_colleague_at_the_same_post_beats_a_neighbours_move():
    d, roster = colleague_or_neighbour()
    options = relief.relief_options(d, roster, 1, day(1), day(1))
    best = options[0]
    assert best.disturbed == (2,) and best.kind in ("swap", "take_over") and best.complete
    kinds = [o.kind for o in options]
    assert "lend" in kinds  # the neighbour's move is offered, below the colleague
    lend = options[kinds.index("lend")]
    assert lend.disturbed in ((3,), (4,)) and lend.cost > best.cost
    assert lend.cost_terms["continuity"] == d.settings.weight_continuity
    assert any(e.rule == "continuity" for e in lend.worsened)
    assert [o.rank for o in options] == list(range(1, len(options) + 1))
    for option in options:
        assert whole_week_ok(d, roster, option) == [], option.summary


def test_swap_gives_the_absent_cadre_a_day_of_the_colleague_in_return():
    d, roster = colleague_or_neighbour()
    [swap] = [o for o in relief.relief_options(d, roster, 1, day(1), day(1)) if o.kind == "swap"]
    added = {(c.cadre_id, c.date) for c in swap.added}
    removed = {(c.cadre_id, c.date) for c in swap.removed}
    assert (2, day(1)) in added and (1, day(1)) in removed
    [(back_day)] = [dd for c, dd in added if c == 1]
    assert (2, back_day) in removed and back_day not in (day(1),)
    assert swap.cost_terms.get("workload", 0) == 0  # a trade: nobody works more
    take = [o for o in relief.relief_options(d, roster, 1, day(1), day(1)) if o.kind == "take_over"]
    assert take and take[0].cost_terms["workload"] == d.settings.weight_fairness


def test_fewest_people_first_one_reserve_beats_two_cheaper_people():
    """Three days away: the colleague can take two of them (four days already), the reserve
    cadre 5 km away all three. Two people would cost less; one person comes first."""
    d = district([post(1)], [cadre(1), cadre(2), cadre(9, north_km=5)], demand(1))
    d.absences.append(Absence(1, 1, day(3), day(6), "training"))  # no trade back possible
    d.reindex()
    week = [A(day(i), 1, 1, "D") for i in range(3)] + [A(day(i), 2, 1, "D") for i in range(3, 7)]
    roster = week_roster(week)
    options = relief.relief_options(d, roster, 1, day(0), day(2))
    best = options[0]
    assert best.disturbed == (9,) and best.kind == "reserve" and best.complete
    pairs = [o for o in options if len(o.disturbed) == 2]
    assert pairs and all(o.complete for o in pairs)
    assert min(o.cost for o in pairs) < best.cost  # cheaper, yet ranked after
    assert options.index(pairs[0]) > 0
    for option in options:
        assert whole_week_ok(d, roster, option) == []


def test_nothing_covers_and_says_why():
    """Cadre 2 already works six days: a seventh would leave no day off; cadre 1 is away
    the rest of the week, so no trade either."""
    d = district([post(1)], [cadre(1), cadre(2)], demand(1))
    d.absences.append(Absence(1, 1, day(1), day(6), "training"))
    d.reindex()
    week = [A(day(0), 1, 1, "D")] + [A(day(i), 2, 1, "D") for i in range(1, 7)]
    roster = week_roster(week)
    [option] = relief.relief_options(d, roster, 1, day(0), day(0))
    assert not option.complete and option.disturbed == ()
    [u] = option.uncovered
    assert (u.post_id, u.date, u.shift_code) == (1, day(0), "D")
    assert "within commute of 测试村1" in u.why and "no day off" in u.why
    assert option.cost_terms["unmet"] == d.settings.weight_unmet
    assert whole_week_ok(d, roster, option) == []


def test_options_are_told_in_chinese_and_kept_in_english(chinese):
    d, roster = colleague_or_neighbour()
    options = relief.relief_options(d, roster, 1, day(1), day(1))
    take = next(o for o in options if o.kind == "take_over")
    assert take.summary == "同值守点当天轮休的干部2 (G0002)接12月8日 周二 测试村1 白班"
    assert take.to_json()["summary"] == (
        "干部2 (G0002) of the same post, resting then, takes Tue 12-08 白班 at 测试村1"
    )
    assert [e.detail for e in take.worsened] == ["干部2的班次由 3 个增至 4 个"]
    assert take.to_json()["worsened"][0]["detail"] == "干部2 works 4 shifts instead of 3"
    with pytest.raises(relief.ReliefError, match="最后一天 2026-12-07 早于第一天 2026-12-10"):
        relief.relief_options(d, roster, 1, day(3), day(0))


def test_nobody_within_commute_is_said_so():
    d = district([post(1)], [cadre(1), cadre(2, north_km=80, max_km=25)], demand(1))
    roster = week_roster([A(day(0), 1, 1, "D")])
    [option] = relief.relief_options(d, roster, 1, day(0), day(0))
    assert option.uncovered[0].why == "no other cadre lives within commute of 测试村1"


def test_the_re_solve_is_the_last_resort_for_a_chain():
    """Cadre 2 works Tue-Sun and cannot add Monday (no day off left); cadre 3 is away on
    Monday. Only a chain covers: 2 takes Monday and gives one of their days to 3."""
    d = district([post(1)], [cadre(1), cadre(2), cadre(3)], demand(1))
    d.absences += [Absence(1, 1, day(1), day(6), "training"), Absence(2, 3, day(0), day(0), "sick")]
    d.reindex()
    week = [A(day(0), 1, 1, "D")] + [A(day(i), 2, 1, "D") for i in range(1, 7)]
    roster = week_roster(week)
    options = relief.relief_options(d, roster, 1, day(0), day(0))
    best = options[0]
    assert best.kind == "resolve" and best.complete
    assert best.disturbed == (2, 3)
    assert whole_week_ok(d, roster, best) == []
    assert relief.relief_options(d, roster, 1, day(0), day(0), resolve=False)[0].uncovered


def test_an_over_staffed_shift_needs_nobody():
    d = district([post(1)], [cadre(1), cadre(2)], demand(1))
    roster = week_roster([A(day(0), 1, 1, "D"), A(day(0), 2, 1, "D")])
    [option] = relief.relief_options(d, roster, 1, day(0), day(0))
    assert option.kind == "nothing_to_cover" and option.complete
    assert [c.cadre_id for c in option.removed] == [1]


def test_a_cadre_with_no_duty_in_the_span_has_nothing_to_cover():
    d, roster = colleague_or_neighbour()
    [option] = relief.relief_options(d, roster, 2, day(0), day(1))
    assert option.kind == "nothing_to_cover" and option.changes == ()


def test_bad_requests_say_what_to_fix():
    d, roster = colleague_or_neighbour()
    with pytest.raises(relief.ReliefError, match="swap --from and --to"):
        relief.relief_options(d, roster, 1, day(2), day(1))
    with pytest.raises(relief.ReliefError, match="not within the roster's week"):
        relief.relief_options(d, roster, 1, day(5), day(8))
    with pytest.raises(relief.ReliefError, match="no cadre with id 99"):
        relief.relief_options(d, roster, 99, day(1), day(1))
    with pytest.raises(relief.ReliefError, match="no cadre with code or name"):
        relief.find_cadre(d, "nobody")


def test_night_shift_and_rest_hours_are_respected():
    """A night-shift cadre cannot take the next morning's day shift; a cadre who may not
    work nights is never offered a night."""
    d = district(
        [post(1)],
        [cadre(1), cadre(2), cadre(3, night_ok=False), cadre(4)],
        demand(1, day_shifts=1, night_shifts=1),
    )
    week = [A(day(i), 1, 1, "D") for i in range(3)] + [A(day(i), 2, 1, "N") for i in range(6)]
    week += [A(day(i), 3, 1, "D") for i in range(3, 7)] + [A(day(6), 4, 1, "N")]
    roster = week_roster(week)
    options = relief.relief_options(d, roster, 2, day(1), day(1))  # night of Tuesday
    for option in options:
        assert all(c.cadre_id != 3 for c in option.added)
        assert whole_week_ok(d, roster, option) == []
    assert options[0].complete and options[0].disturbed == (4,)


def test_a_cadre_on_an_over_staffed_shift_changes_shift():
    d = district([post(1)], [cadre(1), cadre(2), cadre(3)], demand(1, night_shifts=1))
    week = [A(day(1), 1, 1, "N"), A(day(1), 2, 1, "D"), A(day(1), 3, 1, "D")]
    roster = week_roster(week)
    options = relief.relief_options(d, roster, 1, day(1), day(1))
    best = options[0]
    assert best.kind == "shift_change" and best.complete and len(best.disturbed) == 1
    [moved] = best.disturbed
    assert {(c.action, c.cadre_id, c.shift_code) for c in best.changes} == {
        ("remove", 1, "N"),
        ("remove", moved, "D"),
        ("add", moved, "N"),
    }
    for option in options:
        assert whole_week_ok(d, roster, option) == []


def sunday_night_to_cover() -> tuple[District, Roster, list[Assignment]]:
    """Post 1, a night shift a day: cadre 1 works Mon-Thu and Sunday, cadre 2 (the only
    other cadre) Fri and Sat. The next week, already rostered, starts with cadre 2 on a
    day shift on Monday morning."""
    d = district([post(1)], [cadre(1), cadre(2)], demand(1, day_shifts=0, night_shifts=1))
    week = [A(day(i), 1, 1, "N") for i in (0, 1, 2, 3, 6)] + [A(day(i), 2, 1, "N") for i in (4, 5)]
    next_week = [A(day(7), 2, 1, "D")]
    return d, week_roster(week), next_week


def test_an_option_never_breaks_rest_into_the_next_rostered_week():
    d, roster, next_week = sunday_night_to_cover()
    alone = relief.relief_options(d, roster, 1, day(6), day(6))
    assert any(c.cadre_id == 2 and c.date == day(6) for o in alone for c in o.added)
    options = relief.relief_options(d, roster, 1, day(6), day(6), history=next_week)
    assert not any(c.cadre_id == 2 and c.date == day(6) for o in options for c in o.added)
    [option] = options  # only the shift left uncovered, and why
    assert [u.date for u in option.uncovered] == [day(6)]
    assert "rest hours" in option.uncovered[0].why
    for option in options:
        assert whole_week_ok(d, roster, option, history=next_week) == []


def test_a_unit_is_never_put_above_its_quota():
    """Cadre 2 rests on Tuesday at post 1, cadre 4 is in reserve nearby; cadre 2's unit 2
    spares one cadre on Tuesdays, and cadre 3 of that unit is already on duty at post 2."""
    cadres = [cadre(1), cadre(2, unit=2), cadre(3, unit=2), cadre(4, unit=3, north_km=3)]
    d = district([post(1), post(2, north_km=2)], cadres, demand(1) + demand(2),
                 unit_days=[UnitDay(2, 2, 1)])  # fmt: skip
    week = [A(day(i), 1, 1, "D") for i in range(4)] + [A(day(i), 2, 1, "D") for i in (4, 5, 6)]
    week += [A(day(i), 3, 2, "D") for i in range(7) if i != 3]
    roster = week_roster(week)
    options = relief.relief_options(d, roster, 1, day(1), day(1))
    assert options and options[0].complete
    assert not any(c.cadre_id == 2 and c.date == day(1) for o in options for c in o.added)
    assert any(o.disturbed == (4,) for o in options)
    for option in options:
        assert whole_week_ok(d, roster, option) == [], option.summary


# --- the checker on generated districts ------------------------------------------------------


@st.composite
def coverable_week(draw):
    """Posts a few km apart and more cadres than they need, nights for some: the solved
    roster leaves rest days, reserve cadres and (with a few extra shifts) over-staffing,
    so every kind of option turns up."""
    from roster.domain import Demand

    n_posts = draw(st.integers(1, 3))
    posts = [post(i, north_km=draw(st.floats(0, 8)), group=1) for i in range(1, n_posts + 1)]
    cadres = [
        cadre(
            i,
            north_km=draw(st.floats(0, 10)),
            max_km=draw(st.sampled_from([3.0, 15.0, 25.0, 40.0])),
            night_ok=draw(st.integers(0, 3)) > 0,
            party=draw(st.booleans()),
        )
        for i in range(1, draw(st.integers(3, 10)) + 1)
    ]
    demands = []
    for p in posts:
        for wd in range(1, 8):
            for s, most in (("D", 2), ("N", 1)):
                n = draw(st.integers(0, most))
                if n:
                    demands.append(Demand(p.id, s, wd, n))
    absences = []
    for c in cadres:
        if draw(st.integers(0, 4)) == 0:
            first = draw(st.integers(-2, 6))
            absences.append(
                Absence(
                    len(absences) + 1, c.id, day(first), day(draw(st.integers(first, 8))), "sick"
                )
            )
    history = []
    for c in cadres:
        for k in range(draw(st.integers(0, 6))):
            shift = "N" if k == 0 and c.night_ok and draw(st.booleans()) else "D"
            history.append(Assignment(day(-1 - k), c.id, posts[0].id, shift))
    return district(posts, cadres, demands, absences), history


def over_staff(d: District, assignments: list[Assignment], history, extra) -> list[Assignment]:
    """Add the extra (cadre, day, post, shift) duties that keep every hard rule."""
    out = list(assignments)
    for c, i, p, s in extra:
        trial = [*out, Assignment(day(i), c, p, s)]
        mine = [a for a in trial if a.cadre_id == c]
        if c in d.cadres and not check_roster(d, MONDAY, mine, history, coverage=False):
            out = trial
    return out


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(small_week(), coverable_week()), st.data())
def test_every_option_offered_passes_the_whole_week_checker(case, data):
    d, history = case
    result = solve_week(d, MONDAY, history=history, time_limit=1.0, num_workers=1)
    extra = data.draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(d.cadres)), st.integers(0, 6),
                      st.sampled_from(sorted(d.posts)), st.sampled_from(["D", "N"])),
            min_size=1, max_size=4,
        )
    )  # fmt: skip
    assignments = over_staff(d, result.assignments, history, extra)
    locked = data.draw(st.sets(st.integers(0, max(0, len(assignments) - 1)), max_size=3))
    assignments = [replace(a, locked=i in locked) for i, a in enumerate(assignments)]
    roster = week_roster(assignments)
    on_duty = sorted({a.cadre_id for a in assignments}) or sorted(d.cadres)
    who = data.draw(st.sampled_from(on_duty))
    duty = sorted({(a.date - MONDAY).days for a in assignments if a.cadre_id == who})
    first = data.draw(st.sampled_from(duty or [0]))
    last = data.draw(st.integers(first, min(6, first + 2)))
    options = relief.relief_options(d, roster, who, day(first), day(last), history=history)
    assert options
    for option in options:
        assert whole_week_ok(d, roster, option, history) == [], option.summary
        assert all(c.source == "relief" for c in option.added)
        assert not any(a.locked for a in roster.assignments if a.cadre_id != who
                       and (a.date, a.cadre_id, a.post_id, a.shift_code) in
                       {c.key for c in option.removed})  # fmt: skip
    keys = [o.sort_key() for o in options]
    assert keys == sorted(keys)
    if not any(o.kind == "resolve" for o in options):  # (the re-solve is a timed search)
        fewer = relief.relief_options(d, roster, who, day(first), day(last), history=history,
                                      limit=3)  # fmt: skip
        changes = [frozenset(c.key for c in o.changes) for o in fewer]
        assert changes == [frozenset(c.key for c in o.changes) for o in options[:3]]


# --- apply, in a database --------------------------------------------------------------------


def save_district(db, d: District) -> None:
    """Write a hand-made district into a fresh database (ids kept)."""
    db["towns"].insert_all(
        {"id": t.id, "name": t.name, "kind": t.kind, "lat": t.lat, "lon": t.lon}
        for t in d.towns.values()
    )
    db["units"].insert_all({"id": u.id, "name": u.name} for u in d.units.values())
    db["work_groups"].insert_all({"id": g.id, "name": g.name} for g in d.work_groups.values())
    db["shift_types"].insert_all(
        {"code": s.code, "name": s.name, "start": s.start, "end": s.end} for s in d.shifts.values()
    )
    db["posts"].insert_all(
        {"id": p.id, "code": p.code, "name": p.name, "kind": p.kind, "town_id": p.town_id,
         "work_group_id": p.work_group_id, "lat": p.lat, "lon": p.lon, "address": p.address}
        for p in d.posts.values()
    )  # fmt: skip
    db["cadres"].insert_all(
        {"id": c.id, "code": c.code, "name": c.name, "gender": c.gender,
         "birth_date": c.birth_date.isoformat(), "unit_id": c.unit_id, "phone": c.phone,
         "party_member": int(c.party_member), "home_lat": c.home_lat, "home_lon": c.home_lon,
         "transport": c.transport, "max_commute_km": c.max_commute_km,
         "night_ok": int(c.night_ok), "status": c.status}
        for c in d.cadres.values()
    )  # fmt: skip
    db["demand"].insert_all(
        {"post_id": x.post_id, "shift_code": x.shift_code, "weekday": x.weekday,
         "required": x.required, "date": x.date.isoformat() if x.date else None}
        for x in d.demand
    )  # fmt: skip


@pytest.fixture
def db(tmp_path):
    d, roster = colleague_or_neighbour()
    d.posts[1] = replace(d.posts[1], address="怀柔区测试镇测试村1号")
    d.cadres[2] = replace(d.cadres[2], name="田在国", phone="13900000002")
    d.cadres[1] = replace(d.cadres[1], name="王金宝", phone="13900000001")
    path = tmp_path / "r.db"
    db = store.open_db(path)
    save_district(db, d)
    store.save_roster(db, MONDAY, roster.assignments, actor="test")
    db.path_for_tests = path
    return db


TUESDAY = day(1)


def options_in(db, cadre_id=1, first=TUESDAY, last=TUESDAY, **kw):
    d = store.load_district(db)
    roster = store.get_roster(db, MONDAY)
    return relief.relief_options(
        d, roster, cadre_id, first, last, history=store.history(db, MONDAY), **kw
    )


def test_apply_writes_one_transaction_and_the_week_stays_valid(db):
    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    done = relief.apply_option(db, (1, day(1), day(1), "sick"), option, "boss")
    db.conn.set_trace_callback(None)
    writes = [
        i for i, s in enumerate(statements)
        if s.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]  # fmt: skip
    begins = [i for i, s in enumerate(statements) if s.upper().startswith("BEGIN")]
    commits = [i for i, s in enumerate(statements) if s.upper().startswith("COMMIT")]
    assert len(begins) == 1 and len(commits) == 1 and statements[begins[0]] == "BEGIN IMMEDIATE"
    assert begins[0] < min(writes) and max(writes) < commits[0]

    roster = store.get_roster(db, MONDAY)
    assert roster.version == 2 and done.roster_version == 2 and not done.published
    mine = {(a.cadre_id, a.date): a for a in roster.assignments}
    assert (1, day(1)) not in mine and mine[2, day(1)].source == "relief"
    d = store.load_district(db)
    assert any(a.cadre_id == 1 and a.kind == "sick" and a.start_date == day(1) for a in d.absences)
    assert check_roster(d, MONDAY, roster.assignments, store.history(db, MONDAY)) == []
    [request] = store.relief_requests(db)
    assert request.status == "settled" and request.id == done.request_id
    resolution = json.loads(request.resolution)
    assert resolution["option"]["kind"] == "take_over" and resolution["roster_version"] == 2
    actions = [e.action for e in store.audit_entries(db, limit=5)]
    assert actions[:2] == ["relief.settle", "relief.request"] and "relief.apply" in actions


def test_a_failure_half_way_writes_nothing(db, monkeypatch):
    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    rid = relief.record_request(db, 1, day(1), day(1), "sick")
    real = store.add_audit

    def boom(db_, action, *args, **kw):
        if action == "relief.settle":
            raise RuntimeError("disk full")
        return real(db_, action, *args, **kw)

    monkeypatch.setattr(store, "add_audit", boom)
    with pytest.raises(RuntimeError):
        relief.apply_option(db, rid, option, "boss")
    assert store.get_roster(db, MONDAY).version == 1
    assert store.relief_requests(db)[0].status == "open"
    assert db["absences"].count == 0


def test_a_stale_option_is_refused(db):
    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    roster = store.get_roster(db, MONDAY)
    store.save_roster(
        db, MONDAY, roster.assignments, expected_version=roster.version, actor="zhang"
    )
    with pytest.raises(store.StaleRoster, match=r"changed by zhang at \d\d-\d\d \d\d:\d\d"):
        relief.apply_option(db, (1, day(1), day(1), ""), option, "boss")
    assert store.relief_requests(db) == []  # the refused apply left no open request


def test_an_option_of_a_district_changed_since_is_refused(db):
    """A recall recorded by someone else between computing the options and applying one:
    the apply is refused, naming the change, and writes nothing."""
    seen = store.district_version(db)
    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    other = store.open_db(db.path_for_tests, create=False)
    relief.recall(other, "G0003", day(3), "discipline", actor="li")
    other.close()
    with pytest.raises(store.DistrictChanged, match=r"changed while you worked \(.*by li"):
        relief.apply_option(db, (1, day(1), day(1), ""), option, "boss", district_version=seen)
    assert store.get_roster(db, MONDAY).version == 1
    assert [r.cadre_id for r in store.relief_requests(db)] == [3]  # the recall's, no other
    # rebasing, the option is judged again on the district as it is now: untouched by the
    # recall of cadre 3, it goes through
    done = relief.apply_option(
        db, (1, day(1), day(1), ""), option, "boss", district_version=seen, rebase=True
    )
    assert done.roster_version == 2


def test_cli_apply_is_refused_when_the_district_changed_while_computing(db, monkeypatch):
    """The cadre taking over is recalled between the options and the apply."""
    real = relief.relief_options

    def and_a_recall_meanwhile(*args, **kw):
        options = real(*args, **kw)
        assert options[0].disturbed == (2,)
        other = store.open_db(db.path_for_tests, create=False)
        relief.recall(other, "G0002", day(1), "discipline", actor="li")
        other.close()
        return options

    monkeypatch.setattr(relief, "relief_options", and_a_recall_meanwhile)
    result = run(db, "relief", "G0001", "--from", "2026-12-08", "--to", "2026-12-08",
                 "--apply", "1")  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "changed while you worked" in result.output and "by li" in result.output
    assert store.get_roster(db, MONDAY).version == 1


def test_cli_relief_sees_the_next_rostered_week(tmp_path):
    d, roster, next_week = sunday_night_to_cover()
    db = store.open_db(tmp_path / "r.db")
    save_district(db, d)
    store.save_roster(db, MONDAY, roster.assignments, actor="test")
    store.save_roster(db, day(7), next_week, actor="test")
    db.path_for_tests = tmp_path / "r.db"
    result = run(db, "relief", "G0001", "--from", "2026-12-13", "--to", "2026-12-13", "--json")
    assert result.exit_code == 0, result.output
    added = [c for o in json.loads(result.output)["options"] for c in o["changes"]
             if c["action"] == "add"]  # fmt: skip
    assert added == []


def test_a_request_on_a_published_week_is_marked_as_a_change_to_it(db):
    store.publish_roster(db, MONDAY)
    option = options_in(db)[0]
    assert option.published
    done = relief.apply_option(db, (1, day(1), day(1), "family"), option, "boss")
    assert done.published
    roster = store.get_roster(db, MONDAY)
    assert roster.status == "published"
    entries = {e.action: json.loads(e.details) for e in store.audit_entries(db, limit=10)}
    marked = entries["relief.published"]
    assert marked["week"] == MONDAY.isoformat() and marked["request"] == done.request_id
    cells = {(c["date"], c["shift"]): c for c in marked["cells"]}
    assert cells[day(1).isoformat(), "D"]["removed"] == ["G0001"]
    assert cells[day(1).isoformat(), "D"]["added"] == ["G0002"]
    assert all(
        a.source == "relief" for a in roster.assignments if a.cadre_id == 2 and a.date == day(1)
    )


def test_town_coordinators_settle_only_in_their_towns(db):
    db["towns"].insert({"id": 2, "name": "渤海镇", "kind": "town", "lat": 40.4, "lon": 116.5})
    boss = access_for(db, "boss")
    add_user(db, "boss", "district", [], boss)
    add_user(db, "other", "town", ["渤海镇"], access_for(db, "boss"))
    option = options_in(db)[0]
    with pytest.raises(NotAllowed, match="镇1"):
        relief.apply_option(db, (1, day(1), day(1), ""), option, "other")
    [refused] = store.audit_entries(db, actor="other", limit=1)
    assert refused.action == "refused"
    assert store.get_roster(db, MONDAY).version == 1
    add_user(db, "mine", "town", ["镇1"], access_for(db, "boss"))
    relief.apply_option(db, (1, day(1), day(1), ""), option, "mine")
    assert store.get_roster(db, MONDAY).version == 2


def test_messages_tell_each_changed_person_their_new_week(db):
    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    messages = {m.name: m for m in relief.messages_for(option)}
    assert set(messages) == {"王金宝", "田在国"}
    tian = messages["田在国"]
    assert tian.phone == "13900000002"
    assert tian.text == (
        "田在国同志：您12月7日至13日的值班安排有调整，现为：镇1测试村1，"
        "12月8日、11日—13日白班08:00-20:00。变动：新增12月8日测试村1白班08:00-20:00。"
        "地址：怀柔区测试镇测试村1号；联系人：镇1协调员。请准时到岗。"
    )  # nobody else is on duty there that day: the town's coordinator, never the sick 王金宝
    wang = messages["王金宝"].text
    assert wang.startswith(
        "王金宝同志：您12月7日至13日的值班安排有调整，现为：镇1测试村1，12月7日、9日—10日白班"
    )
    assert "变动：12月8日准假；取消12月8日测试村1白班08:00-20:00。" in wang


def test_recall_records_the_absence_and_a_request_for_the_rest_of_the_week(db):
    done = relief.recall(db, "G0003", day(4), "违纪", "boss")  # Friday: cadre 3 worked before
    assert (done.start, done.end) == (day(4), day(6))
    assert not done.status_set and "stays active" in done.note.english
    [request] = store.relief_requests(db, "open")
    assert (request.cadre_id, request.start_date, request.end_date) == (3, day(4), day(6))
    [absence] = store.load_district(db).absences
    assert absence.kind == "recalled" and absence.note == "违纪"
    assert absence.end_date == day(4) + dt.timedelta(days=365)  # off later rosters too
    fresh = relief.recall(db, "G0004", day(0), "召回原单位", "boss")  # from Monday
    assert fresh.status_set
    assert store.load_district(db).cadres[4].status == "recalled"
    option = options_in(db, 4, day(0), day(6))[0]
    relief.apply_option(db, fresh.request_id, option, "boss")
    roster = store.get_roster(db, MONDAY)
    d = store.load_district(db)
    assert not [a for a in roster.assignments if a.cadre_id == 4]
    assert [a.kind for a in store.load_district(db).absences if a.cadre_id == 4] == ["recalled"]
    breaches = check_roster(d, MONDAY, roster.assignments)
    assert [b for b in breaches if b.rule != "coverage"] == []
    assert {(b.post_id, b.date) for b in breaches} == {
        (u.post_id, u.date) for u in option.uncovered
    }


# --- the command line ------------------------------------------------------------------------


def run(db, *args, user="boss"):
    return CliRunner().invoke(cli, ["--as", user, *args, "--db", str(db.path_for_tests)])


def test_cli_lists_options_as_json_with_seconds(db):
    result = run(db, "relief", "G0001", "--from", "2026-12-08", "--to", "2026-12-08", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"options", "seconds"}
    assert isinstance(data["seconds"], float) and data["seconds"] == abs(data["seconds"])
    first = data["options"][0]
    assert first["rank"] == 1 and first["people_disturbed"] == 1
    assert first["disturbed"][0]["cadre_code"] == "G0002"
    assert {c["action"] for c in first["changes"]} == {"add", "remove"}
    assert store.relief_requests(db)[0].status == "open"


def test_cli_apply_by_name_settles_and_prints_the_messages(db):
    result = run(db, "relief", "王金宝", "--from", "2026-12-08", "--to", "2026-12-08",
                 "--reason", "病假", "--apply", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "applied option 1" in result.output and "13900000002" in result.output
    [request] = store.relief_requests(db)
    assert request.status == "settled" and request.reason == "病假"
    assert store.load_district(db).absences[0].kind == "sick"
    check = run(db, "check", "--week", "2026-12-07")
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["nobody", "--from", "2026-12-08", "--to", "2026-12-08"], "no cadre with code or name"),
        (["G0001", "--from", "2026-12-09", "--to", "2026-12-08"], "is before --from"),
        (["G0001", "--from", "2026-12-12", "--to", "2026-12-15"], "outside the roster's week"),
        (["G0001", "--from", "2026-12-14", "--to", "2026-12-14"], "no roster for the week"),
        (["G0001", "--from", "2026-12-08", "--to", "2026-12-08", "--apply", "99"],
         "give a number from 1 to"),
        (["G0001", "--from", "2026-12-32", "--to", "2026-12-08"], "not a real date"),
    ],
)  # fmt: skip
def test_cli_bad_input_says_what_to_fix(db, args, message):
    result = run(db, "relief", *args)
    assert result.exit_code != 0
    assert message in result.output


def test_cli_inspector_sees_options_but_cannot_settle(db):
    add_user(db, "boss", "district", [], access_for(db, "boss"))
    add_user(db, "insp", "inspector", [], access_for(db, "boss"))
    listed = run(db, "relief", "G0001", "--from", "2026-12-08", "--to", "2026-12-08", user="insp")
    assert listed.exit_code == 0 and "1. [" in listed.output
    refused = run(db, "relief", "G0001", "--from", "2026-12-08", "--to", "2026-12-08",
                  "--apply", "1", user="insp")  # fmt: skip
    assert refused.exit_code != 0 and "cannot settle" in refused.output
    assert store.get_roster(db, MONDAY).version == 1


def test_cli_recall(db):
    result = run(db, "recall", "G0003", "--from", "2026-12-11", "--reason", "违纪", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["start"] == "2026-12-11" and data["end"] == "2026-12-13"
    assert data["options"] and "seconds" in data
    again = run(db, "recall", "G0004", "--from", "2026-12-07")
    assert again.exit_code == 0 and "relief request #" in again.output


def test_relief_never_imports_textual():
    import subprocess
    import sys

    code = "import sys, roster.relief, roster.cli.relief; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_sqlite_file_is_consistent_after_apply(db):
    relief.apply_option(db, (1, day(1), day(1), ""), options_in(db)[0], "boss")
    con = sqlite3.connect(db.path_for_tests)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    con.close()


# --- who the stand-in is told to contact -------------------------------------------------------


def test_the_stand_in_is_told_to_contact_a_colleague_on_duty_not_the_sick_cadre():
    """Post 1 needs a day and a night shift: 王金宝 (a party member, deployed there) falls
    sick on Tuesday; 田在国 takes his day shift. The text names 周红, on the night shift
    there that day, not 王金宝, though he is the post's party member."""
    d = district([post(1)], [cadre(1), cadre(2, party=False), cadre(3, party=False)],
                 demand(1, night_shifts=1))  # fmt: skip
    d.cadres[1] = replace(d.cadres[1], name="王金宝", phone="13900000001")
    d.cadres[2] = replace(d.cadres[2], name="田在国", phone="13900000002")
    d.cadres[3] = replace(d.cadres[3], name="周红", phone="13900000003")
    week = [A(day(i), 1, 1, "D") for i in range(4)] + [A(day(i), 2, 1, "D") for i in (4, 5, 6)]
    week += [A(day(i), 3, 1, "N") for i in range(5)]
    roster = week_roster(week)
    options = relief.relief_options(d, roster, 1, day(1), day(1))
    [option] = [o for o in options if o.disturbed == (2,) and o.kind == "take_over"]
    texts = {m.name: m.text for m in relief.messages_for(option)}
    assert texts["田在国"].endswith("联系人：周红 13900000003。请准时到岗。")
    assert "王金宝" not in texts["田在国"]


def test_with_nobody_else_on_duty_the_town_coordinator_is_the_contact(db):
    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    [tian] = [m for m in relief.messages_for(option) if m.name == "田在国"]
    assert "联系人：镇1协调员。" in tian.text and "王金宝" not in tian.text


def test_the_changed_only_sms_export_says_what_the_apply_showed(db, tmp_path):
    """What `apply_option` gives to send and what the changed-only SMS export writes are
    the same texts, change, address and contact lines included."""
    from roster import exports

    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    applied = relief.apply_option(db, (1, day(1), day(1), "sick"), option, "boss")
    shown = [(m.phone, m.name, m.text) for m in applied.messages]
    assert any("变动：" in t and "地址：" in t and "联系人：" in t for _, _, t in shown)
    done = exports.export_lists(db, MONDAY, "cadre", "sms", tmp_path, changed_only=True)
    with open(done.paths[0], encoding="utf-8-sig") as f:
        rows = [(r["phone"], r["cadre_name"], r["message"]) for r in csv.DictReader(f)]
    assert rows == shown


def test_settling_a_request_someone_settled_names_who_and_leaves_the_week_alone(db):
    [option] = [o for o in options_in(db) if o.kind == "take_over"]
    rid = relief.record_request(db, 1, day(1), day(1), "sick", "boss")
    relief.apply_option(db, rid, option, "zhang")
    version = store.get_roster(db, MONDAY).version
    with pytest.raises(relief.ReliefError, match=rf"#{rid} is already settled by zhang at "):
        relief.apply_option(db, rid, option, "li")
    assert store.get_roster(db, MONDAY).version == version
    assert [r.status for r in store.relief_requests(db)] == ["settled"]
