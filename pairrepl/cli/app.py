"""``pairrepl [PROJECT]``: the Textual app on a session, with the kernel the options choose."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pairrepl.kernel.backend import KernelBackend

from pairrepl.cli.options import (
    CommandLineError,
    add_provider_options,
    add_server_options,
    check_server_options,
    local_kernel,
    preflight_server,
    project_root_from,
    server_kernel,
    session_settings,
)


def app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pairrepl",
        description=(
            "A REPL on a live IPython kernel where the AI proposes and the human runs. "
            "Other commands: 'pairrepl sessions', 'pairrepl export SESSION_ID --to FILE.ipynb', "
            "'pairrepl doctor', 'pairrepl blame FILE', 'pairrepl report', "
            "'pairrepl install-kernel'."
        ),
    )
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
        "--budget",
        type=int,
        metavar="TOKENS",
        help="the most the AI's context may use (default: [tool.pairrepl] context_budget, else 8000)",
    )
    return parser


def run_app(args: list[str]) -> int:
    options = app_parser().parse_args(args)
    root = project_root_from(options.project)
    if options.resume is not None and options.notebook:
        raise CommandLineError("--resume and --from cannot be used together.")
    notebook = Path(options.notebook).resolve() if options.notebook else None
    if notebook is not None and not notebook.is_file():
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
        try:  # an unknown id fails here, before the screen opens
            ledger.resolve(options.resume or None)
        except SessionNotFound as error:
            ledger.close()
            raise CommandLineError(str(error)) from error

    # A kernel we own boots in its own process while this one imports the UI (Textual
    # and the rest take most of a second): both on the loop the app then runs on,
    # because the kernel's sockets belong to the loop that made them.
    loop = asyncio.new_event_loop()
    kernel = _chosen_kernel(options, root, connection, ledger.state_dir)
    app = None
    try:
        if isinstance(kernel, LocalKernel):
            with contextlib.suppress(KernelUnavailable):  # start() tries again, on screen
                loop.run_until_complete(kernel.launch())
        settings = session_settings(root, options)  # the AI's settings: after the launch

        from pairrepl.session import Session
        from pairrepl.tui import PairreplApp

        async def open_session() -> Session:
            if options.resume is not None:
                session = await Session.resume(
                    root, kernel, ledger, options.resume or None, settings=settings
                )
            else:
                session = await Session.start(
                    root, kernel, ledger, notebook=notebook, settings=settings
                )
            session.hint_mode = options.hint
            return session

        app = PairreplApp(open_session, title=f"pairrepl · {root.name}")
        app.run(loop=loop)
    finally:
        if app is None or app.session is None:  # the app closes a session it opened;
            loop.run_until_complete(kernel.shutdown())  # else the kernel is stopped here
        loop.close()
        ledger.close()
    return 0


def _chosen_kernel(
    options: argparse.Namespace, root: Path, connection: Path | None, state_dir: Path
) -> KernelBackend:
    if options.server is not None:
        return server_kernel(options)
    if connection is not None:
        from pairrepl.kernel.existing import ExistingKernel

        return ExistingKernel(connection)
    return local_kernel(root, state_dir / "kernel.log")
