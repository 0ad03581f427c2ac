"""Output from a thread goes to the cell that started the thread.

ipykernel 7 keeps the parent header (which request an output belongs to) in a
ContextVar. A new ``threading.Thread`` starts with an empty context, so its prints fall
back to the *latest* request's parent: a thread started by cell 1 that prints while cell
2 runs (or after it ran) shows its output under cell 2. The front end routes every
output by its parent, so the kernel must label it right.

``install`` wraps ``Thread.start``: a thread started while a request is being handled
runs with that request's parent on stdout, stderr and the display publisher (the public
``set_thread_parent`` API of ipykernel's streams). Thread-pool workers are left alone:
they outlive the cell that created them and run work for later cells, which the global
fallback already labels right.

Self-contained (stdlib only) so the adapter can send its source to a kernel where
pairrepl is not installed.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from typing import Any

_MARKER = "_pairrepl_propagates_parent"
_POOL_MODULES = ("concurrent.futures.thread",)


def install(ip: Any) -> None:
    """Idempotent: a second call (``%reset``, a reload) changes nothing."""
    original_start = threading.Thread.start
    if getattr(original_start, _MARKER, False):
        return

    def start(self: threading.Thread, *args: Any, **kwargs: Any) -> Any:
        _propagate_parent(self, ip)
        return original_start(self, *args, **kwargs)

    setattr(start, _MARKER, True)
    start.__wrapped__ = original_start  # type: ignore[attr-defined]
    threading.Thread.start = start  # type: ignore[method-assign]


def uninstall(ip: Any) -> None:
    start = threading.Thread.start
    if getattr(start, _MARKER, False):
        threading.Thread.start = start.__wrapped__  # type: ignore[attr-defined,method-assign]


def _propagate_parent(thread: threading.Thread, ip: Any) -> None:
    try:
        target = getattr(thread, "_target", None)
        if getattr(target, "__module__", None) in _POOL_MODULES:
            return
        carriers: list[Any] = [sys.stdout, sys.stderr, getattr(ip, "display_pub", None)]
        parents = [
            (carrier, carrier.parent_header)
            for carrier in carriers
            if hasattr(carrier, "set_thread_parent") and hasattr(carrier, "parent_header")
        ]
        if not any(parent.get("msg_id") for _, parent in parents if isinstance(parent, dict)):
            return  # not started by a request: nothing to inherit
        original_run = thread.run

        def run() -> None:
            for carrier, parent in parents:
                with contextlib.suppress(Exception):
                    carrier.set_thread_parent(parent)
            original_run()

        thread.run = run  # type: ignore[method-assign]
    except Exception:
        pass  # never break a thread start over output labelling
