"""What every part of the app shares: the session, the main screen's widgets, and the way
work is started so that no failure can end the app.

`AppBase` is the root of the app's classes. The action groups (running.py, ai.py,
items.py, looking.py, promotion.py) each extend it with the actions of one subject, and
`PairreplApp` (app.py) combines them; their keys are written down once, in commands.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from textual.app import App

from pairrepl.core.transcript import Item
from pairrepl.frontend.entry import current_proposal
from pairrepl.frontend.render import item_id
from pairrepl.session import Session, SessionError
from pairrepl.tui.commands import action_keys
from pairrepl.tui.input import CodeInput
from pairrepl.tui.render import ActionTargets
from pairrepl.tui.review import ReviewPane, last_run
from pairrepl.tui.status import AIStatus, StatusLine
from pairrepl.tui.transcript_view import TranscriptView


class AppBase(App[None]):
    """The session (None until it opened), the widgets, and guarded work."""

    def __init__(self) -> None:
        super().__init__()
        self.session: Session | None = None
        self._closing = False
        self._queued = 0  # cells sent and not finished
        self._answering = 0  # requests to the AI in flight
        self._latest_error: str | None = None  # the cell the fix key asks about
        self._preview_tokens: int | None = None  # what the next request's context would use

    # -- the widgets of the main screen --------------------------------------------------------

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

    @property
    def _on_main_screen(self) -> bool:
        """False while a dialog is open: its keys are its own."""
        return self.screen is self.screen_stack[0]

    @property
    def _showing(self) -> bool:
        """False once the app is closing: session callbacks then have nothing to draw on."""
        return self.is_running and not self._closing

    # -- starting work -------------------------------------------------------------------------

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

    async def _run(self, execution: Awaitable[Any]) -> None:
        """Await cells the human sent, keeping count for the status line and Ctrl+C."""
        self._queued += 1
        self.status.queued = self._queued - 1
        try:
            await execution
        finally:
            self._queued -= 1
            self.status.queued = max(0, self._queued - 1)

    async def _answer(self, reply: Awaitable[Any]) -> None:
        """Await the AI's reply, keeping count so Ctrl+C knows to stop it."""
        self._answering += 1
        self._refresh_ai()
        try:
            await reply
        finally:
            self._answering -= 1
            self._refresh_ai()

    # -- the input and the transcript's selection --------------------------------------------

    def _restore_input(self, code: str, proposal_id: str | None) -> None:
        """Put back what a refused run or request took, if the human has not typed since."""
        if self.code_input.text.strip():
            return
        if proposal_id is not None:
            self.code_input.edit_proposal(proposal_id, code)
        else:
            self.code_input.load_text(code)
            self.code_input.move_cursor(self.code_input.document.end)

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

    def _context_mark(self, item: Item) -> str:
        """ "pinned", "hidden" or "normal": where ``item`` stands in the AI's context."""
        identifier = item_id(item)
        if identifier is None or self.session is None:
            return "normal"
        transcript = self.session.transcript
        if identifier in transcript.pinned:
            return "pinned"
        return "hidden" if identifier in transcript.hidden else "normal"

    # -- the AI's state on screen ----------------------------------------------------------------

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
