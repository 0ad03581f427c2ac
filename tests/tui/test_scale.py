"""The app stays usable at scale: a million lines of output, a two-thousand-cell session."""

from __future__ import annotations

import time
from pathlib import Path

from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
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
from tests.tui.conftest import Harness, local_kernel, running_app


def rss_bytes() -> int:
    """Resident memory of this process (the app runs in it)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


async def key_latency(tui: Harness, keys: str = "abcdefghij") -> float:
    """Worst time from pressing a key to seeing it in the input."""
    tui.app.code_input.focus()
    worst = 0.0
    for key in keys:
        start = time.perf_counter()
        await tui.pilot.press(key)
        await tui.wait_until(lambda key=key: tui.app.code_input.text.endswith(key), 5)
        worst = max(worst, time.perf_counter() - start)
    return worst


async def test_a_million_lines_stream_without_freezing_the_app(tui: Harness) -> None:
    rss_before = rss_bytes()
    await tui.type("for i in range(1_000_000): print(i)")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: bool(tui.cells()) and bool(tui.cells()[0].outputs), 30)
    cell = tui.cells()[0]

    latencies = []
    while cell.status is None and len(latencies) < 20:
        latencies.append(await key_latency(tui, "x"))
    assert latencies, "the cell finished before a key could be pressed"
    print(
        f"\nkey latency while streaming: max {max(latencies) * 1000:.0f} ms over {len(latencies)}"
    )
    assert max(latencies) < 1.0, latencies

    await tui.wait_until(lambda: cell.status is not None, 120)
    await tui.settle()
    assert cell.status is ExecutionStatus.OK
    text = tui.transcript_text()
    assert "lines omitted — full output: .pairrepl/outputs/" in text
    assert "999999" in tui.visible_transcript()  # the tail, followed to the bottom
    spill = cell.spills[0]
    assert (tui.session.project_root / spill.path).read_text().count("\n") == 1_000_000
    growth = rss_bytes() - rss_before
    print(f"RSS growth {growth / 2**20:.0f} MB")
    assert growth < 300 * 2**20, f"RSS grew by {growth / 2**20:.0f} MB"


def record_long_session(root: Path, cells: int) -> str:
    """A finished session of ``cells`` cells, written straight into a real ledger."""
    with Ledger.open(root) as ledger:
        session_id = "long" + "0" * 8
        ledger.append(session_id, SessionStarted(str(root)))
        ledger.append(session_id, KernelStarted("an earlier kernel"))
        for n in range(1, cells + 1):
            cell_id = f"cell{n:06d}"
            code = f"values_{n} = [i * {n} for i in range(10)]\nsum(values_{n})"
            ledger.append(session_id, CellSubmitted(cell_id, code, Origin.HUMAN))
            ledger.append(session_id, OutputProduced(cell_id, StreamOutput("stdout", f"{n}\n")))
            result = ResultOutput({"text/plain": str(45 * n)}, n)
            ledger.append(session_id, OutputProduced(cell_id, result))
            diff = NamespaceDiff(added=(VariableChange(f"values_{n}", None, "list 10"),))
            ledger.append(session_id, CellFinished(cell_id, n, ExecutionStatus.OK, 0.01, diff))
        ledger.append(session_id, SessionClosed())
    return session_id


async def test_a_two_thousand_cell_session_opens_at_its_end_and_keys_stay_responsive(
    tmp_path: Path,
) -> None:
    """The figure (keys at 2,000 cells vs an empty session) is a benchmark
    (benchmarks/, docs/benchmarks.md); this checks the behaviour: the long session
    opens at its end, scrolls to its start, and a key never waits like a frozen app."""

    root = tmp_path / "long"
    root.mkdir()
    session_id = record_long_session(root, 2_000)
    ledger = Ledger.open(root)
    resumed: list[Session] = []

    async def resume() -> Session:
        session = await Session.resume(root, local_kernel(root), ledger, session_id)
        resumed.append(session)
        return session

    try:
        async with running_app(resume) as long:
            await long.wait_until(lambda: long.app.session is not None, 60)
            await long.settle()
            assert long.app.transcript.item_count >= 2_000
            assert "Out[2000]: 90000" in long.visible_transcript()
            assert "Press F9 to re-run the 2000 cell(s) lost with the kernel" in (
                long.transcript_text()
            )
            assert "Session resumed on a new kernel" in long.transcript_text()
            long_latency = await key_latency(long)
            await long.pilot.press("pageup", "pageup")
            assert "Out[2000]" not in long.visible_transcript()
            await long.pilot.press("f2", "home")  # into the transcript, to its top
            assert long.app.focused is long.app.transcript
            assert "In [1]:  values_1 = " in long.visible_transcript()
            await long.pilot.press("escape")
            assert long.app.focused is long.app.code_input
    finally:
        for session in resumed:
            await session.close()
        ledger.close()

    assert long_latency < 1.0, f"{long_latency * 1000:.0f} ms for one key at 2,000 cells"
