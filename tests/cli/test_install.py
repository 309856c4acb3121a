"""A normal (non-editable) install carries everything roster needs: the demo district, the
benchmark instances, the screens' style sheets and the compiled Chinese catalogue, with no
checkout beside it.

The wheel is built from the repository and unpacked into a folder of its own; the program is
then run from another folder with that folder first on the path, so nothing of the checkout
(nor the editable install the tests run from) can stand in for what the wheel lacks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlite_utils

REPO = Path(__file__).resolve().parents[2]

UI_SCRIPT = """
import asyncio, sys
import roster
from roster.tui.app import RosterApp
assert roster.__file__.startswith(sys.argv[1]), roster.__file__
async def main():
    app = RosterApp(sys.argv[2])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print(type(app.screen).__name__)
asyncio.run(main())
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("roster-*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return site


def run(site: Path, cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTER_")} | (env or {})
    env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_wheel_ships_the_demo_benchmarks_and_styles(installed):
    names = {p.relative_to(installed).as_posix() for p in installed.rglob("*") if p.is_file()}
    assert "roster/_shipped/demo/cadres.csv" in names
    assert "roster/_shipped/curtois/Instance12.txt" in names
    assert "roster/_shipped/curtois/best_known.tsv" in names
    assert any(n.endswith("board.tcss") for n in names)


def test_init_demo_from_the_wheel_outside_the_checkout(installed, tmp_path):
    done = run(installed, tmp_path, "-m", "roster", "init", "--demo", "--db", "x.db")
    assert done.returncode == 0, done.stderr
    db = sqlite_utils.Database(tmp_path / "x.db")
    assert db["cadres"].count == 808
    assert db["posts"].count == 318


def test_the_ui_opens_from_the_wheel(installed, tmp_path):
    assert (
        run(installed, tmp_path, "-m", "roster", "init", "--demo", "--db", "x.db").returncode == 0
    )
    done = run(installed, tmp_path, "-c", UI_SCRIPT, str(installed), "x.db")
    assert done.returncode == 0, done.stderr
    assert "Board" in done.stdout


def test_the_wheel_speaks_chinese_from_its_compiled_catalogue(installed, tmp_path):
    import gettext

    mo = installed / "roster" / "locale" / "zh_CN" / "LC_MESSAGES" / "roster.mo"
    with mo.open("rb") as f:
        zh = gettext.GNUTranslations(f)
    message = "Error: --lang {value} is not a language roster speaks: use zh or en"
    assert zh.gettext(message) != message
    env_lang = {"LANG": "zh_CN.UTF-8"}
    done = run(installed, tmp_path, "-m", "roster", "--lang", "fr", "status", env=env_lang)
    assert done.returncode == 2
    assert done.stderr.strip() == zh.gettext(message).format(value="'fr'")
