"""Opening a session for a front end that drives a kernel: the app and the line console.

Both take the same options (the project, which kernel, a new or resumed session, the AI)
and open the session the same way: the options are checked before anything starts, a
kernel pairrepl owns is launched first (it boots while the front end loads), and if the
front end ends before it took the session over, the kernel is stopped here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pairrepl.cli.options import (
    CommandLineError,
    add_provider_options,
    add_server_options,
    check_server_options,
    local_kernel,
    preflight_server,
    project_root_from,
    read_settings,
    server_kernel,
    session_settings,
)

if TYPE_CHECKING:
    from pairrepl.kernel.backend import KernelBackend
    from pairrepl.ledger import Ledger
    from pairrepl.session import Session, SessionSettings


def add_session_options(parser: argparse.ArgumentParser) -> None:
    """The project, the kernel, the session and the AI: what ``pairrepl`` and
    ``pairrepl console`` both take."""
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    parser.add_argument(
        "--existing",
        metavar="CONNECTION_FILE",
        help="attach to a running kernel (it is left running on exit)",
    )
    add_server_options(parser)
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
    add_provider_options(parser)
    parser.add_argument("--hint", action="store_true", help="start in hint mode (no code)")
    parser.add_argument(
        "--profile",
        choices=("standard", "learner"),
        help="learner: hints by default, no AI code promoted verbatim, every promotion "
        "explained (README: the learner profile)",
    )
    parser.add_argument(
        "--budget",
        type=int,
        metavar="TOKENS",
        help="the most the AI's context may use (the setting context_budget; default 8000)",
    )


@dataclass
class SessionOpening:
    """A session about to open: its kernel (launched, if pairrepl owns it), the loop the
    front end must run on (the kernel's sockets belong to it), and how to open it."""

    root: Path
    loop: asyncio.AbstractEventLoop
    kernel: KernelBackend
    ledger: Ledger
    settings: SessionSettings
    hint_mode: bool  # the setting hint: the session starts in hint mode
    options: argparse.Namespace
    front_end: str
    handed_over: bool = False  # the front end took the session: it closes it and the kernel

    async def open_session(self) -> Session:
        """Start the session (or resume the one asked for) on the kernel."""
        from pairrepl.session import Session

        options = self.options
        if options.resume is not None:
            session = await Session.resume(
                self.root, self.kernel, self.ledger, options.resume or None, settings=self.settings
            )
        else:
            notebook = Path(options.notebook).resolve() if options.notebook else None
            session = await Session.start(
                self.root,
                self.kernel,
                self.ledger,
                notebook=notebook,
                front_end=self.front_end,
                settings=self.settings,
            )
        session.hint_mode = self.hint_mode
        return session


@contextlib.contextmanager
def session_opening(options: argparse.Namespace, front_end: str) -> Iterator[SessionOpening]:
    """Check the options (a mistake is a one-line ``CommandLineError`` before anything
    starts), open the ledger and launch the kernel; afterwards stop the kernel unless
    the front end took the session over, and close the loop and the ledger."""
    _folder_given_to_resume_is_the_project(options)
    root = project_root_from(options.project)
    if options.resume is not None and options.notebook:
        raise CommandLineError("--resume and --from cannot be used together.")
    if options.notebook and not Path(options.notebook).is_file():
        raise CommandLineError(f"no notebook at {options.notebook}.")
    connection = Path(options.existing).resolve() if options.existing else None
    if connection is not None and not connection.is_file():
        raise CommandLineError(f"no connection file at {options.existing}.")
    check_server_options(options)
    if options.server is not None:
        preflight_server(options)

    from pairrepl.kernel.backend import KernelUnavailable
    from pairrepl.kernel.local import LocalKernel
    from pairrepl.ledger import Ledger, SessionNotFound

    ledger = Ledger.open(root)
    if options.resume is not None:
        try:  # an unknown id fails here, before the front end opens
            ledger.resolve(options.resume or None)
        except SessionNotFound as error:
            ledger.close()
            raise CommandLineError(str(error)) from error

    # A kernel we own boots in its own process while this one imports the front end
    # (Textual and the rest take most of a second): both on the loop the front end then
    # runs on, because the kernel's sockets belong to the loop that made them.
    loop = asyncio.new_event_loop()
    kernel = _chosen_kernel(options, root, connection, ledger.state_dir)
    opening: SessionOpening | None = None
    try:
        if isinstance(kernel, LocalKernel):
            with contextlib.suppress(KernelUnavailable):  # start() tries again, and says why
                loop.run_until_complete(kernel.launch())
        settings = read_settings(root, options)  # after the launch: the kernel boots meanwhile
        opening = SessionOpening(
            root,
            loop,
            kernel,
            ledger,
            session_settings(settings),
            settings.hint,
            options,
            front_end,
        )
        yield opening
    finally:
        if opening is None or not opening.handed_over:
            loop.run_until_complete(kernel.shutdown())
        loop.close()
        ledger.close()


def _folder_given_to_resume_is_the_project(options: argparse.Namespace) -> None:
    """``pairrepl --resume myproject/``: argparse hands the folder to ``--resume`` as a
    session id. A folder is the project (its latest session is resumed)."""
    resume = options.resume
    if resume and options.project is None and Path(resume).expanduser().is_dir():
        options.project, options.resume = resume, ""


def _chosen_kernel(
    options: argparse.Namespace, root: Path, connection: Path | None, state_dir: Path
) -> KernelBackend:
    if options.server is not None:
        return server_kernel(options)
    if connection is not None:
        from pairrepl.kernel.existing import ExistingKernel

        return ExistingKernel(connection)
    return local_kernel(root, state_dir / "kernel.log")
