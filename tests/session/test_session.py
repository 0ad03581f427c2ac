"""Whole behaviours of a session, on a real kernel and a real ledger file."""

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import nbformat

from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    KernelDied,
    OutputProduced,
    OutputSpilled,
)
from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.outputs import ErrorOutput, StreamOutput
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionError
from tests.session.conftest import local_kernel


def stdout_of(session: Session, cell_id: str) -> str:
    outputs = session.transcript.cells[cell_id].outputs
    return "".join(o.text for o in outputs if isinstance(o, StreamOutput) and o.name == "stdout")


async def test_screen_and_ledger_see_the_same_events_in_the_same_order(
    session: Session, ledger: Ledger
) -> None:
    seen = []
    session.subscribe(lambda entry, _item: seen.append(entry))
    execution = await session.run("x = 6 * 7\nprint(x)")
    assert execution.status is ExecutionStatus.OK
    assert stdout_of(session, execution.cell_id) == "42\n"
    assert [change.name for change in execution.namespace_diff.added] == ["x"]
    recorded = list(ledger.entries(session.id))
    assert seen == recorded[-len(seen) :]
    kinds = [type(entry.event) for entry in seen]
    assert kinds[0] is CellSubmitted and kinds[-1] is CellFinished
    assert OutputProduced in kinds


async def test_errors_are_recorded_and_the_session_goes_on(session: Session) -> None:
    syntax = await session.run("def broken(:")
    raised = await session.run("1 / 0")
    after = await session.run("print('still here')")
    assert syntax.status is ExecutionStatus.ERROR
    assert raised.status is ExecutionStatus.ERROR
    error = next(o for o in raised.outputs if isinstance(o, ErrorOutput))
    assert error.ename == "ZeroDivisionError" and error.traceback
    assert after.status is ExecutionStatus.OK


async def test_a_million_lines_are_capped_in_the_ledger_and_spilled_whole(
    session: Session, ledger: Ledger, tmp_path: Path
) -> None:
    execution = await session.run("for i in range(1_000_000): print(i)")
    assert execution.status is ExecutionStatus.OK
    cell = session.transcript.cells[execution.cell_id]
    (spill,) = cell.spills
    assert spill.tail.endswith("999999\n")
    assert spill.omitted_lines > 900_000
    full = (tmp_path / spill.path).read_text()
    assert full.count("\n") == 1_000_000 and full.startswith("0\n1\n")
    recorded = [e.event for e in ledger.entries(session.id) if isinstance(e.event, OutputProduced)]
    assert sum(len(e.output.text) for e in recorded if isinstance(e.output, StreamOutput)) < 200_000
    assert any(isinstance(e.event, OutputSpilled) for e in ledger.entries(session.id))


async def test_output_after_the_cell_finished_is_attributed_to_its_cell(session: Session) -> None:
    started = await session.run(
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), print('late', flush=True))).start()"
    )
    await session.run("pass")
    for _ in range(50):
        if "late" in stdout_of(session, started.cell_id):
            break
        await asyncio.sleep(0.1)
    assert stdout_of(session, started.cell_id) == "late\n"


async def test_kernel_death_is_recorded_and_nothing_is_replayed_after_restart(
    session: Session, ledger: Ledger
) -> None:
    await session.run("survivor = 1")
    died = await session.run("import os; os._exit(1)")
    assert died.status is ExecutionStatus.DIED
    for _ in range(30):
        if session.kernel_state is KernelState.DEAD:
            break
        await asyncio.sleep(0.1)
    assert session.kernel_state is KernelState.DEAD
    assert any(isinstance(e.event, KernelDied) for e in ledger.entries(session.id))
    try:
        await session.run("1")
        raise AssertionError("a dead kernel must refuse to run")
    except SessionError as error:
        assert "restart" in str(error)
    await session.restart()
    probe = await session.run("print('survivor' in globals())")
    assert stdout_of(session, probe.cell_id) == "False\n"  # the namespace is new, nothing re-ran
    assert [c.code for c in session.transcript.cells_lost_with_kernel()] == ["survivor = 1"]


async def test_interrupt_stops_a_busy_loop(session: Session) -> None:
    running = asyncio.create_task(session.run("while True: pass"))
    await asyncio.sleep(1.0)
    await session.interrupt()
    execution = await asyncio.wait_for(running, 10)
    assert execution.status is ExecutionStatus.INTERRUPTED
    assert (await session.run("1 + 1")).status is ExecutionStatus.OK


async def test_input_is_answered_by_the_front_end(session: Session) -> None:
    prompts = []

    async def answer(prompt: str, password: bool) -> str:
        prompts.append((prompt, password))
        return "Ada"

    session.set_input_handler(answer)
    execution = await session.run("name = input('who? ')\nprint('hello', name)")
    assert prompts == [("who? ", False)]
    # The prompt and the answer are part of the output, as in a terminal (issue 19).
    assert stdout_of(session, execution.cell_id) == "who? Ada\nhello Ada\n"


async def test_resume_after_a_crash_brings_the_transcript_back_on_a_new_kernel(
    tmp_path: Path, ledger: Ledger
) -> None:
    first = await Session.start(tmp_path, local_kernel(tmp_path), ledger)
    await first.run("value = 41 + 1\nprint(value)")
    # The app "crashed": no session_closed was recorded; its kernel and its lease on the
    # session went with its process.
    await first._kernel.shutdown()
    first._lease.release()

    resumed = await Session.resume(tmp_path, local_kernel(tmp_path), ledger, first.id[:6])
    try:
        assert resumed.id == first.id
        (cell,) = resumed.transcript.code_cells()
        assert stdout_of(resumed, cell.cell_id) == "42\n"
        assert "value" not in resumed.namespace.by_name()
        assert [c.code for c in resumed.transcript.cells_lost_with_kernel()] == [cell.code]
        await resumed.rerun_lost_cells()
        assert "value" in resumed.namespace.by_name()
        assert resumed.transcript.cells_lost_with_kernel() == []
    finally:
        await resumed.close()
    with sqlite3.connect(ledger.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_notebook_cells_are_shown_not_run_until_asked(tmp_path: Path, ledger: Ledger) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("loaded = 'yes'"),
        nbformat.v4.new_code_cell("print(loaded)"),
    ]
    path = tmp_path / "in.ipynb"
    nbformat.write(notebook, path)
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger, notebook=path)
    try:
        assert len(session.transcript.pending_loaded_cells()) == 2
        assert "loaded" not in session.namespace.by_name()
        executions = await session.run_all_loaded()
        assert [e.status for e in executions] == [ExecutionStatus.OK, ExecutionStatus.OK]
        assert stdout_of(session, executions[1].cell_id) == "yes\n"
        assert session.transcript.pending_loaded_cells() == []
    finally:
        await session.close()


async def test_the_kernel_process_killed_while_idle_is_noticed(session: Session) -> None:
    pid_run = await session.run("import os; print(os.getpid())")
    pid = int(stdout_of(session, pid_run.cell_id))
    os.kill(pid, signal.SIGKILL)
    for _ in range(40):
        if session.kernel_state is KernelState.DEAD:
            break
        await asyncio.sleep(0.1)
    assert session.kernel_state is KernelState.DEAD
