"""The code input: a multi-line editor with IPython-like Enter, indentation and history.

Enter asks ``completeness`` (the app's: IPython's rules) whether the text is a complete
statement, then either adds a line or hands the text over in ``CodeInput.Submitted``. The
question is awaited *inside* the key handler, so keys typed after Enter (a fast typist,
``tmux send-keys``, a paste) wait in this widget's queue and land in the emptied input:
the text that runs is exactly the text Enter was pressed on, never it plus what followed.

The input also remembers when it holds the human's edit of an AI proposal
(``editing_proposal``): running it then runs that proposal's edit (origin ai-edited).
Emptying the input or Escape drops the link. Up/Down walk the history only from the
first/last line, so moving inside a multi-line cell still works as in any editor.

Tab after a name asks the kernel for completions (``completer``, set by the app): one is
put in, several open a menu that Tab / Shift+Tab walk through. At the start of a line Tab
indents, as in IPython.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual import events, on
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import TextArea
from textual.widgets.text_area import Document

from pairrepl.core.inspection import Completions
from pairrepl.frontend.entry import next_line_indent


@dataclass
class _Menu:
    """Completions being chosen with Tab: they replace ``[start, end)`` of the text."""

    matches: tuple[str, ...]
    start: int
    end: int
    chosen: int | None = None


async def _always_complete(code: str) -> str:
    return "complete"


class CodeInput(TextArea):
    """Where the human types cells (and requests to the AI, which start with ``/``)."""

    class Submitted(Message):
        """The human ran ``code``. ``proposal_id``: the code is their edit of that proposal."""

        def __init__(self, code: str, proposal_id: str | None) -> None:
            super().__init__()
            self.code = code
            self.proposal_id = proposal_id

    class Escaped(Message):
        """Escape in the input: close what is open above it (the help panel)."""

    class CompletionsShown(Message):
        """The completion menu changed: ``matches`` to show (empty: close it), the chosen
        one, and ``note`` when there is something to say instead (none found, an error)."""

        def __init__(self, matches: tuple[str, ...], chosen: int | None, note: str = "") -> None:
            super().__init__()
            self.matches = matches
            self.chosen = chosen
            self.note = note

    editing_proposal: reactive[str | None] = reactive(None)
    """The proposal whose code the human is editing here, or None."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            language="python",
            theme="monokai",
            soft_wrap=True,
            tab_behavior="indent",
            show_line_numbers=False,
            id=id,
            placeholder="code here · Enter runs a complete statement · /question asks the AI · F1 help",
        )
        self.history_source: Callable[[], list[str]] = list
        self.completeness: Callable[[str], Awaitable[str]] = _always_complete
        self.completer: Callable[[str, int], Awaitable[Completions]] | None = None
        self._menu: _Menu | None = None  # the completions Tab is cycling through
        self._proposal_code = ""  # the proposal's code as it was put here, to tell an edit
        self._drop_armed = False  # Escape was pressed once on an edited proposal
        self._history_index: int | None = None  # None: editing a fresh draft
        self._draft = ""

    # -- Enter -----------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        if self._menu is not None and await self._menu_key(event):
            event.stop()
            event.prevent_default()
            return
        if event.key == "tab" and self.completer is not None and self._after_a_word():
            event.stop()
            event.prevent_default()
            await self._complete()
            return
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            await self._enter()
            return
        if event.key == "escape" and self.editing_proposal is not None:
            event.stop()
            event.prevent_default()
            if self.text != self._proposal_code and not self._drop_armed:
                self._drop_armed = True  # the human changed it: one more Escape to lose that
                self.notify("Escape again drops your edit of the proposal.", timeout=4)
                return
            self.take()  # the AI's text must not stay behind as if the human wrote it
            return
        self._drop_armed = False
        if event.key == "escape":  # stay here (TextArea would move the focus on)
            event.stop()
            event.prevent_default()
            self.post_message(self.Escaped())
            return
        await super()._on_key(event)

    async def _enter(self) -> None:
        if self._cursor_inside_text():
            self.insert_newline()
            return
        code = self.text  # the snapshot: what Enter was pressed on
        if not code.strip():
            return
        if await self.completeness(code) == "incomplete":
            self.insert_newline()
        else:
            self.submit(code)

    def submit(self, code: str | None = None) -> None:
        """Hand ``code`` (default: all the text) to the app to run, and take it out of
        the input; anything after it stays there."""
        code = self.text if code is None else code
        if not code.strip():
            return
        proposal_id = self.editing_proposal
        self.take(code)
        self.post_message(self.Submitted(code, proposal_id))

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

    def take(self, code: str | None = None) -> None:
        """Remove ``code`` from the start of the input (default: everything), keeping
        what follows it; the edit link and the history walk end with it."""
        rest = self.text[len(code) :] if code is not None and self.text.startswith(code) else ""
        self.editing_proposal = None
        self._history_index = None
        self._draft = ""
        self.load_text(rest)
        self.move_cursor(self.document.end)

    def edit_proposal(self, proposal_id: str, code: str) -> None:
        """Put a proposal's code here for the human to change; running it runs their edit."""
        self._show(code)
        self._history_index = None
        self.editing_proposal = proposal_id
        self._proposal_code = code
        self._drop_armed = False

    @on(TextArea.Changed)
    def _emptied(self, event: TextArea.Changed) -> None:
        if not self.text.strip():
            self.editing_proposal = None

    # -- completion ---------------------------------------------------------------------

    def _after_a_word(self) -> bool:
        """Tab completes after a name, a dot, a quote…; at the start of a line (or after
        a space) it indents, as in IPython."""
        row, column = self.cursor_location
        before = self.document[row][:column]
        return bool(before.strip()) and not before[-1].isspace()

    def _text_document(self) -> Document:
        """The document, as the `Document` it always is (a `SyntaxAwareDocument` with a
        language): `TextArea` declares the base class, which has no index conversions."""
        document = self.document
        assert isinstance(document, Document)
        return document

    async def _complete(self) -> None:
        """Ask the kernel (awaited here, so keys typed meanwhile land after the result)."""
        assert self.completer is not None
        code = self.text
        cursor = self._text_document().get_index_from_location(self.cursor_location)
        found = await self.completer(code, cursor)
        if self.text != code:  # changed while we waited: the answer is for other text
            return
        if found.error or not found.matches:
            note = found.error or "no completions"
            self.post_message(self.CompletionsShown((), None, note))
            return
        if len(found.matches) == 1:
            self._replace(found.start, found.end, found.matches[0])
            return
        typed = code[found.start : found.end]
        prefix = found.common_prefix()
        end = found.end
        if len(prefix) > len(typed) and prefix.startswith(typed):
            end = self._replace(found.start, found.end, prefix)
        self._menu = _Menu(found.matches, found.start, end)
        self.post_message(self.CompletionsShown(found.matches, None))

    async def _menu_key(self, event: events.Key) -> bool:
        """A key while the menu is open: Tab / Shift+Tab choose, Enter keeps the choice,
        Escape closes; any other key closes it and then does what it always does."""
        menu = self._menu
        assert menu is not None
        if event.key in ("tab", "shift+tab"):
            step = 1 if event.key == "tab" else -1
            if menu.chosen is None:
                menu.chosen = 0 if step > 0 else len(menu.matches) - 1
            else:
                menu.chosen = (menu.chosen + step) % len(menu.matches)
            menu.end = self._replace(menu.start, menu.end, menu.matches[menu.chosen])
            self.post_message(self.CompletionsShown(menu.matches, menu.chosen))
            return True
        self.close_completions()
        return event.key in ("enter", "escape")

    def close_completions(self) -> None:
        if self._menu is not None:
            self._menu = None
            self.post_message(self.CompletionsShown((), None))

    def _replace(self, start: int, end: int, text: str) -> int:
        """Put ``text`` in place of ``[start, end)``; the cursor goes after it. Returns
        where it ends."""
        document = self._text_document()
        self.replace(
            text, document.get_location_from_index(start), document.get_location_from_index(end)
        )
        self.move_cursor(self._text_document().get_location_from_index(start + len(text)))
        return start + len(text)

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
        if not history or self.editing_proposal is not None:  # never swap the edit away
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
