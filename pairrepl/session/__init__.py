"""The use cases every front end calls: run, ask, accept, promote, undo, resume.

`SessionCore` (core.py) is what every session is: the record, the proposals, the AI's
context, promotion. `Session` drives a kernel (the app, the line console; make one with
`Session.start` or `Session.resume`); `InKernelSession` lives inside a kernel and
observes the cells run there (the magics, the JupyterLab panel). Front ends observe a
session through its events (`subscribe`) and catch `SessionError`.
"""

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
from pairrepl.session.session import (
    NO_PROVIDER,
    Session,
    SessionSettings,
)

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
