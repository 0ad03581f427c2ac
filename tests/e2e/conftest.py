"""A real terminal for the end-to-end tests: one tmux session running one command."""

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


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


def demo_project(tmp_path: Path) -> Path:
    """A copy of the README's demo project (examples/), without what a run leaves there."""
    project = tmp_path / "examples"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "examples",
        project,
        ignore=shutil.ignore_patterns(".pairrepl", "tests", "__pycache__"),
    )
    return project


def blame_line(project: Path, file: str, text: str) -> str:
    """The line of ``pairrepl blame FILE`` that shows ``text``."""
    blame = subprocess.run(
        [sys.executable, "-m", "pairrepl", "blame", file],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(row for row in blame.splitlines() if text in row)
