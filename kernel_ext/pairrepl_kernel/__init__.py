"""Code that runs inside the kernel process (``%load_ext pairrepl_kernel``).

- ``namespace``: the bounded namespace summary the variables pane shows.
- ``inspector``: the object inspector, completion and ``obj?``, each query bounded.
- ``thread_output``: output from a thread is labelled with the cell that started it.
- ``promoted``: after a promotion, re-import the module and compare it with the session.

Imports only the stdlib and IPython: the kernel must never load the agent layer (it
would hold API keys) nor anything that expects the front end's process. Each module is
self-contained so the adapter can also send its source to a kernel without pairrepl
(``inspector`` is handed ``namespace``'s module by the sender in that case).
"""

from __future__ import annotations

from typing import Any

from pairrepl_kernel import inspector, namespace, promoted, thread_output
from pairrepl_kernel.namespace import SUMMARY_FUNCTION_NAME

__all__ = ["SUMMARY_FUNCTION_NAME", "load_ipython_extension", "unload_ipython_extension"]

_PARTS = (namespace, inspector, thread_output, promoted)


def load_ipython_extension(ip: Any) -> None:
    for part in _PARTS:
        part.install(ip)


def unload_ipython_extension(ip: Any) -> None:
    for part in _PARTS:
        part.uninstall(ip)
