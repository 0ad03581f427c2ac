"""The session ledger: every event of every session, in one SQLite file per project.

Invariant 4 ("no event is lost") lives here. ``append`` commits before it returns and
the UI shows an event only after that, so whatever a person saw survives a crash of the
UI or the kernel. The database runs in WAL mode with ``synchronous=NORMAL``: a committed
transaction survives any crash of our process (only a power cut or OS crash may lose the
last few). Several processes may append to one file (the TUI, a kernel-side magic): each
append takes SQLite's write lock first (``BEGIN IMMEDIATE``), so sequence numbers are
handed out one at a time and never collide.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pairrepl.core.events import (
    CellSubmitted,
    Event,
    LedgerEntry,
    SessionClosed,
    SessionStarted,
    event_from_payload,
    event_to_payload,
)
from pairrepl.errors import PairreplError
from pairrepl.ledger.migrations import migrate
from pairrepl.ledger.state_dir import (
    PRIVATE_FILE_MODE,
    STATE_DIR_NAME,
    ensure_state_dir,
    private_file,
)

try:
    import fcntl
except ImportError:  # not on Windows: sessions there are not leased
    fcntl = None  # type: ignore[assignment]

DATABASE_NAME = "ledger.sqlite3"
SPILL_DIR_NAME = "outputs"
LEASE_DIR_NAME = "leases"

# How long a writer waits for another process's transaction before giving up. Appends
# are tiny, so reaching this means something holds the lock far too long.
BUSY_TIMEOUT_S = 30.0

# Rows fetched per query by ``entries()``: enough to amortise the query, few enough
# that a 100,000-event session is never held in memory at once.
_ENTRIES_BATCH = 1000

# One batch of ``entries()``: keyset pagination on the (session_id, seq) index, so each
# batch is a complete query and no cursor stays open between yields.
ENTRIES_QUERY = (
    "SELECT seq, at, kind, version, payload FROM events"
    " WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?"
)


class SessionNotFound(PairreplError, LookupError):
    """No session matches what the user typed; the message says what to do instead."""


class UnreadableEvent(PairreplError, ValueError):
    """A stored event this version of pairrepl cannot read (e.g. written by a newer one)."""


class LedgerUnavailable(PairreplError):
    """The ledger cannot be opened (a read-only folder, a damaged file); the message names
    the file and what to do."""


class LedgerUnwritable(PairreplError):
    """An event could not be committed (a full disk, a file made read-only meanwhile)."""


class SessionOpenElsewhere(PairreplError):
    """Another pairrepl process has this session open; it holds the session's lease."""


@dataclass(frozen=True)
class SessionInfo:
    """One session as listed for ``--resume``: when it ran, how much, and whether it ended."""

    id: str
    started_at: float
    last_at: float
    cells: int  # how many cells were submitted
    closed: bool  # its last event is session_closed
    project_root: str


@dataclass(frozen=True)
class LedgerMark:
    """One recorded event, by its row and its place in its session: where a reader
    that keeps what it read got to (events are only ever appended after it)."""

    event_id: int
    session_id: str
    seq: int


