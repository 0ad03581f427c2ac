"""A soak: one long session through the session API, to see that nothing grows or is lost.

10,000 cells and 1,000 requests to the AI (the replay provider: each proposal is run and
every other one accepted), with big outputs mixed in: every 250th cell prints 200,000
lines (spilled) and every 500th returns a 5 MB value (capped, spilled). A real kernel
(``LocalKernel``) and a real ledger. Measured:

- the resident memory of this process (the session lives here, as in the app; the
  kernel is another process) every 1,000 cells: it must stay bounded (the transcript
  keeps each cell's head, never a whole big output);
- every event the session recorded is in the ledger, in order: counts match;
- a resume of the result (``Ledger.open`` + ``Session.resume``) within the resume bar
  of docs/benchmarks.md (< 1 s and ≤ 2× fetching and parsing the same rows).

Not part of ``benchmarks/run.py`` (it takes a quarter of an hour on two cores); its
figures are recorded in docs/benchmarks.md.

Run:  python benchmarks/soak.py [--quick]      (--quick: 1,000 cells, 100 requests)
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from pathlib import Path

from _common import Figure, parse_arguments, report, resume_figure, rss_mib
from _stubs import plain_read, timed_resume

from pairrepl.agent import Agent
from pairrepl.agent.replay import ReplayProvider, parse_script
from pairrepl.core.events import LedgerEntry
from pairrepl.core.execution import ExecutionStatus
from pairrepl.kernel import LocalKernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionSettings


def script(requests: int) -> dict[str, object]:
    turns = [
        {
            "text": f"Step {n}: a small check.",
            "propose_cell": {"code": f"step_{n} = sum(range({n}))", "rationale": f"Sum {n}."},
        }
        for n in range(requests)
    ]
    return {"format": "pairrepl-replay/1", "turns": turns}


def cell_code(n: int) -> str:
    if n % 500 == 499:
        return f"big_{n} = 'v' * 5_000_000\nbig_{n}"
    if n % 250 == 249:
        return "for i in range(200_000): print(i)"
    return f"x_{n % 50} = {n} * 2\nprint('cell', {n})"


def fingerprint(entry: LedgerEntry) -> tuple[int, str]:
    return entry.seq, type(entry.event).__name__


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    cells, requests = (1_000, 100) if arguments.quick else (10_000, 1_000)
    ask_every = cells // requests
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        agent = Agent(
            ReplayProvider(parse_script(script(requests), source="soak"), script_name="soak")
        )
        # what each recorded event was, not the event: the benchmark must not hold them
        recorded: list[tuple[int, str]] = []
        memory: list[tuple[int, float]] = []
        with Ledger.open(root) as ledger:
            kernel = LocalKernel(root, root / ".pairrepl" / "kernel.log", withheld_variables=())
            session = await Session.start(
                root, kernel, ledger, settings=SessionSettings(agent=agent)
            )
            opened = len(list(ledger.entries(session.id)))  # recorded before we listened
            session.subscribe(lambda entry, _item: recorded.append(fingerprint(entry)))
            rss_start = rss_mib()
            started = time.monotonic()
            for n in range(cells):
                execution = await session.run(cell_code(n))
                assert execution.status is ExecutionStatus.OK, (n, execution.status)
                if n % ask_every == ask_every - 1:
                    await session.ask(f"what next after cell {n}?")
                    item = session.latest_proposal()
                    assert item is not None
                    ran = await session.run_proposal(item.proposal.id)
                    if ran.status is ExecutionStatus.OK and (n // ask_every) % 2 == 0:
                        session.accept(item.proposal.id)
                if n % 1000 == 999:
                    recorded_so_far = len(recorded)
                    memory.append((n + 1, rss_mib()))
                    print(
                        f"{n + 1:>6} cells, {recorded_so_far:,} events, "
                        f"{memory[-1][1]:.0f} MiB, {time.monotonic() - started:.0f} s",
                        flush=True,
                    )
            await session.close()
            stored = list(ledger.entries(session.id))
        rss_growth = max(rss for _, rss in memory) - rss_start
        lost = len(recorded) - len(stored[opened:])
        in_order = [entry.seq for entry in stored] == list(range(1, len(stored) + 1))
        same = [fingerprint(e) for e in stored[opened:]] == recorded
        session_id = session.id
        recorded.clear()  # the resume below is measured in a process at rest
        stored.clear()
        del session
        gc.collect()

        baseline, _rows = plain_read(root / ".pairrepl" / "ledger.sqlite3", session_id, parse=True)
        resume_s, _items = await timed_resume(root, session_id)
        with Ledger.open(root) as ledger:
            events = len(list(ledger.entries(session_id)))

    figures = [
        Figure(
            name=f"soak: memory growth over {cells:,} cells and {requests:,} requests",
            measured=rss_growth,
            unit="MiB",
            bar="bounded (< 300 MB; no big output kept whole)",
            met=rss_growth < 300 * 1e6 / 2**20,
            details=[
                "resident set per 1,000 cells: "
                + ", ".join(f"{count:,}: {rss:.0f}" for count, rss in memory)
            ],
        ),
        Figure(
            name="soak: events recorded but not in the ledger",
            measured=lost,
            unit="events",
            bar="0, all in order",
            met=lost == 0 and in_order and same,
            details=[f"{events:,} events in the ledger, in order: {in_order and same}"],
        ),
        resume_figure(events, resume_s, baseline, ["the soak's session, after it closed"]),
    ]
    report(figures, arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
