"""The AI proposes, the human disposes: asking, following up, fixing an error, notes and
hint mode, and the moves on the proposal in the review pane (run, edit, reject, accept).
Nothing here runs code unless a key the human pressed asks for it."""

from __future__ import annotations

from collections.abc import Callable

from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import ProposalItem
from pairrepl.frontend.entry import REQUEST_PREFIX, as_request, current_proposal, follow_up_prefix
from pairrepl.frontend.render import short_id
from pairrepl.tui.base import AppBase
from pairrepl.tui.commands import action_keys
from pairrepl.tui.screens import RejectScreen


class AIActions(AppBase):
    """The app's actions towards the AI and on its proposals (keys in commands.py)."""

    # -- asking ------------------------------------------------------------------------------

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

    def action_follow_up(self) -> None:
        """Ask again about the proposal in review, with the input as the question."""
        if self._on_main_screen:
            self.code_input.call_later(self._follow_up_from_input)

    def _follow_up_from_input(self) -> None:
        item = self._proposal_in_review()
        if item is None:
            return
        about = follow_up_prefix(item)
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

    # -- the proposal in review --------------------------------------------------------------

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

    def _open_to_run(self) -> ProposalItem | None:
        """The proposal in review if it may still run (or be edited): not accepted yet."""
        item = self._proposal_in_review()
        if item is not None and item.proposal.state is ProposalState.ACCEPTED:
            self.notify(f"Proposal {short_id(item.proposal.id)} is already accepted.", timeout=4)
            return None
        return item

    def action_run_proposal(self) -> None:
        item, session = self._open_to_run(), self.session
        if item is not None and session is not None:
            self._guarded(self._run(session.run_proposal(item.proposal.id)), "run")

    def action_edit_proposal(self) -> None:
        item = self._open_to_run()
        if item is None:
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
        item, session = self._proposal_in_review(), self.session
        if item is None or session is None:
            return
        why_not = accept_refused(item)
        if why_not:
            self.notify(
                f"Cannot accept proposal {short_id(item.proposal.id)}: {why_not}",
                severity="warning",
                timeout=8,
            )
            return
        self._guarded(lambda: session.accept(item.proposal.id), "accept")


def accept_refused(item: ProposalItem) -> str:
    """Why accept is not possible now ("" when it is): accept needs a clean run."""
    run, edit = action_keys("run_proposal"), action_keys("edit_proposal")
    return {
        ProposalState.PROPOSED: f"it has not run yet. Run it first ({run}); "
        "accept needs a run without error.",
        ProposalState.RAN_ERROR: f"its last run raised. Edit it ({edit}) or run it "
        f"again ({run}); accept needs a run without error.",
        ProposalState.ACCEPTED: "it is already accepted.",
    }.get(item.proposal.state, "")