class Ledger:
    """Append-only events in ``<project_root>/.pairrepl/ledger.sqlite3``.

    Open it with ``Ledger.open(project_root)``. One object may be shared between threads;
    calls are serialised on its connection.
    """

    def __init__(self, path: Path, state_dir: Path) -> None:
        self.path = path
        self.state_dir = state_dir
        self._lock = threading.Lock()
        # Autocommit mode: we issue BEGIN/COMMIT ourselves, so a transaction never
        # stays open behind our back.
        self._db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _switch_to_wal(self._db)
            self._db.execute("PRAGMA synchronous = NORMAL")
            migrate(self._db)
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def open(cls, project_root: Path) -> Ledger:
        """Open (creating if needed) the ledger of the project at ``project_root``.

        ``LedgerUnavailable`` (one line: the file, why, what to do) when it cannot be."""
        root = Path(project_root).resolve()
        path = root / ".pairrepl" / DATABASE_NAME
        try:
            state_dir = ensure_state_dir(root)
            path = private_file(state_dir / DATABASE_NAME)
            ledger = cls(path, state_dir)
        except (sqlite3.Error, OSError) as error:
            raise LedgerUnavailable(_cannot_open(path, error)) from error
        # SQLite makes its WAL and SHM files with the database's mode; ones an older
        # pairrepl left world-readable are made private. Only chmod: creating one here
        # could race with SQLite removing it and leave two processes on different SHMs.
        for companion in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{path}{companion}").chmod(PRIVATE_FILE_MODE)
        return ledger

    @classmethod
    def open_existing(cls, project_root: Path) -> Ledger | None:
        """The project's ledger if it has one (None, and nothing created, if not)."""
        path = Path(project_root).resolve() / STATE_DIR_NAME / DATABASE_NAME
        if not path.is_file():
            return None
        try:
            return cls(path, path.parent)
        except (sqlite3.Error, OSError) as error:
            raise LedgerUnavailable(_cannot_open(path, error)) from error

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------

    def append(self, session_id: str, event: Event, at: float | None = None) -> LedgerEntry:
        """Record ``event`` as the next event of ``session_id``; committed when this returns
        (invariant NO-EVENT-IS-LOST: the session shows an event only after this).

        ``seq`` counts 1, 2, 3... per session, with no gaps, even when several processes
        append to the same session at once.
        """
        at = time.time() if at is None else at
        payload = json.dumps(event_to_payload(event), ensure_ascii=False, separators=(",", ":"))
        try:
            seq = self._insert(session_id, event, at, payload)
        except (sqlite3.Error, OSError) as error:
            raise LedgerUnwritable(
                f"The ledger {self.path} cannot be written ({error}): free some disk space "
                "or fix the file's permissions."
            ) from error
        return LedgerEntry(seq=seq, session_id=session_id, at=at, event=event)

    def _insert(self, session_id: str, event: Event, at: float, payload: str) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (seq,) = self._db.execute(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE session_id = ?",
                    (session_id,),
                ).fetchone()
                self._db.execute(
                    "INSERT INTO events (session_id, seq, at, kind, version, payload)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (session_id, seq, at, event.KIND, event.VERSION, payload),
                )
                self._update_session_summary(session_id, event, at)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # SQLite may already have rolled it back
                    self._db.execute("ROLLBACK")
                raise
        return int(seq)

    def _update_session_summary(self, session_id: str, event: Event, at: float) -> None:
        if isinstance(event, SessionStarted):
            self._db.execute(
                "INSERT OR IGNORE INTO sessions (id, started_at, last_at, project_root)"
                " VALUES (?, ?, ?, ?)",
                (session_id, at, at, event.project_root),
            )
        # Sessions without a session_started event have no row and are not listed.
        self._db.execute(
            "UPDATE sessions SET last_at = ?, cells = cells + ?, closed = ? WHERE id = ?",
            (
                at,
                int(isinstance(event, CellSubmitted)),
                int(isinstance(event, SessionClosed)),
                session_id,
            ),
        )

    # -- reading -----------------------------------------------------------------------

    def entries(self, session_id: str) -> Iterator[LedgerEntry]:
        """The events of ``session_id`` in seq order, read in batches as you iterate.

        Yields the events that existed when iteration began; appends made meanwhile (by
        this or another process) are not included, so a resume reads a stable prefix.
        """
        with self._lock:
            (last_seq,) = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?", (session_id,)
            ).fetchone()
        after = 0
        while after < last_seq:
            with self._lock:
                rows = self._db.execute(
                    ENTRIES_QUERY, (session_id, after, last_seq, _ENTRIES_BATCH)
                ).fetchall()
            if not rows:
                return
            for seq, at, kind, version, payload in rows:
                yield LedgerEntry(
                    seq=seq,
                    session_id=session_id,
                    at=at,
                    event=_decode_event(session_id, seq, kind, version, payload),
                )
            after = rows[-1][0]

    def entries_of_kinds(
        self,
        kinds: Collection[str],
        *,
        after: LedgerMark | None = None,
        until: LedgerMark | None = None,
    ) -> Iterator[LedgerEntry]:
        """The events of these kinds in every session, in the order they were recorded
        (each session's in seq order; for figures across sessions, such as review
        depth): the other kinds are never read. Only those after the event `after`
        marks, and up to the one `until` marks, if given."""
        wanted = sorted(kinds)
        query = (
            "SELECT session_id, seq, at, kind, version, payload FROM events"
            f" WHERE kind IN ({', '.join('?' * len(wanted))}) AND id > ? AND id <= ?"
            " ORDER BY id"
        )
        bounds = (after.event_id if after else 0, until.event_id if until else 2**63 - 1)
        with self._lock:
            rows = self._db.execute(query, [*wanted, *bounds]).fetchall()
        for session_id, seq, at, kind, version, payload in rows:
            event = _decode_event(session_id, seq, kind, version, payload)
            yield LedgerEntry(seq=seq, session_id=session_id, at=at, event=event)

    def mark(self) -> LedgerMark | None:
        """The newest event recorded (None: there is none yet)."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, session_id, seq FROM events ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else LedgerMark(*row)

    def holds(self, mark: LedgerMark) -> bool:
        """Whether this ledger holds the event `mark` names, where it was: false for
        another ledger file in its place (its events have other sessions' ids)."""
        with self._lock:
            row = self._db.execute(
                "SELECT session_id, seq FROM events WHERE id = ?", (mark.event_id,)
            ).fetchone()
        return row is not None and tuple(row) == (mark.session_id, mark.seq)

    def sessions(self) -> list[SessionInfo]:
        """Every session that has started, most recently active first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, started_at, last_at, cells, closed, project_root FROM sessions"
                " ORDER BY last_at DESC, started_at DESC, id"
            ).fetchall()
        return [
            SessionInfo(
                id=id_,
                started_at=started_at,
                last_at=last_at,
                cells=cells,
                closed=bool(closed),
                project_root=project_root,
            )
            for id_, started_at, last_at, cells, closed, project_root in rows
        ]

    def resolve(self, session_id_or_prefix: str | None) -> str:
        """The full id of a session: the most recent for ``None``, else the one session
        whose id is (or starts with) what was given. Raises ``SessionNotFound`` with a
        message a user can act on."""
        sessions = self.sessions()
        if not sessions:
            raise SessionNotFound(
                f"There are no sessions in {self.path} yet. Start one with `pairrepl`."
            )
        if session_id_or_prefix is None:
            return sessions[0].id
        wanted = session_id_or_prefix.strip()
        for session in sessions:
            if session.id == wanted:
                return session.id
        matches = [session for session in sessions if session.id.startswith(wanted)]
        if len(matches) == 1:
            return matches[0].id
        if matches:
            listed = "\n".join(f"  {_describe(session)}" for session in matches[:10])
            more = f"\n  ... and {len(matches) - 10} more" if len(matches) > 10 else ""
            raise SessionNotFound(
                f"Session id {wanted!r} is ambiguous: it starts {len(matches)} sessions."
                f" Type more of the id.\n{listed}{more}"
            )
        by_id = {session.id: session for session in sessions}
        close = difflib.get_close_matches(wanted, list(by_id), n=5, cutoff=0.5)
        suggestions = [by_id[id_] for id_ in close] or sessions[:5]
        heading = "Did you mean" if close else "Recent sessions"
        listed = "\n".join(f"  {_describe(session)}" for session in suggestions)
        raise SessionNotFound(
            f"No session {wanted!r} in {self.path}. {heading}:\n{listed}\n"
            "List all sessions with `pairrepl sessions`."
        )

    def integrity_problems(self) -> list[str]:
        """What SQLite's integrity check finds wrong with the file ([] when it is sound)."""
        try:
            with self._lock:
                rows = self._db.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.Error as error:
            return [str(error)]
        problems = [str(row[0]) for row in rows]
        return [] if problems == ["ok"] else problems

    # -- one process per session -------------------------------------------------------

    def lease(self, session_id: str) -> SessionLease:
        """Hold ``session_id`` for this process until the lease is released (or the process
        ends, however it ends: the operating system drops the lock with it).
        ``SessionOpenElsewhere`` when another process holds it."""
        folder = self.state_dir / LEASE_DIR_NAME
        folder.mkdir(mode=0o700, exist_ok=True)
        path = private_file(folder / f"{_safe_name(session_id)}.lock")
        fd = os.open(path, os.O_RDWR)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
                os.close(fd)
                raise SessionOpenElsewhere(
                    f"Session {session_id} is open in another pairrepl ({holder}). Close it "
                    "there first; if that process is gone, its lease went with it: try again."
                ) from None
        os.ftruncate(fd, 0)
        since = time.strftime("%Y-%m-%d %H:%M", time.localtime())
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {since}".encode())
        return SessionLease(fd)

    # -- files next to the ledger ------------------------------------------------------

    def spill_path(self, session_id: str, cell_id: str, stream: str) -> Path:
        """Where the full text of a too-long output goes (its folder exists on return)."""
        folder = self.state_dir / SPILL_DIR_NAME / _safe_name(session_id)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder / f"{_safe_name(cell_id)}-{_safe_name(stream)}.txt"


class SessionLease:
    """This process's hold on one session (``Ledger.lease``)."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def _cannot_open(path: Path, error: BaseException) -> str:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return (
        f"The ledger {path} cannot be opened ({reason}). If its folder is read-only, make it "
        f"writable; if the file is damaged, move it aside (mv {path} {path}.broken: the old "
        "file stays for recovery) and pairrepl starts a new one."
    )


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """Put the database in WAL mode (it stays so: the mode is stored in the file).

    Switching takes an exclusive lock, and SQLite reports "database is locked" at once,
    without waiting, when another process is opening the same new file: retry until
    the busy timeout, like any other lock.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _decode_event(session_id: str, seq: int, kind: str, version: int, payload: str) -> Event:
    try:
        data: Any = json.loads(payload)
        return event_from_payload(kind, version, data)
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableEvent(
            f"Cannot read event {seq} ({kind} v{version}) of session {session_id}: {error}."
            " If this ledger was written by a newer pairrepl, upgrade pairrepl to open it."
        ) from error


def _describe(session: SessionInfo) -> str:
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(session.started_at))
    state = "closed" if session.closed else "not closed"
    cells = "1 cell" if session.cells == 1 else f"{session.cells} cells"
    return f"{session.id}  started {started}, {cells}, {state}"


_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _safe_name(text: str) -> str:
    """``text`` as one harmless path component (ids are ours, but never trust a path)."""
    name = _UNSAFE_IN_FILE_NAME.sub("_", text)
    return name if name.strip(".") else f"_{name}"
