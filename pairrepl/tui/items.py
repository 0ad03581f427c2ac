"""Moving around the main screen, and the actions on the transcript's selected item: copy a
cell to the input, pin or hide an item from the AI's context, edit a past request or
reply, run a loaded cell or ask a request again, fix a cell that raised."""

from __future__ import annotations

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.transcript import CellItem, ExchangeItem, NoteItem
from pairrepl.frontend.render import item_id, short_id
from pairrepl.tui.assist import HelpPanel
from pairrepl.tui.base import AppBase
from pairrepl.tui.commands import action_keys
from pairrepl.tui.screens import EditTextScreen
from pairrepl.tui.variables import VariablesPane


class ItemActions(AppBase):
    """The app's actions on focus, scrolling and the selected item (keys in commands.py)."""

    # -- moving around -----------------------------------------------------------------------

    def action_toggle_focus(self) -> None:
        """Input → transcript → variables (if shown) → input."""
        variables = self.query_one("#variables-table")
        if self.focused is self.transcript:
            self.transcript.clear_selection()
            if self.query_one(VariablesPane).display:
                variables.focus()
            else:
                self.action_focus_input()
        elif self.focused is variables:
            self.action_focus_input()
        else:
            self.transcript.focus()
            if self.transcript.selected_item is None:
                self.transcript.select_step(-1)  # the latest item

    def action_toggle_variables(self) -> None:
        """Show or hide the variables pane, whatever the terminal's width made it."""
        shown = self.query_one(VariablesPane).display
        screen = self.screen_stack[0]
        screen.set_class(shown, "-hide-variables")
        screen.set_class(not shown, "-show-variables")
        if shown and self.focused is self.query_one("#variables-table"):
            self.action_focus_input()

    def action_focus_input(self) -> None:
        self.transcript.clear_selection()
        self.query_one(HelpPanel).close()
        self.code_input.focus()

    def action_select_previous(self) -> None:
        self.transcript.select_step(-1)

    def action_select_next(self) -> None:
        self.transcript.select_step(1)

    def action_scroll_transcript_up(self) -> None:
        self.transcript.page_up()

    def action_scroll_transcript_down(self) -> None:
        self.transcript.page_down()

    # -- the selected item ---------------------------------------------------------------------

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

    def action_item_pin(self) -> None:
        self._toggle_mark("pinned")

    def action_item_hide(self) -> None:
        self._toggle_mark("hidden")

    def _toggle_mark(self, mark: str) -> None:
        item = self._selection(CellItem, NoteItem, what="a cell or a note")
        session = self.session
        if item is None or session is None:
            return
        identifier = item_id(item)
        assert identifier is not None
        wanted = "normal" if self._context_mark(item) == mark else mark
        self._guarded(lambda: session.mark_for_context(identifier, wanted), "mark")

    def action_item_edit_request(self) -> None:
        self._edit_exchange("request")

    def action_item_edit_reply(self) -> None:
        self._edit_exchange("reply")

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
            edit = session.edit_request if part == "request" else session.edit_reply
            self._guarded(lambda: edit(request_id, text), "edit")

        title = f"Edit the {part} {short_id(request_id)} (the AI sees your edit from now on)"
        self.push_screen(EditTextScreen(title, current), callback=edited)

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
