"""The real app on a real session: a real ipykernel, a real SQLite ledger in tmp_path.

``tui`` opens a ``PairreplApp`` with ``App.run_test`` and hands back a ``Harness`` that
types, presses keys and waits for what the screen should show. Nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from pairrepl.cli.options import local_kernel as cli_local_kernel
from pairrepl.core.transcript import CellItem
from pairrepl.kernel import LocalKernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionSettings
from pairrepl.tui import PairreplApp

SIZE = (160, 45)


def local_kernel(root: Path) -> LocalKernel:
    """A kernel as the app starts one (``pairrepl.cli`` wires it)."""
    return cli_local_kernel(root, root / ".pairrepl" / "kernel.log")


def widget_text(widget: Widget) -> str:
    """What ``widget`` draws right now, as plain text."""
    width, height = widget.outer_size  # padding and border included
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


class Harness:
    """Drives one app like a person would, and waits for effects (never for time)."""

    def __init__(self, app: PairreplApp, pilot: Pilot[None]) -> None:
        self.app = app
        self.pilot = pilot

    @property
    def session(self) -> Session:
        assert self.app.session is not None
        return self.app.session

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> float:
        """Seconds until ``condition()`` held (fails the test after ``timeout``)."""
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > timeout:
                raise AssertionError(f"not true within {timeout}s: {condition}")
            await asyncio.sleep(0.02)
        return time.monotonic() - start

    async def type(self, code: str) -> None:
        """Put ``code`` in the input as if typed (the keys themselves are tested elsewhere)."""
        self.app.code_input.focus()
        self.app.code_input.insert(code)
        await self.pilot.pause()

    def cells(self) -> list[CellItem]:
        return self.session.transcript.code_cells()

    async def run(self, code: str, *, key: str = "enter", timeout: float = 30.0) -> CellItem:
        """Type ``code``, press ``key``, wait for the new cell to finish; return it."""
        before = len(self.cells())
        await self.type(code)
        await self.pilot.press(key)
        await self.wait_until(lambda: len(self.cells()) > before, timeout)
        cell = self.cells()[before]
        await self.wait_until(lambda: cell.status is not None, timeout)
        await self.settle()
        return cell

    async def settle(self) -> None:
        """Let pending transcript updates reach the screen: laid out, and (while the view
        follows the bottom) scrolled there, which Textual does after the next refresh."""
        view = self.app.transcript
        view.flush()
        await self.pilot.pause()
        await self.wait_until(lambda: not view.following or view.scroll_y >= view.max_scroll_y, 5)

    def transcript_text(self) -> str:
        self.app.transcript.flush()
        return self.app.transcript.plain_text()

    def visible_transcript(self) -> str:
        return widget_text(self.app.transcript)


OpenApp = Callable[..., Awaitable[Harness]]


@asynccontextmanager
async def running_app(
    open_session: Callable[[], Awaitable[Session]], size: tuple[int, int] = SIZE
) -> AsyncIterator[Harness]:
    app = PairreplApp(open_session, title="pairrepl · test")
    async with app.run_test(size=size) as pilot:
        harness = Harness(app, pilot)
        yield harness


@asynccontextmanager
async def fresh_app(
    root: Path, settings: SessionSettings | None = None, size: tuple[int, int] = SIZE
) -> AsyncIterator[Harness]:
    """The app on a fresh session in ``root``, kernel started and idle, in a terminal of
    ``size`` (columns, rows)."""
    ledger = Ledger.open(root)
    opened: list[Session] = []

    async def open_session() -> Session:
        session = await Session.start(root, local_kernel(root), ledger, settings=settings)
        opened.append(session)
        return session

    try:
        async with running_app(open_session, size) as harness:
            await harness.wait_until(lambda: harness.app.session is not None, 60)
            await harness.settle()
            yield harness
    finally:
        for session in opened:
            await session.close()
        ledger.close()


def replay_script(path: Path, *turns: Mapping[str, object]) -> Path:
    """Write a replay script (docs/replay-format.md): each request plays the next turn."""
    path.write_text(json.dumps({"format": "pairrepl-replay/1", "turns": list(turns)}))
    return path


@pytest.fixture
async def tui(tmp_path: Path) -> AsyncIterator[Harness]:
    """The app on a fresh session in ``tmp_path``, with no AI provider."""
    async with fresh_app(tmp_path) as harness:
        yield harness
