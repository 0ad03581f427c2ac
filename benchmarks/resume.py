"""Resume of a 100,000-event session, against reading the same rows with plain sqlite3.

The session is written through ``Ledger.append`` (a realistic mix: cells with streams,
results, the odd traceback and namespace diffs; requests to the AI with their context,
streamed replies in small pieces, proposals accepted or rejected; notes). Then, in turn:

- measured: ``Ledger.open`` + ``Session.resume`` (on a kernel stub that starts at once, so
  the figure is the ledger and the transcript fold, not a kernel start);
- baseline: ``sqlite3.connect`` + ``SELECT seq, at, kind, version, payload`` of the
  session's rows in seq order, fetched in full, and each JSON payload parsed with
  ``json.loads``: the least work that turns the same rows into Python values.
- also shown: the bare fetch without parsing the payloads. Parsing the JSON alone costs
  two to three times the fetch, so no reader of this schema can come within 2× of it;
  the ratio against it is printed so that nobody has to take that on trust.

Bar: < 1 s and ≤ 2× the baseline (medians of interleaved runs).

Run:  python benchmarks/resume.py [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _common import median, ms, parse_arguments, report, resume_figure
from _stubs import plain_read, record, timed_resume

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
    SessionClosed,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceDiff, VariableChange
from pairrepl.core.outputs import ErrorOutput, ResultOutput, StreamOutput

SESSION_ID = "bench0resume"


def session_events(count: int) -> Iterator[Event]:
    """About ``count`` events of a long working session."""
    yield SessionStarted("/project")
    yield KernelStarted("local python3 kernel (pid 4242)")
    produced, cell, request = 2, 0, 0
    while produced < count - 1:
        for _ in range(10):  # ten cells, then a request to the AI
            cell += 1
            cell_id = f"cell{cell:07d}"
            code = f"prices_{cell} = load_prices('data/{cell}.csv')\nprices_{cell}.describe()"
            yield CellSubmitted(cell_id, code, Origin.HUMAN)
            yield OutputProduced(cell_id, StreamOutput("stdout", f"read {cell * 17} rows\n"))
            if cell % 50 == 0:
                traceback = tuple(
                    f"  File <cell>, line {n}, in f\n    x = y[{n}]" for n in range(8)
                )
                yield OutputProduced(cell_id, ErrorOutput("KeyError", f"'{cell}'", traceback))
                status = ExecutionStatus.ERROR
            else:
                table = "\n".join(f"{n:>5}  {n * 1.5:>8.2f}  {n * cell:>8}" for n in range(8))
                yield OutputProduced(cell_id, ResultOutput({"text/plain": table}, cell))
                status = ExecutionStatus.OK
            diff = NamespaceDiff(
                added=(VariableChange(f"prices_{cell}", None, "DataFrame (8, 3)"),)
            )
            yield CellFinished(cell_id, cell, status, 0.012, diff)
            produced += 4
        request += 1
        request_id = f"req{request:07d}"
        context = "## Session so far\n" + "\n".join(
            f"In [{n}]: prices_{n} = load_prices('data/{n}.csv')" for n in range(60)
        )
        yield RequestSent(request_id, "why is the mean so high?", context, "claude-fake", 1200)
        for piece in range(16):
            yield ReplyStreamed(request_id, f"part {piece} of the answer, ")
        yield ReplyFinished(request_id, input_tokens=1200, output_tokens=96, cost_usd=0.004)
        proposal_id = f"prop{request:07d}"
        yield ProposalMade(
            proposal_id, request_id, "prices.mean(numeric_only=True)", "Look first.", "m"
        )
        if request % 3:
            yield ProposalAccepted(proposal_id)
        else:
            yield ProposalRejected(proposal_id, "not that column")
        yield NoteAdded(f"note{request:07d}", "The outliers come from the March import.")
        produced += 22
    yield SessionClosed()


def write_session(root: Path, count: int) -> int:
    return record(root, SESSION_ID, session_events(count))


def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    count = 10_000 if arguments.quick else 100_000
    rounds = 2 if arguments.quick else 5
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        started = time.perf_counter()
        written = write_session(root, count)
        print(
            f"wrote {written:,} events through Ledger.append in {time.perf_counter() - started:.1f} s"
        )
        database = root / ".pairrepl" / "ledger.sqlite3"
        plain_read(database, SESSION_ID, parse=False)  # warm the page cache
        ours, theirs, fetch_only = [], [], []
        for _ in range(rounds):  # interleaved
            fetch_only.append(plain_read(database, SESSION_ID, parse=False)[0])
            baseline, rows = plain_read(database, SESSION_ID, parse=True)
            theirs.append(baseline)
            resumed, items = asyncio.run(timed_resume(root, SESSION_ID))
            ours.append(resumed)
        # Each resume appends two events (session_resumed, kernel_started): a few rows
        # more for the next round, the same for all three.
    measured, baseline, fetched = median(ours), median(theirs), median(fetch_only)
    figure = resume_figure(
        written,
        measured,
        baseline,
        [
            f"{rounds} interleaved rounds; resume: {', '.join(ms(s) for s in ours)}",
            f"plain sqlite3 + json.loads: {', '.join(ms(s) for s in theirs)} ({rows:,} rows)",
            f"bare sqlite3 fetch (no JSON parsing): {ms(fetched)};"
            f" resume is {measured / fetched:.1f}× that",
            f"the transcript came back with {items:,} items",
        ],
    )
    report([figure], arguments.json)


if __name__ == "__main__":
    main()
