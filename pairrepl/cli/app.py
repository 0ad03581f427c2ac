"""``pairrepl [PROJECT]``: the Textual app on a session, with the kernel the options choose."""

from __future__ import annotations

import argparse
import sys

from pairrepl.cli.opening import add_session_options, session_opening


def app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pairrepl",
        description=(
            "A REPL on a live IPython kernel where the AI proposes and the human runs. "
            "Other commands: 'pairrepl console' (the same in a line-mode console), "
            "'pairrepl sessions', 'pairrepl export SESSION_ID --to FILE.ipynb', "
            "'pairrepl doctor', 'pairrepl blame FILE', 'pairrepl report', "
            "'pairrepl install-kernel'."
        ),
    )
    add_session_options(parser)
    return parser


def run_app(args: list[str]) -> int:
    options = app_parser().parse_args(args)
    with session_opening(options, front_end="tui") as opening:
        from pairrepl.tui import PairreplApp

        app = PairreplApp(opening.open_session, title=f"pairrepl · {opening.root.name}")
        try:
            app.run(loop=opening.loop)
        finally:
            opening.handed_over = app.session is not None  # the app closes a session it opened
    if app.open_error is not None:  # said on screen; said again once the screen is gone
        print(f"pairrepl: {app.open_error}", file=sys.stderr)
        return 1
    return 0
