"""The session ledger (SQLite) and notebook import/export.

Also ``provenance.jsonl``, the committed record of who wrote each promoted symbol, and
what git knows of who wrote the project's lines, and ``pending/``, what a promotion is
about to write (until its records are made).
This is the only package that imports ``sqlite3`` and ``nbformat``.
"""

from pairrepl.ledger.git import identity, in_git_work_tree, line_authors
from pairrepl.ledger.notebook import NotebookCell, export_notebook, read_notebook
from pairrepl.ledger.pending import PendingWrites
from pairrepl.ledger.provenance import ProvenanceHistory, ProvenanceLog
from pairrepl.ledger.state_dir import find_project_root, private_file
from pairrepl.ledger.store import (
    Ledger,
    LedgerMark,
    LedgerUnavailable,
    LedgerUnwritable,
    SessionInfo,
    SessionLease,
    SessionNotFound,
    SessionOpenElsewhere,
    UnreadableEvent,
)

__all__ = [
    "Ledger",
    "LedgerMark",
    "LedgerUnavailable",
    "LedgerUnwritable",
    "NotebookCell",
    "PendingWrites",
    "ProvenanceHistory",
    "ProvenanceLog",
    "SessionInfo",
    "SessionLease",
    "SessionNotFound",
    "SessionOpenElsewhere",
    "UnreadableEvent",
    "export_notebook",
    "find_project_root",
    "identity",
    "in_git_work_tree",
    "line_authors",
    "private_file",
    "read_notebook",
]
