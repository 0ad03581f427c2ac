"""The swap point for kernels: what ``session`` needs from any kernel, local or remote.

- ``LocalKernel(cwd, log_path, withheld_variables=...)``: a kernel we start with the
  current interpreter, own, restart and stop; it inherits our environment less the
  withheld variables (the AI providers' keys, from ``pairrepl.cli``).
- ``ExistingKernel(connection_file)``: someone else's kernel; we attach and never stop it.
- ``ServerKernel(url, token, kernel_name=, kernel_id=)``: a kernel on a Jupyter Server or
  Enterprise Gateway, over its REST and websocket API; reconnects when the link drops.
  ``ServerApi`` is its REST half, on its own for ``pairrepl doctor``.

All implement the ``KernelBackend`` protocol (``backend.py``); only ``pairrepl.cli`` and test
fixtures choose one.

The names load lazily (PEP 562), so that ``pairrepl`` imports only the backend it uses
before it launches the kernel (tornado, for one, is the server backend's alone).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "ExecuteReply": "pairrepl.kernel.backend",
    "ExecutionSink": "pairrepl.kernel.backend",
    "ExistingKernel": "pairrepl.kernel.existing",
    "KernelBackend": "pairrepl.kernel.backend",
    "KernelUnavailable": "pairrepl.kernel.backend",
    "LocalKernel": "pairrepl.kernel.local",
    "ServerApi": "pairrepl.kernel.server_api",
    "ServerKernel": "pairrepl.kernel.server",
}

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


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value
