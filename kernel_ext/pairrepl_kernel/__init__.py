"""What pairrepl runs inside an IPython kernel (``%load_ext pairrepl_kernel``).

- ``namespace``: the bounded namespace summary the variables pane shows, and ``describe``.
- ``inspector``: the object inspector, completion and ``obj?``, each query bounded.
- ``thread_output``: output from a thread is labelled with the cell that started it.
- ``promoted``: after a promotion, re-import the module and compare it with the session.
- ``drivers``: which front ends drive this kernel, so that a cell is recorded once.
- ``large_values``: a huge result or display of the app's cells is cut before it is sent.
- Helpers they share: ``bounds`` (time limits, silence), ``values`` (a bounded look at one
  value, secret names), ``devices`` (arrays on an accelerator, never read unasked).

Imports only the stdlib and IPython: the kernel must never load the agent layer (it
would hold API keys) nor anything that expects the front end's process. It is its own
distribution (``pairrepl-kernel``), installed next to ipykernel where pairrepl drives
kernels from elsewhere; the full ``pairrepl`` ships it too. When it is missing from a
kernel's environment, or speaks another protocol, the app sends this package's source
instead and says so (``pairrepl/kernel/summary.py``): every module uses relative imports
only, so the sent copy works under another package name.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import drivers, inspector, large_values, namespace, promoted, thread_output
from .namespace import SUMMARY_FUNCTION_NAME

__version__ = "0.1.0"

#: What the app and this package agree on: the hidden functions' names, their arguments
#: and their answers. The app says which it speaks when it connects (``connect``); raise
#: it with any change that a front end of another version would misread.
PROTOCOL_VERSION = 1

__all__ = [
    "PROTOCOL_VERSION",
    "SUMMARY_FUNCTION_NAME",
    "connect",
    "load_ipython_extension",
    "unload_ipython_extension",
]

_PARTS = (namespace, inspector, thread_output, promoted, large_values)


def load_ipython_extension(ip: Any) -> None:
    for part in _PARTS:
        part.install(ip)


def unload_ipython_extension(ip: Any) -> None:
    for part in _PARTS:
        part.uninstall(ip)


def connect(ip: Any, protocol: int) -> str:
    """The app's first call when it attaches (a silent user expression): JSON text of
    ``{"protocol", "version", "python", "loaded"}``. Only when the app speaks this
    package's protocol are the hidden functions installed (``loaded``) and the app's
    client noted as a front end that drives this kernel (``drivers``); otherwise the app
    sends its own copy of this package, and tells the human how to install the match."""
    loaded = protocol == PROTOCOL_VERSION
    if loaded:
        load_ipython_extension(ip)
        drivers.register(ip)
    return json.dumps(
        {
            "protocol": PROTOCOL_VERSION,
            "version": __version__,
            "python": sys.executable,
            "loaded": loaded,
        }
    )
