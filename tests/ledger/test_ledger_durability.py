"""Invariant 4, "no event is lost", with real processes: killed writers, rival writers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from pairrepl.core.events import CellSubmitted
from pairrepl.ledger import Ledger
from pairrepl.ledger.migrations import MIGRATIONS, applied_migrations

# Appends outputs (a few KB each, so the WAL grows and checkpoints happen) and prints
# each seq only after ``append`` has returned: a printed seq is a promise we must keep.
APPEND_UNTIL_KILLED = """
import sys
from pathlib import Path
from pairrepl.core.events import OutputProduced, SessionStarted
from pairrepl.core.outputs import StreamOutput
from pairrepl.ledger import Ledger

root, session_id = Path(sys.argv[1]), sys.argv[2]
ledger = Ledger.open(root)
ledger.append(session_id, SessionStarted(str(root)))
i = 0
while True:
    i += 1
    output = StreamOutput("stdout", f"line {i}\\n" * 300)
    entry = ledger.append(session_id, OutputProduced("c1", output))
    print(entry.seq, flush=True)
"""

# Waits until a shared start time so the writers collide, then appends cells tagged
# with its name. Opening the fresh database races too (migrations, WAL switch).
APPEND_AT_THE_SAME_TIME = """
import sys, time
from pathlib import Path
from pairrepl.core.events import CellSubmitted
from pairrepl.ledger import Ledger

root, name, count, start_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
time.sleep(max(0.0, start_at - time.time()))
ledger = Ledger.open(root)
for i in range(count):
    ledger.append("shared", CellSubmitted(f"{name}-{i}", f"x = {i}"))
ledger.close()
"""


def test_a_killed_writer_loses_no_event_whose_append_returned(tmp_path: Path) -> None:
    for round_, kill_after in enumerate([1, 150, 400]):
        session_id = f"s{round_}"
        child = subprocess.Popen(
            [sys.executable, "-c", APPEND_UNTIL_KILLED, str(tmp_path), session_id],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        acknowledged = [int(child.stdout.readline()) for _ in range(kill_after)]
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        acknowledged += [int(line) for line in rest.split()]
        assert child.returncode == -signal.SIGKILL

        with Ledger.open(tmp_path) as ledger:
            seqs = [entry.seq for entry in ledger.entries(session_id)]
        assert seqs == list(range(1, len(seqs) + 1))  # no gaps, nothing torn
        assert set(acknowledged) <= set(seqs), "an acknowledged event was lost"
        assert _integrity(tmp_path) == "ok"


def test_rival_processes_appending_to_one_session_lose_nothing(tmp_path: Path) -> None:
    names, count = ["tui", "magic", "lab"], 200
    start_at = str(time.time() + 1.5)  # after every child has imported pairrepl
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                APPEND_AT_THE_SAME_TIME,
                str(tmp_path),
                name,
                str(count),
                start_at,
            ]
        )
        for name in names
    ]
    assert [child.wait(timeout=60) for child in children] == [0, 0, 0]

    with Ledger.open(tmp_path) as ledger:
        entries = list(ledger.entries("shared"))
    assert [entry.seq for entry in entries] == list(range(1, len(names) * count + 1))
    for name in names:
        mine = [
            entry.event.cell_id
            for entry in entries
            if isinstance(entry.event, CellSubmitted) and entry.event.cell_id.startswith(name)
        ]
        assert mine == [f"{name}-{i}" for i in range(count)]
    assert _integrity(tmp_path) == "ok"
    db = sqlite3.connect(tmp_path / ".pairrepl" / "ledger.sqlite3")
    assert applied_migrations(db) == [migration.__name__ for migration in MIGRATIONS]
    db.close()


def _integrity(project_root: Path) -> str:
    db = sqlite3.connect(project_root / ".pairrepl" / "ledger.sqlite3")
    (result,) = db.execute("PRAGMA integrity_check").fetchone()
    db.close()
    return str(result)
