"""``pairrepl console [PROJECT]``: the same loop in a line-mode console (prompt_toolkit).

It takes the app's options (``cli/opening.py``) and ``--plain``; plain is also chosen
when the terminal is dumb (``TERM=dumb``), colour is unwanted (``NO_COLOR``) or the
output is not a terminal. With a script on standard input (``pairrepl console <
script.py``) it runs each complete statement in order and prints what a person would
have seen.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from pairrepl.cli.opening import SessionOpening, add_session_options, session_opening


def console_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pairrepl console",
        description=(
            "The pairing loop in a line-mode console: IPython's prompt on a live kernel, "
            "/question asks the AI, :help lists the commands. Sessions are shared with the "
            "app (pairrepl): either resumes the other's."
        ),
    )
    add_session_options(parser)
    parser.add_argument(
        "--plain",
        action="store_true",
        help="no colour, no cursor movement, every change of state said in a sentence "
        "(also when TERM=dumb, NO_COLOR is set, or the output is not a terminal)",
    )
    return parser


def wants_plain(environ: Mapping[str, str], out: TextIO) -> bool:
    """Plain output for a dumb terminal, a wish for no colour, or no terminal at all."""
    return (
        environ.get("TERM", "").lower() in ("dumb", "unknown")
        or bool(environ.get("NO_COLOR"))
        or not out.isatty()
    )


def run_console(args: list[str]) -> int:
    options = console_parser().parse_args(args)
    plain = options.plain or wants_plain(os.environ, sys.stdout)
    with session_opening(options, front_end="console") as opening:
        try:
            return opening.loop.run_until_complete(_console(opening, plain=plain))
        except KeyboardInterrupt:  # before the console took Ctrl+C over: stop the kernel
            opening.handed_over = False
            raise


async def _console(opening: SessionOpening, *, plain: bool) -> int:
    from pairrepl.console.repl import for_terminal
    from pairrepl.session import SessionError

    try:
        session = await opening.open_session()
    except SessionError as error:
        print(f"pairrepl: {error}", file=sys.stderr)
        return 1
    opening.handed_over = True  # closed below, kernel and all
    try:
        await for_terminal(session, plain=plain).run()
    finally:
        await session.close()
    return 0
