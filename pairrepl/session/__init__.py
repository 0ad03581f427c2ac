"""The use cases every front end calls (DESIGN.md): run, ask, accept, promote, resume.

`Session` ties one kernel, one ledger and (optionally) one agent together; front ends
(the TUI, the CLI) make one with `Session.start` or `Session.resume` and observe it
through its events.
"""

from pairrepl.session.errors import SessionError
from pairrepl.session.promotion import (
    Promotion,
    PromotionDraft,
    PromotionError,
    PromotionSettings,
)
from pairrepl.session.session import (
    NO_PROVIDER,
    Session,
    SessionSettings,
    Usage,
)

__all__ = [
    "NO_PROVIDER",
    "Promotion",
    "PromotionDraft",
    "PromotionError",
    "PromotionSettings",
    "Session",
    "SessionError",
    "SessionSettings",
    "Usage",
]
