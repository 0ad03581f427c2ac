"""Where the console's input comes from: a prompt on a terminal, or lines of a stream.

- ``TerminalPrompt``: prompt_toolkit's prompt with IPython's feel. ``In [n]:``; Enter
  runs complete code by the rule the app follows (``frontend/entry.py``), else adds a
  line indented as IPython would; Python highlighting; Tab completes from the kernel
  (and indents at the start of a line); Up/Down and Ctrl+R walk the session's history
  from the ledger; a status line at the bottom. A choice is one key press.
- ``LineReader``: plain lines from a stream, for ``--plain`` on a terminal (the
  terminal's own line editing, nothing redrawn) and for a script on standard input
  (``pairrepl console < script.py``), which is read one complete statement at a time
  and echoed as a person would have seen it typed. A script answers no questions: what
  a person would choose, a script says with commands (``:run``, ``:accept``...).
"""

from __future__ import annotations

import asyncio
import getpass
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import Any, Protocol, TextIO, TypeVar

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application, run_in_terminal
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import Condition, has_completions, has_focus, is_done, is_searching
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import History
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.key_binding.bindings.completion import generate_completions
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import Output

from pairrepl.console.screen import Scrollback, continuation_prompt, in_prompt
from pairrepl.core.events import CellSubmitted, LedgerEntry
from pairrepl.core.execution import KernelState
from pairrepl.frontend.entry import INDENT, completeness, next_line_indent
from pairrepl.session import Session

COMPLETE_TIMEOUT_S = 4.0  # the kernel bounds its own work at 2 s
COMMAND_PREFIX = ":"
_CONTINUES_A_BLOCK = ("else", "elif", "except", "finally")
_T = TypeVar("_T")


class Lines(Protocol):
    """What the console reads: statements, free lines (``input()``, a reason, an
    explanation) and choices."""

    interactive: bool  # a person answers: choices and confirmations are asked
    can_prefill: bool  # the prompt can hold text for the person to edit

    async def statement(self, number: int, draft: str = "") -> str | None:
        """The next complete statement (``draft``: text to start from); None at the end."""

    async def line(self, question: str, *, password: bool = False) -> str | None:
        """One line typed after ``question``; None if the person backed out (Ctrl+C)."""

    async def choice(self, question: str, keys: str) -> str:
        """One of ``keys`` (a single key press where possible); "" for none of them."""


# -- a terminal: prompt_toolkit ------------------------------------------------------------


class LedgerHistory(History):
    """Up/Down and Ctrl+R walk the cells the session ran (from its ledger, so a resumed
    session brings them back), then what was typed here. Nothing is stored twice: the
    ledger keeps every cell."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._session = session

    def load_history_strings(self) -> Iterable[str]:
        return reversed(self._session.history)  # newest first

    def store_string(self, string: str) -> None:
        pass


class KernelCompleter(Completer):
    """The kernel's completions at the cursor (never while a cell runs: the kernel would
    answer only after it)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        return ()  # only asynchronously: the kernel answers over the network

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        if self._session.kernel_state is not KernelState.IDLE:
            return
        cursor = document.cursor_position
        try:
            found = await asyncio.wait_for(
                self._session.complete(document.text, cursor), COMPLETE_TIMEOUT_S
            )
        except TimeoutError:
            return
        for match in found.matches:
            yield Completion(match, start_position=found.start - cursor)


