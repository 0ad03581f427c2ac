"""The ledger on real SQLite files: what goes in comes out, sessions, ids, versions."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from pairrepl.core import events as core_events
from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    EVENT_TYPES,
    CellSubmitted,
    Event,
    KernelStarted,
    NoteAdded,
    PromotionWritten,
    SessionClosed,
    SessionResumed,
    SessionStarted,
)
from pairrepl.ledger import Ledger, SessionInfo, SessionNotFound, UnreadableEvent
from pairrepl.ledger import migrations as ledger_migrations
from pairrepl.ledger.store import ENTRIES_QUERY


def test_every_event_kind_round_trips_through_a_reopened_file(
    tmp_path: Path, one_event_of_each_kind: list[Event]
) -> None:
    events = one_event_of_each_kind
    assert {event.KIND for event in events} == set(EVENT_TYPES), "add the new kind above"

    with Ledger.open(tmp_path) as ledger:
        appended = [ledger.append("s1", event, at=1000.0 + i) for i, event in enumerate(events)]
    assert [entry.seq for entry in appended] == list(range(1, len(events) + 1))

    with Ledger.open(tmp_path) as reopened:
        assert list(reopened.entries("s1")) == appended
        assert list(reopened.entries("another")) == []


def test_entries_stream_in_batches_in_order_and_stop_at_what_existed(ledger: Ledger) -> None:
    total = 2_345  # more than two batches, ending mid-batch
    for i in range(total):
        ledger.append("s1", NoteAdded(f"n{i}", "x"))
    ledger.append("other", NoteAdded("other", "y"))

    stream = ledger.entries("s1")
    first = next(stream)
    ledger.append("s1", NoteAdded("late", "appended while reading"))
    rest = list(stream)

    assert [first.seq, *[entry.seq for entry in rest]] == list(range(1, total + 1))
    assert [entry.event for entry in rest[-2:]] == [
        NoteAdded(f"n{total - 2}", "x"),
        NoteAdded(f"n{total - 1}", "x"),
    ]


def test_entries_walk_the_index_without_sorting(ledger: Ledger) -> None:
    db = sqlite3.connect(ledger.path)
    plan = " ".join(
        row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {ENTRIES_QUERY}", ("s", 0, 9, 9))
    )
    db.close()
    assert "USING INDEX events_by_session_seq" in plan
    assert "TEMP B-TREE" not in plan


def test_sessions_are_summarised_newest_first(ledger: Ledger) -> None:
    ledger.append("old", SessionStarted("/p"), at=100.0)
    ledger.append("old", CellSubmitted("c1", "1"), at=101.0)
    ledger.append("old", SessionClosed(), at=102.0)
    ledger.append("new", SessionStarted("/q"), at=200.0)
    for i in range(3):
        ledger.append("new", CellSubmitted(f"c{i}", "2"), at=201.0 + i)
    ledger.append("no-start", KernelStarted("k"), at=300.0)  # never started: not listed
    # Reopened after being closed: no longer closed, and now the most recent.
    ledger.append("old", SessionResumed(), at=400.0)

    assert ledger.sessions() == [
        SessionInfo("old", 100.0, 400.0, cells=1, closed=False, project_root="/p"),
        SessionInfo("new", 200.0, 203.0, cells=3, closed=False, project_root="/q"),
    ]
    ledger.append("new", SessionClosed(), at=500.0)
    assert [(info.id, info.closed) for info in ledger.sessions()] == [
        ("new", True),
        ("old", False),
    ]


def test_resolve_finds_latest_unique_prefix_and_explains_failures(ledger: Ledger) -> None:
    with pytest.raises(SessionNotFound, match=r"no sessions .* yet"):
        ledger.resolve(None)

    for at, session_id in enumerate(["abc123", "abd456", "ffee00"]):
        ledger.append(session_id, SessionStarted("/p"), at=float(at))

    assert ledger.resolve(None) == "ffee00"
    assert ledger.resolve("abc") == "abc123"
    assert ledger.resolve(" abd456 ") == "abd456"

    with pytest.raises(SessionNotFound) as ambiguous:
        ledger.resolve("ab")
    assert "ambiguous" in str(ambiguous.value)
    assert "abc123" in str(ambiguous.value) and "abd456" in str(ambiguous.value)
    assert "ffee00" not in str(ambiguous.value)

    with pytest.raises(SessionNotFound) as typo:
        ledger.resolve("abc124")
    assert "Did you mean" in str(typo.value) and "abc123" in str(typo.value)

    with pytest.raises(SessionNotFound) as unknown:
        ledger.resolve("zzz")
    assert "pairrepl sessions" in str(unknown.value)
    assert "ffee00" in str(unknown.value)  # recent sessions are listed


def test_state_dir_gitignore_keeps_the_ledger_local_and_the_users_edits(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with Ledger.open(tmp_path) as ledger:
        ledger.append("s1", SessionStarted(str(tmp_path)))
        ledger.spill_path("s1", "c1", "stdout").write_text("big\n")
        (ledger.state_dir / "provenance.jsonl").write_text("{}\n")
        assert ledger.path == tmp_path.resolve() / ".pairrepl" / "ledger.sqlite3"

    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert sorted(line for line in status if line) == [
        "?? .pairrepl/.gitignore",
        "?? .pairrepl/provenance.jsonl",
    ]

    gitignore = tmp_path / ".pairrepl" / ".gitignore"
    gitignore.write_text("# mine now\n")
    Ledger.open(tmp_path).close()
    assert gitignore.read_text() == "# mine now\n"


def test_spill_paths_stay_under_outputs_whatever_the_ids(ledger: Ledger) -> None:
    path = ledger.spill_path("../../etc", "c/1", "stdout")
    assert path.parent.is_dir()
    assert path.resolve().is_relative_to((ledger.state_dir / "outputs").resolve())
    assert path != ledger.spill_path("../../etc", "c/1", "stderr")


def test_an_event_from_a_newer_pairrepl_gives_a_clear_error(ledger: Ledger) -> None:
    ledger.append("s1", SessionStarted("/p"))
    _insert_raw(ledger.path, "s1", 2, "cell_submitted", 99, '{"cell_id": "c1", "code": "1"}')

    entries = ledger.entries("s1")
    assert next(entries).seq == 1
    with pytest.raises(UnreadableEvent, match=r"event 2 \(cell_submitted v99\) of session s1"):
        next(entries)


def test_an_event_from_an_older_version_is_upgraded_when_read(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if CellSubmitted v1 had called its text "source", and v2 renamed it to "code".
    _insert_raw(ledger.path, "s1", 1, "cell_submitted", 1, '{"cell_id": "c1", "source": "1 + 1"}')

    def rename_source_to_code(payload: dict[str, object]) -> dict[str, object]:
        return {**payload, "code": payload.pop("source")}

    monkeypatch.setattr(CellSubmitted, "VERSION", 2)
    monkeypatch.setitem(core_events._UPGRADES, ("cell_submitted", 1), rename_source_to_code)

    [entry] = ledger.entries("s1")
    assert entry.event == CellSubmitted("c1", "1 + 1", Origin.HUMAN)
    assert ledger.append("s1", CellSubmitted("c2", "2")).seq == 2
    assert _raw_versions(ledger.path) == [1, 2]


def test_a_promotion_written_by_v1_reads_as_having_created_no_folders(ledger: Ledger) -> None:
    payload = {
        "promotion_id": "m1",
        "cell_id": "c1",
        "target": "mod.py",
        "before": "",
        "after": "X = 1\n",
        "symbols": ["X"],
        "origin": "human",
        "created": True,
    }
    _insert_raw(ledger.path, "s1", 1, "promotion_written", 1, json.dumps(payload))
    [entry] = ledger.entries("s1")
    assert isinstance(entry.event, PromotionWritten)
    assert (entry.event.created, entry.event.created_folders) == (True, ())


def test_a_session_started_by_v1_reads_as_nobody_known(ledger: Ledger) -> None:
    payload = {"project_root": "/p", "front_end": "tui"}
    _insert_raw(ledger.path, "s1", 1, "session_started", 1, json.dumps(payload))
    [entry] = ledger.entries("s1")
    assert entry.event == SessionStarted("/p", "tui", person=None)


def test_migrations_apply_once_each_and_only_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(tmp_path) as ledger:
        ledger.append("s1", SessionStarted("/p"))
    shipped = [migration.__name__ for migration in ledger_migrations.MIGRATIONS]

    def m999_add_tags(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE tags (session_id TEXT, tag TEXT)")  # fails if run twice

    monkeypatch.setattr(ledger_migrations, "MIGRATIONS", [*ledger_migrations.MIGRATIONS])
    ledger_migrations.migration(m999_add_tags)
    for _ in range(2):
        with Ledger.open(tmp_path) as ledger:
            assert [entry.seq for entry in ledger.entries("s1")] == [1]

    db = sqlite3.connect(tmp_path / ".pairrepl" / "ledger.sqlite3")
    assert ledger_migrations.applied_migrations(db) == [*shipped, "m999_add_tags"]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def _insert_raw(
    path: Path, session_id: str, seq: int, kind: str, version: int, payload: str
) -> None:
    """Write a row the way some other version of pairrepl would have."""
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "INSERT INTO events (session_id, seq, at, kind, version, payload)"
            " VALUES (?, ?, 0, ?, ?, ?)",
            (session_id, seq, kind, version, payload),
        )
    db.close()


def _raw_versions(path: Path) -> list[int]:
    db = sqlite3.connect(path)
    versions = [version for (version,) in db.execute("SELECT version FROM events ORDER BY seq")]
    db.close()
    return versions
