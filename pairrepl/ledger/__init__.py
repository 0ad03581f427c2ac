"""The session ledger (SQLite) and notebook import/export.

This is the only package that imports ``sqlite3`` and ``nbformat``.
"""

from pairrepl.ledger.notebook import NotebookCell, export_notebook, read_notebook
from pairrepl.ledger.store import Ledger, SessionInfo, SessionNotFound, UnreadableEvent

__all__ = [
    "Ledger",
    "NotebookCell",
    "SessionInfo",
    "SessionNotFound",
    "UnreadableEvent",
    "export_notebook",
    "read_notebook",
]
