"""Context build for a 500-cell session: what the app runs after every event.

A session of 500 cells is recorded (code, streams, results, a traceback now and then, a
plot every 25 cells, namespace diffs) with 40 requests to the AI, their replies and
proposals (accepted, rejected with a reason, or left open) and a few notes; it is resumed
on a kernel stub whose namespace holds 300 names. Then ``Session.preview_context`` (the
context meter: ``agent.build_context`` over the whole session, as ``ask`` builds it but
without fetching ``$name`` views) is timed, for a provider that takes images and for one
that does not.

No baseline: the bar is absolute. Bar: < 50 ms (median), within the token budget.

Run:  python benchmarks/context.py [--quick]
"""

from __future__ import annotations

import asyncio
import base64
import io
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _common import Figure, median, ms, p95, parse_arguments, report
from _stubs import InstantKernel, record
from PIL import Image, ImageDraw

from pairrepl.agent import Agent
from pairrepl.agent.replay import ReplayProvider
from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    Event,
    KernelStarted,
    NoteAdded,
    OutputProduced,
    ProposalAccepted,
    ProposalMade,
    ProposalRejected,
    ReplyFinished,
    ReplyStreamed,
    RequestSent,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import (
    NamespaceDiff,
    NamespaceSummary,
    VariableChange,
    VariableSummary,
)
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, ResultOutput, StreamOutput
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionSettings

SESSION_ID = "bench0context"


def plot_png(seed: int) -> str:
    """A 640×480 line plot, base64 as a kernel sends ``image/png``."""
    image = Image.new("RGB", (640, 480), "white")
    draw = ImageDraw.Draw(image)
    points = [(x, 240 + int(200 * ((x * (seed + 3)) % 97 - 48) / 48)) for x in range(0, 640, 8)]
    draw.line(points, fill="navy", width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def session_events(cells: int) -> Iterator[Event]:
    yield SessionStarted("/project")
    yield KernelStarted("local python3 kernel (pid 4242)")
    for n in range(1, cells + 1):
        cell_id = f"cell{n:05d}"
        code = "\n".join(
            [
                f"def step_{n}(frame):",
                f'    """Clean column {n} of the prices."""',
                f"    frame = frame[frame['price_{n}'] > 0]",
                f"    return frame.assign(ratio_{n}=frame['price_{n}'] / frame['cost'])",
                f"result_{n} = step_{n}(prices)",
                f"result_{n}.describe()",
            ]
        )
        yield CellSubmitted(cell_id, code, Origin.AI if n % 3 == 0 else Origin.HUMAN)
        yield OutputProduced(cell_id, StreamOutput("stdout", f"kept {n * 37} rows of 9000\n" * 3))
        if n % 40 == 0:
            traceback = tuple(
                f"\x1b[0;31m  File <cell {n}>, line {k}\x1b[0m\n    frame = frame[{k}]"
                for k in range(12)
            )
            yield OutputProduced(cell_id, ErrorOutput("KeyError", f"'price_{n}'", traceback))
            status = ExecutionStatus.ERROR
        else:
            table = "\n".join(
                f"{row:<6} {n * 1.25:>10.3f} {n * 0.5:>10.3f}"
                for row in ("count", "mean", "std", "min", "25%", "50%", "75%", "max")
            )
            yield OutputProduced(cell_id, ResultOutput({"text/plain": table}, n))
            status = ExecutionStatus.OK
        if n % 25 == 0:
            yield OutputProduced(
                cell_id, DisplayOutput({"image/png": plot_png(n), "text/plain": "<Figure>"})
            )
        diff = NamespaceDiff(
            added=(
                VariableChange(f"step_{n}", None, "function"),
                VariableChange(f"result_{n}", None, "DataFrame (9000, 5)"),
            )
        )
        yield CellFinished(cell_id, n, status, 0.05, diff)
        if n % 12 == 0:
            request = n // 12
            request_id = f"req{request:04d}"
            yield RequestSent(request_id, f"why does step {n} drop rows?", "(context)", "m", 3000)
            for piece in range(20):
                yield ReplyStreamed(request_id, f"piece {piece} of the answer about step {n}. ")
            yield ReplyFinished(request_id, input_tokens=3000, output_tokens=120)
            proposal_id = f"prop{request:04d}"
            yield ProposalMade(
                proposal_id,
                request_id,
                f"result_{n}[result_{n}['price_{n}'] <= 0].head()",
                "Look at the rows the filter drops before changing it.",
                "m",
            )
            if request % 3 == 1:
                yield ProposalAccepted(proposal_id)
            elif request % 3 == 2:
                yield ProposalRejected(proposal_id, "I know those rows: they are refunds.")
        if n % 50 == 0:
            yield NoteAdded(f"note{n:05d}", f"Steps up to {n} are settled; refunds stay out.")


def namespace_of(names: int) -> NamespaceSummary:
    kinds = [
        ("DataFrame", "(9000, 5)", None, "9000 rows × 5 columns: id, price, cost, ratio, city"),
        ("function", None, None, "<function step at 0x7f>"),
        ("ndarray", "(9000,)", "float64", "array([0.1, 0.2, 0.3, ..., 0.7, 0.8, 0.9])"),
        ("str", "24", None, "'data/prices-2024-03.csv'"),
        ("dict", "4", None, "{'lyon': 3, 'oslo': 4, 'rome': 5, 'kyiv': 6}"),
    ]
    variables = []
    for n in range(names):
        type_name, size, dtype, text = kinds[n % len(kinds)]
        variables.append(VariableSummary(f"name_{n}", type_name, size, dtype, text, n))
    return NamespaceSummary(tuple(variables))


async def measure(root: Path, images: bool, runs: int) -> tuple[list[float], int, int, int]:
    provider = ReplayProvider([])
    provider.takes_images = images  # as the Anthropic provider, or an OpenAI-compatible one
    ledger = Ledger.open(root)
    session = await Session.resume(
        root,
        InstantKernel(namespace_of(300)),  # type: ignore[arg-type]
        ledger,
        SESSION_ID,
        settings=SessionSettings(agent=Agent(provider)),
    )
    try:
        request = "Why does $result_480 have fewer rows than $prices? Propose a probe."
        await session.preview_context(request)  # first build: plots decoded and cached
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            tokens, budget = await session.preview_context(request)
            samples.append(time.perf_counter() - started)
        return samples, tokens, budget, len(session.transcript.code_cells())
    finally:
        await session.close()
        ledger.close()


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    cells, runs = (100, 10) if arguments.quick else (500, 100)
    figures = []
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        record(root, SESSION_ID, session_events(cells))
        for images in (True, False):
            samples, tokens, budget, counted = await measure(root, images, runs)
            measured = median(samples)
            figures.append(
                Figure(
                    name=f"context build, {counted}-cell session"
                    + (" (provider takes images)" if images else " (text only)"),
                    measured=measured,
                    unit="s",
                    bar=f"< 50 ms, ≤ {budget:,} tokens",
                    met=measured < 0.050 and tokens <= budget,
                    details=[
                        f"{runs} builds: median {ms(measured)}, p95 {ms(p95(samples))},"
                        f" max {ms(max(samples))}",
                        f"{tokens:,} tokens of a {budget:,}-token budget",
                    ],
                )
            )
    report(figures, arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
