"""Kernel round trip: what the session and the adapter cost on top of raw jupyter_client.

1. A trivial cell (``1+1``) through ``Session.run`` (the ledger commits of
   ``cell_submitted``, ``output`` and ``cell_finished``, the transcript, the namespace
   diff) and through ``LocalKernel.execute`` alone (reply + idle + the namespace summary
   piggybacked as a user expression), against a raw ``AsyncKernelClient.execute`` that
   waits for the reply and the idle status; the same kernel, interleaved.
   Bar: session ≤ 1.10× raw, median and p95.
2. ``for i in range(1_000_000): print(i)`` through the adapter with a sink that only
   counts lines: time to finish and peak RSS growth of this process (no bar: the app's
   figure is ``benchmarks/tui_streaming.py``).

Run:  python benchmarks/roundtrip.py            (full)
      python benchmarks/roundtrip.py --quick    (smoke test, a few seconds)
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import Figure, ms, p95, parse_arguments, report
from jupyter_client.asynchronous.client import AsyncKernelClient

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import Output, StreamOutput
from pairrepl.kernel import LocalKernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session

TRIVIAL_CELL = "1+1"


class DiscardingSink:
    def output(self, output: Output) -> None:
        pass

    async def input_requested(self, prompt: str, password: bool) -> str:
        return ""


class CountingSink(DiscardingSink):
    def __init__(self) -> None:
        self.lines = 0
        self.messages = 0

    def output(self, output: Output) -> None:
        self.messages += 1
        if isinstance(output, StreamOutput):
            self.lines += output.text.count("\n")


async def adapter_round_trip(kernel: LocalKernel) -> float:
    started = time.perf_counter()
    reply = await kernel.execute(TRIVIAL_CELL, DiscardingSink())
    elapsed = time.perf_counter() - started
    assert reply.status is ExecutionStatus.OK and reply.namespace is not None
    return elapsed


async def session_round_trip(session: Session) -> float:
    started = time.perf_counter()
    execution = await session.run(TRIVIAL_CELL)
    elapsed = time.perf_counter() - started
    assert execution.status is ExecutionStatus.OK
    return elapsed


async def raw_round_trip(client: AsyncKernelClient) -> float:
    """The least a client must do: send, wait for the reply and for the idle status."""
    started = time.perf_counter()
    msg_id = client.execute(TRIVIAL_CELL)
    while True:
        reply = await client.get_shell_msg()
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    while True:
        message = await client.get_iopub_msg()
        if (
            message["parent_header"].get("msg_id") == msg_id
            and message["msg_type"] == "status"
            and message["content"]["execution_state"] == "idle"
        ):
            break
    return time.perf_counter() - started


async def kernel_loop_seconds(kernel: LocalKernel) -> float:
    class ResultSink(DiscardingSink):
        text = ""

        def output(self, output: Output) -> None:
            self.text = output.text

    sink = ResultSink()
    await kernel.execute("_loop_seconds", sink)
    return float(sink.text)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def main(iterations: int, lines: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        kernel = LocalKernel(root, root / ".pairrepl" / "kernel.log", withheld_variables=())
        ledger = Ledger.open(root)
        session = await Session.start(root, kernel, ledger)
        raw = AsyncKernelClient()
        raw.load_connection_file(str(kernel.connection_file))
        raw.start_channels()
        await raw.wait_for_ready(timeout=30)
        try:
            for _ in range(10):  # warm up every path
                await session_round_trip(session)
                await adapter_round_trip(kernel)
                await raw_round_trip(raw)
            ours, adapter, theirs = [], [], []
            for _ in range(iterations):
                ours.append(await session_round_trip(session))
                adapter.append(await adapter_round_trip(kernel))
                theirs.append(await raw_round_trip(raw))
            print(f"trivial cell {TRIVIAL_CELL!r}, {iterations} interleaved runs")
            for name, samples in (
                ("Session.run", ours),
                ("LocalKernel.execute", adapter),
                ("raw AsyncKernelClient", theirs),
            ):
                print(
                    f"  {name:<22} median {statistics.median(samples) * 1000:6.2f} ms"
                    f"   p95 {p95(samples) * 1000:6.2f} ms"
                )
            print(
                f"  ratio (median)         {statistics.median(ours) / statistics.median(theirs):.3f}"
                f"   (p95) {p95(ours) / p95(theirs):.3f}   (session / raw)"
            )

            sink = CountingSink()
            rss_before = peak_rss_mib()
            started = time.perf_counter()
            reply = await kernel.execute(
                "import time as _time\n_started = _time.perf_counter()\n"
                f"for i in range({lines:_}): print(i)\n"
                "_loop_seconds = _time.perf_counter() - _started",
                sink,
            )
            elapsed = time.perf_counter() - started
            assert reply.status is ExecutionStatus.OK and sink.lines == lines, sink.lines
            in_kernel = await kernel_loop_seconds(kernel)
            print(f"{lines:,} printed lines through the adapter")
            print(f"  time {elapsed:.2f} s in {sink.messages} stream messages")
            print(f"  of which the print loop inside the kernel {in_kernel:.2f} s")
            print(f"  peak RSS growth of this process {peak_rss_mib() - rss_before:.1f} MiB")
        finally:
            raw.stop_channels()
            await session.close()
            ledger.close()
    median_ratio = statistics.median(ours) / statistics.median(theirs)
    p95_ratio = p95(ours) / p95(theirs)
    return [
        Figure(
            name="trivial cell round trip through the session (median)",
            measured=statistics.median(ours),
            unit="s",
            baseline=statistics.median(theirs),
            baseline_name="raw AsyncKernelClient.execute + idle",
            bar="≤ 1.10×",
            met=median_ratio <= 1.10,
            details=[
                f"{iterations} interleaved runs; adapter alone (LocalKernel.execute)"
                f" median {ms(statistics.median(adapter))}",
            ],
        ),
        Figure(
            name="trivial cell round trip through the session (p95)",
            measured=p95(ours),
            unit="s",
            baseline=p95(theirs),
            baseline_name="raw AsyncKernelClient.execute + idle",
            bar="≤ 1.10×",
            met=p95_ratio <= 1.10,
            details=[f"adapter alone p95 {ms(p95(adapter))}"],
        ),
    ]


if __name__ == "__main__":
    arguments = parse_arguments(__doc__.splitlines()[0])
    iterations = 30 if arguments.quick else 500
    lines = 100_000 if arguments.quick else 1_000_000
    report(asyncio.run(main(iterations, lines)), arguments.json)
    sys.exit(0)
