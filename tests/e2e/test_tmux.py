"""The real `pairrepl` command in a real terminal (tmux): type, read the screen, kill it.

These are the tests closest to a person at a keyboard: the installed entry point, a
real terminal, real keys, and a SIGKILL of the app followed by `--resume`.
"""

import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import kernels_running_in, process_running

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """One tmux session running one command, 160x45.

    Each terminal has a tmux server of its own (``-L``): when a killed app takes the
    last session of a shared server with it, the server exits, and a session started
    at that moment failed ("server exited unexpectedly"). COLUMNS and LINES are unset:
    once readline is imported in the test process, children inherit COLUMNS=80 LINES=24
    from it, and the app (like any curses program) believes them over the pane.
    """

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.name = f"pairrepl-test-{uuid.uuid4().hex[:8]}"
        self.tmux = ["tmux", "-L", self.name]
        shell_command = " ".join(shlex.quote(part) for part in command)
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "160",
                "-y",
                "45",
                "-c",
                str(cwd),
                f"unset COLUMNS LINES; TERM=xterm-256color exec {shell_command}",
            ],
            check=True,
        )

    def screen(self) -> str:
        result = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear on screen:\n{self.screen()}")

    def type(self, text: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, "-l", text], check=True)

    def press(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def app_pid(self) -> int:
        result = subprocess.run(
            [*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(result.stdout.strip())

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


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
    terminal.wait_for("ran_ok")
    terminal.press("C-t")  # accept it
    terminal.wait_for("accepted")


def test_the_demo_promotes_the_function_and_blame_names_the_ai(
    terminals: list[Terminal], tmp_path: Path
) -> None:
    project = tmp_path / "examples"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "examples",
        project,
        ignore=shutil.ignore_patterns(".pairrepl", "tests", "__pycache__"),
    )
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
    terminal.wait_for("ran_ok")
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

    blame = subprocess.run(
        [sys.executable, "-m", "pairrepl", "blame", "pricing.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in blame.splitlines() if "def clean_prices(raw):" in row)
    assert " ai " in line and "step 4" in line  # who wrote it, and the request behind it
    load_line = next(row for row in blame.splitlines() if "def load_prices" in row)
    assert " - " in load_line  # written before pairrepl, by hand
