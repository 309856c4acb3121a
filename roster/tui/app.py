"""The terminal UI: `make_app` builds it (tests build it directly), `run_app` runs it.

The app holds one database connection (the UI thread's), the district as plain values and a
`WeekEditor` per week opened. Screens ask the app to edit; workers get plain values and
open nothing of the UI thread's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from functools import partial

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from roster import errors, store
from roster.access import access_for
from roster.clock import today
from roster.domain import week_start
from roster.edits import Change, EditError, Refused, WeekEditor, default_checker
from roster.i18n import N_, _
from roster.text import inert, inert_district
from roster.tui.keys import translate_bindings
from roster.tui.messages import ChecksReady, JumpTo, RosterChanged


class RosterApp(App[None]):
    """Read, change, lock, solve and publish a week's roster from the keyboard."""

    TITLE = "roster"
    # Every screen's stylesheet, loaded once at start: a screen bringing its own CSS_PATH
    # makes Textual restyle the whole app on first push (about half a second).
    CSS_PATH = [
        f"screens/{name}.tcss"
        for name in (
            "app",
            "board",
            "post",
            "cadre",
            "problems",
            "solve",
            "find",
            "dialogs",
            "help",
            "relief",
            "audit",
            "export",
            "fairness",
            "now",
            "changes",
            "rotation",
        )
    ]
    BINDINGS = [
        Binding("question_mark", "help", N_("Help"), key_display="?", tooltip=N_("every key here")),
        Binding(
            "slash",
            "find",
            N_("Find"),
            key_display="/",
            tooltip=N_("a cadre or a post"),
            show=False,
        ),
        Binding("q", "quit", N_("Quit")),
    ]
    # Textual's own palette commands kept by `get_system_commands`, shown translated
    TEXTUAL_COMMANDS = (
        N_("Theme"),
        N_("Change the current theme"),
        N_("Minimize"),
        N_("Minimize the widget and restore to normal size"),
        N_("Screenshot"),
        N_("Save an SVG 'screenshot' of the current screen"),
    )

    def __init__(
        self,
        db_path: str | os.PathLike[str],
        *,
        week: dt.date | None = None,
        actor: str | None = None,
        time_limit: float = 10.0,
        watch_seconds: float = 2.0,
        checker: Callable = default_checker,
        notice: str = "",
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.notice = notice  # said inside the app once it is up (e.g. the demo was created)
        self.db_path = db_path
        self.week = week_start(week or today())
        self.actor = actor
        self.time_limit = time_limit
        self.watch_seconds = watch_seconds
        self.checker = checker
        self.solve_controls: set = set()
        self._editors: dict[dt.date, WeekEditor] = {}
        self._finder = None  # roster.find.Finder, built in a worker (pypinyin loads slowly)
        self.db = store.open_db(db_path, create=False)
        # The UI thread never waits long for the write lock: it says who holds it and offers
        # to retry (see `edit`), and stays usable meanwhile.
        self.db.busy_wait = 0
        self.db.conn.execute(f"pragma busy_timeout = {min(store.BUSY_TIMEOUT_MS, 2000)}")
        self.district_version = store.district_version(self.db)  # read before the district
        self.district = inert_district(store.load_district(self.db))
        self.access = access_for(self.db, actor)

    def notify(self, message: str, *, markup: bool = False, **options) -> None:
        """Every notification: names in it shown inert and never read as markup (a
        name like `王[/]宝` or one holding an escape sequence is shown as written)."""
        super().notify(inert(message, keep_newlines=True), markup=markup, **options)

    # --- state -------------------------------------------------------------------------

    @property
    def editor(self) -> WeekEditor:
        editor = self._editors.get(self.week)
        if editor is None:
            editor = WeekEditor(
                self.db,
                self.district,
                self.week,
                actor=self.actor,
                checker=self.checker,
                access=self.access,
                rebase=True,
                district_version=self.district_version,
            )
            self._editors[self.week] = editor
        return editor

    @property
    def finder(self):
        """The pinyin index of cadres and posts (`roster.find.Finder`)."""
        if self._finder is None:
            from roster.find import Finder

            self._finder = Finder(self.district)
        return self._finder

    def on_mount(self) -> None:
        from roster.tui.screens.board import BoardScreen

        self.push_screen(BoardScreen())
        # The checker (ortools) and the pinyin index load after the board is on screen.
        self.set_timer(0.05, self._after_first_draw)

    def _after_first_draw(self) -> None:
        if self.notice:
            self.notify(self.notice, title=_("Welcome"), timeout=20)
        self.check_week()
        self.build_finder()
        if self.watch_seconds:
            self.set_interval(self.watch_seconds, self.watch_db)

    def set_week(self, monday: dt.date) -> None:
        self.week = week_start(monday)
        editor = self.editor
        if editor.stored_version() != editor.version:
            editor.reload()
        self.roster_changed("week")

    def roster_changed(self, reason: str, posts: frozenset[int] | None = None) -> None:
        """Tell every open screen the week changed, and check it again off the UI thread."""
        for screen in self.screen_stack:
            screen.post_message(RosterChanged(reason, posts))
        if reason != "checks" and not self.editor.checked:
            self.check_week()

    def watch_db(self) -> None:
        """Show others' changes within `watch_seconds`: reload the district when its version
        moved (an import, a recall, settings), the week when the roster's version moved."""
        editor = self.editor
        try:
            district_version = store.district_version(self.db)
            stored = editor.stored_version()
        except Exception:  # a locked database: try again at the next tick
            return
        if district_version != self.district_version:
            self.reload_district(say=True)
            return
        if stored != editor.version:
            editor.reload()
            self.notify(_("This week was changed by someone else: reloaded."), timeout=4)
            self.roster_changed("reload")

    def check_week(self) -> None:
        """Run the independent checker off the UI thread; the result comes back as a message."""
        editor = self.editor
        self._check(
            self.district,
            editor.week_start,
            editor.version,
            list(editor.assignments),
            editor.neighbours,
        )

    @work(thread=True, exclusive=True, group="check", exit_on_error=False)
    def _check(self, district, monday, version, assignments, history) -> None:
        """Plain values in, a message out: the worker touches no connection of the UI's."""
        breaches = list(self.checker(district, monday, assignments, history))
        self.post_message(ChecksReady(monday, version, breaches))

    @work(thread=True, exclusive=True, group="finder", exit_on_error=False)
    def build_finder(self) -> None:
        from roster.find import Finder

        finder = Finder(self.district)
        if self._finder is None:
            self._finder = finder

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported (the solve screen shows its own)."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                _("{task} failed: {kind}: {error}").format(
                    task=event.worker.group, kind=type(error).__name__, error=error
                ),
                severity="error",
                timeout=8,
            )

    def on_checks_ready(self, message: ChecksReady) -> None:
        editor = self._editors.get(message.week_start)
        if editor is not None and editor.version == message.version:
            editor.set_breaches(message.breaches)
            self.roster_changed("checks")

    # --- edits -------------------------------------------------------------------------

    def edit(self, do: Callable[[str], Change], after: Callable[[], None] | None = None) -> None:
        """Make an edit; a refused one asks for an override reason before it is made. On a
        published week, an edit that changes duties first says how many and which people
        already told change, and is made only if confirmed."""
        editor = self.editor
        if editor.status == "published":
            try:
                preview = editor.preview(lambda: do(""))
            except (EditError, Refused, store.StaleRoster):
                preview = None  # made below, where the refusal is shown
            if preview is not None:
                told = self.week_changes(preview.before, preview.after)
                if told.people:
                    self.confirm_published(
                        _("{change}: {summary}.").format(
                            change=preview.label, summary=told.summary()
                        ),
                        lambda: self.edit_now(do, after),
                    )
                    return
        self.edit_now(do, after)

    def week_changes(self, before, after):
        """What going from `before` to `after` changes for people (`roster.changes`), those
        in the published week, or sent a relief's text, counted as told."""
        from roster.changes import changes_between, told_by_relief

        editor = self.editor
        return changes_between(
            self.district, editor.week_start, before, after,
            told=editor.published or before,
            also_told=told_by_relief(self.db, editor.week_start),
        )  # fmt: skip

    def confirm_published(self, what: str, then: Callable[[], None]) -> None:
        """Ask before changing a published week; yes runs `then`."""
        question = _(
            "The week of {monday} is PUBLISHED: people were told their duties.\n{what}\n"
            "Make the change? Afterwards, C lists who must be told, with the texts to send."
        ).format(monday=self.editor.week_start, what=what)
        self.confirm(question, lambda yes: then() if yes else None)

    def edit_now(self, do: Callable[[str], Change], after: Callable[[], None] | None) -> None:
        from roster.tui.screens.dialogs import OverrideScreen

        try:
            change = do("")
        except Refused as refused:

            def overridden(reason: str | None) -> None:
                if reason:
                    self._finish_edit(partial(do, reason), after)

            self.push_screen(OverrideScreen(refused), overridden)
            return
        except (EditError, store.StaleRoster) as error:
            self._edit_failed(error)
            return
        except Exception as error:  # busy, full, read-only, damaged: say so, stay usable
            self._edit_broke(error, lambda: self.edit(do, after))
            return
        self._edit_done(change, after)

    def _finish_edit(self, do: Callable[[], Change], after: Callable[[], None] | None) -> None:
        try:
            change = do()
        except (EditError, Refused, store.StaleRoster) as error:
            self._edit_failed(error)
            return
        except Exception as error:  # busy, full, read-only, damaged: say so, stay usable
            self._edit_broke(error, lambda: self._finish_edit(do, after))
            return
        self._edit_done(change, after)

    def _edit_broke(self, error: Exception, retry: Callable[[], None]) -> None:
        """An edit that could not be saved for a reason of the database, not of the edit:
        nothing was saved and the session (and its undo) goes on. A district changed
        meanwhile is read again; a busy database (someone's long import) may be retried."""
        from roster.tui.screens.dialogs import ConfirmScreen

        self.bell()
        if isinstance(error, errors.DistrictChanged):
            self.reload_district()
            self.notify(f"{error}", severity="error", timeout=8)
            return
        line = errors.describe(error, self.db_path) or errors.unexpected(error)
        if errors.is_busy(error):

            def answered(again: bool | None) -> None:
                if again:
                    retry()

            self.push_screen(
                ConfirmScreen(_("{problem}. Retry now?").format(problem=line)), answered
            )
            return
        self.notify(line, severity="error", timeout=10)

    def _edit_done(self, change: Change, after: Callable[[], None] | None) -> None:
        said = change.label
        if change.overridden:
            said = _("{change} (override recorded)").format(change=said)
        if change.note:
            said = _("{change}; {note}, reloaded").format(change=said, note=change.note)
            self.roster_changed("reload")
        self.notify(said, timeout=4 if change.note else 3)
        self.roster_changed("edit", change.posts if change.before or change.after else None)
        if after:
            after()

    def _edit_failed(self, error: Exception) -> None:
        self.bell()
        said = str(error)
        if isinstance(error, store.StaleRoster):
            said = _("{error}; your view is refreshed").format(error=error)
        self.notify(said, severity="error", timeout=6)
        if isinstance(error, store.StaleRoster):
            self.editor.reload()
            self.roster_changed("reload")

    def undo(self) -> None:
        self._step(self.editor.undo_stack, self.editor.undo, backwards=True)

    def redo(self) -> None:
        self._step(self.editor.redo_stack, self.editor.redo, backwards=False)

    def _step(self, stack: list[Change], do: Callable[[], Change], *, backwards: bool):
        """Undo or redo the last edit; on a published week, say first whose duties it
        changes, and make it only if confirmed (as every other edit there)."""
        if self.editor.status == "published" and stack:
            change = stack[-1]
            before, after = (
                (change.after, change.before) if backwards else (change.before, change.after)
            )
            told = self.week_changes(before, after)
            if told.people:
                what = (
                    _("undo {change}: {summary}.") if backwards else _("redo {change}: {summary}.")
                )
                self.confirm_published(
                    what.format(change=change.label, summary=told.summary()),
                    lambda: self._finish_edit(do, None),
                )
                return
        self._finish_edit(do, None)

    # --- actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        from roster.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_find(self) -> None:
        from roster.tui.screens.find import FindScreen

        def chosen(entry) -> None:
            if entry is None:
                return
            if entry.kind == "post":
                self.jump_to(entry.id, None)
            else:
                self.show_cadre(entry.id)

        self.push_screen(FindScreen(self.finder, title=_("Find a cadre or a post")), chosen)

    def pick(
        self,
        kind: str,
        title: str,
        then: Callable[[int], None],
        suggestions: list[tuple[int, str]] | None = None,
        notes_for: Callable[[list[int]], dict[int, str]] | None = None,
    ) -> None:
        """Ask for a cadre or a post with the find box (suggestions shown while it is
        empty, `notes_for` giving the facts of typed matches), then call `then(id)`."""
        from roster.tui.screens.find import FindScreen

        def chosen(entry) -> None:
            if entry is not None:
                then(entry.id)

        finder = self.finder
        shown = [
            (entry, note)
            for id_, note in suggestions or []
            if (entry := finder.entry(kind, id_)) is not None
        ]
        notes = None
        if notes_for is not None:

            def notes(entries) -> dict[int, str]:
                return notes_for([e.id for e in entries])

        self.push_screen(
            FindScreen(finder, kind=kind, title=title, suggestions=shown, notes_for=notes), chosen
        )

    def choose(
        self,
        title: str,
        options: list[tuple[str, str]],
        then: Callable[[str], None],
        *,
        always: bool = False,
    ):
        """Ask for one of `options` ((value, label) pairs); one option needs no asking
        unless `always` (the option itself says something worth reading)."""
        from roster.tui.screens.dialogs import ChoiceScreen

        if len(options) == 1 and not always:
            then(options[0][0])
            return

        def chosen(value: str | None) -> None:
            if value is not None:
                then(value)

        self.push_screen(ChoiceScreen(title, options), chosen)

    def jump_to(self, post_id: int, day: dt.date | None) -> None:
        """Back to the board, cursor on the post (and day)."""
        from roster.tui.screens.board import BoardScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, BoardScreen):
            self.pop_screen()
        self.screen.post_message(JumpTo(post_id, day))

    def show_cadre(self, cadre_id: int) -> None:
        from roster.tui.screens.cadre import CadreScreen

        self.push_screen(CadreScreen(cadre_id))

    def ask_cadre_edit(self, cadre_id: int, then: Callable[[dict | None], None]) -> None:
        """The form of a cadre's facts; `then(values)` (None when cancelled)."""
        from roster.tui.screens.cadre_edit import CadreEditScreen

        self.push_screen(CadreEditScreen(self.district.cadres[cadre_id]), then)

    def ask_wish(self, cadre_id: int, then: Callable[[dict | None], None]) -> None:
        """The form of a new wish of a cadre; `then(values)` (None when cancelled)."""
        from roster.tui.screens.cadre_edit import WishAddScreen

        cadre = self.district.cadres[cadre_id]
        self.push_screen(WishAddScreen(cadre, sorted(self.district.shifts)), then)

    def district_changed(self) -> None:
        """A cadre's facts or wishes changed: read the district again, check the week with
        them and tell every screen."""
        self.reload_district()

    def show_relief(self, cadre_id: int, day: dt.date | None = None) -> None:
        """Ask for a relief of `cadre_id` (days away from `day` by default)."""
        from roster.tui.screens.relief import ReliefScreen

        self.push_screen(ReliefScreen(cadre_id, day))

    def relief_applied(self) -> None:
        """A relief was written by another connection: read the district (its absences)
        and the week again, and tell every screen."""
        self.reload_district()

    def reload_district(self, *, say: bool = False) -> None:
        """Read the district again (someone imported, recalled, settled a relief, changed
        settings or coordinators), and who may change what; give both to every open week,
        and tell every screen (and the user)."""
        self.district_version = store.district_version(self.db)
        self.district = inert_district(store.load_district(self.db))
        was, self.access = self.access, access_for(self.db, self.actor)
        self._finder = None
        for editor in self._editors.values():
            editor.set_district(self.district, self.district_version)
            editor.access = self.access
            if editor.stored_version() != editor.version:
                editor.reload()
        if say:
            self.notify(
                _(
                    "The district changed (a recall, an absence, an import, settings or "
                    "coordinators): reloaded; checks are run again."
                ),
                timeout=5,
            )
        if self.access != was:
            self.notify(
                _("Your access changed: {access}.").format(access=self.access.describe()),
                timeout=8,
            )
        self.roster_changed("reload")

    def show_post(self, post_id: int, day: dt.date | None = None) -> None:
        from roster.tui.screens.post import PostScreen

        self.push_screen(PostScreen(post_id, day))

    def show_solve(self) -> None:
        from roster.tui.screens.solve import SolveScreen

        self.push_screen(SolveScreen())

    def show_problems(self) -> None:
        from roster.tui.screens.problems import ProblemsScreen

        self.push_screen(ProblemsScreen())

    def show_audit(self) -> None:
        from roster.tui.screens.audit import AuditScreen

        self.push_screen(AuditScreen())

    def show_export(self, monday: dt.date, status: str) -> None:
        from roster.tui.screens.export import ExportScreen

        self.push_screen(ExportScreen(monday, status))

    def show_fairness(self) -> None:
        from roster.tui.screens.fairness import FairnessScreen

        self.push_screen(FairnessScreen())

    def show_changes(self) -> None:
        from roster.tui.screens.changes import ChangesScreen

        self.push_screen(ChangesScreen())

    def show_rotation(self) -> None:
        from roster.tui.screens.rotation import RotationScreen

        self.push_screen(RotationScreen())

    def show_now(self, town_id: int | None) -> None:
        from roster.tui.screens.now import NowScreen

        self.push_screen(NowScreen(town_id))

    def confirm(self, question: str, then: Callable[[bool | None], None]) -> None:
        """Ask a yes/no question, then call `then(answer)`."""
        from roster.tui.screens.dialogs import ConfirmScreen

        self.push_screen(ConfirmScreen(question), then)

    async def action_quit(self) -> None:
        """Quit at once: a running solve is stopped, not waited for."""
        self.stop_solves()
        self.exit()

    def stop_solves(self) -> None:
        for control in list(self.solve_controls):
            control.stop()

    def on_unmount(self) -> None:
        self.stop_solves()

    # --- command palette ---------------------------------------------------------------

    def action_command_palette(self) -> None:
        """Textual's palette, its search box in the language spoken."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            placeholder = _("Search for commands…")
            self.push_screen(CommandPalette(id="--command-palette", placeholder=placeholder))

    def search_themes(self) -> None:
        """Textual's theme picker, its search box in the language spoken."""
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        placeholder = _("Search for themes…")
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=placeholder))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action roster gives the current screen, once, with its key; then Textual's
        theme and screenshot (not its Quit again, nor its key panel)."""
        from roster.tui.screens.help import key_text, own_bindings

        titles: set[str] = set()
        for binding in own_bindings(screen, self):
            titles.add(binding.description)
            node = self if binding in type(self).BINDINGS else screen
            key = _("key: {key}").format(key=key_text(self, binding))
            yield SystemCommand(
                _(binding.description),
                key + (f" · {_(binding.tooltip)}" if binding.tooltip else ""),
                partial(node.run_action, binding.action),
            )
        for command in super().get_system_commands(screen):
            if command.title in titles or command.title in ("Keys", "Quit", "Maximize"):
                continue
            yield command._replace(title=_(command.title), help=_(command.help))


def make_app(
    db_path: str | os.PathLike[str],
    *,
    week: dt.date | None = None,
    actor: str | None = None,
    **options,
) -> RosterApp:
    """The app over the database at `db_path`, opened on the week containing `week`."""
    return RosterApp(db_path, week=week, actor=actor, **options)


def run_app(db_path: str | os.PathLike[str], **options) -> None:
    make_app(db_path, **options).run()
