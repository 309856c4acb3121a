"""Finding cadres and posts by name, code, pinyin initials and full pinyin, with typos."""

from __future__ import annotations

import pytest

from roster import store
from roster.find import Finder, full_pinyin, initials
from tests.factories import make_db


@pytest.fixture(scope="module")
def finder(tmp_path_factory):
    db = make_db(tmp_path_factory.mktemp("find") / "f.db", with_roster=False)
    return Finder(store.load_district(db))


def test_initials_and_full_pinyin():
    assert initials("王金宝") == "wjb"
    assert full_pinyin("王金宝") == "wangjinbao"
    assert initials("喇叭沟门村") == "lbgmc"


@pytest.mark.parametrize(
    ("query", "name", "why"),
    [
        ("wjb", "王金宝", "initials"),
        ("WJB", "王金宝", "initials"),
        ("wangjin", "王金宝", "pinyin"),
        ("王金", "王金宝", "name"),
        ("G0001", "王金宝", "code"),
        ("g0001", "王金宝", "code"),
        ("lbgm", "喇叭沟门村", "initials"),
        ("P03", "北沟村", "code"),
        ("沟门", "喇叭沟门村", "name"),
    ],
)
def test_first_match(finder, query, name, why):
    best = finder.find(query)[0]
    assert best.entry.name == name
    assert best.why == why


def test_typo_still_finds(finder):
    names = [m.entry.name for m in finder.find("wangjinboa")[:3]]
    assert "王金宝" in names


def test_kind_filter(finder):
    assert all(m.entry.kind == "post" for m in finder.find("村", kind="post"))
    assert all(m.entry.kind == "cadre" for m in finder.find("w", kind="cadre"))


def test_empty_query_finds_nothing(finder):
    assert finder.find("  ") == []
