"""What changed in a week's roster, and who must be told.

Between two rosters of the same week (the one published and the one stored now, or the
one stored and one proposed by a re-solve or an edit), the duties that differ grouped by
person: what each had, what each has now, whether they had already been told (they were
in the published roster), and the SMS text to send them. The texts are the exports' own
(`roster.exports.sms_text`, "your duties have changed, now: …"), so the UI, the CLI and
the exported list say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from roster import i18n, store
from roster.domain import Assignment, District
from roster.i18n import _
from roster.i18n.said import Weekday

Key = tuple[int, dt.date, str, int]  # post, day, shift, cadre: what a person is told


class Duties(tuple):
    """Duties grouped by post and shift, as the words `--json` and the changes file carry,
    the same whoever asks (`秦家东庄村 D Tue Wed Thu`), and `shown()` in the language spoken
    (`秦家东庄村 D 周二 周三 周四`)."""

    groups: tuple[tuple[str | None, int, str, tuple[dt.date, ...]], ...]

    def __new__(cls, groups=()):
        groups = tuple(groups)  # (post name or None, post id, shift code, days)
        words = (_group_words(g, english=True) for g in groups)
        out = super().__new__(cls, words)
        out.groups = groups
        return out

    def shown(self) -> tuple[str, ...]:
        return tuple(_group_words(g, english=False) for g in self.groups)


def _group_words(group, english: bool) -> str:
    name, post_id, code, days = group
    if name is None:
        name = f"post #{post_id}" if english else _("post #{id}").format(id=post_id)
    said = (Weekday(d.weekday()) for d in days)
    return f"{name} {code} {' '.join(w.english if english else str(w) for w in said)}"


@dataclass(frozen=True)
class PersonChange:
    """One person whose duties of the week differ."""

    cadre_id: int
    name: str
    code: str
    phone: str
    before: Duties  # the duties that went, e.g. "北沟村 D Mon Tue"
    after: Duties  # the duties that came
    told: bool  # in the roster as published (they were told their week already)
    sms: str

    @property
    def change(self) -> str:
        """What changed, as the changes file says it (the same in every language)."""
        return f"{'; '.join(self.before) or '-'} → {'; '.join(self.after) or '-'}"

    @property
    def change_shown(self) -> str:
        """What changed, in the language spoken."""
        gone = "; ".join(self.before.shown()) or "-"
        return f"{gone} → {'; '.join(self.after.shown()) or '-'}"


@dataclass(frozen=True)
class WeekChanges:
    week_start: dt.date
    since: str  # "publishing", or what the other roster was
    duties: int  # duties added or removed
    people: tuple[PersonChange, ...]

    @property
    def told(self) -> tuple[PersonChange, ...]:
        """The people already told their week (in the published roster) whose duties change."""
        return tuple(p for p in self.people if p.told)

    def summary(self, limit: int = 6) -> str:
        """`7 people's duties change (12 added or removed); already told: 王金宝 (+3)`."""
        if not self.people:
            return _("no duty changes")
        text = _("{n} people's duties change ({duties} added or removed)").format(
            n=len(self.people), duties=self.duties
        )
        told = self.told
        if told:
            names = ("、" if i18n.current() == "zh" else ", ").join(p.name for p in told[:limit])
            more = f" (+{len(told) - limit})" if len(told) > limit else ""
            text += _("; already told: {names}{more}").format(names=names, more=more)
        return text


def _keys(assignments: Iterable) -> set[Key]:
    out = set()
    for a in assignments:
        if isinstance(a, Assignment):
            out.add((a.post_id, a.date, a.shift_code, a.cadre_id))
        else:
            out.add(tuple(a))  # type: ignore[arg-type]
    return out


def _duty_words(district: District, keys: list[Key]) -> Duties:
    """Duties grouped by post and shift (`Duties`)."""
    groups: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    for post_id, day, code, _cadre in sorted(keys, key=lambda k: k[1]):
        groups[(post_id, code)].append(day)
    return Duties(
        (district.posts[p].name if p in district.posts else None, p, code, tuple(days))
        for (p, code), days in groups.items()
    )


def changes_between(
    district: District,
    monday: dt.date,
    before: Iterable,
    after: Iterable[Assignment],
    *,
    told: Iterable | None = None,
    also_told: Iterable[int] = (),
    since: str = "publishing",
) -> WeekChanges:
    """The people whose duties differ between `before` and `after` (Assignments or
    (post, day, shift, cadre) tuples). `told`: the published roster (who was told); by
    default `before` itself. `also_told`: cadres told otherwise (by a relief's SMS)."""
    from roster.exports import duties, sms_text

    after = list(after)
    old, new = _keys(before), _keys(after)
    told_ids = {k[3] for k in (_keys(told) if told is not None else old)} | set(also_told)
    gone: dict[int, list[Key]] = defaultdict(list)
    came: dict[int, list[Key]] = defaultdict(list)
    for key in old - new:
        gone[key[3]].append(key)
    for key in new - old:
        came[key[3]].append(key)
    theirs: dict[int, list[Assignment]] = defaultdict(list)
    for a in after:
        theirs[a.cadre_id].append(a)
    people = []
    for cadre_id in set(gone) | set(came):
        cadre = district.cadres.get(cadre_id)
        if cadre is None:
            continue
        people.append(
            PersonChange(
                cadre_id,
                cadre.name,
                cadre.code,
                cadre.phone,
                _duty_words(district, gone[cadre_id]),
                _duty_words(district, came[cadre_id]),
                cadre_id in told_ids,
                sms_text(cadre, monday, duties(district, theirs[cadre_id]), changed=True),
            )
        )
    people.sort(key=lambda p: (not p.told, p.code))
    return WeekChanges(monday, since, len(old ^ new), tuple(people))


def since_published(db: sqlite_utils.Database, monday: dt.date) -> WeekChanges | None:
    """What changed in the week since it was published; None when it never was."""
    published = store.published_assignments(db, monday)
    roster = store.get_roster(db, monday)
    if published is None or roster is None:
        return None
    district = store.load_district(db)
    return changes_between(
        district, monday, published, roster.assignments, also_told=told_by_relief(db, monday)
    )


def told_by_relief(db: sqlite_utils.Database, monday: dt.date) -> set[int]:
    """Cadres a settled relief sent a text to this week (stand-ins and the relieved)."""
    from roster.exports import changed_cadres

    return changed_cadres(db, monday)


CHANGE_COLUMNS = ("phone", "code", "name", "already told", "change", "message")


def write_changes(changes: WeekChanges, out_dir: Path) -> Path:
    """One CSV for the SMS gateway and the phone calls: a row per person to tell, with
    what changed and the text to send. Written whole or not at all."""
    from roster.exports import _write_csv, write_all_or_nothing

    name = f"changes-{changes.week_start}.csv"

    def write(folder: Path) -> list[Path]:
        path = folder / name
        _write_csv(
            path,
            CHANGE_COLUMNS,
            (
                [p.phone, p.code, p.name, "yes" if p.told else "no", p.change, p.sms]
                for p in changes.people
            ),
        )
        return [path]

    return write_all_or_nothing(out_dir, write)[0]
