"""Key-to-screen latency while a cell streams 1,000,000 lines, and the memory it costs.

The app on a real session (a ``LocalKernel``, a real ledger). First letters are typed on
the idle app (the baseline); then ``for i in range(1_000_000): print(i)`` runs and, while
it streams, letters are typed again, each timed from the key reaching the app's driver
to the input painting it; then the idle app once more. Memory: the growth of this
process's resident set (the app and the session live here; the kernel does not) from
before the cell to after it finished and its last output is on screen.

Bar: median and p95 while streaming < 100 ms more than idle; memory growth < 200 MB.

Run:  python benchmarks/tui_streaming.py [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from _common import Figure, median, ms, p95, parse_arguments, report, rss_mib
from _tui import app_on_a_local_kernel, keys_while_it_runs, typing_latencies


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    lines, keys = (100_000, 5) if arguments.quick else (1_000_000, 20)
    with tempfile.TemporaryDirectory() as directory:
        async with app_on_a_local_kernel(Path(directory)) as (app, _session, _ledger):
            idle = await typing_latencies(app, keys)
            rss_before = rss_mib()
            cell, streaming = await keys_while_it_runs(app, f"for i in range({lines:_}): print(i)")
            growth = rss_mib() - rss_before
            idle += await typing_latencies(app, keys)
            spilled = [spill.path for spill in cell.spills]
    assert streaming, "the cell finished before a key could be timed"
    extra_median = median(streaming) - median(idle)
    extra_p95 = p95(streaming) - p95(idle)
    figures = [
        Figure(
            name=f"key to screen while a cell streams {lines:,} lines (median)",
            measured=median(streaming),
            unit="s",
            baseline=median(idle),
            baseline_name="the same key on the idle app",
            bar="< +100 ms",
            met=extra_median < 0.100,
            details=[
                f"{len(streaming)} keys while streaming, {len(idle)} idle;"
                f" extra: median {ms(extra_median)}, p95 {ms(extra_p95)}",
                f"streaming p95 {ms(p95(streaming))}, max {ms(max(streaming))};"
                f" idle p95 {ms(p95(idle))}",
                f"the full output was spilled to {', '.join(spilled) or 'nothing'}",
            ],
        ),
        Figure(
            name=f"key to screen while a cell streams {lines:,} lines (p95)",
            measured=p95(streaming),
            unit="s",
            baseline=p95(idle),
            baseline_name="the same key on the idle app",
            bar="< +100 ms",
            met=extra_p95 < 0.100,
        ),
        Figure(
            name=f"memory growth of the app while a cell streams {lines:,} lines",
            measured=growth,
            unit="MiB",
            bar="< 200 MB",
            met=growth < 200 * 1e6 / 2**20,
            details=["resident set of the app's process, before the cell to after it"],
        ),
    ]
    report(figures, arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
