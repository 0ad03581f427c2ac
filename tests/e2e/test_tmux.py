"""The real `pairrepl` command in a real terminal (tmux): type, read the screen, kill it.

These are the tests closest to a person at a keyboard: the installed entry point, a
real terminal, real keys, and a SIGKILL of the app followed by `--resume`.
"""

import os
import shutil
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Terminal, blame_line, demo_project
from tests.processes import kernels_running_in, process_running

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def pairrepl(terminals: list[Terminal], project: Path, *args: str) -> Terminal:
    terminal = Terminal([sys.executable, "-m", "pairrepl", str(project), *args], project)
    terminals.append(terminal)
    terminal.wait_for("idle")
    return terminal


def test_type_a_cell_and_read_the_answer(terminals: list[Terminal], tmp_path: Path) -> None:
    terminal = pairrepl(terminals, tmp_path)
    terminal.type("answer = 6 * 7")
    terminal.press("Enter")
    terminal.type("print(f'the answer is {answer}')")
    terminal.press("Enter")
    screen = terminal.wait_for("the answer is 42")
    assert "answer" in screen  # the variables pane lists it too


def test_quitting_before_the_kernel_is_up_leaves_no_kernel_running(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    """The kernel is launched before the UI exists; a quit that comes first stops it too."""
    terminal = Terminal([sys.executable, "-m", "pairrepl", str(tmp_path)], tmp_path)
    terminals.append(terminal)
    app = terminal.app_pid()
    terminal.wait_for("starting kernel", timeout=10)  # earlier, the tty would eat Ctrl+Q
    terminal.press("C-q")
    deadline = time.monotonic() + 30
    while process_running(app) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_running(app)
    assert kernels_running_in(tmp_path) == []


def test_app_killed_then_resumed_shows_every_cell_it_had_shown(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    first = pairrepl(terminals, tmp_path)
    for n in range(3):
        first.type(f"print('shown' + '-{n}')")  # the output, not the echo, says shown-n
        first.press("Enter")
        first.wait_for(f"shown-{n}")
    os.kill(first.app_pid(), signal.SIGKILL)

    ledger = tmp_path / ".pairrepl" / "ledger.sqlite3"
    with sqlite3.connect(ledger) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    second = pairrepl(terminals, tmp_path, "--resume")
    screen = second.screen()
    for n in range(3):
        assert f"shown-{n}" in screen
    assert "new kernel" in screen


def test_the_readme_demo_asks_the_replay_and_runs_only_on_a_key(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    project = tmp_path / "examples"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples", project)
    terminal = pairrepl(terminals, project)
    assert "replay:demo.replay.json" in terminal.screen()  # never passed off as a model

    terminal.type("/what is defined so far?")
    terminal.press("Enter")
    screen = terminal.wait_for("proposed")
    assert "globals()" in screen  # the proposal's code is shown...
    assert "Out[" not in screen  # ...and nothing ran

    terminal.press("C-r")  # run the proposal
    terminal.wait_for("ran ok")
    terminal.press("C-t")  # accept it
    terminal.wait_for("accepted")


def test_the_demo_promotes_the_function_and_blame_names_the_ai(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    project = demo_project(tmp_path)
    terminal = pairrepl(terminals, project)
    terminal.type("from pricing import load_prices")
    terminal.press("Enter")
    terminal.type('prices = load_prices("prices.csv")')
    terminal.press("Enter")
    terminal.wait_for("In [2]:")
    proposals = ("globals()", "type(prices)", "odd = [p for p", "def clean_prices")
    for turn, code in enumerate(proposals, 1):  # the fourth recorded turn: clean_prices
        terminal.type(f"/step {turn}")
        terminal.press("Enter")
        terminal.wait_for(code)
    terminal.press("C-r")
    terminal.wait_for("ran ok")
    terminal.press("C-t")
    terminal.wait_for("accepted")

    terminal.press("C-s")
    screen = terminal.wait_for("+def clean_prices(raw):")  # the diff, before any write
    assert "adds: clean_prices" in screen
    assert "def clean_prices" not in (project / "pricing.py").read_text()
    terminal.type("drops missing prices and parses strings like $1,200.50 into floats")
    terminal.press("Enter")
    terminal.wait_for("promoted clean_prices → pricing.py")
    terminal.wait_for("clean_prices: agrees")  # the kernel re-imported it
    assert "def clean_prices(raw):" in (project / "pricing.py").read_text()

    line = blame_line(project, "pricing.py", "def clean_prices(raw):")
    assert " ai " in line and "step 4" in line  # who wrote it, and the request behind it
    load_line = blame_line(project, "pricing.py", "def load_prices")
    assert " - " in load_line  # written before pairrepl, by hand
