"""The `roster` command line: option parsing only, one module per group of commands.

`root` is the group itself (and the UI when no command is given); `district` (init, import,
status), `week` (solve, check, publish), `users` (user, audit), `backup` (backup, restore),
`exports` (export, now, service), `relief` (relief, recall), `bench` (the benchmarks);
`common` holds the options and helpers they share.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """The `roster` command. The language is chosen first (`--lang`, $ROSTER_LANG, the
    locale): the commands' help and the UI's keys are written when their modules load."""
    from roster import i18n
    from roster.config import Config, ConfigError

    args = sys.argv[1:] if argv is None else list(argv)
    lang, args = lang_argument(args)
    try:
        config = Config.from_environment(lang=lang)
    except ConfigError as e:  # a bad variable: one line in the language otherwise chosen
        i18n.use(e.language)
        print(i18n._("Error: {message}").format(message=e), file=sys.stderr)
        raise SystemExit(2) from None
    i18n.use(config.language)
    if lang is not None and i18n.language_of(lang) is None:
        print(
            i18n._("Error: --lang {value} is not a language roster speaks: use zh or en").format(
                value=repr(lang)
            ),
            file=sys.stderr,
        )
        raise SystemExit(2)
    from roster.cli.root import main as run

    run(args)


def lang_argument(args: list[str]) -> tuple[str | None, list[str]]:
    """The value of `--lang` (accepted anywhere before a `--`) and the other arguments."""
    rest: list[str] = []
    value = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
            i += 2
            continue
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return value, rest


def __getattr__(name: str):
    if name == "cli":  # the click group, loaded when asked for (tests, scripts)
        from roster.cli.root import cli

        return cli
    raise AttributeError(name)


__all__ = ["cli", "main"]
