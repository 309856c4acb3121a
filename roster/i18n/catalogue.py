"""The translation catalogues: read, compiled, checked (Babel does the work).

A language's catalogue is the `.po` files in `roster/locale/<locale>/` (one per part of the
program: `cli.po`, `tui.po`, ...), one gettext domain at run time. The install compiles them
into `roster/locale/<locale>/LC_MESSAGES/roster.mo` (`compile_into`, called by setup.py);
`load` uses that file when it is newer than every `.po` and otherwise compiles them (and
keeps the result there when it may), so that an edited catalogue in a source checkout is
seen at once.
"""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

DOMAIN = "roster"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# the functions whose first argument(s) are messages (Babel's keyword spec)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def parts(locale: str, root: Path = LOCALE_DIR) -> list[Path]:
    """The `.po` files of `locale`'s catalogue."""
    return sorted((root / locale).glob("*.po"))


def merged(locale: str, root: Path = LOCALE_DIR):
    """`locale`'s catalogue as one Babel catalogue (all its parts; the first part that
    translates a message wins)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    out = Catalog(locale=locale, domain=DOMAIN)
    for path in parts(locale, root):
        with path.open("rb") as f:
            part = read_po(f, locale=locale)
        for message in part:
            if not message.id or message.fuzzy:
                continue
            have = out.get(message.id, context=message.context)
            if have is None or not _translated(have):
                out.add(message.id, message.string, context=message.context)
    return out


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return any(strings)


def mo_bytes(locale: str, root: Path = LOCALE_DIR) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, merged(locale, root))
    return buffer.getvalue()


def compile_into(target_root: Path, locale: str, root: Path = LOCALE_DIR) -> Path:
    """Write `locale`'s compiled catalogue under `target_root` (the install's copy of
    roster/locale) and return its path."""
    path = target_root / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mo_bytes(locale, root))
    return path


def load(locale: str, root: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """The translations of `locale`: the compiled file when current, else compiled now."""
    mo = root / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    sources = parts(locale, root)
    if mo.exists() and all(mo.stat().st_mtime >= p.stat().st_mtime for p in sources):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if not sources:
        return gettext.NullTranslations()
    data = mo_bytes(locale, root)
    _keep(mo, data)
    return gettext.GNUTranslations(io.BytesIO(data))


def _keep(mo: Path, data: bytes) -> None:
    """Keep a freshly compiled catalogue for the next start (a source checkout's; an install
    ships it compiled), if the folder may be written: replaced whole, never half-written."""
    try:
        mo.parent.mkdir(parents=True, exist_ok=True)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        partial.write_bytes(data)
        os.replace(partial, mo)
    except OSError:
        pass  # read-only: compile again next time


def extract(package_dir: Path, files: list[Path] | None = None):
    """Every message the code marks (`_`, `N_`, `ngettext`, `pgettext`), as (file, line,
    message, context) where message is a string or a (singular, plural) pair and context is
    None but for `pgettext`."""
    from babel.messages.extract import extract_from_file

    out = []
    for path in files or sorted(package_dir.rglob("*.py")):
        for lineno, message, _comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            out.append((path, lineno, message, context))
    return out


def missing(locale: str, package_dir: Path, root: Path = LOCALE_DIR, files=None):
    """The marked messages `locale`'s catalogue does not translate: (file, line, message,
    context)."""
    catalogue = merged(locale, root)
    out = []
    for path, lineno, message, context in extract(package_dir, files):
        key = message if isinstance(message, str) else message[0]
        have = catalogue.get(key, context=context)
        if have is None or not _translated(have):
            out.append((path, lineno, message, context))
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m roster.i18n.catalogue missing [FILE ...]`: list the messages with no
    zh_CN translation (the catalogue's `.po` entries to write), as a `.po` stub."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    package_dir = Path(__file__).resolve().parent.parent
    if not args or args[0] != "missing":
        print("usage: python -m roster.i18n.catalogue missing [FILE ...]", file=sys.stderr)
        return 2
    files = [Path(a).resolve() for a in args[1:]] or None
    seen = set()
    for path, lineno, message, context in missing("zh_CN", package_dir, files=files):
        key = (message if isinstance(message, str) else tuple(message), context)
        if key in seen:
            continue
        seen.add(key)
        print(f"#: {path.relative_to(package_dir.parent)}:{lineno}")
        if context:
            print(f"msgctxt {_po(context)}")
        if isinstance(message, str):
            print(f'msgid {_po(message)}\nmsgstr ""\n')
        else:
            print(f'msgid {_po(message[0])}\nmsgid_plural {_po(message[1])}\nmsgstr[0] ""\n')
    return 0


def _po(text: str) -> str:
    from babel.messages.pofile import escape

    return escape(text)


if __name__ == "__main__":
    raise SystemExit(main())
