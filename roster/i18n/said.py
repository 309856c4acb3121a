"""Sentences said in two languages at once: English, which is stored (audit details, a
roster's saved explanations, a settled relief option), compared (two checks finding the
same breach) and written in `--json`; and the language spoken, which people are shown.

`Said(N_("template {name}"), name=...)` keeps the template and its values and renders
either: `.english` (the template as written) or `str()` (the template translated). A value
may itself be said in two languages (`Said`, `Day`, `Joined`): each form renders it in its
own language; other values (numbers, names, codes) go in as they are, so format specs such
as `{km:.1f}` work. `ngettext(singular, plural, n, **values)` is the plural-aware form
(named so that Babel extracts it as a plural message).
"""

from __future__ import annotations

import datetime as dt

from roster import i18n

_PLAIN = (str, int, float, bool, type(None))


def english(value):
    """`value` as English: a two-language value's English form, anything else as it is."""
    return value.english if isinstance(value, Said | Day | Weekday | Joined | Both) else value


def shown(value):
    """`value` in the language spoken."""
    return str(value) if isinstance(value, Said | Day | Weekday | Joined | Both) else value


def to_record(value):
    """`value` as JSON-safe data that `from_record` makes again: a two-language value as a
    one-key-tagged dict (`said`, `day`, `joined`, `both`), a number, text or None as it is,
    anything else as its English text."""
    if isinstance(value, Said | Day | Weekday | Joined | Both):
        return value.to_record()
    if isinstance(value, _PLAIN):
        return value
    return str(english(value))


def from_record(record):
    """The value `to_record` wrote (a stored record keeps its English when read again)."""
    if not isinstance(record, dict):
        return record
    if "said" in record:
        return Said.from_record(record)
    if "day" in record:
        return Day(dt.date.fromisoformat(record["day"]), record["english"])
    if "weekday" in record:
        return Weekday(record["weekday"])
    if "joined" in record:
        return Joined(
            [from_record(x) for x in record["joined"]], record.get("sep", "; "),
            record.get("zh_sep", "；"), record.get("tail", ""),
        )  # fmt: skip
    if "both" in record:
        # the shown form is the language it was said in: in another language, the English
        text = record.get("text", record["both"])
        return Both(
            record["both"], text if record.get("language") == i18n.current() else record["both"]
        )
    raise ValueError(f"not a said record: {record!r}")


class Said:
    """A sentence (or a word) in English and in the language spoken (module doc)."""

    __slots__ = ("msgid", "plural", "n", "values", "_english", "_shown")

    def __init__(self, msgid: str, /, **values):
        self.msgid, self.values = msgid, values
        self.plural: str | None = None
        self.n: int | None = None
        self._english: str | None = None
        self._shown: tuple[str, str] | None = None  # (language, text), the last one said

    @property
    def english(self) -> str:
        if self._english is None:
            template = self.msgid if self.plural is None or self.n == 1 else self.plural
            self._english = template.format(**{k: english(v) for k, v in self.values.items()})
        return self._english

    def __str__(self) -> str:
        language = i18n.current()
        if language == "en":
            return self.english
        if self._shown is not None and self._shown[0] == language:
            return self._shown[1]
        if self.plural is None:
            template = i18n._(self.msgid)
        else:
            template = i18n.ngettext(self.msgid, self.plural, self.n)
        text = template.format(**{k: shown(v) for k, v in self.values.items()})
        self._shown = (language, text)
        return text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def to_record(self) -> dict:
        """JSON-safe data for `Said.from_record` (stored beside the English, e.g. with a
        roster's explanations, so that it is shown in the language of whoever reads it)."""
        out: dict = {"said": self.msgid}
        if self.plural is not None:
            out["plural"], out["n"] = self.plural, self.n
        out["values"] = {k: to_record(v) for k, v in self.values.items()}
        return out

    @classmethod
    def from_record(cls, record: dict) -> Said:
        out = cls(
            record["said"], **{k: from_record(v) for k, v in record.get("values", {}).items()}
        )
        if record.get("plural") is not None:
            out.plural, out.n = record["plural"], record.get("n")
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, Said) and self.english == other.english

    def __hash__(self) -> int:
        return hash(self.english)

    def __repr__(self) -> str:
        return f"Said({self.english!r})"


def ngettext(singular: str, plural: str, n: int, /, **values) -> Said:
    """The plural-aware `Said`: `ngettext("{n} shift", "{n} shifts", n, n=n)`."""
    out = Said(singular, **values)
    out.plural, out.n = plural, n
    return out


class Day:
    """A day: in English as the place that names it always wrote it (`english`), in
    Chinese as `i18n.day_label` (`12月7日 周一`)."""

    __slots__ = ("date", "english")

    def __init__(self, date: dt.date, english: str):
        self.date, self.english = date, english

    def to_record(self) -> dict:
        return {"day": self.date.isoformat(), "english": self.english}

    def __str__(self) -> str:
        return self.english if i18n.current() == "en" else i18n.day_label(self.date)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Day({self.english!r})"


class Weekday:
    """A weekday (0 = Monday) by its short name: `Mon` in English, `周一` in Chinese."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    @property
    def english(self) -> str:
        return i18n.WEEKDAYS_EN[self.index]

    def to_record(self) -> dict:
        return {"weekday": self.index}

    def __str__(self) -> str:
        return self.english if i18n.current() == "en" else i18n.weekday_name(self.index)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Weekday({self.english!r})"


class Joined:
    """Items said one after another: `sep` between them in English, `zh_sep` in Chinese
    (and `tail` after the last, in both: `…` when some were left out)."""

    __slots__ = ("items", "sep", "zh_sep", "tail")

    def __init__(self, items, sep: str = "; ", zh_sep: str = "；", tail: str = ""):
        self.items, self.sep, self.zh_sep, self.tail = list(items), sep, zh_sep, tail

    def to_record(self) -> dict:
        out = {"joined": [to_record(x) for x in self.items], "sep": self.sep, "zh_sep": self.zh_sep}
        if self.tail:
            out["tail"] = self.tail
        return out

    @property
    def english(self) -> str:
        return self.sep.join(str(english(x)) for x in self.items) + self.tail

    def __str__(self) -> str:
        if i18n.current() == "en":
            return self.english
        return self.zh_sep.join(str(shown(x)) for x in self.items) + self.tail

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Joined({self.english!r})"


class Both:
    """Text already said in both languages (e.g. a stored English record and its shown
    form): `english`, and `str()` the form shown."""

    __slots__ = ("english", "text")

    def __init__(self, english: str, text: str):
        self.english, self.text = english, text

    def to_record(self) -> dict:
        return {"both": self.english, "text": self.text, "language": i18n.current()}

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __repr__(self) -> str:
        return f"Both({self.english!r})"
