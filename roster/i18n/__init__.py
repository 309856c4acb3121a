"""The language roster speaks to people: English or Chinese (`zh`, the zh_CN catalogue).

Every human-facing string of the core, the UI and the command line goes through `_`
(`ngettext` where a number changes the English form); a string defined before the language
is known (a module constant, a key binding's description) is marked `N_` and translated
where it is shown. Placeholders are named (`_("{n} cadres").format(n=...)`) so that a
translation may reorder them. Machine output keeps English: `--json` keys and codes, audit
records, file formats.

The language is chosen once per process, before anything is shown (`use`), by
`choose`: `--lang`, else `$ROSTER_LANG`, else the locale (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`), else English. The catalogues are `roster/locale/<locale>/*.po`
(one per part of the program); the install compiles them into `LC_MESSAGES/roster.mo`,
and a source checkout without a current `.mo` compiles them when loaded
(`roster.i18n.catalogue`).
"""

from __future__ import annotations

import datetime as dt
import gettext

LANGUAGES = {"en": "English", "zh": "中文"}
# weekdays (0 = Monday) as the English forms write them; `weekday_name` in the language spoken
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT = "en"
LOCALES = {"zh": "zh_CN"}  # language -> the catalogue's locale (English needs none)

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT


def language_of(tag: str | None) -> str | None:
    """The language a locale tag or `--lang` value names (`zh_CN.UTF-8`, `zh`, `en_US`,
    `C`), or None when it names none we speak (`C`/`POSIX` name English)."""
    if not tag:
        return None
    for part in tag.split(":"):  # $LANGUAGE is a list, most wanted first
        code = part.split(".")[0].split("@")[0].replace("-", "_").lower()
        if code in ("c", "posix"):
            return DEFAULT
        lang = code.split("_")[0]
        if lang in LANGUAGES:
            return lang
    return None


def choose(option: str | None = None, setting: str | None = None, locale=()) -> str:
    """The language to speak: the `--lang` option, else the `$ROSTER_LANG` setting, else the
    first of the locale variables (in their order of precedence) that names one, else English."""
    for tag in (option, setting, *locale):
        lang = language_of(tag)
        if lang:
            return lang
    return DEFAULT


def use(language: str) -> None:
    """Speak `language` from now on (English when it has no catalogue)."""
    global _translations, _language
    from roster.i18n.catalogue import load

    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: one of {', '.join(LANGUAGES)}")
    _translations = load(LOCALES[language]) if language in LOCALES else gettext.NullTranslations()
    _language = language


def current() -> str:
    """The language being spoken (`en` or `zh`)."""
    return _language


def _(message: str) -> str:
    """`message` in the current language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message that fits the number `n`, in the current language."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, in the sense `context` names: for a short word
    that another part of the program uses in another sense ("town" the place, "town" the
    coordinator's role)."""
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for translation where it is shown, not here (returned unchanged)."""
    return message


# --- dates, weeks, distances ------------------------------------------------------------

_DAY = {"en": "EEE MM-dd", "zh": "M月d日 EEE"}
_DAY_LONG = {"en": "EEE yyyy-MM-dd", "zh": "yyyy年M月d日 EEE"}
_BABEL_LOCALE = {"en": "en", "zh": "zh_CN"}


def day_label(day: dt.date, long: bool = False) -> str:
    """A day as people read it: `Mon 12-07` / `12月7日 周一` (`long`: with the year)."""
    from babel.dates import format_date

    pattern = (_DAY_LONG if long else _DAY)[_language]
    return format_date(day, pattern, locale=_BABEL_LOCALE[_language])


def weekday_name(weekday: int) -> str:
    """The short name of a weekday (0 = Monday): `Mon` / `周一`."""
    from babel.dates import get_day_names

    return get_day_names("abbreviated", locale=_BABEL_LOCALE[_language])[weekday]


def week_label(monday: dt.date) -> str:
    """A week by its ISO number: `W49` / `第49周`."""
    number = monday.isocalendar().week
    return f"第{number}周" if _language == "zh" else f"W{number:02d}"


def week_title(monday: dt.date) -> str:
    """A week with its year: `2026-W49` / `2026年第49周`."""
    year, number, _day = monday.isocalendar()
    return f"{year}年第{number}周" if _language == "zh" else f"{year}-W{number:02d}"


def km(distance: float) -> str:
    """A distance with its unit: `3.2 km` / `3.2公里`."""
    return _("{km:.1f} km").format(km=distance)
