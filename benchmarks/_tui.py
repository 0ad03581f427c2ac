"""Measuring the Textual app from a key (or a byte) to the screen.

The app runs headless (``App.run_test``), as in the tests. "On screen" means: the
widget's ``render_line`` returned the new content during the compositor's paint of the
screen, which is what a terminal would be sent at that moment. ``PaintWatch`` wraps the
``render_line`` of one widget and records when a condition first holds at paint time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual import events
from textual.strip import Strip
from textual.widget import Widget

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.transcript import CellItem
from pairrepl.kernel import LocalKernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session
from pairrepl.tui import PairreplApp

SIZE = (160, 45)


@asynccontextmanager
async def running_app(open_session: Callable[[], Awaitable[Session]]) -> AsyncIterator[PairreplApp]:
    """The app, headless, with its session open and its first paint done."""
    app = PairreplApp(open_session, title="pairrepl · bench")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.session is not None, 120)
        app.transcript.flush()
        await pilot.pause()
        yield app


@asynccontextmanager
async def app_on_a_local_kernel(root: Path) -> AsyncIterator[tuple[PairreplApp, Session, Ledger]]:
    """The app on a new session with a real ``LocalKernel`` and ledger in ``root``, warmed
    up (five keys typed); the session is closed on the way out."""
    with Ledger.open(root) as ledger:

        async def open_session() -> Session:
            kernel = LocalKernel(root, root / ".pairrepl" / "kernel.log", withheld_variables=())
            return await Session.start(root, kernel, ledger)

        async with running_app(open_session) as app:
            assert app.session is not None
            await typing_latencies(app, 5)
            try:
                yield app, app.session, ledger
            finally:
                await app.session.close()


async def keys_while_it_runs(app: PairreplApp, code: str) -> tuple[CellItem, list[float]]:
    """Submit ``code`` from the input, then time a key at a time until the cell ends
    (it must end OK); the cell and those latencies. The transcript is drawn after."""
    session = app.session
    assert session is not None
    app.code_input.clear()
    app.code_input.insert(code)
    app.code_input.focus()
    await asyncio.sleep(0.05)
    app.code_input.submit()
    await wait_until(lambda: bool(session.transcript.code_cells()), 30)
    cell = session.transcript.code_cells()[-1]
    latencies: list[float] = []
    while cell.status is None:
        latencies += await typing_latencies(app, 1)
        if len(app.code_input.text) > 50:
            app.code_input.clear()
    assert cell.status is ExecutionStatus.OK, cell.status
    app.transcript.flush()
    await asyncio.sleep(0.2)
    app.code_input.clear()
    return cell, latencies


async def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout} s: {condition}")
        await asyncio.sleep(0.005)


class PaintWatch:
    """Records the time a widget first paints while ``condition(strip)`` holds."""

    def __init__(self, widget: Widget) -> None:
        self._render_line = widget.render_line
        self._condition: Callable[[Strip], bool] | None = None
        self.painted_at: float | None = None
        self._painted = asyncio.Event()
        widget.render_line = self._traced  # type: ignore[method-assign]

    def _traced(self, y: int) -> Strip:
        strip = self._render_line(y)
        if self._condition is not None and self._condition(strip):
            self.painted_at = time.perf_counter()
            self._condition = None
            self._painted.set()
        return strip

    def expect(self, condition: Callable[[Strip], bool]) -> None:
        self.painted_at = None
        self._painted.clear()
        self._condition = condition

    async def wait(self, timeout: float = 30.0) -> float:
        await asyncio.wait_for(self._painted.wait(), timeout)
        assert self.painted_at is not None
        return self.painted_at


async def key_to_screen(app: PairreplApp, watch: PaintWatch, character: str) -> float:
    """Seconds from a key reaching the app's driver to the input painting it."""
    expected = len(app.code_input.text) + 1
    watch.expect(lambda strip: len(app.code_input.text) == expected)
    assert app._driver is not None
    started = time.perf_counter()
    app._driver.send_message(events.Key(character, character))
    painted = await watch.wait()
    return painted - started


async def typing_latencies(app: PairreplApp, keys: int) -> list[float]:
    """Type ``keys`` letters into the input, one at a time, each timed key to screen."""
    app.code_input.focus()
    watch = getattr(app, "_bench_input_watch", None)
    if watch is None:
        watch = PaintWatch(app.code_input)
        app._bench_input_watch = watch  # type: ignore[attr-defined]
    samples = []
    for number in range(keys):
        samples.append(await key_to_screen(app, watch, "abcdefghij"[number % 10]))
        await asyncio.sleep(0.01)  # a fast typist, not a flood
    return samples
