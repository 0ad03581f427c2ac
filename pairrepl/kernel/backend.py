"""The swap point for kernels: what ``session`` needs from any kernel, local or remote.

Implementations: ``LocalKernel`` (a kernel we start and own), ``ExistingKernel`` (a
kernel someone else started, reached through its connection file), ``ServerKernel`` (a
kernel on a Jupyter Server or Enterprise Gateway, over its REST and websocket API). Only
``pairrepl.cli`` and test fixtures choose one; everything above talks to this protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.inspection import Completions, HelpText, Inspection, ObjectPath
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.core.outputs import Output
from pairrepl.errors import PairreplError


class KernelUnavailable(PairreplError):
    """The kernel cannot do what was asked (dead, not started, or not ours to restart)."""


class ExecutionSink(Protocol):
    """Where one execution's outputs go while (and after) it runs."""

    def output(self, output: Output) -> None:
        """Called for each output of this execution, in order, including late ones that
        arrive after the execution finished (threads, asyncio tasks)."""

    async def input_requested(self, prompt: str, password: bool) -> str:
        """The cell called ``input()``; return what the human typed."""


@dataclass(frozen=True)
class ExecuteReply:
    execution_count: int | None
    status: ExecutionStatus
    namespace: NamespaceSummary | None = None  # the namespace right after the cell, if known


class KernelBackend(Protocol):
    description: str  # for humans: "local python3 kernel (pid 1234)", "existing kernel-1.json"
    owned: bool  # False when we attached to someone else's kernel: never shut it down
    state_reason: str  # why it is DEAD or DISCONNECTED, in words; "" when nothing to add
    #: Set once started, "" when nothing to say: the kernel lacks pairrepl-kernel (or has
    #: another protocol's), so the app sent its own copy as source; how to install it.
    extension_notice: str

    async def start(self) -> None:
        """Start (or attach to) the kernel; return when it answers requests."""

    async def execute(self, code: str, sink: ExecutionSink) -> ExecuteReply:
        """Run ``code``; return once the kernel has replied *and* gone idle for this
        request, or has died (status ``DIED``). Never raises for errors in the code."""

    async def namespace(self) -> NamespaceSummary:
        """A bounded summary of the live namespace, made inside the kernel."""

    async def describe(self, name: str) -> str | None:
        """A fuller text view of one live object (``$name`` in a request to the AI), made
        inside the kernel with bounded work; None when there is no such name."""

    def is_complete(self, code: str) -> str:
        """``"complete"``, ``"incomplete"`` or ``"invalid"``, as IPython decides. Answered
        here, at once, never by the kernel (it would wait behind a running cell), so a
        front end can ask inside a key handler."""

    async def inspect(
        self,
        path: ObjectPath,
        offset: int = 0,
        *,
        items_only: bool = False,
        read_values: bool = False,
    ) -> Inspection:
        """The object at ``path`` as the kernel sees it now (bounded inside the kernel;
        never touches ``Out``/``In``/history/the execution count). Items are paged from
        ``offset``; ``items_only`` skips everything but that page. The values of an
        array on an accelerator are read only with ``read_values`` (the human asked),
        and only if its device is idle. Never raises: a problem is the inspection's
        ``error``."""

    async def complete(self, code: str, cursor: int) -> Completions:
        """The kernel's completions for ``code`` at ``cursor`` (bounded). Never raises."""

    async def help(self, code: str, cursor: int, detail: int = 0) -> HelpText:
        """IPython's ``obj?`` (detail 0) / ``obj??`` (detail 1) text for the name at
        ``cursor`` (bounded). Never raises."""

    async def reload_module(
        self, module_name: str, names: list[str], search_paths: list[str]
    ) -> Mapping[str, Any] | None:
        """Import (or re-import) a promoted module in the kernel, without touching the
        user's names, and compare each of ``names`` there with the module's object.
        None when the kernel could not answer."""

    async def interrupt(self) -> None: ...

    async def restart(self) -> None:
        """Replace the kernel with a fresh one (empty namespace). Raises
        ``KernelUnavailable`` for kernels we do not own."""

    async def shutdown(self) -> None:
        """Stop an owned kernel; only disconnect from one we do not own."""

    def watch(self, on_state: Callable[[KernelState], None]) -> None:
        """Call ``on_state`` on every state change, ``DEAD`` included (within ~1 s of the
        process dying, also when no cell runs; a remote kernel within the time its server
        takes to notice). ``DISCONNECTED`` while a remote kernel cannot be reached; the
        backend retries by itself and reports the kernel's state again once it can."""
