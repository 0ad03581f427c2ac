"""Looking into live objects from the app: the inspector (from the variables pane, or on
the last error), Tab completion in the input, and ``obj?`` help above it. Looking
changes nothing: none of it is recorded."""

from __future__ import annotations

import asyncio

from textual import on

from pairrepl.core.execution import KernelState
from pairrepl.core.inspection import Completions, Inspection, ObjectPath
from pairrepl.session import Session
from pairrepl.tui.assist import CompletionMenu, HelpPanel
from pairrepl.tui.base import AppBase
from pairrepl.tui.input import CodeInput
from pairrepl.tui.inspector import InspectorScreen
from pairrepl.tui.variables import VariablesPane

COMPLETE_TIMEOUT_S = 4.0  # the kernel bounds its own work at 2 s


class LookingActions(AppBase):
    """The app's inspector, completion and help (keys in commands.py)."""

    @on(VariablesPane.InspectRequested)
    def _inspect_variable(self, event: VariablesPane.InspectRequested) -> None:
        self._open_inspector(ObjectPath.name(event.name))

    def action_inspect_last_error(self) -> None:
        self._open_inspector(ObjectPath.last_error())

    def _open_inspector(self, root: ObjectPath) -> None:
        session = self.session
        if session is None or not self._on_main_screen:
            return

        async def inspect(
            path: ObjectPath, offset: int, items_only: bool, read_values: bool
        ) -> Inspection:
            return await session.inspect(
                path, offset, items_only=items_only, read_values=read_values
            )

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
