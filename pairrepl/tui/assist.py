"""What the kernel says while the human types: the completion menu and the ``obj?`` panel.

Both sit just above the input and never take the focus: the human keeps typing. The
input (``CodeInput``) decides when to ask and posts ``CodeInput.CompletionsShown``; the
app puts the answer here. ``obj?`` / ``obj??`` never run as a cell (no ``Out``, no
history, no execution count): the kernel's inspection is shown in the help panel.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from pairrepl.core.inspection import HelpText

MENU_MATCHES = 60
STYLE_CHOSEN = "reverse bold"
STYLE_DIM = "dim"


def menu_text(matches: tuple[str, ...], chosen: int | None) -> Text:
    """``greet  green  grey`` with the chosen one highlighted; the chosen one is always
    in view, even past the first ``MENU_MATCHES``."""
    start = 0
    if chosen is not None and chosen >= MENU_MATCHES:
        start = chosen - MENU_MATCHES + 1
    text = Text()
    for index in range(start, min(len(matches), start + MENU_MATCHES)):
        if text:
            text.append("  ")
        text.append(matches[index], STYLE_CHOSEN if index == chosen else "")
    hidden = len(matches) - min(len(matches), start + MENU_MATCHES) + start
    if hidden:
        text.append(f"  … {hidden} more", STYLE_DIM)
    text.append("   Tab / Shift+Tab choose · Enter keeps · Escape closes", STYLE_DIM)
    return text


def help_text(answer: HelpText, detail: int) -> Text:
    marks = "??" if detail else "?"
    title = Text(f"{answer.name or 'help'}{marks}", "bold cyan")
    title.append("  · Escape closes\n", STYLE_DIM)
    if answer.error:
        title.append(answer.error, "bold yellow")
        return title
    title.append(answer.text.rstrip("\n"))
    return title


class CompletionMenu(Static):
    """The kernel's completions for the word at the cursor (hidden when there are none)."""

    def show(self, matches: tuple[str, ...], chosen: int | None) -> None:
        self.display = bool(matches)
        if matches:
            self.update(menu_text(matches, chosen))


class HelpPanel(VerticalScroll):
    """``obj?`` / ``obj??``: IPython's inspection of an object, made in the kernel."""

    def compose(self) -> ComposeResult:
        yield Static("", id="help-panel-text")

    def show(self, answer: HelpText, detail: int) -> None:
        self.query_one("#help-panel-text", Static).update(help_text(answer, detail))
        self.display = True
        self.scroll_home(animate=False)

    def close(self) -> None:
        self.display = False
