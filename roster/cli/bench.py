"""`roster bench …`: the benchmarks the CLI runs (option parsing only).

roster/cli.py imports this module at its end to register the `bench` group.
`roster bench curtois` solves the Curtois & Qu instances with `roster.solver.curtois`,
writes each roster as `employee,day,shift` CSV, judges it with the independent
`roster.solver.curtois_check` and prints the table against the best known objectives.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import click

from roster.cli.common import emit, json_option
from roster.config import ENV_CURTOIS_DIR
from roster.i18n import _


def parse_instances(text: str) -> list[int]:
    """ "1-12", "2", "1,3,5-7" -> instance numbers, in order, without repeats."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first, _dash, last = part.partition("-")
        try:
            lo, hi = int(first), int(last or first)
        except ValueError:
            raise click.BadParameter(
                _("{part} is not an instance number or range: write e.g. 1-12 or 1,3,5-7").format(
                    part=repr(part)
                )
            ) from None
        if lo < 1 or hi < lo:
            raise click.BadParameter(
                _("{part} is not a range of instance numbers (1 or more)").format(part=repr(part))
            )
        out += [n for n in range(lo, hi + 1) if n not in out]
    if not out:
        raise click.BadParameter(_("no instance given: write e.g. 1-12"))
    return out


@click.group(help=_("Benchmarks: solver figures on public instances (see docs/benchmarks.md)."))
def bench() -> None:
    """Benchmarks: solver figures on public instances (see docs/benchmarks.md)."""


@bench.command(
    help=_(
        "Solve Curtois & Qu instances and compare with the best known objectives.\n\n"
        "Each roster is written as OUT/InstanceN.csv (employee,day,shift) and judged by the\n"
        "independent checker: the objective shown is the checker's, and a roster that breaks a\n"
        "hard rule (or whose penalty differs from the solver's) makes the command fail."
    )
)
@click.option(
    "--instances",
    default="1-12",
    show_default=True,
    help=_("Instance numbers: a range, a list or both (1-12, 2, 1,3,5-7)."),
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.5),
    default=60.0,
    show_default=True,
    help=_("Seconds for each instance."),
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help=_("Search threads (the machine this is measured on has 2 cores)."),
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-curtois"),
    show_default=True,
    help=_("Folder for each instance's roster (InstanceN.csv) and results.json."),
)
@click.option(
    "--dir",
    "data_dir",
    envvar=ENV_CURTOIS_DIR,
    type=click.Path(file_okay=False, path_type=Path),
    help=_("The instances (default $ROSTER_CURTOIS_DIR, else instances 1-12 shipped with roster)."),
)
@click.option("--seed", type=int, default=0, show_default=True)
@json_option
def curtois(
    instances: str,
    time_limit: float,
    workers: int,
    out_dir: Path,
    data_dir: Path | None,
    seed: int,
    as_json: bool,
) -> None:
    """Solve Curtois & Qu instances and compare with the best known objectives.

    Each roster is written as OUT/InstanceN.csv (employee,day,shift) and judged by the
    independent checker: the objective shown is the checker's, and a roster that breaks a
    hard rule (or whose penalty differs from the solver's) makes the command fail.
    """
    from roster.bench.curtois import instance, model
    from roster.bench.curtois.check import check_files

    numbers = parse_instances(instances)
    folder = data_dir or instance.benchmark_dir()
    if not (folder / "best_known.tsv").is_file():
        raise click.ClickException(
            _(
                "no Curtois & Qu instances at {folder} (best_known.tsv is missing): "
                "pass --dir or set $ROSTER_CURTOIS_DIR"
            ).format(folder=folder)
        )
    known = instance.best_known(folder)
    missing = [n for n in numbers if not (folder / f"Instance{n}.txt").is_file()]
    if missing:
        shipped = sorted((p.stem[8:] for p in folder.glob("Instance*.txt")), key=int)
        raise click.ClickException(
            _("no {file} in {folder}: shipped instances are {numbers}").format(
                file=f"Instance{missing[0]}.txt", folder=folder, numbers=_(", ").join(shipped)
            )
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, problems = [], []
    if not as_json:
        click.echo(
            _("{n} instance(s), {seconds:g} s each, {workers} worker(s)").format(
                n=len(numbers), seconds=time_limit, workers=workers
            )
        )
        click.echo(HEADER)
    for n in numbers:
        path = folder / f"Instance{n}.txt"
        inst = instance.read(path)
        sol = model.solve(inst, time_limit, workers=workers, seed=seed)
        csv_path = out_dir / f"{inst.name}.csv"
        write_csv(csv_path, sol.roster)
        report = check_files(path, csv_path)
        best = known.get(inst.name, {}).get("best_known")
        row = {
            "instance": inst.name,
            "size": inst.size,
            "objective": report.penalty,
            "bound": sol.bound,
            "best_known": best,
            "gap_to_best": None if best is None else (report.penalty - best) / best,
            "bound_gap": (report.penalty - sol.bound) / report.penalty if report.penalty else 0.0,
            "seconds": round(sol.seconds, 1),
            "feasible": report.feasible,
            "solver_objective": sol.objective,
            "csv": str(csv_path),
            "stats": sol.stats,
        }
        rows.append(row)
        if not report.feasible:
            problems += [f"{inst.name}: {b.message}" for b in report.breaches[:5]]
        if report.penalty != sol.objective:
            problems.append(
                _(
                    "{name}: the checker's penalty {penalty} differs from the solver's {objective}"
                ).format(name=inst.name, penalty=report.penalty, objective=sol.objective)
            )
        if not as_json:
            click.echo(format_row(row))
    (out_dir / "results.json").write_text(
        json.dumps({"machine": machine(), "time_limit": time_limit, "rows": rows}, indent=2),
        encoding="utf-8",
    )
    if as_json:
        emit({"machine": machine(), "time_limit": time_limit, "rows": rows})
    else:
        click.echo(
            _("rosters in {folder}/; machine: {machine}").format(folder=out_dir, machine=machine())
        )
    if problems:
        raise click.ClickException(
            _("the checker rejects a roster:\n{problems}").format(problems="\n".join(problems))
        )


HEADER = (
    f"{'instance':<11} {'size':>9} {'objective':>9} {'bound':>7} {'best known':>10} "
    f"{'gap to best':>11} {'seconds':>7}"
)


def format_row(row: dict) -> str:
    gap = "" if row["gap_to_best"] is None else f"{100 * row['gap_to_best']:.2f} %"
    best = "" if row["best_known"] is None else str(row["best_known"])
    return (
        f"{row['instance']:<11} {row['size']:>9} {row['objective']:>9} {row['bound']:>7} "
        f"{best:>10} {gap:>11} {row['seconds']:>7.1f}"
    )


def write_csv(path: Path, roster: list[tuple[str, int, str]]) -> None:
    lines = ["employee,day,shift"] + [f"{e},{d},{s}" for e, d, s in roster]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
