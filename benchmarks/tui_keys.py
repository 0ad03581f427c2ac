"""Keystroke latency in a session of 2,000 cells with outputs, against an empty session.

Two apps, each on a kernel stub (keys never reach the kernel): one on a fresh session,
one on a resumed session of 2,000 cells with outputs and namespace diffs. They are
opened in turn, empty / long / empty / long, and in each a run of letters is typed into
the input, each timed from the key reaching the app's driver to the input painting it.

Bar: the long session's median ≤ 1.10× the empty one's.

Run:  python benchmarks/tui_keys.py [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

from _common import Figure, median, ms, p95, parse_arguments, report
from _stubs import InstantKernel, record
from _tui import running_app, typing_latencies

from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    Event,
    KernelStarted,
    OutputProduced,
    SessionClosed,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceDiff, VariableChange
from pairrepl.core.outputs import ResultOutput, StreamOutput
from pairrepl.ledger import Ledger
from pairrepl.session import Session

LONG_ID = "bench0keys"


def long_session(cells: int) -> Iterator[Event]:
    """Like tests/tui/test_scale.py: each cell prints, returns a value, binds a name."""
    yield SessionStarted("/project")
    yield KernelStarted("an earlier kernel")
    for n in range(1, cells + 1):
        cell_id = f"cell{n:06d}"
        code = f"values_{n} = [i * {n} for i in range(10)]\nsum(values_{n})"
        yield CellSubmitted(cell_id, code, Origin.HUMAN)
        yield OutputProduced(cell_id, StreamOutput("stdout", f"{n}\n"))
        yield OutputProduced(cell_id, ResultOutput({"text/plain": str(45 * n)}, n))
        diff = NamespaceDiff(added=(VariableChange(f"values_{n}", None, "list 10"),))
        yield CellFinished(cell_id, n, ExecutionStatus.OK, 0.01, diff)
    yield SessionClosed()


async def measure(root: Path, resume: bool, keys: int) -> tuple[list[float], int]:
    ledger = Ledger.open(root)

    async def open_session() -> Session:
        kernel = InstantKernel()
        if resume:
            return await Session.resume(root, kernel, ledger, LONG_ID)  # type: ignore[arg-type]
        return await Session.start(root, kernel, ledger)  # type: ignore[arg-type]

    try:
        async with running_app(open_session) as app:
            items = app.transcript.item_count
            await typing_latencies(app, 5)  # warm up
            app.code_input.clear()
            samples = await typing_latencies(app, keys)
            assert app.session is not None
            await app.session.close()
            return samples, items
    finally:
        ledger.close()


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    cells, keys, rounds = (200, 10, 1) if arguments.quick else (2_000, 40, 3)
    with tempfile.TemporaryDirectory() as empty_dir, tempfile.TemporaryDirectory() as long_dir:
        empty_root, long_root = Path(empty_dir), Path(long_dir)
        record(long_root, LONG_ID, long_session(cells))
        empty, long = [], []
        for _ in range(rounds):
            samples, _ = await measure(empty_root, False, keys)
            empty += samples
            samples, items = await measure(long_root, True, keys)
            long += samples
    measured, baseline = median(long), median(empty)
    figure = Figure(
        name=f"keystroke to screen, {cells:,}-cell session ({items:,} items)",
        measured=measured,
        unit="s",
        baseline=baseline,
        baseline_name="the same keys in an empty session",
        bar="≤ 1.10×",
        met=measured <= 1.10 * baseline,
        details=[
            f"{rounds} rounds of {keys} keys each, empty and long in turn",
            f"p95: long {ms(p95(long))}, empty {ms(p95(empty))};"
            f" max: long {ms(max(long))}, empty {ms(max(empty))}",
        ],
    )
    report([figure], arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
