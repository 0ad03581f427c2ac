"""The ``pairrepl`` command: the app, and the small commands around its ledger.

This is the one place that chooses concrete adapters (which kernel, which ledger) and
hands them to ``Session``. Everything heavy is imported inside the command that needs
it, so ``pairrepl sessions`` does not pay for Textual or jupyter_client.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from pairrepl.cli.options import CommandLineError
from pairrepl.errors import PairreplError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # Ctrl+C before a front end took the keys (imports, a kernel
        print("pairrepl: interrupted.", file=sys.stderr)  # starting): no traceback
        return 130


def _run(args: list[str]) -> int:
    from pairrepl.cli.app import run_app
    from pairrepl.cli.console import run_console
    from pairrepl.cli.doctor import doctor
    from pairrepl.cli.kernels import install_kernel
    from pairrepl.cli.records import blame, export, list_sessions
    from pairrepl.cli.understanding import check, report

    commands = {
        "console": run_console,
        "sessions": list_sessions,
        "export": export,
        "doctor": doctor,
        "blame": blame,
        "report": report,
        "check": check,
        "install-kernel": install_kernel,
    }
    try:
        if args and args[0] in commands:
            return commands[args[0]](args[1:])
        return run_app(args)
    except CommandLineError as error:
        print(f"pairrepl: {error}", file=sys.stderr)
        return 2
    except PairreplError as error:  # anything pairrepl refused before a screen opened
        print(f"pairrepl: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `pairrepl blame x.py | head`: the reader has all it wanted
        # Python flushes stdout once more at exit: point it at /dev/null, so that flush
        # cannot fail and print a traceback (the recipe of the signal module's docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
