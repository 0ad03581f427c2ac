"""Kernel round trip through a Jupyter Server websocket, against a local kernel.

A trivial cell (``1+1``) through ``ServerKernel.execute`` and through ``LocalKernel.execute``
(both: reply + idle + the namespace summary piggybacked as a user expression), on this
machine, after warm-up runs. The ways are measured in blocks of ``BLOCK`` runs, taking
turns, so a load spike on this shared machine hits them all alike (one run each in turn
measured mostly the cost of switching between two servers and three kernels on two
cores). Four ways to reach the server kernel:

- server as shipped (Nagle on) / client without TCP_QUICKACK: the pitfall;
- server as shipped / client with TCP_QUICKACK (what pairrepl does): the client's fix;
- server with ``docs/jupyter_server_nodelay.py`` (Nagle off) / client without;
- server with it / client with it.

Run:  python benchmarks/server_roundtrip.py            (full: 300 runs each)
      python benchmarks/server_roundtrip.py --quick    (smoke test, a few seconds)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test helper that runs a real jupyter server

from pairrepl.core.execution import ExecutionStatus  # noqa: E402
from pairrepl.core.outputs import Output  # noqa: E402
from pairrepl.kernel import KernelBackend, LocalKernel, ServerKernel  # noqa: E402
from pairrepl.kernel import websocket as kernel_websocket  # noqa: E402
from tests.jupyter_server import JupyterServer  # noqa: E402

TRIVIAL_CELL = "1+1"
BLOCK = 25
NODELAY_CONFIG = REPO / "docs" / "jupyter_server_nodelay.py"


class DiscardingSink:
    def output(self, output: Output) -> None:
        pass

    async def input_requested(self, prompt: str, password: bool) -> str:
        return ""


async def round_trip(kernel: KernelBackend, quick_ack: bool = True) -> float:
    kernel_websocket.QUICK_ACK = quick_ack  # read before every websocket read
    started = time.perf_counter()
    reply = await kernel.execute(TRIVIAL_CELL, DiscardingSink())
    elapsed = time.perf_counter() - started
    assert reply.status is ExecutionStatus.OK and reply.namespace is not None
    return elapsed


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


async def main(iterations: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "plain").mkdir()
        (root / "nodelay").mkdir()
        plain = JupyterServer(root / "plain", time_to_dead=None)
        nodelay = JupyterServer(root / "nodelay", config=NODELAY_CONFIG, time_to_dead=None)
        local = LocalKernel(root, root / "kernel.log", withheld_variables=())
        kernels: dict[str, KernelBackend] = {"local": local}
        try:
            for server in (plain, nodelay):
                await asyncio.to_thread(server.start)
            kernels["plain"] = ServerKernel(plain.url, plain.token)
            kernels["nodelay"] = ServerKernel(nodelay.url, nodelay.token)
            for kernel in kernels.values():
                await kernel.start()
            rows = {
                "LocalKernel.execute": ("local", True),
                "server, client plain": ("plain", False),
                "server, client QUICKACK": ("plain", True),
                "server+nodelay, client plain": ("nodelay", False),
                "server+nodelay, QUICKACK": ("nodelay", True),
            }
            samples: dict[str, list[float]] = {name: [] for name in rows}
            for which, quick_ack in rows.values():  # warm up
                for _ in range(10):
                    await round_trip(kernels[which], quick_ack)
            while len(samples["LocalKernel.execute"]) < iterations:
                block = min(BLOCK, iterations - len(samples["LocalKernel.execute"]))
                for name, (which, quick_ack) in rows.items():
                    for _ in range(block):
                        samples[name].append(await round_trip(kernels[which], quick_ack))
            base = statistics.median(samples["LocalKernel.execute"])
            base95 = p95(samples["LocalKernel.execute"])
            print(f"trivial cell {TRIVIAL_CELL!r}, {iterations} runs each, in turns of {BLOCK}")
            print(f"  {'':<30} {'median':>9} {'p95':>9}   ratio to local (median, p95)")
            for name, values in samples.items():
                median, high = statistics.median(values), p95(values)
                print(
                    f"  {name:<30} {median * 1000:6.2f} ms {high * 1000:6.2f} ms"
                    f"   ratio (median) {median / base:5.2f}   (p95) {high / base95:5.2f}"
                )
        finally:
            kernel_websocket.QUICK_ACK = True
            for kernel in kernels.values():
                await kernel.shutdown()
            for server in (plain, nodelay):
                await asyncio.to_thread(server.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations")
    parser.add_argument("--iterations", type=int, default=None)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.iterations or (15 if arguments.quick else 300)))
    sys.exit(0)
