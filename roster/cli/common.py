"""Options, parameter types and helpers shared by every `roster` command."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import click
import pendulum
from click.core import ParameterSource

from roster import store
from roster.config import ENV_DB
from roster.i18n import _
from roster.text import inert


class DateParam(click.ParamType):
    """An ISO date (YYYY-MM-DD) that exists in the calendar."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            parsed = pendulum.parse(str(value), exact=True)
        except (ValueError, pendulum.parsing.exceptions.ParserError):
            parsed = None
        if not isinstance(parsed, dt.date) or isinstance(parsed, dt.datetime):
            self.fail(
                _("{value} is not a real date: write it as YYYY-MM-DD, e.g. 2026-12-07").format(
                    value=repr(value)
                ),
                param,
                ctx,
            )
        return dt.date(parsed.year, parsed.month, parsed.day)


DATE = DateParam()


def bind_identity(ctx: click.Context, db_path: Path):
    """Work out who acts on `db_path` (the OS user; `--as` where the database is not
    shared) and make it the actor for the rest of this command. A refused `--as` is a
    one-line error, audited under the real name when the database exists."""
    from roster.access import refuse_claim
    from roster.identity import ClaimRefused, acting, identify

    root = ctx.find_root()
    claim = (root.obj or {}).get("claim")
    db = None
    try:
        if claim and db_path.exists():
            db = store.open_db(db_path, create=False)
        try:
            identity = identify(db_path, claim, db=db)
        except ClaimRefused as e:
            if db is not None:
                refuse_claim(db, e)
            raise click.ClickException(inert(str(e))) from None
    finally:
        if db is not None:
            db.close()
    root.with_resource(acting(identity))
    return identity


def _inherit_db(ctx: click.Context, param: click.Parameter, value):
    """Which database a command works on: its own `--db` on the command line, else the
    `--db` given to `roster` itself (`roster --db X status` means X), else $ROSTER_DB, else
    the default."""
    if ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE:
        return value
    parent = ctx.parent
    while parent is not None:
        if parent.get_parameter_source("db_path") == ParameterSource.COMMANDLINE:
            return parent.params["db_path"]
        parent = parent.parent
    return value


def _bind(ctx: click.Context, param, value):
    """The command's database (its own --db, else the one given to `roster`), and who acts
    on it."""
    value = _inherit_db(ctx, param, value)
    if value is not None and ctx.parent is not None:
        bind_identity(ctx, value)
    return value


def db_option(func):
    return click.option(
        "--db",
        "db_path",
        envvar=ENV_DB,
        default=store.DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_bind,
        help=_("The roster database (or $ROSTER_DB)."),
    )(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))(func)


def week_option(required: bool):
    return click.option(
        "--week",
        type=DATE,
        required=required,
        help=_("Any date in the week (Monday to Sunday, Asia/Shanghai)."),
    )


def open_existing(db_path: Path):
    """The roster database at `db_path`: only `roster init` creates one, and a file that is
    not a roster database (or a newer roster's) is refused unchanged."""
    if not db_path.exists():
        raise click.ClickException(
            _(
                "no roster database at {path}: create one with `roster init --db {path}` "
                "(add --demo for the demo district)"
            ).format(path=db_path)
        )
    return store.open_db(db_path, create=False)


def require(db, what, *, district: bool = True):
    """Refuse (and audit the attempt, in English) unless the acting coordinator may do
    `what`: English marked `N_`, or a two-language `roster.i18n.said.Said` when it names something."""
    from roster.access import NotAllowed, access_for, refuse

    access = access_for(db)
    try:
        if district:
            access.require_district(what)
        else:
            access.require_writer(what)
    except NotAllowed as e:
        refuse(db, access, what, e)
        raise click.ClickException(inert(str(e))) from None
    return access


@contextlib.contextmanager
def inert_output() -> Iterator[None]:
    """While a command runs, everything it writes through click (its lines, its errors,
    its prompts) shows control and bidi characters as visible escapes (`roster.text`):
    a cadre's name never retitles or clears the reader's terminal. JSON stays valid
    (`\\u202e` is a JSON escape; control characters are escaped by json already)."""
    import click.exceptions
    import click.termui
    import click.utils

    original = click.utils.echo

    def safe_echo(message=None, file=None, nl=True, err=False, color=None):
        if isinstance(message, str):
            message = inert(message, keep_newlines=True)
        return original(message, file=file, nl=nl, err=err, color=color)

    modules = (click, click.utils, click.exceptions, click.termui)
    for module in modules:
        module.echo = safe_echo
    try:
        yield
    finally:
        for module in modules:
            module.echo = original


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - cells(text))