class TerminalPrompt:
    """prompt_toolkit's prompt on a terminal (see the module's doc)."""

    interactive = True
    can_prefill = True

    def __init__(
        self,
        session: Session,
        screen: Scrollback,
        *,
        status: Callable[[], str] | None = None,
        input: Input | None = None,
        output: Output | None = None,
    ) -> None:
        self._session = session
        self._screen = screen
        self._input = input
        self._output = output
        self._app: Application[Any] | None = None  # the one on screen now
        self._pending_prints: set[asyncio.Future[None]] = set()
        self._history = LedgerHistory(session)
        session.subscribe(self._remember)
        self._prompt: PromptSession[str] = PromptSession(
            multiline=True,
            key_bindings=self._bindings(),
            lexer=PygmentsLexer.from_filename("cell.py"),
            completer=KernelCompleter(session),
            complete_while_typing=False,
            history=self._history,
            prompt_continuation=_continuation,
            bottom_toolbar=status,
            input=input,
            output=output,
        )
        screen.above_prompt = self._print_above

    def _bindings(self) -> KeyBindings:
        bindings = KeyBindings()
        at_line_start = Condition(self._at_line_start)
        typing_code = has_focus(DEFAULT_BUFFER) & ~is_searching & ~is_done  # not Ctrl+R's

        @bindings.add("enter", filter=typing_code & ~has_completions)
        def _enter(event: KeyPressEvent) -> None:
            buffer = event.current_buffer
            text, document = buffer.text, buffer.document
            # As IPython: on an earlier line (not only blank lines below), Enter adds one.
            last_row = document.line_count - document.empty_line_count_at_the_end()
            on_last_line = document.on_last_line or document.cursor_position_row >= last_row
            decided = text.lstrip().startswith(COMMAND_PREFIX) or (
                completeness(self._session, text) != "incomplete"
            )
            if on_last_line and decided:
                buffer.validate_and_handle()
            else:
                _new_line(event)

        bindings.add("escape", "enter", filter=typing_code)(_new_line)

        @bindings.add("tab", filter=typing_code & at_line_start)
        def _indent(event: KeyPressEvent) -> None:
            event.current_buffer.insert_text(INDENT)

        bindings.add("tab", filter=typing_code & ~at_line_start)(generate_completions)
        return bindings

    def _remember(self, entry: LedgerEntry, item: object) -> None:
        """Cells that ran without being typed here (a proposal's run) join the history
        too, so Up brings back the code that ran last."""
        if isinstance(entry.event, CellSubmitted):
            newest = self._history.get_strings()[-1:]
            if newest != [entry.event.code]:
                self._history.append_string(entry.event.code)

    @property
    def text(self) -> str:
        """What the prompt holds now: what has been typed so far."""
        return self._prompt.default_buffer.text

    def _at_line_start(self) -> bool:
        before = self._prompt.default_buffer.document.current_line_before_cursor
        return not before.strip()

    async def statement(self, number: int, draft: str = "") -> str | None:
        try:
            return await self._run(
                self._prompt.app,
                self._prompt.prompt_async(
                    in_prompt(number),
                    default=draft,
                    handle_sigint=False,
                    set_exception_handler=False,
                ),
            )
        except EOFError:
            return None
        except KeyboardInterrupt:
            return ""  # Ctrl+C drops what was typed, as in IPython

    async def line(self, question: str, *, password: bool = False) -> str | None:
        asking: PromptSession[str] = PromptSession(input=self._input, output=self._output)
        try:
            return await self._run(
                asking.app,
                asking.prompt_async(
                    question, is_password=password, handle_sigint=False, set_exception_handler=False
                ),
            )
        except (EOFError, KeyboardInterrupt):
            return None

    async def choice(self, question: str, keys: str) -> str:
        bindings = KeyBindings()
        for key in keys:
            bindings.add(key)(_exit_with(key))
        # Enter is c-j too when it was typed ahead while the terminal was not in raw mode.
        for key in ("enter", "c-j", "c-c", "c-d", "escape"):
            bindings.add(key)(_exit_with(""))
        bindings.add("<any>")(lambda event: None)  # any other key: keep waiting
        app: Application[str] = Application(
            layout=Layout(
                Window(FormattedTextControl(FormattedText([("bold", question)])), height=1)
            ),
            key_bindings=bindings,
            input=self._input,
            output=self._output,
            erase_when_done=True,
        )
        chosen = await self._run(
            app, app.run_async(handle_sigint=False, set_exception_handler=False)
        )
        self._screen.line(f"{question}: {chosen or 'later'}")  # what was chosen stays in view
        return chosen

    async def _run(self, app: Application[Any], running: Awaitable[_T]) -> _T:
        """Await ``running`` while ``app`` is what is on screen (printing goes above it)."""
        self._app = app
        try:
            return await running
        finally:
            self._app = None

    def _print_above(self, write: Callable[[], None]) -> bool:
        """Print above the prompt on screen (hidden, printed, drawn again); False if none."""
        app = self._app
        if app is None or not app.is_running or app.context is None:
            return False
        printed = app.context.copy().run(run_in_terminal, write)
        future = asyncio.ensure_future(printed)
        self._pending_prints.add(future)
        future.add_done_callback(self._pending_prints.discard)
        return True


