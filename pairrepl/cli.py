"""The ``pairrepl`` command: the app, and the small commands around its ledger.

This is the one place that chooses concrete adapters (which kernel, which ledger) and
hands them to ``Session``. Everything heavy is imported inside the command that needs
it, so ``pairrepl sessions`` does not pay for Textual or jupyter_client.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

SUBCOMMANDS = ("sessions", "export")
PROJECT_MARKERS = ("pyproject.toml", ".pairrepl", ".git")


class UsageError(Exception):
    """A mistake in the command line or its arguments; the message says how to fix it."""


def find_project_root(start: Path) -> Path:
    """The nearest folder, from ``start`` upward, that looks like a project; else ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return start


def project_root_from(argument: str | None) -> Path:
    if argument is None:
        return find_project_root(Path.cwd())
    root = Path(argument).expanduser()
    if not root.is_dir():
        raise UsageError(f"{argument} is not a folder; give the project folder to work in.")
    return root.resolve()


def app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pairrepl",
        description=(
            "A REPL on a live IPython kernel where the AI proposes and the human runs. "
            "Other commands: 'pairrepl sessions', 'pairrepl export SESSION_ID --to FILE.ipynb'."
        ),
    )
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    parser.add_argument(
        "--existing",
        metavar="CONNECTION_FILE",
        help="attach to a running kernel (it is left running on exit)",
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        metavar="SESSION_ID",
        help="reopen a recorded session (the latest if no id) on a new kernel",
    )
    parser.add_argument(
        "--from",
        dest="notebook",
        metavar="NOTEBOOK",
        help="start with a notebook's cells shown, not run",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "sessions":
            return list_sessions(args[1:])
        if args and args[0] == "export":
            return export(args[1:])
        return run_app(args)
    except UsageError as error:
        print(f"pairrepl: {error}", file=sys.stderr)
        return 2


def run_app(args: list[str]) -> int:
    options = app_parser().parse_args(args)
    root = project_root_from(options.project)
    if options.resume is not None and options.notebook:
        raise UsageError("--resume and --from cannot be used together.")
    notebook = Path(options.notebook).resolve() if options.notebook else None
    if notebook is not None and not notebook.is_file():
        raise UsageError(f"no notebook at {options.notebook}.")
    connection = Path(options.existing).resolve() if options.existing else None
    if connection is not None and not connection.is_file():
        raise UsageError(f"no connection file at {options.existing}.")

    from pairrepl.kernel import ExistingKernel, LocalKernel
    from pairrepl.ledger import Ledger, SessionNotFound
    from pairrepl.session import Session
    from pairrepl.tui import PairreplApp

    ledger = Ledger.open(root)
    if options.resume is not None:
        try:  # an unknown id fails here, before the screen opens
            ledger.resolve(options.resume or None)
        except SessionNotFound as error:
            ledger.close()
            raise UsageError(str(error)) from error

    async def open_session() -> Session:
        if connection is not None:
            kernel = ExistingKernel(connection)
        else:
            kernel = LocalKernel(root, ledger.state_dir / "kernel.log")
        if options.resume is not None:
            return await Session.resume(root, kernel, ledger, options.resume or None)
        return await Session.start(root, kernel, ledger, notebook=notebook)

    try:
        PairreplApp(open_session, title=f"pairrepl · {root.name}").run()
    finally:
        ledger.close()
    return 0


def list_sessions(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pairrepl sessions", description="List the sessions.")
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    options = parser.parse_args(args)

    from pairrepl.ledger import Ledger

    ledger = Ledger.open(project_root_from(options.project))
    try:
        sessions = ledger.sessions()
        if not sessions:
            print("No sessions yet. Start one with: pairrepl")
            return 0
        print(f"{'SESSION':<14}{'STARTED':<18}{'LAST':<18}{'CELLS':>6}  STATE")
        for info in sessions:
            state = "closed" if info.closed else "open/crashed"
            print(
                f"{info.id:<14}{_when(info.started_at):<18}{_when(info.last_at):<18}"
                f"{info.cells:>6}  {state}"
            )
    finally:
        ledger.close()
    return 0


def export(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl export", description="Write a session as a Jupyter notebook."
    )
    parser.add_argument("session", help="a session id (or a unique prefix of one)")
    parser.add_argument("--to", required=True, metavar="FILE.ipynb", help="the notebook to write")
    parser.add_argument("--project", help="the project folder (default: found from here)")
    options = parser.parse_args(args)
    target = Path(options.to)
    if target.suffix != ".ipynb":
        raise UsageError(f"--to must name a .ipynb file, not {options.to}.")

    from pairrepl.ledger import Ledger, SessionNotFound, export_notebook

    ledger = Ledger.open(project_root_from(options.project))
    try:
        session_id = ledger.resolve(options.session)
        export_notebook(ledger.entries(session_id), target)
    except SessionNotFound as error:
        raise UsageError(str(error)) from error
    finally:
        ledger.close()
    print(f"Wrote {target} (session {session_id}).")
    return 0


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
