"""What running one cell produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from pairrepl.core.namespace import NamespaceDiff
from pairrepl.core.outputs import Output


class KernelState(Enum):
    """What the status line shows about the kernel."""

    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    DEAD = "dead"
    #: A remote kernel cannot be reached (the server or the network is down); it may
    #: still run. The backend retries by itself and reports the real state once back.
    DISCONNECTED = "disconnected"


class ExecutionStatus(Enum):
    OK = "ok"
    ERROR = "error"  # the cell raised (syntax errors included)
    INTERRUPTED = "interrupted"  # the human interrupted it (KeyboardInterrupt)
    DIED = "died"  # the kernel died while it ran; its namespace is gone
    ABORTED = "aborted"  # the kernel refused to run it (an earlier cell failed, or a restart)

    @property
    def succeeded(self) -> bool:
        return self is ExecutionStatus.OK


@dataclass(frozen=True)
class Execution:
    cell_id: str
    code: str
    execution_count: int | None
    status: ExecutionStatus
    outputs: tuple[Output, ...] = ()
    duration_s: float = 0.0
    namespace_diff: NamespaceDiff = field(default_factory=lambda: NamespaceDiff())
    spill_path: str | None = None  # the full output, when it was too large to keep
