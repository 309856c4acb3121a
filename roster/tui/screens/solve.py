"""Solve the week in a worker thread with live progress; then accept or discard the result.

The worker gets plain values (district, history, locks) and opens nothing of the UI
thread's. `x` stops the search through `SolveControl.stop()` (CP-SAT's `stop_search`);
leaving the screen or quitting the app stops it too, instead of waiting for the time limit.
"""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from roster import store
from roster.edits import RosterDiff, diff_rosters, keep_locks
from roster.i18n import N_, _, ngettext
from roster.plan import history_weeks
from roster.tui.messages import SolveFinished, SolveProgress
from roster.tui.screens.base import RosterScreen

# the solver's stages (`SolveProgress.stage`) and result statuses, shown translated
STAGES = (N_("bound"), N_("roster"), N_("done"))
STATUSES = (N_("optimal"), N_("feasible"), N_("stopped"))


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal cells (a CJK character takes two)."""
    return text + " " * max(0, width - cell_len(text))


class SolveScreen(RosterScreen):
    BINDINGS = [
        Binding("x", "stop", N_("Stop")),
        Binding("a", "accept", N_("Accept")),
        Binding("d", "discard", N_("Discard")),
        Binding("s", "restart", N_("Solve again")),
        Binding("escape", "discard", N_("Back")),
    ]

    def __init__(self, *, seed: int = 0) -> None:
        super().__init__()
        self.seed = seed
        self.control = None
        self.started = 0.0
        self.progress: SolveProgress | None = None
        self.result = None
        self.assignments: list = []
        self.diff: RosterDiff | None = None
        self.error = ""
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(id="solve-header", classes="screen-header")
        yield Static(id="solve-progress")
        with VerticalScroll(id="solve-scroll"):  # many explanations scroll; the choice stays
            yield Static(id="solve-result")
        yield Static(id="solve-choice")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(0.25, self.show_progress)
        self.start()

    def on_unmount(self) -> None:
        self.stop_control()

    # --- the worker ------------------------------------------------------------------

    def start(self) -> None:
        from roster.solver import SolveControl

        app = self.host
        editor = app.editor
        self.stop_control()
        self.control = SolveControl()
        app.solve_controls.add(self.control)
        self.started = time.monotonic()
        self.progress = None
        self.result = None
        self.diff = None
        self.error = ""
        self.running = True
        self.version = editor.version
        self.district_version = app.district_version
        self.locks = editor.locks()
        # the fairness window's weeks before, and the next stored week (rest across it):
        # what the solver sees, and what its roster is checked against again on accept
        self.around = store.neighbours(app.db, editor.week_start, history_weeks(app.district))
        self.run_solve(
            app.district,
            editor.week_start,
            self.around,
            list(self.locks),
            app.time_limit,
            self.seed,
            self.control,
            list(editor.assignments),  # a re-solve stays close to what the week has
            editor.status == "published",
        )
        self.show_progress()
        self.query_one("#solve-result", Static).update("")
        self.query_one("#solve-choice", Static).update("")

    @work(thread=True, exclusive=True, group="solve", exit_on_error=False)
    def run_solve(
        self, district, monday, history, locks, time_limit, seed, control, current, published
    ) -> None:
        from roster.solver import solve_week

        def progress(p) -> None:
            self.post_message(SolveProgress(p.objective, p.bound, p.gap, p.seconds, p.stage))

        try:
            result = solve_week(
                district,
                monday,
                history=history,
                locks=locks,
                time_limit=time_limit,
                seed=seed,
                num_workers=2,
                progress=progress,
                control=control,
                current=current,
                published=published,
            )
        except Exception as error:  # shown on the screen; the roster is untouched
            self.post_message(SolveFinished(None, f"{type(error).__name__}: {error}"))
            return
        self.post_message(SolveFinished(result))

    def stop_control(self) -> None:
        if self.control is not None:
            self.control.stop()
            self.host.solve_controls.discard(self.control)

    # --- messages --------------------------------------------------------------------

    def on_solve_progress(self, message: SolveProgress) -> None:
        self.progress = message
        self.show_progress()

    def on_solve_finished(self, message: SolveFinished) -> None:
        self.running = False
        if self.control is not None:
            self.host.solve_controls.discard(self.control)
        self.error = message.error
        self.result = message.result
        if self.result is not None:
            editor = self.host.editor
            self.assignments = keep_locks(self.result.assignments, self.locks)
            self.diff = diff_rosters(
                self.host.district, editor.week_start, editor.assignments, self.assignments
            )
        self.show_progress()
        self.show_result()

    # --- drawing ---------------------------------------------------------------------

    def show_progress(self) -> None:
        editor = self.host.editor
        header = Text()
        header.append(
            _("Solve the week of {monday}").format(monday=editor.week_start), style="bold"
        )
        header.append(
            "  "
            + ngettext(
                "time limit {seconds:g} s  {n} locked duty kept",
                "time limit {seconds:g} s  {n} locked duties kept",
                len(self.locks),
            ).format(seconds=self.host.time_limit, n=len(self.locks))
            if hasattr(self, "locks")
            else ""
        )
        self.query_one("#solve-header", Static).update(header)
        p = self.progress
        text = Text()
        elapsed = (
            time.monotonic() - self.started if self.running else getattr(self.result, "seconds", 0)
        )
        state = _("running") if self.running else (_("failed") if self.error else _("done"))
        text.append(pad(state, 8), style="bold yellow" if self.running else "bold")
        text.append(" " + _("elapsed {seconds:6.1f} s").format(seconds=elapsed) + "\n")
        if p is not None:
            stage = _(p.stage)
            if p.objective is None:
                text.append(
                    _("bound {bound:,.0f}   building the roster…   {stage}").format(
                        bound=p.bound, stage=stage
                    )
                )
            else:
                text.append(
                    _("objective {objective:,.0f}   bound {bound:,.0f}   ").format(
                        objective=p.objective, bound=p.bound
                    )
                )
                text.append(_("gap {gap:.2f}%   {stage}").format(gap=p.gap * 100, stage=stage))
        elif self.running:
            text.append(_("building the model…"), style="dim")
        self.query_one("#solve-progress", Static).update(text)

    def show_result(self) -> None:
        out = Text()
        choice = Text()
        if self.error:
            out.append(_("The solver failed: {error}").format(error=self.error) + "\n", "bold red")
            choice.append(_("The roster is unchanged. s = try again, Esc = back."))
        elif self.result is not None and self.diff is not None:
            r, d = self.result, self.diff
            out.append(
                _("status {status}  objective {objective:,.0f}  bound {bound:,.0f}  ").format(
                    status=_(r.status), objective=r.objective, bound=r.bound
                )
            )
            out.append(
                _("gap {gap:.2f}%  {seconds:.1f} s").format(gap=r.gap * 100, seconds=r.seconds)
                + "\n",
                style="bold",
            )
            if self.host.editor.assignments:
                out.append(
                    _(
                        "against the current roster: {moved} cadres moved, {cells} cells changed "
                        "(+{added} / -{removed} duties)"
                    ).format(
                        moved=d.cadres_moved,
                        cells=d.cells_changed,
                        added=d.added,
                        removed=d.removed,
                    )  # fmt: skip
                    + "\n"
                )
            else:  # the week had no roster: nobody moves, the roster is new
                out.append(
                    _("a new roster: {added} duties in {cells} cells").format(
                        added=d.added, cells=d.cells_changed
                    )
                    + "\n"
                )
            out.append(_("unmet slots {before} → ").format(before=d.unmet_before))
            out.append(f"{d.unmet_after}\n", style="bold red" if d.unmet_after else "bold green")
            changes = self.published_changes()
            if changes is not None:
                out.append(
                    _(
                        "PUBLISHED week: {summary}. Accepting asks first; "
                        "C on the board then lists who to tell, with the texts."
                    ).format(summary=changes.summary())
                    + "\n",
                    style="bold magenta",
                )
            from roster.solver import explain

            for line in explain.shown_stored(list(r.explanations)[:8]):
                out.append(f"• {line}\n", style="yellow")
            choice.append(_("a = accept (saves the roster)   d / Esc = discard"), style="bold")
        self.query_one("#solve-result", Static).update(out)
        self.query_one("#solve-choice", Static).update(choice)

    # --- actions ---------------------------------------------------------------------

    def published_changes(self):
        """On a published week, what accepting would change for people (else None)."""
        editor = self.host.editor
        if editor.status != "published" or self.result is None:
            return None
        return self.host.week_changes(editor.assignments, self.assignments)

    def action_stop(self) -> None:
        if self.running and self.control is not None:
            self.control.stop()
            self.notify(_("Stopping: the best roster found so far will be shown."), timeout=3)

    def action_restart(self) -> None:
        if not self.running:
            self.start()

    def action_accept(self) -> None:
        if self.running or self.result is None:
            self.notify(_("Nothing to accept yet."), severity="warning")
            return
        app = self.host
        editor = app.editor
        r = self.result
        from roster.solver import explain

        stats = {
            "status": r.status,
            "objective": r.objective,
            "bound": r.bound,
            "gap": r.gap,
            "seconds": r.seconds,
            "explanations": list(r.explanations),
            # the explanations as data too, to be shown in the language of whoever reads them
            "explanations_said": explain.records(r.explanations),
            "unmet": [
                {
                    "post_id": u.post_id,
                    "date": str(u.date),
                    "shift_code": u.shift_code,
                    "required": u.required,
                    "covered": u.covered,
                }
                for u in r.unmet
            ],
            "penalties": dict(getattr(r, "penalties", {}) or {}),
        }
        if editor.version != self.version:
            self.notify(
                _("The roster changed while solving (someone edited it): solve again."),
                severity="error",
            )
            return
        if app.district_version != self.district_version:
            self.notify(
                _(
                    "The district changed while solving (a recall, an absence, an import or "
                    "settings): solve again."
                ),
                severity="error",
            )
            return

        def done() -> None:
            app.pop_screen()
            app.roster_changed("solve")

        def accept() -> None:
            app.edit_now(
                lambda _o: editor.replace_all(self.assignments, stats, around=self.around), done
            )

        changes = self.published_changes()
        if changes is not None and changes.people:
            app.confirm_published(
                _("Re-solving: {summary}.").format(summary=changes.summary()), accept
            )
        else:
            accept()

    def action_discard(self) -> None:
        self.stop_control()
        self.host.pop_screen()
