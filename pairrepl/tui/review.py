"""The review pane: the proposal the human is deciding on, with what they can do to it.

It shows the *current* proposal: the latest one, while it is neither rejected nor
promoted, so an answer from the AI never hides behind scrolling. An older proposal never
comes back: once the latest is rejected or promoted the pane is hidden and its rows go
back to the transcript. The proposal keys act on this proposal and no other.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from pairrepl.core.transcript import CellItem, ProposalItem, Transcript
from pairrepl.frontend.render import proposal_header
from pairrepl.tui.render import proposal_actions, render_review


def last_run(transcript: Transcript, item: ProposalItem) -> CellItem | None:
    """The latest cell that ran ``item`` (its outputs and namespace change are its proof)."""
    return transcript.cells.get(item.runs[-1]) if item.runs else None


class ReviewPane(VerticalScroll):
    """Code, rationale, state, the latest run, and the keys; hidden when nothing is open.
    The state is in the top border and the keys in the bottom one, so both show however
    few rows the pane has (it scrolls)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = Text()
        self._body = Text()
        self._keys = Text()

    def compose(self) -> ComposeResult:
        yield Static("", id="review-body")

    def on_mount(self) -> None:
        self.display = False

    def show(self, item: ProposalItem | None, run: CellItem | None) -> None:
        """Show ``item`` and its latest ``run`` (None hides the pane). Called on every
        change of the session, so it touches the screen only when what it shows changed."""
        if item is None:
            if self.display:
                self.display = False
                self._title, self._body, self._keys = Text(), Text(), Text()
            return
        title = proposal_header(item)
        body = Text("\n").join(render_review(item, run))
        keys = proposal_actions(item.proposal.state)
        if not self.display:
            self.display = True
        if (title, body, keys) != (self._title, self._body, self._keys):
            self._title, self._body, self._keys = title, body, keys
            self.border_title = title
            self.border_subtitle = keys
            self.query_one("#review-body", Static).update(body)

    @property
    def text(self) -> str:
        """What the pane says, as plain text (tests read it)."""
        shown = f"{self._title.plain}\n{self._body.plain}\n{self._keys.plain}"
        return shown if self.display else ""
