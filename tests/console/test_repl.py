"""The console's REPL on a real kernel, typed through prompt_toolkit's pipe input."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import nbformat

from pairrepl.core.events import SessionStarted
from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.outputs import OutputLimits
from pairrepl.ledger import Ledger
from pairrepl.session import SessionSettings
from tests.console.conftest import (
    CTRL_R,
    ENTER,
    TAB,
    UP,
    console_on,
    console_session,
    paste,
)


async def test_enter_runs_complete_code_and_output_streams_into_the_scrollback(
    tmp_path: Path,
) -> None:
    async with console_session(tmp_path) as session, console_on(session) as console:
        cell = await console.run("print('hello from the kernel')", ENTER)
        assert cell.status is ExecutionStatus.OK
        assert "hello from the kernel\n" in console.printed()

        await console.run("answer_to_everything = 6 * 7", ENTER)
        await console.run("answer_to_everything", ENTER)
        assert "Out[3]: 42\n" in console.printed()

        # Enter on an open block adds a line, indented as IPython would; an empty line
        # ends the block and runs it.
        block = await console.run("for i in range(2):", ENTER, "print('line', i)", ENTER, ENTER)
        assert block.code.rstrip() == "for i in range(2):\n    print('line', i)"
        assert "line 0\nline 1\n" in console.printed()

        # A paste keeps its newlines: nothing runs until Enter.
        pasted = await console.run(paste("a = 1\nb = a + 1\nb"), ENTER)
        assert pasted.code == "a = 1\nb = a + 1\nb"
        assert "Out[5]: 2\n" in console.printed()

        failing = await console.run("1 / 0", ENTER)
        assert failing.status is ExecutionStatus.ERROR
        assert "ZeroDivisionError" in console.printed()

        # Up brings back the cells the ledger holds; Tab asks the kernel for completions.
        again = await console.run(UP, UP, ENTER)
        assert again.code == "a = 1\nb = a + 1\nb"
        found = await console.run(CTRL_R, "answer_to_everything =", ENTER, ENTER)  # search
        assert found.code == "answer_to_everything = 6 * 7"
        # IPython's own completer, not jedi's: jedi's disk cache, shared by every kernel on
        # the machine, can be left truncated by a killed one, and then it finds nothing.
        await console.run("get_ipython().Completer.use_jedi = False", ENTER)
        console.type("answer_to_ev", TAB)
        lines = console.console.lines
        await console.wait_until(lambda: getattr(lines, "text", None) == "answer_to_everything")
        await console.run(ENTER)
        assert "Out[10]: 42\n" in console.printed()

        # obj? shows the kernel's help; nothing runs.
        cells = len(console.cells())
        console.type("answer_to_everything?", ENTER)
        await console.wait_for("Docstring")
        assert len(console.cells()) == cells

    with Ledger.open(tmp_path) as ledger:  # export, blame and report see a console session
        started = next(entry.event for entry in ledger.entries(session.id))
    assert isinstance(started, SessionStarted) and started.front_end == "console"


async def test_ctrl_c_interrupts_a_running_cell_and_input_is_answered_at_the_prompt(
    tmp_path: Path,
) -> None:
    async with console_session(tmp_path) as session, console_on(session) as console:
        console.type("import time; time.sleep(60)", ENTER)
        await console.wait_until(lambda: session.kernel_state is KernelState.BUSY)
        os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends for Ctrl+C
        await console.wait_until(lambda: console.cells()[-1].status is not None, 15)
        assert console.cells()[-1].status is ExecutionStatus.INTERRUPTED
        assert "KeyboardInterrupt" in console.printed()

        # input(): the answer is typed at a prompt, even typed ahead of it.
        await console.run("name = input('who? ')", ENTER, "Ada", ENTER)
        await console.run("print('hello', name)", ENTER)
        assert "hello Ada\n" in console.printed()


async def test_the_kernel_dies_and_restarts_in_plain_words(tmp_path: Path) -> None:
    async with console_session(tmp_path) as session, console_on(session) as console:
        await console.run("import os, threading, time; x = 1", ENTER)
        # It dies after the cell finished, while the prompt waits for keys: said above it.
        await console.run(
            "threading.Thread(target=lambda: (time.sleep(1), os._exit(1))).start()", ENTER
        )
        await console.wait_for("The kernel died")
        await console.wait_until(lambda: session.kernel_state is KernelState.DEAD)
        console.type(":restart", ENTER, "y")
        await console.wait_for("Kernel restarted")
        await console.wait_until(lambda: session.kernel_state is KernelState.IDLE)
        cell = await console.run("'x' in dir()", ENTER)
        assert cell.execution_count == 1  # a new kernel counts from 1 again
        assert "Out[1]: False\n" in console.printed()


async def test_long_output_has_the_apps_cap_head_tail_and_spill_file(tmp_path: Path) -> None:
    limits = OutputLimits(head_lines=20, head_chars=10_000, tail_lines=5, tail_chars=1_000)
    settings = SessionSettings(output_limits=limits)
    async with console_session(tmp_path, settings) as session, console_on(session) as console:
        await console.run("for i in range(1000): print(f'row {i}')", ENTER, ENTER)
        printed = console.printed()
        assert "row 19\n" in printed and "row 500\n" not in printed
        assert "lines omitted — full output: .pairrepl/outputs/" in printed
        assert "row 999" in printed.split("lines omitted")[1]
        spill = next((tmp_path / ".pairrepl" / "outputs").glob("*/*-stdout.txt"))
        assert "row 500\n" in spill.read_text()


async def test_a_notebooks_cells_are_shown_and_run_only_when_asked(tmp_path: Path) -> None:
    notebook = tmp_path / "start.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_code_cell("loaded_value = 20"),
                nbformat.v4.new_code_cell("loaded_value * 2"),
            ]
        ),
        notebook,
    )
    async with (
        console_session(tmp_path, notebook=notebook) as session,
        console_on(session) as console,
    ):
        await console.wait_for("2 cell(s) loaded from")
        assert "[loaded] loaded_value = 20" in console.printed()
        assert "loaded_value" not in session.namespace.by_name()
        console.type(":loaded", ENTER)
        await console.wait_for("Out[2]: 40")
