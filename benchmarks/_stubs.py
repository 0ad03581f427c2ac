"""Stand-ins the benchmarks need: a kernel that starts at once, a recorded session."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pairrepl.core.events import Event
from pairrepl.core.execution import KernelState
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.ledger import Ledger


class InstantKernel:
    """A ``KernelBackend`` that starts at once and runs nothing: for measuring what a
    session does around its kernel (resume, context) without a kernel start in it."""

    description = "no kernel (benchmark stub)"
    owned = True

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


def record(root: Path, session_id: str, events: Iterable[Event]) -> int:
    """Append ``events`` to the ledger of ``root`` through ``Ledger.append``; how many."""
    written = 0
    with Ledger.open(root) as ledger:
        for event in events:
            ledger.append(session_id, event)
            written += 1
    return written
