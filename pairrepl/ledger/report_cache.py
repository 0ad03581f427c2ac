"""`.pairrepl/report-cache.sqlite3`: what `pairrepl report` derived from provenance and
the ledger, kept on this machine so that the next report reads only what was appended.

Derived and disposable (invariant REPORT-CACHE-IS-DERIVED): everything here was
computed from `provenance.jsonl`, the ledger and the project's files, and remembers
exactly which bytes and events it was computed from (`ProvenanceMark`, `LedgerMark`,
each file's SHA-1). `session/report_cache.py` extends it only when the sources are
those it remembers with lines or events appended, and clears it otherwise. Deleting the
file is always safe. It holds plain values only (JSON and text, no pickles): a file
someone else put here is at worst wrong numbers until it is cleared, never code run.

This module only stores and fetches; it decides nothing.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pairrepl.errors import PairreplError
from pairrepl.ledger.state_dir import ensure_state_dir, private_file

CACHE_NAME = "report-cache.sqlite3"
#: Bump when the tables change: a cache of another format is cleared. (A change in how
#: what is stored is derived clears it too: `session/report_cache.py` `derivation`.)
FORMAT = 1

_TABLES = (
    "CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # promotions already in the tally
    "CREATE TABLE IF NOT EXISTS counted (promotion_id TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS proposal_files (proposal_id TEXT, file TEXT,"
    " PRIMARY KEY (proposal_id, file)) WITHOUT ROWID",
    # the first identity recorded in each session
    "CREATE TABLE IF NOT EXISTS session_people (session_id TEXT PRIMARY KEY, person TEXT)",
    # the first review provenance carries for each proposal, in the order first seen
    "CREATE TABLE IF NOT EXISTS provenance_reviews (proposal_id TEXT PRIMARY KEY, review TEXT)",
    # proposals whose records were counted with no rationale of their own
    "CREATE TABLE IF NOT EXISTS without_rationale (proposal_id TEXT PRIMARY KEY) WITHOUT ROWID",
    # the newest live record of each symbol (what blame needs), with its place in time
    "CREATE TABLE IF NOT EXISTS newest (file TEXT, kind TEXT, symbol TEXT, time REAL,"
    " line INTEGER, record TEXT, PRIMARY KEY (file, kind, symbol))",
    # each file's promoted lines, tallied, for the text with that SHA-1
    "CREATE TABLE IF NOT EXISTS file_lines (file TEXT PRIMARY KEY, sha1 TEXT, tally TEXT)",
)
_TABLE_NAMES = (
    "state",
    "counted",
    "proposal_files",
    "session_people",
    "provenance_reviews",
    "without_rationale",
    "newest",
    "file_lines",
)


class ReportCacheUnavailable(PairreplError):
    """The cache cannot be opened or written (the report reads everything instead)."""


class ReportCache:
    """The project's report cache; use `open`, and read and change it inside one
    `transaction`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode = WAL")
            for table in _TABLES:
                self._db.execute(table)
            if self.get("format") != FORMAT:
                with self.transaction():
                    self.clear()
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def open(cls, project_root: Path) -> ReportCache:
        """Open (creating if needed) the cache of the project at `project_root`."""
        try:
            path = private_file(ensure_state_dir(Path(project_root).resolve()) / CACHE_NAME)
            try:
                return cls(path)
            except sqlite3.DatabaseError:  # not a database (any more): it is derived
                path.unlink()
                return cls(private_file(path))
        except (sqlite3.Error, OSError) as error:
            raise ReportCacheUnavailable(f"The report cache cannot be opened: {error}") from error

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a report that stops half way leaves the cache as it was."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise ReportCacheUnavailable(f"The report cache is busy: {error}") from error
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise ReportCacheUnavailable(f"The report cache failed: {error}") from error
            raise

    def clear(self) -> None:
        """Forget everything (the sources are not what the cache was derived from)."""
        for table in _TABLE_NAMES:
            self._db.execute(f"DELETE FROM {table}")
        self.put("format", FORMAT)

    def get(self, name: str) -> Any:
        row = self._db.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, name: str, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO state (name, value) VALUES (?, ?)", (name, json.dumps(value))
        )

    def counted_of(self, promotion_ids: Iterable[str]) -> set[str]:
        """Those of `promotion_ids` in the tally already."""
        return self._present("counted", "promotion_id", promotion_ids)

    def without_rationale_of(self, proposal_ids: Iterable[str]) -> set[str]:
        """Those of `proposal_ids` that records were counted for with no rationale."""
        return self._present("without_rationale", "proposal_id", proposal_ids)

    def add_counted(self, promotion_ids: Iterable[str]) -> None:
        self._insert("counted", [(id_,) for id_ in promotion_ids])

    def add_without_rationale(self, proposal_ids: Iterable[str]) -> None:
        self._insert("without_rationale", [(id_,) for id_ in proposal_ids])

    def add_proposal_files(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._insert("proposal_files", pairs)

    def add_session_people(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Session id -> identity; a session keeps the first it was given."""
        self._insert("session_people", pairs)

    def add_provenance_reviews(self, pairs: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Proposal id -> review payload; a proposal keeps the first it was given."""
        self._insert("provenance_reviews", [(id_, json.dumps(review)) for id_, review in pairs])

    def set_newest(self, rows: Iterable[tuple[str, str, str, float, int, dict[str, Any]]]) -> None:
        """(file, kind, symbol, time, line, record payload): the newest record of each
        symbol now; the line tallies of those files are forgotten."""
        stored = [(*row[:5], json.dumps(row[5])) for row in rows]
        self._db.executemany("INSERT OR REPLACE INTO newest VALUES (?, ?, ?, ?, ?, ?)", stored)
        files = sorted({row[0] for row in stored})
        self._db.executemany("DELETE FROM file_lines WHERE file = ?", [(f,) for f in files])

    def session_people(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT session_id, person FROM session_people"))

    def provenance_reviews(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT review FROM provenance_reviews ORDER BY rowid")
        return [json.loads(review) for (review,) in rows]

    def files_of(self, proposal_ids: Iterable[str]) -> dict[str, set[str]]:
        """Proposal id -> the files its code went into (for these proposals)."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM wanted")
        self._db.executemany(
            "INSERT OR IGNORE INTO wanted VALUES (?)", [(i,) for i in proposal_ids]
        )
        found: dict[str, set[str]] = {}
        for proposal_id, file in self._db.execute(
            "SELECT proposal_id, file FROM proposal_files JOIN wanted ON proposal_id = id"
        ):
            found.setdefault(proposal_id, set()).add(file)
        return found

    def files(self) -> list[str]:
        """Every file a live record names."""
        return [
            file for (file,) in self._db.execute("SELECT DISTINCT file FROM newest ORDER BY file")
        ]

    def newest_of(self, file: str) -> list[dict[str, Any]]:
        """The newest record payload of each symbol of `file`, oldest first."""
        rows = self._db.execute(
            "SELECT record FROM newest WHERE file = ? ORDER BY time, line", (file,)
        )
        return [json.loads(record) for (record,) in rows]

    def file_lines(self) -> dict[str, tuple[str, Any]]:
        """File -> (SHA-1 of the text it was tallied from, the tally payload)."""
        rows = self._db.execute("SELECT file, sha1, tally FROM file_lines")
        return {file: (sha1, json.loads(tally)) for file, sha1, tally in rows}

    def set_file_lines(self, file: str, sha1: str, tally: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO file_lines VALUES (?, ?, ?)", (file, sha1, json.dumps(tally))
        )

    def _present(self, table: str, column: str, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._db.execute(
                f"SELECT {column} FROM {table} WHERE {column} IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found.update(id_ for (id_,) in rows)
        return found

    def _insert(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        rows = list(rows)
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self._db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", rows)
