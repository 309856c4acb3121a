"""Find cadres and posts by name, code or pinyin, the way a coordinator types them.

`wjb` finds 王金宝 (pinyin initials), `wangjin` finds him too (full pinyin), `C0123` finds a
cadre by code, and a typo still lands close (rapidfuzz). Nothing here knows Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

from roster.domain import District
from roster.i18n import N_

KINDS = (N_("cadre"), N_("post"))  # shown as _(kind)


@dataclass(frozen=True)
class Entry:
    kind: str  # "cadre" or "post"
    id: int
    code: str
    name: str
    detail: str  # unit or town, shown next to the name
    initials: str  # "wjb" for 王金宝
    pinyin: str  # "wangjinbao"

    @property
    def haystack(self) -> str:
        return f"{self.code.lower()} {self.name} {self.initials} {self.pinyin}"


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float  # 0–100, higher is better
    why: str  # "code", "name", "initials", "pinyin" or "fuzzy"


def initials(text: str) -> str:
    """Pinyin initials of `text`, lower case: "wjb" for 王金宝; other letters kept as they are."""
    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p).lower()


def full_pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, errors="default")).lower()


class Finder:
    """An index of a district's cadres and posts, built once (about 50 ms for the demo)."""

    def __init__(self, district: District) -> None:
        entries: list[Entry] = []
        for cadre in district.cadres.values():
            unit = district.units.get(cadre.unit_id)
            entries.append(
                _entry("cadre", cadre.id, cadre.code, cadre.name, unit.name if unit else "")
            )
        for post in district.posts.values():
            town = district.towns.get(post.town_id)
            entries.append(_entry("post", post.id, post.code, post.name, town.name if town else ""))
        self.entries = entries
        self._haystacks = [e.haystack for e in entries]
        self._by_key = {(e.kind, e.id): e for e in entries}

    def entry(self, kind: str, id_: int) -> Entry | None:
        return self._by_key.get((kind, id_))

    def find(self, query: str, *, kind: str | None = None, limit: int = 20) -> list[Match]:
        """Best matches first; `kind` keeps only cadres or only posts."""
        q = query.strip().lower()
        if not q:
            return []
        found: dict[int, Match] = {}
        for index, entry in enumerate(self.entries):
            if kind and entry.kind != kind:
                continue
            scored = _exact_score(entry, q)
            if scored:
                found[index] = Match(entry, *scored)
        if len(found) < limit:
            for _text, score, index in process.extract(
                q,
                self._haystacks,
                scorer=fuzz.partial_ratio,
                limit=limit * 3,
                score_cutoff=60,
            ):
                entry = self.entries[index]
                if index in found or (kind and entry.kind != kind):
                    continue
                found[index] = Match(entry, score * 0.8, "fuzzy")
        ranked = sorted(found.values(), key=lambda m: (-m.score, m.entry.kind, m.entry.code))
        return ranked[:limit]


def _entry(kind: str, id_: int, code: str, name: str, detail: str) -> Entry:
    return Entry(kind, id_, code, name, detail, initials(name), full_pinyin(name))


def _exact_score(entry: Entry, q: str) -> tuple[float, str] | None:
    """Exact and prefix hits rank above any fuzzy one."""
    code = entry.code.lower()
    if code == q:
        return 100.0, "code"
    if entry.name == q:
        return 99.0, "name"
    if entry.initials == q:
        return 97.0, "initials"
    if entry.name.startswith(q):
        return 95.0, "name"
    if code.startswith(q):
        return 94.0, "code"
    if q.isascii() and q.isalpha():
        if entry.pinyin == q:
            return 96.0, "pinyin"
        if entry.initials.startswith(q):
            return 92.0, "initials"
        if entry.pinyin.startswith(q):
            return 90.0, "pinyin"
    if q in entry.name:
        return 85.0, "name"
    return None
