"""The code input: a multi-line editor with IPython-like Enter, indentation and history.

Enter does not decide by itself whether to run: that needs the kernel (``is_complete``),
so the input posts ``CodeInput.EnterPressed`` and the app answers with ``submit`` or
``insert_newline``. Up/Down walk the history only from the first/last line, so moving
inside a multi-line cell still works as in any editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from textual import events
from textual.message import Message
from textual.widgets import TextArea

_DEDENT_AFTER = re.compile(r"^\s*(return|pass|break|continue|raise)\b")
INDENT = "    "


def next_line_indent(line: str) -> str:
    """The indentation IPython would give the line after ``line``."""
    indent = line[: len(line) - len(line.lstrip())]
    code = line.split("#", 1)[0].rstrip()
    if code.endswith(":"):
        return indent + INDENT
    if _DEDENT_AFTER.match(line):
        return indent[: max(0, len(indent) - len(INDENT))]
    return indent


class CodeInput(TextArea):
    """Where the human types cells."""

    class EnterPressed(Message):
        """Enter was pressed with ``code`` in the input: run it, or add a line?"""

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            language="python",
            theme="monokai",
            soft_wrap=True,
            tab_behavior="indent",
            show_line_numbers=False,
            id=id,
            placeholder="code here · Enter runs a complete statement · F1 help",
        )
        self.history_source: Callable[[], list[str]] = list
        self._history_index: int | None = None  # None: editing a fresh draft
        self._draft = ""

    # -- Enter -----------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            if self._cursor_inside_text():
                self.insert_newline()
            elif self.text.strip():
                self.post_message(self.EnterPressed(self.text))
            return
        await super()._on_key(event)

    def _cursor_inside_text(self) -> bool:
        """Enter in the middle of a multi-line input edits it, as in IPython."""
        row, column = self.cursor_location
        if self.document.line_count <= 1:
            return False
        after = self.get_text_range((row, column), self.document.end)
        return bool(after.strip())

    def insert_newline(self) -> None:
        row, column = self.cursor_location
        before_cursor = self.document[row][:column]
        self.insert("\n" + next_line_indent(before_cursor))

    def take(self) -> str:
        """Empty the input and return what it held (the app is about to run it)."""
        code = self.text
        self.load_text("")
        self._history_index = None
        self._draft = ""
        return code

    # -- history -----------------------------------------------------------------------------

    def action_cursor_up(self, select: bool = False) -> None:
        if not select and self.cursor_location[0] == 0 and self._walk_history(-1):
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        last_row = self.document.line_count - 1
        if not select and self.cursor_location[0] == last_row and self._walk_history(+1):
            return
        super().action_cursor_down(select)

    def _walk_history(self, step: int) -> bool:
        history = self.history_source()
        if not history:
            return False
        index = len(history) if self._history_index is None else self._history_index
        target = index + step
        if target < 0 or (target > len(history)) or (self._history_index is None and step > 0):
            return False
        if self._history_index is None:
            self._draft = self.text
        if target == len(history):
            self._history_index = None
            self._show(self._draft)
        else:
            self._history_index = target
            self._show(history[target])
        return True

    def _show(self, code: str) -> None:
        self.load_text(code)
        self.move_cursor(self.document.end)
