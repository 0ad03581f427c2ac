"""The Textual app: transcript, variables, input and status line around one ``Session``.

The app only draws what the session reports and turns keys into session calls. The
session is opened inside the app's own event loop (the kernel's sockets must live there),
every session call runs in a worker so the screen never waits, and no worker failure can
end the app: errors are shown, and the human decides what to do next.

The AI's side: input starting with ``/`` (or F3) is a request; the reply streams into
the transcript; a proposal waits in the review pane until the human runs, edits,
rejects or accepts it. Nothing here runs code unless a key the human pressed asks for it.

This module opens and closes the session, follows what it reports and routes the input;
the layout is main_screen.py, and the actions live in groups, one module each
(running.py, ai.py, items.py, looking.py, promotion.py), on the shared base.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from textual import events, on
from textual.app import SystemCommand
from textual.binding import Binding
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
from pairrepl.core.inspection import help_request
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.core.transcript import CellItem, Item, NoteItem
from pairrepl.frontend.entry import as_request
from pairrepl.frontend.render import AI_MARK, short_id
from pairrepl.session import LedgerHealth, Session
from pairrepl.tui.ai import AIActions
from pairrepl.tui.commands import ACTIONS, action_keys, app_bindings, keys_label
from pairrepl.tui.input import CodeInput
from pairrepl.tui.items import ItemActions
from pairrepl.tui.looking import LookingActions
from pairrepl.tui.main_screen import MainScreen
from pairrepl.tui.promotion import PromotionActions
from pairrepl.tui.running import RunningActions
from pairrepl.tui.screens import HelpScreen
from pairrepl.tui.variables import VariablesPane

PREVIEW_DELAY_S = 0.3  # the context meter waits for events to settle this long
CLOSE_TIMEOUT_S = 15.0
_QUIET_EVENTS = (OutputProduced, OutputSpilled, ReplyStreamed)  # change no AI view: skip

SessionOpener = Callable[[], Awaitable[Session]]


class PairreplApp(RunningActions, AIActions, ItemActions, LookingActions, PromotionActions):
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
        self._unsubscribe: list[Callable[[], None]] = []  # stop hearing from the session
        self._ledger_ok = True  # every recorded event is in the ledger file
        self.open_error: str | None = None  # why the session could not be opened
        self._preview_timer: Timer | None = None
        self._early_keys: list[str] | None = []  # typed before the input was there

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    def on_load(self) -> None:
        # Start opening the session (the kernel takes most of a second) before the
        # screen is composed and painted, so the two overlap; _open waits for it.
        self._opening = asyncio.ensure_future(self._open_session())

    @on(MainScreen.Ready)
    def _wire(self) -> None:
        """The main screen's widgets are there: connect them, and open the session."""
        self.status.project = self.title.removeprefix("pairrepl · ") or "?"
        self.code_input.completeness = self._completeness
        self.code_input.completer = self._complete
        self.watch(self.code_input, "editing_proposal", self._show_edit_link)
        self.watch(self.transcript, "new_below", self._show_new_below)
        self.code_input.focus()
        if self._early_keys:
            self.code_input.insert("".join(self._early_keys))
        self._early_keys = None
        self.run_worker(self._open(), name="open-session", exit_on_error=False)

    def on_key(self, event: events.Key) -> None:
        """Letters typed while the screen is still being built go into the input once it
        is there, as a terminal keeps what was typed before a program read it."""
        if self._early_keys is not None and event.is_printable and event.character:
            self._early_keys.append(event.character)
            event.stop()

    # -- opening the session -----------------------------------------------------------------

    async def _open(self) -> None:
        try:
            session = await self._opening
        except Exception as error:
            message = f"Could not open the session: {error}"
            self.open_error = message
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
        self._offer_lost_cells()
        loaded = self.session.transcript.pending_loaded_cells()
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
            self.call_later(self._offer_lost_cells)

    def _offer_lost_cells(self) -> None:
        lost = self.session.transcript.cells_lost_with_kernel() if self.session else []
        if lost:
            self.transcript.add_notice(
                f"Press {action_keys('rerun_lost_cells')} to re-run the {len(lost)} "
                "cell(s) lost with the kernel.",
                "warning",
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

    def _show_edit_link(self, proposal_id: str | None) -> None:
        note = self.query_one("#input-note", Static)
        note.display = proposal_id is not None
        if proposal_id is not None:
            note.update(
                f"{AI_MARK} editing proposal {short_id(proposal_id)} · Enter runs your edit "
                "(recorded as ai-edited) · Escape drops the edit"
            )

    def _show_new_below(self, new_below: bool) -> None:
        pane = self.query_one("#transcript-pane")
        keys = action_keys("scroll_transcript_down")
        pane.border_subtitle = f"↓ new below · {keys} to follow" if new_below else ""

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

    # -- the input -----------------------------------------------------------------------------

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

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for action in ACTIONS:
            if action.in_palette and action.action not in ("quit", "help"):
                title = f"{action.title} · {keys_label(action)}" if action.keys else action.title
                yield SystemCommand(title, action.help, _runner(self, action.action))
        yield SystemCommand("Help: keys · F1", "Show every action and its keys.", self.action_help)

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
