"""Stand-ins the benchmarks need: a kernel that starts at once, a recorded session."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pairrepl.core.events import Event
from pairrepl.core.execution import KernelState
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.ledger import Ledger
from pairrepl.session import Session


class InstantKernel:
    """A ``KernelBackend`` that starts at once and runs nothing: for measuring what a
    session does around its kernel (resume, context) without a kernel start in it."""

    description = "no kernel (benchmark stub)"
    owned = True
    state_reason = ""
    extension_notice = ""  # the kernel side is never missing here

    def __init__(self, namespace: NamespaceSummary | None = None) -> None:
        self._namespace = namespace or NamespaceSummary()
        self._watchers: list[Callable[[KernelState], None]] = []

    async def start(self) -> None:
        for watcher in self._watchers:
            watcher(KernelState.IDLE)

    async def namespace(self) -> NamespaceSummary:
        return self._namespace

    async def describe(self, name: str) -> str | None:
        return None

    def is_complete(self, code: str) -> str:
        return "complete"

    async def interrupt(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def watch(self, on_state: Callable[[KernelState], None]) -> None:
        self._watchers.append(on_state)

    async def reload_module(self, *args: Any) -> Mapping[str, Any] | None:
        return None


async def timed_resume(root: Path, session_id: str) -> tuple[float, int]:
    """Seconds to open the ledger and resume ``session_id`` on an ``InstantKernel`` (no
    kernel start in the figure), and how many items the transcript got back. The session
    is closed after (it holds the session's lease until then)."""
    started = time.perf_counter()
    ledger = Ledger.open(root)
    session = await Session.resume(root, InstantKernel(), ledger, session_id)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    items = len(session.transcript.items)
    await session.close()
    ledger.close()
    return elapsed, items


def plain_read(path: Path, session_id: str, *, parse: bool) -> tuple[float, int]:
    """The resume bar's baseline: seconds to fetch a session's rows with plain sqlite3
    (and to parse their JSON payloads, with ``parse``), and how many rows."""
    started = time.perf_counter()
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT seq, at, kind, version, payload FROM events WHERE session_id = ? ORDER BY seq",
        (session_id,),
    ).fetchall()
    if parse:
        payloads = [json.loads(row[4]) for row in rows]
        assert len(payloads) == len(rows)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed, len(rows)


def record(root: Path, session_id: str, events: Iterable[Event]) -> int:
    """Append ``events`` to the ledger of ``root`` through ``Ledger.append``; how many."""
    written = 0
    with Ledger.open(root) as ledger:
        for event in events:
            ledger.append(session_id, event)
            written += 1
    return written
