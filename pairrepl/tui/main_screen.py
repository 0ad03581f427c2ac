"""The main screen: the status line, the transcript with the review pane under it, the
variables pane beside them, and the input with its helpers and the footer below.

It only lays the widgets out, and says when they are there (``MainScreen.Ready``: the
app's own mount comes before its default screen's); the app (app.py) then fills them
from the session. Dialogs open over it and never replace it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from pairrepl.tui.assist import CompletionMenu, HelpPanel
from pairrepl.tui.input import CodeInput
from pairrepl.tui.review import ReviewPane
from pairrepl.tui.status import KeysLine, StatusLine
from pairrepl.tui.transcript_view import TranscriptView
from pairrepl.tui.variables import VariablesPane


class MainScreen(Screen[None]):
    """The one screen the app always has (the bottom of the screen stack)."""

    # Under 100 columns the variables pane starts hidden (app.tcss), so the transcript
    # keeps a readable width; F10 shows it.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual's type)

    class Ready(Message):
        """The widgets are mounted: the app may wire them up."""

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
        yield KeysLine(id="footer")

    def on_mount(self) -> None:
        self.post_message(self.Ready())
