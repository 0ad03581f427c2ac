"""The program the "Python 3 (pairrepl)" kernelspec runs: ipykernel with pairrepl loaded.

``pairrepl install-kernel`` copies this file into the kernelspec's folder, and the
kernelspec runs it with the interpreter that installed it. It imports only the stdlib
and ipykernel, so it still works when pairrepl is missing from that environment (it was
uninstalled, or the kernelspec was copied elsewhere): the kernel then starts anyway, and
pairrepl's magics say what is wrong and how to fix it, instead of "magic not found" in
the notebook and a traceback in a server log nobody reads.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any

MAGIC_NAMES = ("ai", "proposals", "accept", "reject", "promote", "pairrepl_config")
#: Set in the kernelspec's environment: the pairrepl version that installed it.
VERSION_VARIABLE = "PAIRREPL_KERNELSPEC_VERSION"


def missing_message(error: BaseException) -> str:
    python = sys.executable
    return (
        f"pairrepl could not be loaded in this kernel ({type(error).__name__}: {error}). "
        f"The kernel runs {python}; install pairrepl there ({python} -m pip install "
        "pairrepl), or run `pairrepl install-kernel` from the environment that has it, "
        "then restart the kernel. Your code runs as usual meanwhile."
    )


def version_message(installed_by: str | None, running: str) -> str | None:
    if not installed_by or installed_by == running:
        return None
    return (
        f"this kernel runs pairrepl {running}, but its kernelspec was installed by pairrepl "
        f"{installed_by}. Run `pairrepl install-kernel` again (with {sys.executable}) to "
        "bring them together, then restart the kernel."
    )


def load_pairrepl(shell: Any) -> None:
    """Load the extension; if it cannot load, register stand-in magics that explain why.
    Either way the kernel starts. A version drift is said once, in the first cell."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # no banner into the kernel's log
            outcome = shell.extension_manager.load_extension("pairrepl")
        if outcome == "no load function":
            raise ImportError("the 'pairrepl' importable here is not pairrepl's package")
        running = getattr(sys.modules.get("pairrepl"), "__version__", "unknown")
        notice = version_message(os.environ.get(VERSION_VARIABLE), running)
    except Exception as error:
        message = missing_message(error)

        def explain(line: str = "", cell: str | None = None) -> None:
            print(f"pairrepl: {message}", file=sys.stderr)

        for name in MAGIC_NAMES:
            shell.register_magic_function(explain, "line_cell", name)
        notice = message
    if notice is not None:
        _say_once(shell, f"pairrepl: {notice}")


def _say_once(shell: Any, text: str) -> None:
    """Print ``text`` into the output of the first cell the human runs."""

    def say(*_: object) -> None:
        shell.events.unregister("pre_run_cell", say)
        print(text, file=sys.stderr)

    shell.events.register("pre_run_cell", say)


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    load_pairrepl(app.shell)
    app.start()


if __name__ == "__main__":
    main()
