"""Running code and the kernel's life: Enter's completeness question, forcing a run,
interrupting, restarting, the cells waiting to run again (lost with a kernel, or loaded
from a notebook), and the ``input()`` prompt of a running cell."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from pairrepl.core.execution import KernelState
from pairrepl.core.transcript import CellItem
from pairrepl.frontend.entry import completeness
from pairrepl.tui.base import AppBase
from pairrepl.tui.screens import ConfirmScreen, InputPromptScreen


class RunningActions(AppBase):
    """The app's actions on cells and the kernel (keys in commands.py)."""

    _input_prompt: InputPromptScreen | None = None  # open while a cell waits in input()

    async def _completeness(self, code: str) -> str:
        return completeness(self.session, code)

    def action_force_run(self) -> None:
        """Run the input as it is. Keys typed just before this one may still sit in the
        input's queue: run after them, not with the text as it was a moment ago."""
        if self._on_main_screen:
            self.code_input.call_later(self.code_input.submit)

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
        if self.session is not None:
            self._run_waiting(
                self.session.transcript.cells_lost_with_kernel(),
                self.session.rerun_lost_cells,
                "No cells to re-run: none was lost with a kernel.",
            )

    def action_run_next_loaded(self) -> None:
        if self.session is not None:
            self._run_waiting(
                self.session.transcript.pending_loaded_cells(),
                self.session.run_next_loaded,
                "No loaded cell is waiting to run.",
            )

    def action_run_all_loaded(self) -> None:
        if self.session is not None:
            self._run_waiting(
                self.session.transcript.pending_loaded_cells(),
                self.session.run_all_loaded,
                "No loaded cell is waiting to run.",
            )

    def _run_waiting(
        self, waiting: Sequence[CellItem], run: Callable[[], Awaitable[object]], none: str
    ) -> None:
        """Run cells that wait to run (``run`` them), or say ``none`` if none do."""
        if not waiting:
            self.notify(none, timeout=3)
            return
        self._guarded(self._run(run()), "run")

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
