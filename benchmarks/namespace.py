"""Namespace summary of 10,000 names, among them a 1 GB numpy array and a 5M-row DataFrame.

A real kernel (``LocalKernel``) gets 10,000 user names: the array and the DataFrame
first, then ints, floats, strings, lists, dicts, small arrays, functions and instances.
Then, interleaved:

- measured: ``LocalKernel.namespace()``: a request, the summary built in the kernel by
  ``pairrepl_kernel``, the reply, and its decoding into a ``NamespaceSummary``;
- baseline: a raw ``AsyncKernelClient`` on the same kernel evaluating ``dir()`` and the
  ``type()`` of each name as a user expression (JSON text), waiting for the reply and
  decoding it: the least a namespace listing costs over the wire.

And the size of what the model is sent: the tokens the namespace adds to a request's
context (``agent.build_context`` with and without the summary).

Bar: < 100 ms (median) and ≤ 4,000 tokens.

Run:  python benchmarks/namespace.py [--quick]
"""

from __future__ import annotations

import ast
import asyncio
import json
import tempfile
import time
from pathlib import Path

from _common import Figure, median, ms, p95, parse_arguments, report
from jupyter_client.asynchronous.client import AsyncKernelClient

from pairrepl.agent import build_context
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.core.outputs import Output
from pairrepl.kernel import LocalKernel

SETUP = """\
import numpy as _np, pandas as _pd
big = _np.ones({array_items:_}, dtype=_np.float64)
frame = _pd.DataFrame({{
    "id": _np.arange({rows:_}),
    "price": _np.random.default_rng(0).random({rows:_}),
    "city": _pd.Categorical(_np.where(_np.arange({rows:_}) % 3, "Lyon", "Oslo")),
}})

class _Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

def _function(x):
    return x + 1

_g = globals()
for _i in range({names:_} - 2):
    _kind = _i % 8
    _g[f"name_{{_i}}"] = (
        _i if _kind == 0 else
        _i * 0.5 if _kind == 1 else
        f"text number {{_i}} " * 3 if _kind == 2 else
        list(range(_i % 50)) if _kind == 3 else
        {{"key_a": _i, "b": [1, 2, 3]}} if _kind == 4 else
        _np.arange(_i % 100) if _kind == 5 else
        _function if _kind == 6 else
        _Point(_i, -_i)
    )
del _g, _i, _kind
"""

BASELINE_EXPRESSION = "__import__('json').dumps([[n, type(globals()[n]).__name__] for n in dir()])"


class Sink:
    def __init__(self) -> None:
        self.text = ""

    def output(self, output: Output) -> None:
        self.text += output.text

    async def input_requested(self, prompt: str, password: bool) -> str:
        return ""


async def baseline_listing(client: AsyncKernelClient) -> tuple[float, int]:
    started = time.perf_counter()
    msg_id = client.execute("", silent=True, user_expressions={"names": BASELINE_EXPRESSION})
    while True:
        reply = await client.get_shell_msg()
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    result = reply["content"]["user_expressions"]["names"]
    names = json.loads(ast.literal_eval(result["data"]["text/plain"]))
    return time.perf_counter() - started, len(names)


async def summary_round_trip(kernel: LocalKernel) -> tuple[float, NamespaceSummary]:
    started = time.perf_counter()
    summary = await kernel.namespace()
    return time.perf_counter() - started, summary


def namespace_tokens(summary: NamespaceSummary) -> int:
    """What the summary adds to the context of a request to the model."""
    with_it = build_context("What next?", namespace=summary)
    without = build_context("What next?")
    return with_it.tokens_used - without.tokens_used


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    if arguments.quick:
        names, array_items, rows, rounds = 1_000, 1_250_000, 50_000, 5
    else:  # 125M float64 = 1 GB
        names, array_items, rows, rounds = 10_000, 125_000_000, 5_000_000, 30
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        kernel = LocalKernel(root, root / ".pairrepl" / "kernel.log", withheld_variables=())
        await kernel.start()
        raw = AsyncKernelClient()
        raw.load_connection_file(str(kernel.connection_file))
        raw.start_channels()
        await raw.wait_for_ready(timeout=60)
        try:
            sink = Sink()
            setup = SETUP.format(names=names, array_items=array_items, rows=rows)
            reply = await kernel.execute(setup, sink)
            assert reply.status is ExecutionStatus.OK, sink.text
            for _ in range(3):  # warm up both paths
                await summary_round_trip(kernel)
                await baseline_listing(raw)
            ours, theirs = [], []
            for _ in range(rounds):
                elapsed, summary = await summary_round_trip(kernel)
                ours.append(elapsed)
                elapsed, listed = await baseline_listing(raw)
                theirs.append(elapsed)
        finally:
            raw.stop_channels()
            await kernel.shutdown()

    assert summary.error is None, summary.error
    by_name = summary.by_name()
    tokens = namespace_tokens(summary)
    payload_chars = len(json.dumps(summary.to_payload()))
    measured, baseline = median(ours), median(theirs)
    shown = [
        f"{name}: {by_name[name].describe()}" if name in by_name else f"{name}: not summarised"
        for name in ("big", "frame")
    ]
    details = [
        f"{rounds} interleaved rounds; summary p95 {ms(p95(ours))}, listing p95 {ms(p95(theirs))}",
        f"{listed:,} names in the kernel; {len(summary.variables):,} summarised"
        f" (truncated: {summary.truncated}); {'; '.join(shown)}",
        f"summary payload {payload_chars:,} characters; the model is sent {tokens:,} tokens of it",
    ]
    figures = [
        Figure(
            name=f"namespace summary of {names:,} names (a {array_items * 8 / 1e9:g} GB array,"
            f" a {rows:,}-row DataFrame)",
            measured=measured,
            unit="s",
            baseline=baseline,
            baseline_name="dir() + type() of each name",
            bar="< 100 ms",
            met=measured < 0.100,
            details=details,
        ),
        Figure(
            name="namespace summary: tokens sent to the model",
            measured=tokens,
            unit="tokens",
            bar="≤ 4,000 tokens",
            met=tokens <= 4000,
        ),
    ]
    report(figures, arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
