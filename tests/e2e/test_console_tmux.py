"""`pairrepl console` in a real terminal (tmux): the installed entry point, real keys,
the terminal's own scrollback, and what is left when it ends."""

import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Terminal, blame_line, demo_project
from tests.processes import kernels_running_in, process_running

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def console(terminals: list[Terminal], project: Path, *args: str) -> Terminal:
    command = [sys.executable, "-m", "pairrepl", "console", str(project), *args]
    terminal = Terminal(command, project)
    terminals.append(terminal)
    terminal.wait_for("kernel idle")  # the status line under the prompt
    return terminal


def enter(terminal: Terminal, *lines: str) -> None:
    for line in lines:
        terminal.type(line)
        terminal.press("Enter")


def test_the_console_runs_interrupts_asks_promotes_and_leaves_no_kernel(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    project = demo_project(tmp_path)
    terminal = console(terminals, project)
    assert "replay:demo.replay.json" in terminal.screen()  # never passed off as a model

    enter(terminal, "from pricing import load_prices", 'prices = load_prices("prices.csv")')
    enter(terminal, "for p in prices[:2]:", "print('price', p)", "")  # an empty line ends it
    terminal.wait_for("price $0.71")

    enter(terminal, "import time; time.sleep(60)")
    terminal.wait_for("In [4]: import time")
    time.sleep(1)
    terminal.press("C-c")
    terminal.wait_for("KeyboardInterrupt")

    proposals = ("globals()", "type(prices)", "odd = [p for p", "def clean_prices(raw):")
    for turn, code in enumerate(proposals, 1):  # the fourth recorded turn: clean_prices
        enter(terminal, f"/step {turn}")
        terminal.wait_for(code)
        if turn < len(proposals):
            terminal.press("Enter")  # [Enter] later
    assert "[r]un  [e]dit  [x] reject  [f]ollow-up  [Enter] later" in terminal.screen()
    terminal.press("r")
    terminal.wait_for("✦ ai from proposal")
    terminal.press("a")
    terminal.wait_for("accepted")

    enter(terminal, ":promote")
    terminal.wait_for("+def clean_prices(raw):")  # the diff, before any write
    assert "def clean_prices" not in (project / "pricing.py").read_text()
    terminal.wait_for("Promote? [y]es")
    terminal.press("y")
    terminal.wait_for("In your own words")
    enter(terminal, "drops missing prices and parses strings like $1,200.50 into floats")
    terminal.wait_for("promoted clean_prices → pricing.py")
    terminal.wait_for("clean_prices: agrees")  # the kernel re-imported it

    app = terminal.app_pid()
    terminal.press("C-d")
    deadline = time.monotonic() + 30
    while process_running(app) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_running(app)
    assert kernels_running_in(project) == []

    line = blame_line(project, "pricing.py", "def clean_prices(raw):")
    assert " ai " in line and "step 4" in line  # who wrote it, and the request behind it
