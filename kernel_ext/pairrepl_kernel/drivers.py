"""Which front ends drive this kernel, so that each cell is recorded once.

The pairrepl app records every cell it sends in its own ledger. When the kernel has
pairrepl's magics loaded as well (the "pairrepl" kernelspec on a Jupyter Server, say),
their in-kernel session would record the same cells again, in another ledger in
whatever folder the kernel started. So the app, when it connects (``connect``), is noted
here by its client's session id (the ``session`` of its messages' headers), and the
in-kernel session records only the cells that another front end sent (a notebook on the
same kernel), and opens no ledger of its own while only the app sends cells.
"""

from __future__ import annotations

from typing import Any

_DRIVING_SESSIONS: set[str] = set()


def register(ip: Any) -> None:
    """The client that sent the request being handled drives this kernel."""
    session = _request_session(ip)
    if session:
        _DRIVING_SESSIONS.add(session)


def sent_by_driver(ip: Any) -> bool:
    """Whether the request being handled (a cell about to run) came from a front end
    that drives this kernel and records its cells itself."""
    session = _request_session(ip)
    return bool(session) and session in _DRIVING_SESSIONS


def starting(ip: Any) -> bool:
    """A kernel that has handled no request yet: an extension loaded now is loaded by
    the kernel's launcher (a kernelspec), not at anyone's request."""
    return getattr(ip, "kernel", None) is not None and _request_session(ip) is None


def _request_session(ip: Any) -> str | None:
    """The client session id of the request the kernel is handling; None outside a
    kernel (terminal IPython) or before the first request."""
    kernel = getattr(ip, "kernel", None)
    try:
        parent = kernel.get_parent() if kernel is not None else None
    except Exception:  # an ipykernel older than 6: no get_parent
        return None
    header = parent.get("header") if isinstance(parent, dict) else None
    session = header.get("session") if isinstance(header, dict) else None
    return session if isinstance(session, str) else None
