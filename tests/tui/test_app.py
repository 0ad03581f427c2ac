"""The app with a real kernel: running, keys, errors, interrupts, death, input(), help."""

from __future__ import annotations

import os
import signal

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.tui.commands import ACTIONS, keys_label
from pairrepl.tui.screens import ConfirmScreen, HelpScreen, InputPromptScreen
from tests.tui.conftest import Harness, widget_text


async def test_enter_runs_a_cell_and_shows_output_and_variables(tui: Harness) -> None:
    cell = await tui.run("answer = 6 * 7\nprint('the answer is', answer)")

    assert cell.status is ExecutionStatus.OK
    text = tui.visible_transcript()
    assert "In [1]:  answer = 6 * 7" in text
    assert "the answer is 42" in text
    assert "+ answer  int" in text
    assert "answer" in widget_text(tui.app.query_one("#variables-table"))
    assert tui.app.code_input.text == ""

    result = await tui.run("answer + 1")
    assert "Out[2]:  43" in tui.visible_transcript()
    assert result.execution_count == 2
    assert "kernel ● idle" in widget_text(tui.app.status)


async def test_enter_on_an_incomplete_statement_adds_an_indented_line(tui: Harness) -> None:
    await tui.type("for i in range(2):")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: "\n" in tui.app.code_input.text)
    assert tui.app.code_input.text == "for i in range(2):\n    "
    assert tui.cells() == []

    await tui.pilot.press(*"print(i * 10)")
    cell = await tui.run("", key="ctrl+j")  # force-run, even though a block is open
    assert cell.code == "for i in range(2):\n    print(i * 10)"
    assert "0\n         10" in tui.transcript_text()

    forced = await tui.run("if True:\n    x = 1", key="f5")
    assert forced.status is ExecutionStatus.OK


async def test_errors_show_tracebacks_and_the_app_goes_on(tui: Harness) -> None:
    raised = await tui.run("1 / 0")
    assert raised.status is ExecutionStatus.ERROR
    assert "ZeroDivisionError" in tui.transcript_text()
    assert "✗ error" in tui.visible_transcript()

    invalid = await tui.run("print(1))")  # "invalid": Enter runs it, the kernel reports it
    assert invalid.status is ExecutionStatus.ERROR
    assert "SyntaxError" in tui.transcript_text()

    fine = await tui.run("'still here'")
    assert fine.status is ExecutionStatus.OK
    assert "'still here'" in tui.visible_transcript()


async def test_ctrl_c_interrupts_a_running_cell_and_never_quits(tui: Harness) -> None:
    await tui.type("while True: pass")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: tui.session.kernel_state is KernelState.BUSY)
    cell = tui.cells()[-1]
    await tui.settle()
    assert "In [ ]:" in tui.visible_transcript()

    await tui.pilot.press("ctrl+c")
    await tui.wait_until(lambda: cell.status is not None, 10)
    assert cell.status is ExecutionStatus.INTERRUPTED
    assert tui.app.is_running
    assert "KeyboardInterrupt" in tui.transcript_text()

    after = await tui.run("2 + 2")
    assert after.status is ExecutionStatus.OK
    assert "Out[2]:  4" in tui.visible_transcript()


async def test_kernel_death_is_shown_and_restart_brings_a_new_kernel(tui: Harness) -> None:
    pid_cell = await tui.run("import os; print(os.getpid())")
    pid = int(pid_cell.outputs[0].text.strip())  # type: ignore[union-attr]

    os.kill(pid, signal.SIGKILL)
    took = await tui.wait_until(lambda: "● dead" in widget_text(tui.app.status), 5)
    assert took < 3
    await tui.settle()
    assert "The kernel died" in tui.transcript_text()
    assert "Press F8 to restart the kernel" in tui.transcript_text()
    note = tui.app.query_one("#variables-note")
    await tui.wait_until(lambda: "variables are gone" in " ".join(widget_text(note).split()), 3)

    await tui.type("1 + 1")  # refused while dead: shown, and the code is kept
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: "restart it before running" in tui.transcript_text())
    assert tui.app.code_input.text == "1 + 1"
    assert tui.app.is_running

    await tui.pilot.press("f8")
    assert isinstance(tui.app.screen, ConfirmScreen)
    await tui.pilot.press("y")
    await tui.wait_until(lambda: tui.session.kernel_state is KernelState.IDLE, 30)
    tui.app.code_input.load_text("")
    after = await tui.run("'new kernel'")
    assert after.status is ExecutionStatus.OK
    text = tui.transcript_text()
    assert str(pid) in text  # the transcript is intact
    assert "Kernel restarted" in text
    assert "'new kernel'" in text


async def test_input_in_a_cell_is_answered_in_a_prompt(tui: Harness) -> None:
    await tui.type("name = input('who? ')")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: isinstance(tui.app.screen, InputPromptScreen))
    prompt = tui.app.screen
    assert isinstance(prompt, InputPromptScreen)
    assert "who?" in prompt.prompt
    assert not prompt.password
    await tui.pilot.press(*"Ada", "enter")
    await tui.wait_until(lambda: tui.cells()[-1].status is not None)
    assert (await tui.run("print(name.upper())")).status is ExecutionStatus.OK
    assert "who? Ada" in tui.transcript_text()  # as a terminal shows it
    assert "ADA" in tui.transcript_text()

    await tui.type("import getpass; len(getpass.getpass('key: '))")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: isinstance(tui.app.screen, InputPromptScreen))
    await tui.pilot.press(*"hunter2", "enter")
    await tui.wait_until(lambda: tui.cells()[-1].status is not None)
    await tui.settle()
    assert "key: " in tui.transcript_text() and "hunter2" not in tui.transcript_text()

    await tui.type("import getpass; secret = getpass.getpass('pw: ')")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: isinstance(tui.app.screen, InputPromptScreen))
    assert tui.app.screen.password  # type: ignore[attr-defined]
    await tui.pilot.press("ctrl+c")  # interrupts the kernel, closes the prompt
    cell = tui.cells()[-1]
    await tui.wait_until(lambda: cell.status is not None)
    assert cell.status is not ExecutionStatus.OK
    assert not isinstance(tui.app.screen, InputPromptScreen)
    assert (await tui.run("'after'")).status is ExecutionStatus.OK


async def test_up_and_down_walk_the_input_history(tui: Harness) -> None:
    await tui.run("a = 1")
    await tui.run("b = 2")
    await tui.type("draft")
    await tui.pilot.press("up")
    assert tui.app.code_input.text == "b = 2"
    await tui.pilot.press("up")
    assert tui.app.code_input.text == "a = 1"
    await tui.pilot.press("down", "down")
    assert tui.app.code_input.text == "draft"


async def test_f1_help_and_the_palette_list_every_action(tui: Harness) -> None:
    await tui.pilot.press("f1")
    assert isinstance(tui.app.screen, HelpScreen)
    shown = widget_text(tui.app.screen.query_one("#help-table"))
    for action in ACTIONS:
        assert keys_label(action).split(" / ")[0] in shown, action
        assert action.title in shown, action
    await tui.pilot.press("escape")
    assert not isinstance(tui.app.screen, HelpScreen)

    titles = {command.title for command in tui.app.get_system_commands(tui.app.screen)}
    for action in ACTIONS:
        if action.in_palette and action.action not in ("quit", "help"):
            shown = f"{action.title} · {keys_label(action)}" if action.keys else action.title
            assert shown in titles, action  # with its keys, so the palette teaches them
