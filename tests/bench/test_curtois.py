"""Curtois & Qu instances: the reader, the solver judged by the independent checker, the
checker's rules on hand-made rosters, and the exact pricing behind the proven bound.

The instances are the ones shipped in the repository (`benchmarks/curtois/`); without them
these tests fail and say where they looked.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from ortools.sat.python import cp_model

from roster.bench.curtois import instance, model
from roster.bench.curtois.bound import ColumnGeneration
from roster.bench.curtois.check import check, check_files, parse_instance, read_solution
from roster.cli import cli
from roster.cli.bench import parse_instances
from roster.domain import Assignment, Settings
from roster.solver import solve_week
from roster.solver.checker import check_roster
from tests.factories import MONDAY, cadre, day, demand, district, post

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def folder() -> Path:
    path = instance.benchmark_dir()
    if not (path / "best_known.tsv").is_file():
        pytest.fail(
            f"the Curtois & Qu instances are missing: no best_known.tsv in {path} "
            "(they ship in benchmarks/curtois/)"
        )
    return path


# --- the reader ---------------------------------------------------------------------------


def pricing_model(inst, e, pi, scale: int = 10_000):
    """Employee `e` alone as the rule model, minimising the pricing objective (requests
    minus the cover duals `pi`), scaled to integers: CP-SAT's answer to what the pricer
    computes by dynamic programming."""
    alone = instance.Instance(
        inst.name, inst.horizon, inst.shifts, [e], {e.id: inst.days_off[e.id]},
        [r for r in inst.on_requests if r.employee == e.id],
        [r for r in inst.off_requests if r.employee == e.id], [],
    )  # fmt: skip
    pm = model.build(alone)
    terms = [scale * w * v for v, w in pm.penalties["requests"]]
    terms += [-round(scale * pi[d, s]) * v for (_, d, s), v in pm.x.items()]
    pm.model.minimize(sum(terms))
    return pm, scale


def test_the_reader_reads_every_shipped_instance(folder):
    known = instance.best_known(folder)
    shipped = sorted(folder.glob("Instance*.txt"), key=lambda p: int(p.stem[8:]))
    assert [p.stem for p in shipped] == [f"Instance{n}" for n in range(1, 13)]
    for path in shipped:
        inst = instance.read(path)
        row = known[inst.name]
        assert (len(inst.staff), inst.horizon, len(inst.shifts)) == (
            row["employees"],
            row["days"],
            row["shift_types"],
        ), inst.name
        assert inst.horizon % 7 == 0 and len(inst.weekends()) == inst.horizon // 7
        # every day and shift has a cover row; requests name known people and shifts
        assert {(c.day, c.shift) for c in inst.cover} == {
            (d, s.id) for d in range(inst.horizon) for s in inst.shifts
        }
        other = parse_instance(path.read_text())  # the checker's own parser agrees
        assert (len(other.people), other.horizon, len(other.minutes)) == (
            len(inst.staff),
            inst.horizon,
            len(inst.shifts),
        )
        assert len(other.on) == len(inst.on_requests) and len(other.cover) == len(inst.cover)


def test_the_reader_rejects_a_broken_file():
    with pytest.raises(instance.InstanceError, match="unknown shift X"):
        instance.parse(TINY.replace("SECTION_COVER\n", "SECTION_COVER\n0,X,1,100,1\n"))
    with pytest.raises(instance.InstanceError, match=":6: SECTION_STAFF rows have 8 fields"):
        instance.parse("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480\nSECTION_STAFF\nA,D=7,1,2\n")


def test_parse_instances():
    assert parse_instances("1-3,2,7") == [1, 2, 3, 7]
    with pytest.raises(Exception, match="not an instance number"):
        parse_instances("a-b")


# --- the solver, judged by the checker -------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2])
def test_a_small_instance_solves_and_the_checker_agrees(folder, number):
    path = folder / f"Instance{number}.txt"
    inst = instance.read(path)
    sol = model.solve(inst, time_limit=10)
    report = check(path.read_text(), sol.roster)
    assert report.breaches == []
    assert report.penalty == sol.objective == model.penalty(inst, sol.roster)
    best = instance.best_known(folder)[inst.name]["best_known"]
    assert sol.bound <= best <= sol.objective  # best known is optimal: the bound is valid


def test_the_rule_model_and_the_checker_agree_on_rosters(folder):
    """Fixing the rule model (`build`) to a roster: feasible exactly when the checker finds no
    breach, and its objective is the checker's penalty."""
    path = folder / "Instance3.txt"
    inst = instance.read(path)
    text = path.read_text()
    rng = random.Random(3)
    pm = model.build(inst)
    objective = sum(w * v for terms in pm.penalties.values() for v, w in terms)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.stop_after_first_solution = True
    assert solver.solve(pm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    solver.parameters.stop_after_first_solution = False
    good = [(inst.staff[c].id, d, s) for (c, d, s), v in pm.x.items() if solver.value(v)]
    rosters = [good]
    for _ in range(6):  # nudge one shift: some nudges break rules, some do not
        roster = list(good)
        e, d, s = roster.pop(rng.randrange(len(roster)))
        other = rng.choice([t.id for t in inst.shifts] + [None, None])
        if other:
            roster.append((e, (d + rng.choice([0, 1])) % inst.horizon, other))
        rosters.append(roster)
    verdicts = set()
    for roster in rosters:
        report = check(text, roster)
        fixed = pm.model.clone()
        chosen = set(roster)
        for (c, d, s), var in pm.x.items():
            fixed.add(var == ((inst.staff[c].id, d, s) in chosen))
        index = {e.id: c for c, e in enumerate(inst.staff)}
        # a shift with no variable (a day off, a type with maximum 0) cannot be in the model
        expressible = all((index[e], d, s) in pm.x for e, d, s in roster)
        status = solver.solve(fixed) if expressible else cp_model.INFEASIBLE
        feasible = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        assert feasible == report.feasible, report.breaches
        if feasible:
            assert solver.value(objective) == report.penalty
        verdicts.add(feasible)
    assert verdicts == {True, False}


def test_the_pricing_search_is_exact(folder):
    """The bound rests on `Pricer` finding each employee's cheapest roster: compare it
    with CP-SAT on the employee's own rule model, for random prices."""
    rng = random.Random(7)
    for number in (2, 7):
        inst = instance.read(folder / f"Instance{number}.txt")
        cg = ColumnGeneration(inst)
        for c in rng.sample(range(len(inst.staff)), 3):
            pi = {k: rng.uniform(-cv.over_weight, 60) for k, cv in cg.cover.items()}
            value, roster = cg.price(c, pi)
            e = inst.staff[c]
            pm, scale = pricing_model(inst, e, pi)
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            assert solver.solve(pm.model) == cp_model.OPTIMAL
            assert value == pytest.approx(solver.objective_value / scale, abs=0.01)
            # and the roster it returns keeps every rule and costs what it says
            report = check(
                (folder / f"Instance{number}.txt").read_text(),
                [(e.id, d, s) for d, s in roster],
            )
            assert not [b for b in report.breaches if b.employee == e.id]
            assert cg.roster_cost(c, roster) - sum(pi[k] for k in roster) == pytest.approx(value)


def test_the_pricing_search_takes_the_same_minimum_in_both_forms(folder):
    """`Pricer` runs its dynamic program as edge lists on small state spaces and as
    slices of the resource axes on large ones: both give the same value and roster,
    also with barred shifts, days that must be worked and tracked shift maxima."""
    from roster.bench.curtois.bound import Pricer

    rng = random.Random(5)
    for number in (8, 9):
        inst = instance.read(folder / f"Instance{number}.txt")
        for c in rng.sample(range(len(inst.staff)), 3):
            p = Pricer(inst, c)
            p.tracked = list(p.may_bind[:2])
            p._setup()
            for trial in range(4):
                cost = [
                    [math.inf if rng.random() < 0.05 else float(rng.randint(-6, 3)) for _ in p.ids]
                    for _ in range(p.horizon)
                ]
                must = frozenset(rng.sample(range(p.horizon), trial))
                assert p._solve_edges(cost, must) == p._solve_sliced(cost, must)


def test_the_pricing_search_keeps_the_shifts_a_dive_fixed(folder):
    """While a dive fixes shifts, `price` returns the cheapest roster that works them all:
    compare it with CP-SAT on the employee's rule model with those shifts set to 1."""
    rng = random.Random(11)
    inst = instance.read(folder / "Instance7.txt")
    cg = ColumnGeneration(inst)
    for c in rng.sample(range(len(inst.staff)), 2):
        e = inst.staff[c]
        pi = {k: rng.uniform(-cv.over_weight, 60) for k, cv in cg.cover.items()}
        free = sorted(cg.price(c, pi)[1])
        open_days = [d for d in range(inst.horizon) if d not in inst.days_off[e.id]]
        # fix shifts on days the free roster leaves off, so the fixes change the answer
        off = sorted(set(open_days) - {d for d, _ in free})
        able = [s.id for s in inst.shifts if e.max_shifts.get(s.id, inst.horizon) > 0]
        forced = {d: rng.choice(able) for d in rng.sample(off, 2)}
        cg.forced = {c: forced}
        try:
            value, roster = cg.price(c, pi)
        finally:
            cg.forced = {}
        pm, scale = pricing_model(inst, e, pi)
        for d, s in forced.items():
            pm.model.add(pm.x[0, d, s] == 1)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.solve(pm.model)
        if status == cp_model.INFEASIBLE:
            assert roster is None
            continue
        assert status == cp_model.OPTIMAL
        assert roster is not None and set(forced.items()) <= roster
        assert value == pytest.approx(solver.objective_value / scale, abs=0.01)


def test_the_dive_gives_everyone_a_roster_that_keeps_the_rules(folder):
    path = folder / "Instance3.txt"
    inst = instance.read(path)
    cg = ColumnGeneration(inst)
    result = cg.run(time.perf_counter() + 20)
    columns = len(cg.columns)
    rosters = cg.dive_shifts(time.perf_counter() + 20)
    assert rosters is not None and sorted(rosters) == list(range(len(inst.staff)))
    roster = [(inst.staff[c].id, d, s) for c, r in rosters.items() for d, s in r]
    report = check(path.read_text(), roster)
    assert report.breaches == []
    assert report.penalty >= result.bound
    # the dive leaves the master as it found it: no shift fixed, every column at its cost
    assert cg.forced == {} and len(cg.columns) >= columns
    assert all(cg.lp_cost(j) == col.cost for j, col in enumerate(cg.columns))
    # and a dive that cannot beat `upper` says so
    assert cg.dive_shifts(time.perf_counter() + 20, upper=lambda: result.bound - 1) is None


def test_bench_curtois_writes_checked_rosters(folder, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["bench", "curtois", "--instances", "1", "--time-limit", "10", "--out", str(out)],
        env={instance.CURTOIS_ENV: str(folder)},
    )
    assert result.exit_code == 0, result.output
    assert "Instance1" in result.output and "gap to best" in result.output
    report = check_files(folder / "Instance1.txt", out / "Instance1.csv")
    assert report.feasible
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert rows[0]["objective"] == report.penalty == rows[0]["solver_objective"]


def test_bench_curtois_names_the_missing_folder(tmp_path):
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(cli, ["bench", "curtois", "--dir", str(missing)])
    assert result.exit_code != 0 and str(missing) in result.output


# --- the checker on hand-made rosters ---------------------------------------------------------

TINY = """# two weeks, two shifts (E may not follow L the next day), two employees
SECTION_HORIZON
14

SECTION_SHIFTS
E,480,
L,600,E

SECTION_STAFF
A,E=14|L=2,4800,1920,4,2,2,1
B,E=14|L=14,4800,0,5,1,1,2

SECTION_DAYS_OFF
A,9
B,

SECTION_SHIFT_ON_REQUESTS
A,0,E,2

SECTION_SHIFT_OFF_REQUESTS
B,3,L,5

SECTION_COVER
0,E,1,100,1
0,L,0,100,1
1,E,0,100,3
1,L,0,100,1
"""

# A works E on days 0-2 and 5-6 (two runs, one weekend) and B nothing: every rule holds
CLEAN = [("A", d, "E") for d in (0, 1, 2, 5, 6)]


def rules(roster) -> list[str]:
    return sorted(b.rule for b in check(TINY, roster).breaches)


def test_a_clean_roster_passes_and_its_penalty_adds_up():
    report = check(TINY, CLEAN)
    assert report.breaches == []
    # day 1: one E over a requirement of 0 at weight 3; the on request is met
    assert report.parts == {"on_requests": 0, "off_requests": 0, "cover_under": 0, "cover_over": 3}
    assert report.penalty == 3


def test_requests_and_cover_bite():
    roster = [r for r in CLEAN if r[1] != 0] + [("A", 0, "L"), ("B", 3, "L")]
    report = check(TINY, roster)
    # on request (A, 0, E) unmet: 2; off request (B, 3, L) met: 5; day 0 E missing: 100,
    # day 0 L one over: 1; day 1 E one over: 3
    assert report.parts == {
        "on_requests": 2,
        "off_requests": 5,
        "cover_under": 100,
        "cover_over": 4,
    }
    assert report.penalty == 111


@pytest.mark.parametrize(
    ("roster", "rule"),
    [
        (CLEAN + [("A", 0, "L")], "one_shift"),
        (CLEAN + [("A", 9, "E"), ("A", 10, "E")], "day_off"),
        ([("A", 0, "L"), ("A", 1, "E"), ("A", 2, "E"), ("A", 5, "E"), ("A", 6, "E")], "succession"),
        (
            [("A", d, "L") for d in (0, 1, 2)] + [("A", 5, "E"), ("A", 6, "E")],
            "max_shifts",
        ),
        ([("A", 0, "E"), ("A", 1, "E")], "min_minutes"),
        (CLEAN + [("A", d, "E") for d in (10, 11, 12, 13)] + [("A", 8, "L")], "max_minutes"),
        ([("A", d, "E") for d in range(5)], "max_consecutive"),
        (CLEAN + [("A", 3, "E"), ("A", 4, "E")], "max_consecutive"),
        (CLEAN + [("A", 8, "E")], "min_consecutive"),
        ([("A", d, "E") for d in (0, 1, 2, 4, 5)], "min_days_off"),
        (CLEAN + [("A", 12, "E"), ("A", 13, "E")], "max_weekends"),
        ([("Z", 0, "E")] + CLEAN, "unknown"),
    ],
)
def test_each_rule_bites(roster, rule):
    assert rule in rules(roster)


@pytest.mark.parametrize(
    "roster",
    [
        [("A", 0, "E"), ("A", 1, "E"), ("A", 2, "L"), ("A", 5, "E"), ("A", 6, "E")],  # E, L
        [("A", d, "E") for d in (0, 1, 2, 13)],  # a run cut by the horizon's end may be short
        [("A", 1, "E"), ("A", 5, "E"), ("A", 6, "E"), ("A", 0, "E"), ("A", 2, "E")],  # any order
        [("A", d, "E") for d in (0, 3, 4, 5, 6)],  # a run starting on day 0 may be short
        [("A", d, "E") for d in (1, 2, 5, 6)],  # and so may days off starting on day 0
        CLEAN + [("B", 5, "E"), ("B", 6, "L")],  # B: one weekend, L after E
    ],
)
def test_the_rules_do_not_bite_without_cause(roster):
    assert rules(roster) == []


def test_solution_files_read_with_or_without_header():
    assert read_solution("employee,day,shift\nA,0,E\n\nB,3,L\n") == [("A", 0, "E"), ("B", 3, "L")]
    assert read_solution("A,0,E\n") == [("A", 0, "E")]
    with pytest.raises(ValueError, match="line 1"):
        read_solution("A,0\n")


# --- the rules added for the benchmark, switched on for the cadre model -----------------------


def cadre_week(settings: Settings, weekdays) -> tuple[list, list]:
    """One cadre, one post with a day shift on `weekdays`: the unmet days, and the
    checker's breaches other than coverage."""
    d = district([post(1)], [cadre(1)], demand(1, weekdays=weekdays), settings=settings)
    res = solve_week(d, MONDAY, time_limit=5.0, num_workers=2)
    others = [b for b in check_roster(d, MONDAY, res.assignments) if b.rule != "coverage"]
    return sorted(u.date.isoweekday() for u in res.unmet), others


def test_min_consecutive_days_bites_in_the_cadre_model_when_switched_on():
    assert cadre_week(Settings(), [1, 3, 5]) == ([], [])
    # Wednesday and Friday alone would be runs of one day inside the week
    assert cadre_week(Settings(min_consecutive_days=2), [1, 3, 5]) == ([3, 5], [])


def test_min_consecutive_days_off_bites_in_the_cadre_model_when_switched_on():
    assert cadre_week(Settings(), [1, 2, 4, 5, 6, 7]) == ([], [])
    unmet, others = cadre_week(Settings(min_consecutive_days_off=2), [1, 2, 4, 5, 6, 7])
    assert len(unmet) == 1 and unmet[0] in (2, 4) and others == []


def test_the_checker_reports_short_runs_in_a_cadre_week():
    d = district([post(1)], [cadre(1)], demand(1), settings=Settings(min_consecutive_days=2))
    roster = [Assignment(day(i), 1, 1, "D") for i in (0, 2, 3, 5, 6)]  # Wednesday alone: no
    assert [b.rule for b in check_roster(d, MONDAY, roster, coverage=False)] == []
    roster = [Assignment(day(i), 1, 1, "D") for i in (0, 2, 4, 5, 6)]
    found = check_roster(d, MONDAY, roster, coverage=False)
    assert [(b.rule, b.date) for b in found] == [("min_consecutive_days", day(2))]
    d.settings = Settings(min_consecutive_days_off=2)
    assert [(b.rule, b.date) for b in check_roster(d, MONDAY, roster, coverage=False)] == [
        ("min_consecutive_days_off", day(1)),
        ("min_consecutive_days_off", day(3)),
    ]
