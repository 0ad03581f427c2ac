"""The use cases every front end calls: run, ask, accept, promote, undo, resume.

`SessionCore` (core.py) is what every session is: the record, the proposals, the AI's
context, promotion. `Session` drives a kernel (the app, the line console; make one with
`Session.start` or `Session.resume`); `InKernelSession` lives inside a kernel and
observes the cells run there (the magics, the JupyterLab panel). Front ends observe a
session through its events (`subscribe`) and catch `SessionError`.

The names below load lazily (PEP 562), as `pairrepl.promote`'s do: `pairrepl blame`,
`report` and `check` use a few modules of this package and should not pay for the
session's (the AI's context, the kernel adapters) on every run in CI.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pairrepl.session.core import LedgerHealth, SessionCore, Usage
    from pairrepl.session.errors import SessionError
    from pairrepl.session.promotion import (
        ConfirmationNeeded,
        NothingToPromote,
        Promotion,
        PromotionDraft,
        PromotionError,
        PromotionSettings,
    )
    from pairrepl.session.session import NO_PROVIDER, Session, SessionSettings

_HOMES = {
    "ConfirmationNeeded": "pairrepl.session.promotion",
    "LedgerHealth": "pairrepl.session.core",
    "NO_PROVIDER": "pairrepl.session.session",
    "NothingToPromote": "pairrepl.session.promotion",
    "Promotion": "pairrepl.session.promotion",
    "PromotionDraft": "pairrepl.session.promotion",
    "PromotionError": "pairrepl.session.promotion",
    "PromotionSettings": "pairrepl.session.promotion",
    "Session": "pairrepl.session.session",
    "SessionCore": "pairrepl.session.core",
    "SessionError": "pairrepl.session.errors",
    "SessionSettings": "pairrepl.session.session",
    "Usage": "pairrepl.session.core",
}

__all__ = [
    "NO_PROVIDER",
    "ConfirmationNeeded",
    "LedgerHealth",
    "NothingToPromote",
    "Promotion",
    "PromotionDraft",
    "PromotionError",
    "PromotionSettings",
    "Session",
    "SessionCore",
    "SessionError",
    "SessionSettings",
    "Usage",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'pairrepl.session' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
