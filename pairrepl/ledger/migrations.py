"""The ledger's schema, as an append-only list of migrations.

Users keep their session databases across upgrades, so the schema only ever grows by
adding a migration at the end of this file. Each migration is a function named
``mNNN_what_it_does``; its name is recorded in ``_migrations`` once applied, so opening
a database applies exactly the ones it lacks. Never edit or reorder a migration that has
shipped: write a new one. (The pattern is simonw/llm's ``llm/migrations.py``.)

Migrations change tables; the shape of an *event* changes through a new event
``VERSION`` and an upgrade in ``pairrepl.core.events``, not here.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[Migration] = []


def migration(function: Migration) -> Migration:
    """Register ``function`` as the next migration (order of definition is order of use)."""
    MIGRATIONS.append(function)
    return function


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations ``db`` lacks, all in one transaction; return their names.

    ``db`` must be in autocommit mode (``isolation_level=None``). Two processes opening
    the same new database at once are safe: the second waits for the write lock, then
    finds the migrations recorded and applies nothing.
    """
    if not _pending(db):
        return []
    db.execute("BEGIN IMMEDIATE")
    try:
        pending = _pending(db)  # again, under the write lock
        for function in pending:
            function(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (function.__name__, time.time()),
            )
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # SQLite may already have rolled it back
            db.execute("ROLLBACK")
        raise
    return [function.__name__ for function in pending]


def applied_migrations(db: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in ``db``, in the order they were applied."""
    if not _has_migrations_table(db):
        return []
    return [name for (name,) in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def _pending(db: sqlite3.Connection) -> list[Migration]:
    if not _has_migrations_table(db):
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
        )
    applied = set(applied_migrations(db))
    return [function for function in MIGRATIONS if function.__name__ not in applied]


def _has_migrations_table(db: sqlite3.Connection) -> bool:
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    return row is not None


@migration
def m001_events_and_sessions(db: sqlite3.Connection) -> None:
    # One row per event. ``payload`` is the event's JSON (``event_to_payload``); ``kind``
    # and ``version`` say how to read it back. The unique index is what ``entries()``
    # walks, in order, without sorting; it also makes a duplicate seq impossible.
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX events_by_session_seq ON events (session_id, seq)")
    # A summary per session, kept in the same transaction as each event, so listing
    # sessions never scans the events.
    db.execute(
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            started_at REAL NOT NULL,
            last_at REAL NOT NULL,
            cells INTEGER NOT NULL DEFAULT 0,
            closed INTEGER NOT NULL DEFAULT 0,
            project_root TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX sessions_by_last_at ON sessions (last_at)")
