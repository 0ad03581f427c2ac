"""The real console on a real session: a real ipykernel, a real SQLite ledger in tmp_path.

``Driver`` runs ``Console`` with prompt_toolkit's own test harness: keys go in through a
pipe (``create_pipe_input``), the prompt draws on a ``DummyOutput``, and what the console
prints into the scrollback is kept in a ``StringIO`` to read. Nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from pairrepl.console.lines import LineReader, TerminalPrompt
from pairrepl.console.repl import Console
from pairrepl.console.screen import Scrollback, strip_ansi
from pairrepl.core.transcript import CellItem
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionSettings
from tests.session.conftest import local_kernel

ENTER = "\r"
UP = "\x1b[A"
END = "\x1b[F"
TAB = "\t"
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_R = "\x12"


def paste(text: str) -> str:
    """``text`` as a terminal pastes it (bracketed): its newlines do not press Enter."""
    return f"\x1b[200~{text}\x1b[201~"


def replay_settings(path: Path, *turns: Mapping[str, object]) -> SessionSettings:
    """An AI that plays ``turns`` (docs/replay-format.md), one per request."""
    from pairrepl.agent import Agent, ReplayProvider

    path.write_text(json.dumps({"format": "pairrepl-replay/1", "turns": list(turns)}))
    return SessionSettings(agent=Agent(ReplayProvider.from_file(path)))


class Driver:
    """Types into one console like a person would, and waits for what it prints."""

    def __init__(self, console: Console, keys: PipeInput, out: io.StringIO) -> None:
        self.console = console
        self.keys = keys
        self.out = out

    @property
    def session(self) -> Session:
        return self.console.session

    def type(self, *keys: str) -> None:
        self.keys.send_text("".join(keys))

    def printed(self) -> str:
        """What the scrollback shows, colours left out."""
        return strip_ansi(self.out.getvalue())

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > timeout:
                raise AssertionError(
                    f"not true within {timeout}s: {condition}\n--- printed:\n{self.printed()}"
                )
            await asyncio.sleep(0.02)

    async def wait_for(self, text: str, timeout: float = 30.0) -> str:
        await self.wait_until(lambda: text in self.printed(), timeout)
        return self.printed()

    def cells(self) -> list[CellItem]:
        return self.session.transcript.code_cells()

    async def run(self, *keys: str, timeout: float = 30.0) -> CellItem:
        """Press ``keys`` (ending in Enter), wait for the new cell to finish; return it."""
        before = len(self.cells())
        self.type(*keys)
        await self.wait_until(lambda: len(self.cells()) > before, timeout)
        cell = self.cells()[before]
        await self.wait_until(lambda: cell.status is not None, timeout)
        return cell


@asynccontextmanager
async def console_on(
    session: Session, *, plain: bool = False, script: str | None = None
) -> AsyncIterator[Driver]:
    """The console on ``session``: the prompt on a pipe of keys, or (``script``) plain
    lines read from that text as from a file piped in. Ctrl+D at the end."""
    out = io.StringIO()
    screen = Scrollback(out, session.transcript, plain=plain)
    with create_pipe_input() as keys:
        if script is None:
            lines = TerminalPrompt(session, screen, input=keys, output=DummyOutput())
        else:
            lines = LineReader(io.StringIO(script), session, screen, interactive=False)
        console = Console(session, lines, screen)
        running = asyncio.create_task(console.run())
        driver = Driver(console, keys, out)
        try:
            yield driver
            if script is None:
                driver.type(CTRL_D)
            await asyncio.wait_for(running, 60)
        finally:
            running.cancel()


@asynccontextmanager
async def console_session(
    root: Path,
    settings: SessionSettings | None = None,
    *,
    resume: bool = False,
    notebook: Path | None = None,
) -> AsyncIterator[Session]:
    """A session as ``pairrepl console`` opens it (new, from ``notebook``, or the latest
    resumed); closed after."""
    ledger = Ledger.open(root)
    if resume:
        session = await Session.resume(root, local_kernel(root), ledger, settings=settings)
    else:
        session = await Session.start(
            root,
            local_kernel(root),
            ledger,
            notebook=notebook,
            front_end="console",
            settings=settings,
        )
    try:
        yield session
    finally:
        await session.close()
        ledger.close()
