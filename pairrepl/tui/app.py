"""The Textual app: transcript, variables, input and status line around one ``Session``.

The app only draws what the session reports and turns keys into session calls. The
session is opened inside the app's own event loop (the kernel's sockets must live there),
every session call runs in a worker so the screen never waits, and no worker failure can
end the app: errors are shown, and the human decides what to do next.

The AI's side: input starting with ``/`` (or F3) is a request; the reply streams into
the transcript; a proposal waits in the review pane until the human runs, edits,
rejects or accepts it. Nothing here runs code unless a key the human pressed asks for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    ContextMarked,
    KernelDied,
    KernelStarted,
    LedgerEntry,
    OutputProduced,
    OutputSpilled,
    ReplyStreamed,
)
from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.inspection import Completions, Inspection, ObjectPath, help_request
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import CellItem, ExchangeItem, Item, NoteItem, ProposalItem
from pairrepl.frontend.entry import REQUEST_PREFIX, as_request, completeness
from pairrepl.frontend.render import AI_MARK, item_id, short_id
from pairrepl.session import LedgerHealth, Session, SessionError
from pairrepl.tui.assist import CompletionMenu, HelpPanel
from pairrepl.tui.commands import ACTIONS, action_keys, app_bindings, footer_text
from pairrepl.tui.input import CodeInput
from pairrepl.tui.inspector import InspectorScreen
from pairrepl.tui.promotion import PromotionActions
from pairrepl.tui.render import ActionTargets
from pairrepl.tui.review import ReviewPane, current_proposal, last_run
from pairrepl.tui.screens import (
    ConfirmScreen,
    EditTextScreen,
    HelpScreen,
    InputPromptScreen,
    RejectScreen,
)
from pairrepl.tui.status import AIStatus, StatusLine
from pairrepl.tui.transcript_view import TranscriptView
from pairrepl.tui.variables import VariablesPane

COMPLETE_TIMEOUT_S = 4.0  # the kernel bounds its own work at 2 s
PREVIEW_DELAY_S = 0.3  # the context meter waits for events to settle this long
CLOSE_TIMEOUT_S = 15.0
_QUIET_EVENTS = (OutputProduced, OutputSpilled, ReplyStreamed)  # change no AI view: skip

SessionOpener = Callable[[], Awaitable[Session]]


class PairreplApp(PromotionActions, App[None]):
    """A REPL on a live IPython kernel. ``open_session`` is awaited on mount."""

    CSS_PATH = "app.tcss"
    BINDINGS = [  # noqa: RUF012 (Textual's declared type)
        *app_bindings(),
        Binding("escape", "focus_input", "Back to the input", show=False),
    ]

    def __init__(self, open_session: SessionOpener, *, title: str) -> None:
        super().__init__()
        self._open_session = open_session
        self.title = title
        self.session: Session | None = None
        self._unsubscribe: list[Callable[[], None]] = []  # stop hearing from the session
        self._queued = 0
        self._input_prompt: InputPromptScreen | None = None
        self._closing = False
        self._answering = 0  # requests to the AI in flight
        self._ledger_ok = True  # every recorded event is in the ledger file
        self._latest_error: str | None = None  # the cell the fix key asks about
        self._preview_tokens: int | None = None  # what the next request's context would use
        self._preview_timer: Timer | None = None

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="main"):
            with Vertical(id="transcript-pane"):
                yield Static("starting kernel…", id="startup")
                yield TranscriptView(id="transcript")
                yield ReviewPane(id="review")
            yield VariablesPane(id="variables")
        yield Static("", id="input-note")
        yield HelpPanel(id="help-panel")
        yield CompletionMenu(id="completions")
        yield CodeInput(id="input")
        yield Static(footer_text(), id="footer")

    @property
    def transcript(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    @property
    def code_input(self) -> CodeInput:
        return self.query_one("#input", CodeInput)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @property
    def review(self) -> ReviewPane:
        return self.query_one("#review", ReviewPane)

    def on_load(self) -> None:
        # Start opening the session (the kernel takes most of a second) before the
        # screen is composed and painted, so the two overlap; _open waits for it.
        self._opening = asyncio.ensure_future(self._open_session())

    def on_mount(self) -> None:
        self.status.project = self.title.removeprefix("pairrepl · ") or "?"
        self.code_input.completeness = self._completeness
        self.code_input.completer = self._complete
        self.watch(self.code_input, "editing_proposal", self._show_edit_link)
        self.code_input.focus()
        self.run_worker(self._open(), name="open-session", exit_on_error=False)

    # -- opening the session -----------------------------------------------------------------

    async def _open(self) -> None:
        try:
            session = await self._opening
        except Exception as error:
            message = f"Could not open the session: {error}"
            startup = self.query_one("#startup", Static)
            startup.update(f"{message} · Ctrl+Q quits.")
            startup.add_class("error")
            self.status.kernel = "failed"
            self.notify(message, severity="error", timeout=30)
            return
        self.attach(session)

    def attach(self, session: Session) -> None:
        """Show ``session`` as it is (a resumed one included) and follow what it reports."""
        self.session = session
        self.query_one("#startup", Static).display = False
        self.status.session_id = session.id
        self.status.project = Path(session.project_root).name or str(session.project_root)
        self.status.kernel = session.kernel_state.value
        self.transcript.context_mark = self._context_mark
        self.transcript.load(list(session.transcript.items))
        self._unsubscribe = [
            session.subscribe(self._on_event),
            session.watch_kernel(self._on_kernel_state),
            session.watch_namespace(self._on_namespace),
            session.watch_ledger(self._on_ledger),
        ]
        session.set_input_handler(self._ask_input)
        self.code_input.history_source = lambda: session.history
        self.query_one(VariablesPane).show(session.namespace)
        errors = [c for c in session.transcript.code_cells() if c.status is ExecutionStatus.ERROR]
        self._latest_error = errors[-1].cell_id if errors else None
        self._refresh_ai()
        self._offer_pending_cells()

    def _offer_pending_cells(self) -> None:
        """Tell the human which keys bring back lost or loaded cells; never run them."""
        assert self.session is not None
        transcript = self.session.transcript
        lost = transcript.cells_lost_with_kernel()
        if lost:
            self.transcript.add_notice(
                f"Press {action_keys('rerun_lost_cells')} to re-run the {len(lost)} "
                "cell(s) lost with the kernel.",
                "warning",
            )
        loaded = transcript.pending_loaded_cells()
        if loaded:
            self.transcript.add_notice(
                f"{len(loaded)} cell(s) loaded from {loaded[0].loaded_from}, not run: "
                f"{action_keys('run_next_loaded')} runs the next, "
                f"{action_keys('run_all_loaded')} runs them all.",
                "info",
            )

    # -- what the session reports --------------------------------------------------------------

    def _on_event(self, entry: LedgerEntry, item: Item | None) -> None:
        if not self._showing:
            return
        if item is not None:
            self.transcript.update(item)
        event = entry.event
        if isinstance(item, CellItem) and item.proposal_id and self.session is not None:
            ran = self.session.transcript.proposals.get(item.proposal_id)
            if ran is not None:  # its state follows its runs
                self.transcript.update(ran)
        if isinstance(event, CellFinished) and event.status is ExecutionStatus.ERROR:
            self._latest_error = event.cell_id
        if isinstance(event, ContextMarked) and self.session is not None:
            for marked in self.session.transcript.items:  # notes too, not only cells
                if isinstance(marked, NoteItem) and marked.note_id == event.item_id:
                    self.transcript.update(marked)
        if not isinstance(event, _QUIET_EVENTS):
            self._refresh_ai()
            self._schedule_preview()
        if isinstance(event, CellSubmitted) and event.rerun_of and self.session is not None:
            original = self.session.transcript.cells.get(event.rerun_of)
            if original is not None:
                self.transcript.update(original)
        elif isinstance(event, KernelDied):
            self.transcript.add_notice(
                f"Press {action_keys('restart_kernel')} to restart the kernel.", "error"
            )
        elif isinstance(event, KernelStarted) and self.session is not None:
            self.call_later(self._offer_pending_cells_after_restart)

    def _offer_pending_cells_after_restart(self) -> None:
        if self.session is not None and self.session.transcript.cells_lost_with_kernel():
            lost = len(self.session.transcript.cells_lost_with_kernel())
            self.transcript.add_notice(
                f"Press {action_keys('rerun_lost_cells')} to re-run the {lost} "
                "cell(s) lost with the kernel.",
                "warning",
            )

    def _refresh_ai(self) -> None:
        """Bring the review pane, the keys shown on items and the status line up to date."""
        session = self.session
        if session is None or not self._showing:
            return
        transcript = session.transcript
        current = current_proposal(transcript)
        self.transcript.set_targets(
            ActionTargets(current.proposal.id if current else None, self._latest_error)
        )
        self.review.show(current, last_run(transcript, current) if current else None)
        self._refresh_status()

    def _refresh_status(self) -> None:
        session = self.session
        if session is None or not self._showing:
            return
        exchanges = list(session.transcript.exchanges.values())
        has_ai = session.settings.agent is not None or bool(exchanges)
        self.status.ai = AIStatus.of(
            session.provider_label,
            exchanges,
            budget_tokens=session.settings.context_limits.budget_tokens if has_ai else 0,
            hint_mode=session.hint_mode,
            answering=self._answering > 0,
            context_tokens=self._preview_tokens,
            cost_usd=session.usage().cost_usd,
        )

    def _schedule_preview(self) -> None:
        """Measure the next request's context once events have settled (debounced)."""
        if self.session is None or self.session.settings.agent is None:
            return
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY_S, self._start_preview)

    def _start_preview(self) -> None:
        self._preview_timer = None
        if self._showing:
            self.run_worker(self._preview(), group="preview", exclusive=True, exit_on_error=False)

    async def _preview(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            tokens, _budget = await session.preview_context()
        except Exception as error:  # a meter is never worth an error on screen
            self.log.warning(f"context preview failed: {error!r}")
            return
        self._preview_tokens = tokens
        self._refresh_status()

    def _context_mark(self, item: Item) -> str:
        """ "pinned", "hidden" or "normal": where ``item`` stands in the AI's context."""
        identifier = item_id(item)
        if identifier is None or self.session is None:
            return "normal"
        transcript = self.session.transcript
        if identifier in transcript.pinned:
            return "pinned"
        return "hidden" if identifier in transcript.hidden else "normal"

    def _show_edit_link(self, proposal_id: str | None) -> None:
        note = self.query_one("#input-note", Static)
        note.display = proposal_id is not None
        if proposal_id is not None:
            note.update(
                f"{AI_MARK} editing proposal {short_id(proposal_id)} · Enter runs your edit "
                "(recorded as ai-edited) · Escape drops the edit"
            )

    @property
    def _showing(self) -> bool:
        """False once the app is closing: session callbacks then have nothing to draw on."""
        return self.is_running and not self._closing

    def _on_kernel_state(self, state: KernelState) -> None:
        if self._showing:
            self.status.kernel = state.value
            if state is KernelState.DEAD:  # the names listed are gone with the process
                self.query_one(VariablesPane).show(
                    NamespaceSummary(error="the kernel died, its variables are gone")
                )

    def _on_ledger(self, health: LedgerHealth) -> None:
        """Say when the ledger stops taking events (a full disk) and when it takes them
        again; meanwhile the screen goes on and the events wait in memory."""
        if health.ok == self._ledger_ok:
            return
        self._ledger_ok = health.ok
        if health.ok:
            message = "The ledger is writable again: every event is written."
        else:
            message = (
                f"The ledger cannot be written ({health.problem}). {health.waiting} events "
                "wait in memory and are written when there is space; new cells wait too."
            )
        self.notify(message, severity="information" if health.ok else "error", timeout=15)
        self.transcript.add_notice(message, "warning" if not health.ok else "info")

    def _on_namespace(self, summary: NamespaceSummary) -> None:
        if self._showing:
            self.query_one(VariablesPane).show(summary)

    async def _ask_input(self, prompt: str, password: bool) -> str:
        """The kernel waits in ``input()``: ask in a modal, never hang."""
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def answered(value: str | None) -> None:
            self._input_prompt = None
            if not answer.done():
                answer.set_result(value or "")

        self._input_prompt = InputPromptScreen(prompt, password)
        await self.push_screen(self._input_prompt, callback=answered)
        return await answer

    # -- running -----------------------------------------------------------------------------

    @on(CodeInput.Submitted)
    def _submitted(self, event: CodeInput.Submitted) -> None:
        """The human ran the input: a request to the AI, their edit of a proposal, or code."""
        code, proposal_id = event.code, event.proposal_id

        def restore() -> None:
            self._restore_input(code, proposal_id)

        session = self.session
        if session is None:
            self.notify("The kernel is still starting.", severity="warning")
            restore()
            return
        asked_help = help_request(code) if proposal_id is None else None
        if asked_help is not None:  # obj? / obj??: shown in the help panel, never run
            self._show_help(session, *asked_help)
            return
        request = as_request(code)
        if request is not None:
            self._ask(request, restore=restore)
        elif proposal_id is not None:
            self._guarded(self._run(session.run_proposal(proposal_id, code)), "run", restore)
        else:
            self._guarded(self._run(session.run(code)), "run", restore)

    def _restore_input(self, code: str, proposal_id: str | None) -> None:
        """Put back what a refused run or request took, if the human has not typed since."""
        if self.code_input.text.strip():
            return
        if proposal_id is not None:
            self.code_input.edit_proposal(proposal_id, code)
        else:
            self.code_input.load_text(code)
            self.code_input.move_cursor(self.code_input.document.end)

    async def _completeness(self, code: str) -> str:
        return await completeness(self.session, code)

    @property
    def _on_main_screen(self) -> bool:
        """False while a dialog is open: its keys are its own."""
        return self.screen is self.screen_stack[0]

    def action_force_run(self) -> None:
        """Run the input as it is. Keys typed just before this one may still sit in the
        input's queue: run after them, not with the text as it was a moment ago."""
        if self._on_main_screen:
            self.code_input.call_later(self.code_input.submit)

    async def _run(self, execution: Awaitable[Any]) -> None:
        self._queued += 1
        self.status.queued = self._queued - 1
        try:
            await execution
        finally:
            self._queued -= 1
            self.status.queued = max(0, self._queued - 1)

    def action_interrupt(self) -> None:
        """Stop the AI's reply while one streams; otherwise interrupt the kernel."""
        session = self.session
        if session is None:
            return
        if self._answering and self._input_prompt is None:  # a cell waiting in input() first
            session.cancel_reply()
            self.notify("Stopping the AI's reply; what arrived is kept.", timeout=3)
            return
        if not self._queued and session.kernel_state is not KernelState.BUSY:
            self.notify("Nothing is running. Ctrl+Q quits.", timeout=3)
            return
        self._guarded(session.interrupt(), "interrupt")
        if self._input_prompt is not None:
            self._input_prompt.dismiss("")

    def action_restart_kernel(self) -> None:
        if self.session is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes and self.session is not None:
                self.status.kernel = KernelState.STARTING.value
                self._guarded(self.session.restart(), "restart")

        self.push_screen(
            ConfirmScreen("Restart the kernel? Its variables will be lost.", yes="Restart"),
            callback=confirmed,
        )

    def action_rerun_lost_cells(self) -> None:
        if self.session is None:
            return
        if not self.session.transcript.cells_lost_with_kernel():
            self.notify("No cells to re-run: none was lost with a kernel.", timeout=3)
            return
        self._guarded(self._run(self.session.rerun_lost_cells()), "run")

    def action_run_next_loaded(self) -> None:
        if self.session is None:
            return
        if not self.session.transcript.pending_loaded_cells():
            self.notify("No loaded cell is waiting to run.", timeout=3)
            return
        self._guarded(self._run(self.session.run_next_loaded()), "run")

    def action_run_all_loaded(self) -> None:
        if self.session is None:
            return
        if not self.session.transcript.pending_loaded_cells():
            self.notify("No loaded cell is waiting to run.", timeout=3)
            return
        self._guarded(self._run(self.session.run_all_loaded()), "run")

    def _guarded(
        self,
        work: Coroutine[Any, Any, Any] | Callable[[], object],
        name: str,
        restore: Callable[[], None] | None = None,
    ) -> None:
        """Run ``work`` (a coroutine, or a plain session call such as ``accept``) in a
        worker whose failure is shown, never fatal to the app.

        A ``SessionError`` is the session saying no (a dead kernel, no AI provider, a
        proposal that cannot move that way now): shown as a warning; ``restore`` then
        gives the human back what the input held. Anything else is a bug or a broken
        kernel: shown as an error notice.
        """

        async def guarded() -> None:
            try:
                if callable(work):
                    work()
                else:
                    await work
            except SessionError as error:
                self.notify(str(error), severity="warning", timeout=8)
                self.transcript.add_notice(str(error), "warning")
                if restore is not None:
                    restore()
            except Exception as error:
                message = f"{name} failed: {type(error).__name__}: {error}"
                self.notify(message, severity="error", timeout=10)
                self.transcript.add_notice(message, "error")

        self.run_worker(guarded(), name=name, group=name, exit_on_error=False)

    # -- the AI proposes, the human disposes ------------------------------------------------

    def action_ask(self) -> None:
        """Send the input as a request (after any keys typed before this one)."""
        if self._on_main_screen:
            self.code_input.call_later(self._ask_from_input)

    def _ask_from_input(self) -> None:
        text = self.code_input.text
        request = as_request(text)
        if request is None:
            request = text.strip()
        if not request:
            self._start_request(REQUEST_PREFIX, "Type your request after the / and press Enter.")
            return
        self.code_input.take()
        self._ask(request, restore=lambda: self._restore_input(text, None))

    def _start_request(self, prefix: str, hint: str) -> None:
        if not self.code_input.text.strip():
            self.code_input.load_text(prefix)
            self.code_input.move_cursor(self.code_input.document.end)
        self.code_input.focus()
        self.notify(hint, timeout=5)

    def _ask(self, request: str, *, restore: Callable[[], None] | None = None) -> None:
        session = self.session
        if session is None:
            self.notify("The kernel is still starting.", severity="warning")
            return
        if not request:
            self.notify("Say what to ask after the /.", severity="warning")
            return
        self._guarded(self._answer(session.ask(request)), "ask", restore)

    async def _answer(self, reply: Awaitable[Any]) -> None:
        """Await the AI's reply, keeping count so Ctrl+C knows to stop it."""
        self._answering += 1
        self._refresh_ai()
        try:
            await reply
        finally:
            self._answering -= 1
            self._refresh_ai()

    def _proposal_in_review(self) -> ProposalItem | None:
        """The proposal the keys act on, or None (then say how to get one)."""
        if self.session is None or not self._on_main_screen:
            return None
        item = current_proposal(self.session.transcript)
        if item is None:
            self.notify(
                f"No open proposal. Ask the AI first: {action_keys('ask')} or /your question.",
                timeout=4,
            )
        return item

    def action_run_proposal(self) -> None:
        item = self._proposal_in_review()
        if item is None or self.session is None:
            return
        if item.proposal.state is ProposalState.ACCEPTED:
            self.notify(f"Proposal {short_id(item.proposal.id)} is already accepted.", timeout=4)
            return
        self._guarded(self._run(self.session.run_proposal(item.proposal.id)), "run")

    def action_edit_proposal(self) -> None:
        item = self._proposal_in_review()
        if item is None:
            return
        if item.proposal.state is ProposalState.ACCEPTED:
            self.notify(f"Proposal {short_id(item.proposal.id)} is already accepted.", timeout=4)
            return
        held = self.code_input.text.strip()
        if held and self.code_input.editing_proposal != item.proposal.id:
            self.notify(
                "The input holds your own text: run it or clear it first, then "
                f"{action_keys('edit_proposal')} again.",
                severity="warning",
                timeout=6,
            )
            return
        self.code_input.edit_proposal(item.proposal.id, item.proposal.code)
        self.code_input.focus()

    def action_reject_proposal(self) -> None:
        item = self._proposal_in_review()
        if item is None:
            return
        proposal_id = item.proposal.id

        def decided(reason: str | None) -> None:
            session = self.session
            if reason is not None and session is not None:
                self._guarded(lambda: session.reject(proposal_id, reason), "reject")

        self.push_screen(RejectScreen(f"proposal {short_id(proposal_id)}"), callback=decided)

    def action_accept_proposal(self) -> None:
        item = self._proposal_in_review()
        if item is None or self.session is None:
            return
        why_not = self._accept_refused(item)
        if why_not:
            self.notify(
                f"Cannot accept proposal {short_id(item.proposal.id)}: {why_not}",
                severity="warning",
                timeout=8,
            )
            return
        session = self.session
        self._guarded(lambda: session.accept(item.proposal.id), "accept")

    @staticmethod
    def _accept_refused(item: ProposalItem) -> str:
        """Why accept is not possible now ("" when it is): accept needs a clean run."""
        run, edit = action_keys("run_proposal"), action_keys("edit_proposal")
        return {
            ProposalState.PROPOSED: f"it has not run yet. Run it first ({run}); "
            "accept needs a run without error.",
            ProposalState.RAN_ERROR: f"its last run raised. Edit it ({edit}) or run it "
            f"again ({run}); accept needs a run without error.",
            ProposalState.ACCEPTED: "it is already accepted.",
        }.get(item.proposal.state, "")

    def action_follow_up(self) -> None:
        """Ask again about the proposal in review, with the input as the question."""
        if self._on_main_screen:
            self.code_input.call_later(self._follow_up_from_input)

    def _follow_up_from_input(self) -> None:
        item = self._proposal_in_review()
        if item is None:
            return
        about = f"Follow-up on proposal {short_id(item.proposal.id)} ({item.proposal.state.value}):"
        text = self.code_input.text
        question = as_request(text)
        if question is None:
            question = text.strip()
        if self.code_input.editing_proposal is not None or not question:
            self._start_request(
                f"{REQUEST_PREFIX}{about} ",
                "Type your follow-up and press Enter."
                if not question
                else "The input holds an edit: run it or clear it (Escape) first.",
            )
            return
        self.code_input.take()
        self._ask(f"{about} {question}", restore=lambda: self._restore_input(text, None))

    def action_fix(self) -> None:
        """Ask the AI about the latest cell that raised."""
        session = self.session
        if session is None or not self._on_main_screen:
            return
        if self._latest_error is None:
            self.notify("No cell has raised: nothing to fix.", timeout=4)
            return
        self._guarded(self._answer(session.fix(self._latest_error)), "fix")

    def action_add_note(self) -> None:
        """Keep the input as a markdown note (after any keys typed before this one)."""
        if self._on_main_screen:
            self.code_input.call_later(self._note_from_input)

    def _note_from_input(self) -> None:
        session = self.session
        text = self.code_input.text
        if session is None:
            return
        if not text.strip():
            self.notify(
                f"Type the note first, then {action_keys('add_note')}: notes are markdown, "
                "never run, and the AI reads them.",
                timeout=5,
            )
            return
        self.code_input.take()
        self._guarded(
            lambda: session.add_note(text), "note", lambda: self._restore_input(text, None)
        )

    def action_toggle_hint_mode(self) -> None:
        session = self.session
        if session is None or not self._on_main_screen:
            return
        on = session.toggle_hint_mode()
        self._refresh_ai()
        self.notify(
            "Hint mode on: the AI answers with hints and questions, no code."
            if on
            else "Hint mode off: the AI may propose code again.",
            timeout=4,
        )

    # -- moving around -----------------------------------------------------------------------

    def action_toggle_focus(self) -> None:
        """Input → transcript → variables → input."""
        variables = self.query_one("#variables-table")
        if self.focused is self.transcript:
            self.transcript.clear_selection()
            variables.focus()
        elif self.focused is variables:
            self.action_focus_input()
        else:
            self.transcript.focus()
            if self.transcript.selected_item is None:
                self.transcript.select_step(-1)  # the latest item

    def action_focus_input(self) -> None:
        self.transcript.clear_selection()
        self.query_one(HelpPanel).close()
        self.code_input.focus()

    # -- looking into live objects -----------------------------------------------------------

    @on(VariablesPane.InspectRequested)
    def _inspect_variable(self, event: VariablesPane.InspectRequested) -> None:
        self._open_inspector(ObjectPath.name(event.name))

    def action_inspect_last_error(self) -> None:
        self._open_inspector(ObjectPath.last_error())

    def _open_inspector(self, root: ObjectPath) -> None:
        session = self.session
        if session is None or not self._on_main_screen:
            return

        async def inspect(path: ObjectPath, offset: int, items_only: bool) -> Inspection:
            return await session.inspect(path, offset, items_only=items_only)

        self.push_screen(InspectorScreen(inspect, root))

    async def _complete(self, code: str, cursor: int) -> Completions:
        """Tab in the input. Never waits for a running cell: the kernel answers only
        after it, and the keys typed meanwhile would wait too."""
        session = self.session
        if session is None or session.kernel_state is not KernelState.IDLE:
            return Completions(start=cursor, end=cursor, error="the kernel is busy: no completions")
        try:
            return await asyncio.wait_for(session.complete(code, cursor), COMPLETE_TIMEOUT_S)
        except TimeoutError:
            return Completions(start=cursor, end=cursor, error="the kernel did not answer in time")

    @on(CodeInput.Escaped)
    def _input_escaped(self) -> None:
        self.query_one(HelpPanel).close()

    @on(CodeInput.CompletionsShown)
    def _completions_shown(self, event: CodeInput.CompletionsShown) -> None:
        self.query_one(CompletionMenu).show(event.matches, event.chosen)
        if event.note:
            self.notify(event.note, timeout=3)

    def _show_help(self, session: Session, name: str, detail: int) -> None:
        async def show() -> None:
            answer = await session.help(name, len(name), detail)
            self.query_one(HelpPanel).show(answer, detail)

        self._guarded(show(), "help")

    # -- the selected item (the transcript's focus) ------------------------------------------

    def action_select_previous(self) -> None:
        self.transcript.select_step(-1)

    def action_select_next(self) -> None:
        self.transcript.select_step(1)

    def _selection(self, *kinds: type, what: str) -> Any:
        """The selected item if it is one of ``kinds``, else None (and say why)."""
        if self.session is None or not self._on_main_screen:
            return None
        item = self.transcript.selected_item
        if item is None:
            self.notify(
                f"Select an item first: {action_keys('toggle_focus')}, then Up/Down.", timeout=4
            )
            return None
        if not isinstance(item, kinds):
            self.notify(f"The selected item is not {what}.", timeout=4)
            return None
        return item

    def action_item_copy(self) -> None:
        """Put the selected cell's code in the input (a REPL habit), and go there."""
        cell = self._selection(CellItem, what="a cell")
        if cell is None:
            return
        held = self.code_input.text
        if held.strip() and held != cell.code:
            self.notify(
                "The input holds your own text: run it or clear it first.",
                severity="warning",
                timeout=6,
            )
            return
        self.code_input.load_text(cell.code)
        self.code_input.move_cursor(self.code_input.document.end)
        self.action_focus_input()

    def _toggle_mark(self, mark: str) -> None:
        item = self._selection(CellItem, NoteItem, what="a cell or a note")
        session = self.session
        if item is None or session is None:
            return
        identifier = item_id(item)
        assert identifier is not None
        wanted = "normal" if self._context_mark(item) == mark else mark
        self._guarded(lambda: session.mark_for_context(identifier, wanted), "mark")

    def action_item_pin(self) -> None:
        self._toggle_mark("pinned")

    def action_item_hide(self) -> None:
        self._toggle_mark("hidden")

    def _edit_exchange(self, part: str) -> None:
        exchange = self._selection(ExchangeItem, what="a request to the AI")
        if exchange is None:
            return
        request_id = exchange.request_id
        current = exchange.request_text if part == "request" else exchange.reply_text

        def edited(text: str | None) -> None:
            session = self.session
            if text is None or session is None or text == current:
                return
            if part == "request":
                self._guarded(lambda: session.edit_request(request_id, text), "edit")
            else:
                self._guarded(lambda: session.edit_reply(request_id, text), "edit")

        title = f"Edit the {part} {short_id(request_id)} (the AI sees your edit from now on)"
        self.push_screen(EditTextScreen(title, current), callback=edited)

    def action_item_edit_request(self) -> None:
        self._edit_exchange("request")

    def action_item_edit_reply(self) -> None:
        self._edit_exchange("reply")

    def action_item_run(self) -> None:
        """Run the selected loaded cell, or ask the selected request again."""
        item = self._selection(CellItem, ExchangeItem, what="a loaded cell or a request")
        session = self.session
        if item is None or session is None:
            return
        if isinstance(item, ExchangeItem):
            if not item.finished:
                self.notify("The AI is still answering this request.", timeout=4)
                return
            last = [i for i in session.transcript.items if isinstance(i, ExchangeItem)][-1]
            again = session.retry_last() if last is item else session.ask(item.request_text)
            self._guarded(self._answer(again), "ask")
            return
        if item.loaded_from is None or item.status is not None or item.rerun_as is not None:
            self.notify(
                "Only a loaded cell that has not run yet runs from here; "
                f"{action_keys('item_copy')} copies this one to the input.",
                timeout=5,
            )
            return
        self._guarded(self._run(session.run_loaded(item.cell_id)), "run")

    def action_item_fix(self) -> None:
        cell = self._selection(CellItem, what="a cell")
        session = self.session
        if cell is None or session is None:
            return
        if cell.status is not ExecutionStatus.ERROR:
            self.notify("This cell did not raise: nothing to fix.", timeout=4)
            return
        self._guarded(self._answer(session.fix(cell.cell_id)), "fix")

    def action_scroll_transcript_up(self) -> None:
        self.transcript.scroll_page_up(animate=False)

    def action_scroll_transcript_down(self) -> None:
        self.transcript.scroll_page_down(animate=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action in ACTIONS:
            if action.in_palette and action.action not in ("quit", "help"):
                yield SystemCommand(action.title, action.help, _runner(self, action.action))
        yield SystemCommand("Help: keys", "Show every action and its keys (F1).", self.action_help)

    # -- closing -----------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Leave; ``on_unmount`` then closes the session (recorded, kernel stopped)."""
        self.workers.cancel_all()
        self.exit()

    async def on_unmount(self) -> None:
        """However the app ends (Ctrl+Q, a crash), the session is closed and its kernel
        stopped, so no kernel process outlives the app. (Awaiting the close inside the
        quit action instead left ``App.run_test`` waiting forever on its message queue.)"""
        await self._close_session()

    async def _close_session(self) -> None:
        if self._closing:
            return
        self._closing = True
        session = self.session
        if session is None:
            return
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        try:
            await asyncio.wait_for(session.close(), CLOSE_TIMEOUT_S)
        except Exception as error:  # leaving anyway: say why on the way out
            self.log.error(f"closing the session failed: {error!r}")


def _runner(app: PairreplApp, action: str) -> Callable[[], Any]:
    async def run() -> None:
        await app.run_action(action)

    return run
