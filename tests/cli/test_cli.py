"""The command line as a user meets it: every command is reachable, help works."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from roster.cli import cli
from roster.cli.root import LazyGroup


def test_every_lazy_command_resolves():
    ctx = click.Context(cli)
    for name in LazyGroup.lazy:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.name == name


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ["init", "import", "status", "solve", "check", "publish", *LazyGroup.lazy]:
        assert f"  {name} " in result.output, name


def test_solve_does_not_load_the_export_libraries():
    code = (
        "import sys; from roster.cli import cli; "
        "import click; cli.get_command(click.Context(cli), 'solve'); "
        "print(sorted(m for m in ('openpyxl', 'icalendar', 'textual') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_roster_runs():
    out = subprocess.run(
        [sys.executable, "-m", "roster", "--help"], capture_output=True, text=True, check=True
    )
    assert "Duty rosters" in out.stdout
