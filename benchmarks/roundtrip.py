"""Kernel round trip: what the adapter costs on top of raw jupyter_client.

1. A trivial cell (``1+1``) through ``LocalKernel.execute`` (reply + idle + the namespace
   summary piggybacked as a user expression) against a raw ``AsyncKernelClient.execute``
   that waits for the reply and the idle status, on the same kernel, interleaved.
2. ``for i in range(1_000_000): print(i)`` through the adapter with a sink that only
   counts lines: time to finish and peak RSS growth of this process.

Run:  python benchmarks/roundtrip.py            (full)
      python benchmarks/roundtrip.py --quick    (smoke test, a few seconds)
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.asynchronous.client import AsyncKernelClient

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import Output, StreamOutput
from pairrepl.kernel import LocalKernel

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


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def main(iterations: int, lines: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        kernel = LocalKernel(root, root / ".pairrepl" / "kernel.log")
        await kernel.start()
        raw = AsyncKernelClient()
        raw.load_connection_file(str(kernel.connection_file))
        raw.start_channels()
        await raw.wait_for_ready(timeout=30)
        try:
            for _ in range(10):  # warm up both paths
                await adapter_round_trip(kernel)
                await raw_round_trip(raw)
            ours, theirs = [], []
            for _ in range(iterations):
                ours.append(await adapter_round_trip(kernel))
                theirs.append(await raw_round_trip(raw))
            print(f"trivial cell {TRIVIAL_CELL!r}, {iterations} interleaved runs")
            for name, samples in (("LocalKernel.execute", ours), ("raw AsyncKernelClient", theirs)):
                print(
                    f"  {name:<22} median {statistics.median(samples) * 1000:6.2f} ms"
                    f"   p95 {p95(samples) * 1000:6.2f} ms"
                )
            print(
                f"  ratio (median)         {statistics.median(ours) / statistics.median(theirs):.3f}"
                f"   (p95) {p95(ours) / p95(theirs):.3f}"
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
            await kernel.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations, 100k lines")
    parser.add_argument("--iterations", type=int, default=None)
    arguments = parser.parse_args()
    iterations = arguments.iterations or (30 if arguments.quick else 500)
    lines = 100_000 if arguments.quick else 1_000_000
    asyncio.run(main(iterations, lines))
    sys.exit(0)
