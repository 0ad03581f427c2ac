"""The Textual app: transcript, variables, input and status line around one ``Session``.

The app only draws what the session reports and turns keys into session calls. The
session is opened inside the app's own event loop (the kernel's sockets must live there),
every session call runs in a worker so the screen never waits, and no worker failure can
end the app: errors are shown, and the human decides what to do next.
"""

from __future__ import annotations

import asyncio
import codeop
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from pairrepl.core.events import CellSubmitted, KernelDied, KernelStarted, LedgerEntry
from pairrepl.core.execution import KernelState
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.core.transcript import Item
from pairrepl.session import Session, SessionError
from pairrepl.tui.commands import ACTIONS, action_keys, app_bindings
from pairrepl.tui.input import CodeInput
from pairrepl.tui.screens import ConfirmScreen, HelpScreen, InputPromptScreen
from pairrepl.tui.status import StatusLine
from pairrepl.tui.transcript_view import TranscriptView
from pairrepl.tui.variables import VariablesPane

IS_COMPLETE_TIMEOUT_S = 2.0
CLOSE_TIMEOUT_S = 15.0
FOOTER = "F1 help · ^P commands · Enter run · ^J/F5 force run · ^C interrupt · F8 restart · ^Q quit"

SessionOpener = Callable[[], Awaitable[Session]]


def local_completeness(code: str) -> str:
    """Python's own answer to "is this complete?", for when the kernel is busy running a
    cell and cannot answer ``is_complete``. Like IPython, an indented last line means a
    block still open: an empty line ends it. IPython syntax (``%magic``, ``x?``) comes
    out "invalid", which runs it: the kernel knows what it means."""
    lines = code.split("\n")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compiled = codeop.compile_command(code, "<input>", "exec")
    except (SyntaxError, ValueError, OverflowError):
        return "invalid"
    if compiled is None:
        return "incomplete"
    if len(lines) > 1 and lines[-1][:1].isspace() and lines[-1].strip():
        return "incomplete"
    return "complete"


class PairreplApp(App[None]):
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
        self._unsubscribe: Callable[[], None] | None = None
        self._queued = 0
        self._input_prompt: InputPromptScreen | None = None
        self._closing = False

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="main"):
            with Vertical(id="transcript-pane"):
                yield Static("starting kernel…", id="startup")
                yield TranscriptView(id="transcript")
            yield VariablesPane(id="variables")
        yield CodeInput(id="input")
        yield Static(FOOTER, id="footer")

    @property
    def transcript(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    @property
    def code_input(self) -> CodeInput:
        return self.query_one("#input", CodeInput)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def on_mount(self) -> None:
        self.status.project = self.title.removeprefix("pairrepl · ") or "?"
        self.code_input.focus()
        self.run_worker(self._open(), name="open-session", exit_on_error=False)

    # -- opening the session -----------------------------------------------------------------

    async def _open(self) -> None:
        try:
            session = await self._open_session()
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
        self.transcript.load(list(session.transcript.items))
        self._unsubscribe = session.subscribe(self._on_event)
        session.watch_kernel(self._on_kernel_state)
        session.watch_namespace(self._on_namespace)
        session.set_input_handler(self._ask_input)
        self.code_input.history_source = lambda: session.history
        self.query_one(VariablesPane).show(session.namespace)
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

    @on(CodeInput.EnterPressed)
    def _enter_pressed(self, event: CodeInput.EnterPressed) -> None:
        self._guarded(self._run_or_newline(event.code), "enter")

    async def _run_or_newline(self, code: str) -> None:
        verdict = await self._completeness(code)
        if self.code_input.text != code:
            return  # the human typed on while we asked: let them go on
        if verdict == "incomplete":
            self.code_input.insert_newline()
        else:
            self._submit()

    async def _completeness(self, code: str) -> str:
        session = self.session
        if session is None:
            return local_completeness(code)
        try:
            return await asyncio.wait_for(session.is_complete(code), IS_COMPLETE_TIMEOUT_S)
        except Exception:
            return local_completeness(code)

    def action_force_run(self) -> None:
        """Run the input as it is. Keys typed just before this one may still sit in the
        input's queue: run after them, not with the text as it was a moment ago."""
        if self.screen is self.screen_stack[0]:
            self.code_input.call_later(self._submit)

    def _submit(self) -> None:
        code = self.code_input.text
        if not code.strip():
            return
        if self.session is None:
            self.notify("The kernel is still starting.", severity="warning")
            return
        self.code_input.take()
        self._guarded(self._run(code), "run", restore=code)

    async def _run(self, code: str) -> None:
        assert self.session is not None
        self._queued += 1
        self.status.queued = self._queued - 1
        try:
            await self.session.run(code)
        finally:
            self._queued -= 1
            self.status.queued = max(0, self._queued - 1)

    def action_interrupt(self) -> None:
        session = self.session
        if session is None:
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
        self._guarded(self._counted(self.session.rerun_lost_cells()), "run")

    def action_run_next_loaded(self) -> None:
        if self.session is None:
            return
        if not self.session.transcript.pending_loaded_cells():
            self.notify("No loaded cell is waiting to run.", timeout=3)
            return
        self._guarded(self._counted(self.session.run_next_loaded()), "run")

    def action_run_all_loaded(self) -> None:
        if self.session is None:
            return
        if not self.session.transcript.pending_loaded_cells():
            self.notify("No loaded cell is waiting to run.", timeout=3)
            return
        self._guarded(self._counted(self.session.run_all_loaded()), "run")

    async def _counted(self, runs: Awaitable[Any]) -> None:
        self._queued += 1
        try:
            await runs
        finally:
            self._queued -= 1

    def _guarded(
        self, work: Coroutine[Any, Any, Any], name: str, *, restore: str | None = None
    ) -> None:
        """Run ``work`` in a worker whose failure is shown, never fatal to the app.

        A ``SessionError`` is the session saying no (a dead kernel, say): shown as a
        warning. Anything else is a bug or a broken kernel: shown as an error notice.
        ``restore`` puts the code back in an empty input when the run was refused.
        """

        async def guarded() -> None:
            try:
                await work
            except SessionError as error:
                self.notify(str(error), severity="warning", timeout=8)
                self.transcript.add_notice(str(error), "warning")
                if restore is not None and not self.code_input.text.strip():
                    self.code_input.load_text(restore)
                    self.code_input.move_cursor(self.code_input.document.end)
            except Exception as error:
                message = f"{name} failed: {type(error).__name__}: {error}"
                self.notify(message, severity="error", timeout=10)
                self.transcript.add_notice(message, "error")

        self.run_worker(guarded(), name=name, group=name, exit_on_error=False)

    # -- moving around -----------------------------------------------------------------------

    def action_toggle_focus(self) -> None:
        if self.focused is self.transcript:
            self.code_input.focus()
        else:
            self.transcript.focus()

    def action_focus_input(self) -> None:
        self.code_input.focus()

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

    def action_quit(self) -> None:
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
        if self._unsubscribe is not None:
            self._unsubscribe()
        try:
            await asyncio.wait_for(session.close(), CLOSE_TIMEOUT_S)
        except Exception as error:  # leaving anyway: say why on the way out
            self.log.error(f"closing the session failed: {error!r}")


def _runner(app: PairreplApp, action: str) -> Callable[[], Any]:
    async def run() -> None:
        await app.run_action(action)

    return run
