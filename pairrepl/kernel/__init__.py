"""The swap point for kernels: what ``session`` needs from any kernel, local or remote.

- ``LocalKernel(cwd, log_path)``: a kernel we start with the current interpreter, own,
  restart and stop.
- ``ExistingKernel(connection_file)``: someone else's kernel; we attach and never stop it.

Both implement the ``KernelBackend`` protocol (``backend.py``); only ``cli.py`` and test
fixtures choose one.
"""

from pairrepl.kernel.backend import (
    ExecuteReply,
    ExecutionSink,
    KernelBackend,
    KernelUnavailable,
)
from pairrepl.kernel.existing import ExistingKernel
from pairrepl.kernel.local import LocalKernel

__all__ = [
    "ExecuteReply",
    "ExecutionSink",
    "ExistingKernel",
    "KernelBackend",
    "KernelUnavailable",
    "LocalKernel",
]