def _continuation(width: int, line_number: int, wrap_count: int) -> str:
    """``   ...: `` under ``In [n]: `` (prompt_toolkit gives the prompt's width)."""
    return "...: ".rjust(width)


def _new_line(event: KeyPressEvent) -> None:
    """A new line, indented as IPython would (Enter on an open block, or Escape Enter)."""
    buffer = event.current_buffer
    buffer.insert_text("\n" + next_line_indent(buffer.document.current_line_before_cursor))


def _exit_with(result: str) -> Callable[[KeyPressEvent], None]:
    def exit_(event: KeyPressEvent) -> None:
        event.app.exit(result=result)

    return exit_


# -- a stream: plain lines -------------------------------------------------------------------


class LineReader:
    """Lines of a stream (see the module's doc). ``interactive``: a person types them at
    a terminal, after the prompts printed here; else a script, echoed as read."""

    can_prefill = False

    def __init__(
        self, stream: TextIO, session: Session, screen: Scrollback, *, interactive: bool
    ) -> None:
        self.interactive = interactive
        self._stream = stream
        self._session = session
        self._screen = screen
        self._pending: str | None = None  # a line read ahead: it starts the next statement

    async def statement(self, number: int, draft: str = "") -> str | None:
        lines: list[str] = []
        while True:
            line = self._pending
            self._pending = None
            if line is None:
                if self.interactive:
                    self._screen.write(
                        in_prompt(number) if not lines else continuation_prompt(number)
                    )
                line = await self._readline()
            if line is None:  # the end of the stream
                return self._statement(lines, number) if _has_code(lines) else None
            if not lines and not line.strip():
                continue
            if not lines and line.lstrip().startswith((COMMAND_PREFIX, "/")):
                return self._statement([line], number)  # a command or a request: one line
            if self._starts_next(lines, line):
                self._pending = line
                return self._statement(lines, number)
            lines.append(line)
            if _has_code(lines) and completeness(self._session, "\n".join(lines)) != "incomplete":
                return self._statement(lines, number)

    def _starts_next(self, lines: list[str], line: str) -> bool:
        """A line at the left margin after a finished block starts the next statement
        (``else:`` and its kin continue theirs), as a script means it."""
        if not _has_code(lines) or not line.strip() or line[:1].isspace():
            return False
        if line.split(maxsplit=1)[0].rstrip(":") in _CONTINUES_A_BLOCK:
            return False
        return completeness(self._session, "\n".join(lines) + "\n") != "incomplete"

    def _statement(self, lines: list[str], number: int) -> str:
        while lines and not lines[-1].strip():
            lines.pop()
        text = "\n".join(lines)
        if not self.interactive:
            self._screen.echo(text, number)
        return text

    async def line(self, question: str, *, password: bool = False) -> str | None:
        if self.interactive and password:
            return await _in_thread(lambda: getpass.getpass(question))
        self._screen.end_line()
        self._screen.write(question)
        answer = await self._readline()
        if not self.interactive:
            self._screen.write(("" if password or answer is None else answer) + "\n")
        return answer

    async def choice(self, question: str, keys: str) -> str:
        if not self.interactive:
            return ""
        answer = (await self.line(question + " ") or "").strip()
        if len(answer) == 1 and answer.lower() in keys:
            return answer.lower()
        if answer:  # not a choice but the next statement: the person went on
            self._pending = answer
        return ""

    async def _readline(self) -> str | None:
        line = await _in_thread(self._stream.readline)
        if self.interactive:
            self._screen.line_typed()
        return None if line == "" else line.rstrip("\r\n")


def _has_code(lines: list[str]) -> bool:
    """Whether ``lines`` hold more than blank lines and comments (those wait for code)."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in lines)


async def _in_thread(read: Callable[[], _T]) -> _T:
    """``read()`` in a daemon thread: a read that blocks on a terminal never keeps the
    process from exiting."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[_T] = loop.create_future()

    def reader() -> None:
        try:
            value = read()
        except BaseException as error:  # handed to the awaiting task
            loop.call_soon_threadsafe(_settle, done, None, error)
        else:
            loop.call_soon_threadsafe(_settle, done, value, None)

    threading.Thread(target=reader, daemon=True, name="pairrepl-console-read").start()
    return await done


def _settle(future: asyncio.Future[_T], value: _T | None, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)  # type: ignore[arg-type]
