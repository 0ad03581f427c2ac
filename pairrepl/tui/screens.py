"""The small modal screens: help, a yes/no confirmation, the ``input()`` prompt, and the
editor for a past request or reply."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from pairrepl.tui.commands import ACTIONS, keys_label

KEYS_WIDTH = 14  # "Ctrl+J / F5 /" then "Shift+Enter" under it
HELP_SECTIONS = {
    "app": "Everywhere",
    "transcript": "In the transcript (F2, then Up/Down select an item)",
    "variables": "In the variables pane",
    "inspector": "In the inspector",
}


def help_table() -> Group:
    """Every action and its keys, from the same list the bindings are made of: one
    section per place the keys work, the keys beside the action's name with what it does
    under it, so the text has most of the dialog's width (readable at 80 columns)."""
    sections: list[Text | Table] = []
    for scope, heading in HELP_SECTIONS.items():
        sections.append(Text(heading, "bold underline"))
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1, 1, 0))
        table.add_column("keys", style="bold cyan", width=KEYS_WIDTH)
        table.add_column("action", ratio=1)
        for action in ACTIONS:
            if action.scope == scope:
                table.add_row(keys_label(action), _action_text(action.title, action.help))
        if scope == "app":
            table.add_row(
                "Escape",
                _action_text("Back to the input", "From the transcript, or to close a dialog."),
            )
        sections.append(table)
    return Group(*sections)


def _action_text(title: str, what: str) -> Text:
    return Text.assemble((title, "bold"), "\n", (what, "dim"))


class HelpScreen(ModalScreen[None]):
    """F1: what every key does."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape,f1,q", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("pairrepl · keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(help_table(), id="help-table")
            yield Label("Escape or F1 closes · Ctrl+P searches actions by name", classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; Enter or Y says yes, Escape or N says no."""

    BINDINGS = [  # noqa: RUF012
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(self.question, id="confirm-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="confirm-yes")
                yield Button("Cancel (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class InputPromptScreen(ModalScreen[str]):
    """A cell called ``input()`` (or ``getpass``): ask the human, answer the kernel.

    Ctrl+C still interrupts the kernel (an app-wide binding), which closes this prompt.
    """

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "answer_empty", "Send an empty answer"),
    ]

    def __init__(self, prompt: str, password: bool) -> None:
        super().__init__()
        self.prompt = prompt
        self.password = password

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog", classes="dialog"):
            yield Label("The cell asks for input" + (" (hidden)" if self.password else ""))
            yield Label(self.prompt or "›", id="prompt-text")
            yield Input(password=self.password, id="prompt-input")
            yield Label("Enter sends · Escape sends nothing · Ctrl+C interrupts", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_answer_empty(self) -> None:
        self.dismiss("")


class RejectScreen(ModalScreen[str | None]):
    """Reject a proposal: an optional reason, which the AI reads in its next context.

    Dismisses with the reason ("" for none), or None when the human changed their mind.
    """

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "cancel", "Keep the proposal"),
    ]

    def __init__(self, proposal_label: str) -> None:
        super().__init__()
        self.proposal_label = proposal_label

    def compose(self) -> ComposeResult:
        with Vertical(id="reject-dialog", classes="dialog"):
            yield Label(f"Reject {self.proposal_label}?", classes="dialog-title")
            yield Input(placeholder="why (optional): the AI reads it next time", id="reject-reason")
            yield Label("Enter rejects · Escape keeps the proposal", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#reject-reason", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditTextScreen(ModalScreen[str | None]):
    """Rewrite a past request or reply: a TextArea prefilled with the current text.

    Ctrl+S (or the Save button) dismisses with the text; Escape with None (no change).
    """

    BINDINGS = [  # noqa: RUF012
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.text, id="edit-text", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", variant="primary", id="edit-save")
                yield Button("Cancel (Escape)", id="edit-cancel")
            yield Label(
                "The AI sees your edit from now on; the ledger keeps the original.",
                classes="dim",
            )

    def on_mount(self) -> None:
        area = self.query_one("#edit-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "edit-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#edit-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
