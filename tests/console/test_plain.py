"""Plain output and scripts: no colour, no cursor movement, every change of state in a
sentence; a script on standard input runs one complete statement at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pairrepl.cli.console import wants_plain
from pairrepl.core.proposals import ProposalState
from tests.console.conftest import console_on, console_session, replay_settings
from tests.processes import kernels_running_in

SCRIPT = textwrap.dedent(
    """\
    # a comment goes with the statement after it
    def grow(n):
        return n * 2
    grow(21)
    for i in range(2):
        print('row', i)
    else:
        print('no break')
    name = input('who? ')
    Ada
    print('hello', name)
    1 / 0
    /a proposal please
    :run
    :accept
    :promote --to grown.py --why "doubles its argument"
    def double(n):
        return n + n
    :promote --to grown.py
    :promote --to grown.py --replace
    """
)


async def test_a_script_runs_each_statement_and_prints_what_a_person_would_have_seen(
    tmp_path: Path,
) -> None:
    settings = replay_settings(
        tmp_path / "script.json",
        {
            "text": "One function.",
            "propose_cell": {"code": "def double(n):\n    return n * 2", "rationale": "Doubles."},
        },
    )
    async with (
        console_session(tmp_path, settings) as session,
        console_on(session, plain=True, script=SCRIPT) as console,
    ):
        grown = tmp_path / "grown.py"
        await console.wait_until(lambda: grown.exists() and "n + n" in grown.read_text(), 90)
    printed = console.out.getvalue()
    assert "\x1b" not in printed  # no colour, no cursor movement
    assert not any(mark in printed for mark in "│✦✓✗⇪")  # no marks or box drawing

    cells = [cell.code for cell in session.transcript.code_cells()]
    assert cells[:5] == [
        "# a comment goes with the statement after it\ndef grow(n):\n    return n * 2",
        "grow(21)",
        "for i in range(2):\n    print('row', i)\nelse:\n    print('no break')",
        "name = input('who? ')",
        "print('hello', name)",
    ]
    for seen in (
        "In [1]: # a comment goes with the statement after it\n   ...: def grow(n):\n",
        "In [1] ran without error in",
        "In [2]: grow(21)\nOut[2]: 42\n",
        "row 0\nrow 1\nno break\n",
        "who? Ada\n",  # the prompt, and the answer the script gave
        "hello Ada\n",
        "In [6] raised an error",
        "The AI proposes cell",
        "(the AI's code) def double(n):",
        "It ran proposal",
        "is now accepted.",
        "Promoted double into grown.py",
        # a replacement needs a yes: refused in a script, then written with --replace
        "This replaces `double` (2 lines → 2) in grown.py. Nothing was written",
        "(:promote --replace / --force)",
    ):
        assert seen in printed, seen
    proposal = next(iter(session.transcript.proposals.values()))
    assert proposal.proposal.state is ProposalState.PROMOTED
    assert "def double(n):" in (tmp_path / "grown.py").read_text()


def test_plain_is_chosen_for_dumb_terminals_no_colour_and_no_terminal(tmp_path: Path) -> None:
    with (tmp_path / "out").open("w") as not_a_terminal:
        assert wants_plain({"TERM": "xterm-256color"}, not_a_terminal)
    controller, terminal = os.openpty()
    with os.fdopen(terminal, "w") as out:
        assert not wants_plain({"TERM": "xterm-256color"}, out)
        assert wants_plain({"TERM": "dumb"}, out)
        assert wants_plain({"TERM": "xterm-256color", "NO_COLOR": "1"}, out)
    os.close(controller)


def test_pairrepl_console_reads_a_piped_script_and_leaves_no_kernel(tmp_path: Path) -> None:
    script = "x = 6 * 7\nprint('the answer is', x)\nx\n:hint\n"
    done = subprocess.run(
        [sys.executable, "-m", "pairrepl", "console", str(tmp_path)],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "In [1]: x = 6 * 7\nIn [1] ran without error" in done.stdout
    assert "the answer is 42\n" in done.stdout
    assert "Out[3]: 42\n" in done.stdout
    assert "Hint mode on" in done.stdout
    assert kernels_running_in(tmp_path) == []
