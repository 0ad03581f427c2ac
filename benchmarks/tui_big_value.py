"""Key-to-screen latency while a cell's 50 MB result arrives, and what the ledger keeps.

The app on a real session (a ``LocalKernel``, a real ledger). Letters are typed on the
idle app (the baseline); then ``b = 'x' * 50_000_000`` and ``b`` runs, so the kernel
sends a 50 MB ``text/plain`` result, and letters are typed while it computes, sends and
the app receives it; then the idle app again. The ledger's growth is its file and WAL
after the cell less before it: the result is kept capped (``OutputLimits.value_chars``),
the full value spilled to a file.

Bar: median extra latency < +100 ms; ledger growth within the cap (its size plus the
events' own overhead, 64 KiB).

Run:  python benchmarks/tui_big_value.py [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from _common import Figure, median, ms, p95, parse_arguments, report
from _tui import running_app, typing_latencies, wait_until

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import OutputLimits
from pairrepl.kernel import LocalKernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session

EVENT_OVERHEAD = 64 * 1024  # the cell's other events and SQLite's pages around them


def ledger_bytes(ledger: Ledger) -> int:
    wal = Path(f"{ledger.path}-wal")
    return ledger.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    size, keys = (5_000_000, 5) if arguments.quick else (50_000_000, 20)
    cap = OutputLimits().value_chars
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        ledger = Ledger.open(root)

        async def open_session() -> Session:
            kernel = LocalKernel(root, root / ".pairrepl" / "kernel.log", withheld_variables=())
            return await Session.start(root, kernel, ledger)

        try:
            async with running_app(open_session) as app:
                session = app.session
                assert session is not None
                await typing_latencies(app, 5)  # warm up
                idle = await typing_latencies(app, keys)
                app.code_input.clear()
                before = ledger_bytes(ledger)
                app.code_input.insert(f"b = 'x' * {size:_}\nb")
                app.code_input.focus()
                await asyncio.sleep(0.05)
                app.code_input.submit()
                await wait_until(lambda: bool(session.transcript.code_cells()), 30)
                cell = session.transcript.code_cells()[-1]
                arriving: list[float] = []
                while cell.status is None:
                    arriving += await typing_latencies(app, 1)
                    if len(app.code_input.text) > 50:
                        app.code_input.clear()
                assert cell.status is ExecutionStatus.OK, cell.status
                app.transcript.flush()
                await asyncio.sleep(0.2)
                growth = ledger_bytes(ledger) - before
                app.code_input.clear()
                idle += await typing_latencies(app, keys)
                await session.close()
        finally:
            ledger.close()
    assert arriving, "the result arrived before a key could be timed"
    extra = median(arriving) - median(idle)
    figures = [
        Figure(
            name=f"key to screen while a {size / 1e6:.0f} MB result arrives (median)",
            measured=median(arriving),
            unit="s",
            baseline=median(idle),
            baseline_name="the same key on the idle app",
            bar="< +100 ms",
            met=extra < 0.100,
            details=[
                f"{len(arriving)} keys while it arrived, {len(idle)} idle; extra median"
                f" {ms(extra)}; p95 arriving {ms(p95(arriving))}, max {ms(max(arriving))}",
            ],
        ),
        Figure(
            name=f"ledger growth for a {size / 1e6:.0f} MB result",
            measured=growth / 2**20,
            unit="MiB",
            bar=f"≤ the cap ({cap:,} characters) + {EVENT_OVERHEAD // 1024} KiB",
            met=growth <= cap * 4 + EVENT_OVERHEAD,  # UTF-8 at worst 4 bytes a character
            details=[f"{growth:,} bytes for a value of {size:,} characters"],
        ),
    ]
    report(figures, arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