def emit(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def cells(text: str) -> int:
    """How many terminal cells `text` takes (a Chinese character takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# punctuation that may not begin a line of Chinese
_NO_LINE_START = "，。、；：？！）》」』】”’"


def wrap_help_by_cells() -> None:
    """Click wraps and shortens help by characters; in Chinese a character is two cells
    wide, so lines ran past the terminal. While Chinese is spoken, help is wrapped by
    cells (a line may break between any two Chinese characters, never before closing
    punctuation) and a command's line in the list is its first sentence, cut to fit.
    English goes through click unchanged."""
    import unicodedata

    import click._textwrap
    import click.core

    from roster import i18n

    def wide(ch: str) -> bool:
        return unicodedata.east_asian_width(ch) in "WF"

    class CellWrapper(click._textwrap.TextWrapper):
        def _split(self, text):
            chunks = super()._split(text)
            if i18n.current() != "zh":
                return chunks
            out: list[str] = []
            for chunk in chunks:
                run = ""
                for ch in chunk:
                    if wide(ch):
                        if run:
                            out.append(run)
                            run = ""
                        out.append(ch)
                    else:
                        run += ch
                if run:
                    out.append(run)
            return out

        def _wrap_chunks(self, chunks):
            if i18n.current() != "zh":
                return super()._wrap_chunks(chunks)
            lines: list[str] = []
            chunks = list(reversed(chunks))
            while chunks:
                indent = self.subsequent_indent if lines else self.initial_indent
                if lines and not chunks[-1].strip():
                    chunks.pop()
                    continue
                width, line, used = self.width - cells(indent), [], 0
                while chunks and (not line or used + cells(chunks[-1]) <= width):
                    used += cells(chunks[-1])
                    line.append(chunks.pop())
                if chunks and chunks[-1][:1] in _NO_LINE_START and len(line) > 1:
                    chunks.append(line.pop())  # the character before goes down with it
                while line and not line[-1].strip():
                    line.pop()
                lines.append(indent + "".join(line))
            return lines

    original_short = click.core._make_default_short_help

    def short_help(help: str, max_length: int = 45) -> str:
        if i18n.current() != "zh":
            return original_short(help, max_length)
        first = " ".join(help.partition("\n\n")[0].split())
        end = first.find("。")
        if end >= 0:
            first = first[: end + 1]
        if cells(first) <= max_length:
            return first
        cut = ""
        for ch in first:
            if cells(cut + ch) > max_length - 1:
                break
            cut += ch
        return cut + "…"

    import click._compat
    import click.formatting

    original_len = click.formatting.term_len

    def term_len(text: str) -> int:
        # the option column is aligned by this length ("--db 文件" takes 9 cells, not 7)
        if i18n.current() != "zh":
            return original_len(text)
        return cells(click._compat.strip_ansi(text))

    original_heading = click.formatting.HelpFormatter.write_heading

    def write_heading(self, heading: str) -> None:
        if i18n.current() != "zh":
            return original_heading(self, heading)
        self.write(f"{'':>{self.current_indent}}{heading}：\n")  # as "用法：" has it

    original_record = click.core.Option.get_help_record

    def help_record(self, ctx):
        # "[默认：4; 1<=x<=8]": click joins the option's extras with "; "
        record = original_record(self, ctx)
        if record is None or i18n.current() != "zh" or not record[1].endswith("]"):
            return record
        head, bracket, extras = record[1].rpartition("[")
        return record[0], head + bracket + extras.replace("; ", "；")

    click._textwrap.TextWrapper = CellWrapper
    click.core._make_default_short_help = short_help
    click.core.Option.get_help_record = help_record
    click.formatting.term_len = term_len
    click.formatting.HelpFormatter.write_heading = write_heading


def fairness_values(fairness: dict) -> dict:
    """The night and weekend figures of a solve's `fairness` (its --json), named as the
    messages of `solve` and `plan` use them."""
    nights, weekends = fairness["nights"], fairness["weekends"]
    return {
        "weeks": fairness["weeks"],
        "cadres": nights["cadres"],
        "none": nights["none"],
        "most": nights["max"],
        "top": nights["top10_share"],
        "gini": nights["gini"],
        "weekend_gini": weekends["gini"],
    }
