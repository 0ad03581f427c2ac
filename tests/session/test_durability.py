"""When things go wrong around a session: a full disk, a second instance, a killed app,
a huge value. A real kernel, a real SQLite file, real files and processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pairrepl.cli import main as cli_main
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    NoteAdded,
    OutputProduced,
    OutputSpilled,
    ReplyStreamed,
    RequestSent,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import OutputLimits, ResultOutput, StreamOutput
from pairrepl.ledger import Ledger, LedgerUnavailable, LedgerUnwritable
from pairrepl.session import Session, SessionError, SessionSettings
from tests.session.conftest import local_kernel


def fill_the_disk(ledger: Ledger) -> None:
    """From now on the ledger file cannot grow: SQLite answers "database or disk is full",
    as it does on a full disk (the file may not grow by a page; its last free bytes are
    taken by another writer)."""
    (pages,) = ledger._db.execute("PRAGMA page_count").fetchone()
    ledger._db.execute(f"PRAGMA max_page_count = {pages}")
    with contextlib.suppress(LedgerUnwritable):
        for n in range(10_000):
            ledger.append("another-writer", NoteAdded(f"n{n}", "filler"))


def free_the_disk(ledger: Ledger) -> None:
    ledger._db.execute("PRAGMA max_page_count = 1073741823")


def kinds(ledger: Ledger, session_id: str) -> list[str]:
    return [entry.event.KIND for entry in ledger.entries(session_id)]


async def test_a_full_disk_keeps_events_in_memory_and_writes_them_when_space_returns(
    session: Session, ledger: Ledger
) -> None:
    await session.run("x = 1")
    written = len(kinds(ledger, session.id))
    health_seen = []
    session.watch_ledger(health_seen.append)

    fill_the_disk(ledger)
    execution = await session.run("zz = 9\nprint('ran', zz)")
    assert execution.status is ExecutionStatus.OK  # the cell ran...
    cell = session.transcript.cells[execution.cell_id]
    assert not cell.running and cell.outputs  # ...and the screen never stays "running"
    health = session.ledger_health
    assert health.waiting >= 3 and not health.ok and "full" in (health.problem or "")
    assert "ledger not writable" in health.describe()
    assert health_seen and health_seen[-1].waiting == health.waiting
    assert len(kinds(ledger, session.id)) == written  # nothing could be written
    with pytest.raises(SessionError, match="events wait in memory"):
        await session.run("more = 1")  # new work is refused, not lost

    free_the_disk(ledger)
    assert session.write_waiting_events().ok
    assert health_seen[-1].ok
    stored = [entry.event for entry in ledger.entries(session.id)][written:]
    assert isinstance(stored[0], CellSubmitted) and stored[0].code.startswith("zz = 9")
    assert isinstance(stored[-1], CellFinished) and stored[-1].cell_id == execution.cell_id
    assert [e.seq for e in ledger.entries(session.id)] == list(range(1, written + len(stored) + 1))
    assert (await session.run("more = 1")).status is ExecutionStatus.OK


async def test_a_session_open_in_another_process_is_not_resumed_twice(
    tmp_path: Path, session: Session
) -> None:
    with Ledger.open(tmp_path) as other, pytest.raises(SessionError, match="open in another"):
        await Session.resume(tmp_path, local_kernel(tmp_path), other, session.id)

    holder = subprocess.Popen(  # another pairrepl holds a lease on a session, then dies
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pairrepl.ledger import Ledger\n"
            "lease = Ledger.open(Path(sys.argv[1])).lease('abandoned')\n"
            "print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with Ledger.open(tmp_path) as other, pytest.raises(Exception, match="pid"):
            other.lease("abandoned").release()
        os.kill(holder.pid, signal.SIGKILL)  # a crash: the lease goes with the process
        holder.wait()
        with Ledger.open(tmp_path) as other:
            other.lease("abandoned").release()
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture
async def killed_mid_everything(tmp_path: Path) -> AsyncIterator[tuple[Path, str]]:
    """A ledger as an app SIGKILLed mid-reply and mid-stream leaves it: a request sent and
    partly answered, a cell whose spilled stream never ended. (tests/e2e kills a real app;
    here the ledger is written as it wrote it, to look at each piece.)"""
    with Ledger.open(tmp_path) as ledger:
        sid = "0123456789ab"
        for event in (
            SessionStarted(str(tmp_path), "tui"),
            RequestSent("req000000001", "explain x", "{}", "replay:demo", 10, False),
            ReplyStreamed("req000000001", "x is the"),
            CellSubmitted("cell00000001", "for i in range(10**6): print(i)"),
            OutputProduced("cell00000001", StreamOutput("stdout", "0\n1\n")),
            OutputSpilled(
                "cell00000001", "stdout", ".pairrepl/outputs/s/c-stdout.txt", 0, "", final=False
            ),
        ):
            ledger.append(sid, event)
        yield tmp_path, sid


async def test_resume_closes_the_reply_and_the_cell_a_killed_app_left_open(
    killed_mid_everything: tuple[Path, str],
) -> None:
    root, sid = killed_mid_everything
    with Ledger.open(root) as ledger:
        resumed = await Session.resume(root, local_kernel(root), ledger, sid)
        try:
            exchange = resumed.transcript.exchanges["req000000001"]
            assert exchange.finished and exchange.partial and exchange.reply == "x is the"
            assert "stopped while the AI was answering" in (exchange.error or "")
            cell = resumed.transcript.cells["cell00000001"]
            assert cell.status is ExecutionStatus.DIED
            assert [(s.path, s.final) for s in cell.spills] == [
                (".pairrepl/outputs/s/c-stdout.txt", False)
            ]  # the spill file is still offered
        finally:
            await resumed.close()


async def test_a_huge_result_is_capped_spilled_and_kept_small_in_the_ledger(
    tmp_path: Path, ledger: Ledger
) -> None:
    limits = OutputLimits(value_chars=20_000, head_chars=10_000, tail_chars=2_000)
    settings = SessionSettings(output_limits=limits)
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger, settings=settings)
    try:
        size_before = ledger.path.stat().st_size
        execution = await session.run("b = 'start-' + 'x' * 5_000_000 + '-end'\nb")
        result = next(o for o in execution.outputs if isinstance(o, ResultOutput))
        shown = result.data["text/plain"]
        assert len(shown) < 20_000 and "'start-" in shown and "-end'" in shown
        # The kernel sent its ends (a 5 MB message would hold up the app's loop), naming
        # its own file with all of it; the app kept less still, naming what it received.
        spilled = tmp_path / shown.split("the full value is in ")[1].split(" …")[0]
        received = spilled.read_text()
        assert received.endswith("-end'") and len(received) < 1_000_000
        assert stat.S_IMODE(spilled.stat().st_mode) == 0o600
        whole = Path(received.split("the full value is in ")[1].split(" on the kernel's")[0])
        assert whole.is_relative_to(tmp_path / ".pairrepl" / "outputs" / "kernel")
        assert len(whole.read_text()) > 5_000_000 and whole.read_text().endswith("-end'")
        assert stat.S_IMODE(whole.stat().st_mode) == 0o600
        wal = Path(f"{ledger.path}-wal")
        growth = ledger.path.stat().st_size + wal.stat().st_size - size_before
        assert growth < 200_000  # the ledger holds the kept part, not 5 MB
    finally:
        await session.close()


def test_the_ledger_and_what_lies_beside_it_are_private(tmp_path: Path) -> None:
    (tmp_path / ".pairrepl").mkdir(mode=0o755)  # an older pairrepl made it world-readable
    os.umask(old := os.umask(0o022))
    try:
        with Ledger.open(tmp_path) as ledger:
            ledger.append("s", SessionStarted(str(tmp_path), "tui"))
            state = tmp_path / ".pairrepl"
            assert stat.S_IMODE(state.stat().st_mode) == 0o700
            for name in ("ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm"):
                assert stat.S_IMODE((state / name).stat().st_mode) == 0o600, name
    finally:
        os.umask(old)


@pytest.mark.parametrize("damage", ["no folder possible", "truncated file", "not a ledger"])
def test_an_unreadable_ledger_is_one_line_that_says_what_to_do(tmp_path: Path, damage: str) -> None:
    state = tmp_path / ".pairrepl"
    database = state / "ledger.sqlite3"
    if damage == "no folder possible":  # as a read-only project folder does (not for root)
        (tmp_path / ".pairrepl").write_text("a file where the folder should be")
    else:
        with Ledger.open(tmp_path) as ledger:
            ledger.append("s", SessionStarted(str(tmp_path), "tui"))
        for path in state.iterdir():
            if path.name.startswith("ledger.sqlite3-"):
                path.unlink()
        if damage == "truncated file":
            database.write_bytes(database.read_bytes()[:50])
        else:
            database.write_text(json.dumps({"not": "a database"}) * 200)
    with pytest.raises(LedgerUnavailable) as raised:
        Ledger.open(tmp_path).close()
    message = str(raised.value)
    assert "\n" not in message and str(database) in message and "move it aside" in message


def test_a_damaged_page_is_found_by_the_integrity_check_and_doctor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger.open(tmp_path) as ledger:
        for n in range(300):
            ledger.append("s", CellSubmitted(f"c{n}", "x = 1\n" * 20))
    database = tmp_path / ".pairrepl" / "ledger.sqlite3"
    data = bytearray(database.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = os.urandom(64)  # random bytes mid-file
    database.write_bytes(bytes(data))
    with Ledger.open(tmp_path) as ledger:
        assert ledger.integrity_problems()
    assert cli_main(["doctor", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "damaged" in out and "move it aside" in out


async def test_a_stream_that_overflows_after_its_cell_ended_still_names_its_file(
    tmp_path: Path, ledger: Ledger
) -> None:
    limits = OutputLimits(head_lines=5, tail_lines=3)
    settings = SessionSettings(output_limits=limits)
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger, settings=settings)
    try:
        execution = await session.run(
            "import threading, time\n"
            "def later():\n    time.sleep(0.5)\n    for i in range(50): print('late', i)\n"
            "threading.Thread(target=later).start()"
        )
        cell = session.transcript.cells[execution.cell_id]
        deadline = time.monotonic() + 20
        while not cell.spills and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        (spill,) = cell.spills
        spilled = tmp_path / spill.path
        while "late 49" not in spilled.read_text() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "late 0\n" in spilled.read_text() and "late 49\n" in spilled.read_text()
    finally:
        await session.close()
