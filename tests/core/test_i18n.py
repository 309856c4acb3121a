"""The language roster speaks: chosen from --lang, $ROSTER_LANG and the locale; every marked
message translated into Chinese with the same placeholders; dates and weeks read naturally."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest

import roster
from roster import i18n
from roster.cli import lang_argument
from roster.config import Config
from roster.i18n import catalogue

PACKAGE = Path(roster.__file__).resolve().parent


def test_every_marked_message_has_a_chinese_translation():
    missing = catalogue.missing("zh_CN", PACKAGE)
    shown = "\n".join(f"{p.relative_to(PACKAGE)}:{n}: {m!r}" for p, n, m, _c in missing[:25])
    assert not missing, f"{len(missing)} messages with no zh_CN translation:\n{shown}"


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_translations_keep_the_placeholders_of_the_english():
    wrong = []
    for message in catalogue.merged("zh_CN"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        want = set().union(*(_fields(i) for i in ids))
        for text in strings:
            if _fields(text) != want:
                wrong.append((message.id, text))
    assert wrong == []


def test_the_catalogue_holds_no_message_the_code_no_longer_marks():
    marked = {(m if isinstance(m, str) else m[0], c) for _p, _n, m, c in catalogue.extract(PACKAGE)}
    stale = [
        (m.id, m.context)
        for m in catalogue.merged("zh_CN")
        if m.id and ((m.id if isinstance(m.id, str) else m.id[0]), m.context) not in marked
    ]
    assert stale == []


def test_no_message_has_two_translations_in_different_parts():
    """The parts of the catalogue agree: a message (in one sense, see `pgettext`) that two
    parts translate is translated alike, else one part's sentence would be shown for the
    other's."""
    from babel.messages.pofile import read_po

    seen: dict[tuple, set[tuple[str, str]]] = {}
    for path in catalogue.parts("zh_CN"):
        with path.open("rb") as f:
            for m in read_po(f, locale="zh_CN"):
                if m.id and m.string:
                    seen.setdefault((m.id, m.context), set()).add((path.name, str(m.string)))
    clashes = {k: v for k, v in seen.items() if len({s for _p, s in v}) > 1}
    assert clashes == {}


@pytest.mark.parametrize(
    ("option", "setting", "locale", "expected"),
    [
        (None, None, (), "en"),
        (None, None, ("zh_CN.UTF-8",), "zh"),
        (None, None, ("zh_CN:en_US", "en_US.UTF-8"), "zh"),  # $LANGUAGE's list first
        (None, None, ("C.UTF-8", "zh_CN.UTF-8"), "en"),  # LC_ALL=C wins over LANG
        (None, None, ("fr_FR.UTF-8", "zh_CN.UTF-8"), "zh"),  # a language we lack is passed over
        (None, "zh", ("en_US.UTF-8",), "zh"),  # the setting over the locale
        ("en", "zh", ("zh_CN.UTF-8",), "en"),  # --lang over both
    ],
)
def test_the_language_is_chosen_from_option_setting_then_locale(option, setting, locale, expected):
    assert i18n.choose(option, setting, locale) == expected


def test_config_reads_the_locale_variables_in_their_order():
    env = {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
    assert Config.from_environment(env).language == "zh"
    assert Config.from_environment({**env, "ROSTER_LANG": "en"}).language == "en"
    assert Config.from_environment(env, lang="en").language == "en"


def test_lang_is_taken_from_anywhere_before_a_double_dash():
    assert lang_argument(["solve", "--lang", "zh", "--week", "2026-12-07"]) == (
        "zh",
        ["solve", "--week", "2026-12-07"],
    )
    assert lang_argument(["--lang=en", "status"]) == ("en", ["status"])
    assert lang_argument(["wish", "--", "--lang", "zh"]) == (None, ["wish", "--", "--lang", "zh"])


def test_days_weeks_and_distances_read_naturally_in_each_language(chinese):
    monday = dt.date(2026, 11, 30)
    assert i18n.day_label(monday) == "11月30日 周一"
    assert i18n.week_label(monday) == "第49周"
    assert i18n.week_title(monday) == "2026年第49周"
    assert i18n.weekday_name(6) == "周日"
    assert re.fullmatch(r"3\.2\s*公里", i18n.km(3.24))
    i18n.use("en")
    assert i18n.day_label(monday) == "Mon 11-30"
    assert i18n.week_label(monday) == "W49"
    assert i18n.km(3.24) == "3.2 km"


def test_a_source_checkout_sees_an_edited_catalogue_at_once(tmp_path):
    """Without a current compiled file the catalogue is compiled when loaded, and kept for
    the next start; an edit of a part is seen at the next load."""
    import os

    folder = tmp_path / "zh_CN"
    folder.mkdir()
    part = folder / "a.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    part.write_text(header + 'msgid "Help"\nmsgstr "帮助"\n', encoding="utf-8")
    assert catalogue.load("zh_CN", tmp_path).gettext("Help") == "帮助"
    mo = folder / "LC_MESSAGES" / "roster.mo"
    assert mo.exists()
    assert catalogue.load("zh_CN", tmp_path).gettext("Help") == "帮助"
    part.write_text(header + 'msgid "Help"\nmsgstr "帮助！"\n', encoding="utf-8")
    later = mo.stat().st_mtime + 10
    os.utime(part, (later, later))
    assert catalogue.load("zh_CN", tmp_path).gettext("Help") == "帮助！"
    assert [p.name for p in mo.parent.iterdir()] == ["roster.mo"]  # nothing half-written left


def _import_time_calls(tree) -> list[int]:
    """Lines where `_`, `ngettext` or `pgettext` is called outside any function: when the
    module loads, before the language may be chosen."""
    import ast

    found = []

    def visit(node, in_function: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function = True
        if (
            not in_function
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "ngettext", "pgettext")
        ):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return found


def test_nothing_but_the_command_line_translates_when_it_loads():
    """A module constant translated at import keeps the language of the first import (the
    UI's keys in English under --lang zh, or the reverse): mark it N_, translate where shown.
    Only roster/cli may (the `roster` command chooses the language before loading it)."""
    import ast

    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(PACKAGE / "cli"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(PACKAGE)}:{n}" for n in _import_time_calls(tree)]
    assert offenders == []


def test_the_load_time_check_tells_a_constant_from_a_function():
    import ast

    code = "A = _('x')\nB = [N_('y')]\ndef f():\n    return _('z')\nC = lambda: _('w')\n"
    assert _import_time_calls(ast.parse(code)) == [1]
