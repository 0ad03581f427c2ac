"""The ``pairrepl`` command: the app, and the small commands around its ledger.

This is the one place that chooses concrete adapters (which kernel, which ledger) and
hands them to ``Session``. Everything heavy is imported inside the command that needs
it, so ``pairrepl sessions`` does not pay for Textual or jupyter_client.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence

from pairrepl.cli.options import CommandLineError
from pairrepl.errors import PairreplError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # Ctrl+C before a front end took the keys (imports, a kernel
        print("pairrepl: interrupted.", file=sys.stderr)  # starting): no traceback
        return 130


#: Each command: the module of this package that runs it and its function there,
#: imported only when it runs (`check` in CI does not import the app or the console).
COMMANDS = {
    "console": ("console", "run_console"),
    "sessions": ("records", "list_sessions"),
    "export": ("records", "export"),
    "doctor": ("doctor", "doctor"),
    "blame": ("records", "blame"),
    "report": ("understanding", "report"),
    "check": ("understanding", "check"),
    "install-kernel": ("kernels", "install_kernel"),
}


def _command(module: str, function: str) -> Callable[[list[str]], int]:
    found: Callable[[list[str]], int] = getattr(
        importlib.import_module(f"pairrepl.cli.{module}"), function
    )
    return found


def _run(args: list[str]) -> int:
    try:
        if args and args[0] in COMMANDS:
            return _command(*COMMANDS[args[0]])(args[1:])
        return _command("app", "run_app")(args)
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
