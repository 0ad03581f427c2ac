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
from _tui import app_on_a_local_kernel, keys_while_it_runs, typing_latencies

from pairrepl.core.outputs import OutputLimits
from pairrepl.ledger import Ledger

EVENT_OVERHEAD = 64 * 1024  # the cell's other events and SQLite's pages around them


def ledger_bytes(ledger: Ledger) -> int:
    wal = Path(f"{ledger.path}-wal")
    return ledger.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    size, keys = (5_000_000, 5) if arguments.quick else (50_000_000, 20)
    cap = OutputLimits().value_chars
    with tempfile.TemporaryDirectory() as directory:
        async with app_on_a_local_kernel(Path(directory)) as (app, _session, ledger):
            idle = await typing_latencies(app, keys)
            before = ledger_bytes(ledger)
            _cell, arriving = await keys_while_it_runs(app, f"b = 'x' * {size:_}\nb")
            growth = ledger_bytes(ledger) - before
            idle += await typing_latencies(app, keys)
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
