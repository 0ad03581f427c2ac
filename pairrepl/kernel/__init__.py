"""The swap point for kernels: what ``session`` needs from any kernel, local or remote.

- ``LocalKernel(cwd, log_path)``: a kernel we start with the current interpreter, own,
  restart and stop.
- ``ExistingKernel(connection_file)``: someone else's kernel; we attach and never stop it.
- ``ServerKernel(url, token, kernel_name=, kernel_id=)``: a kernel on a Jupyter Server or
  Enterprise Gateway, over its REST and websocket API; reconnects when the link drops.
  ``ServerApi`` is its REST half, on its own for ``pairrepl doctor``.

Both implement the ``KernelBackend`` protocol (``backend.py``); only ``pairrepl.cli`` and test
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
from pairrepl.kernel.server import ServerKernel
from pairrepl.kernel.server_api import ServerApi

__all__ = [
    "ExecuteReply",
    "ExecutionSink",
    "ExistingKernel",
    "KernelBackend",
    "KernelUnavailable",
    "LocalKernel",
    "ServerApi",
    "ServerKernel",
]
