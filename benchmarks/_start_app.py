"""Child of benchmarks/startup.py: ``pairrepl PROJECT`` as the command runs it, headless.

Prints one JSON line of ``time.time()`` stamps: when the input first showed a typed key,
when the session was open (kernel started, inspector loaded: a cell can run), and when
the first cell (``1+1``) had its result.
"""

import json
import sys
import time

from textual.app import App

from pairrepl import cli
from pairrepl.tui import PairreplApp

stamps: dict[str, float] = {}


async def auto_pilot(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("x")
    while app.code_input.text != "x":
        await pilot.pause(0.001)
    stamps["first_key"] = time.time()
    while app.session is None:
        await pilot.pause(0.002)
    stamps["session_open"] = time.time()
    app.code_input.clear()
    app.code_input.insert("1+1")
    await pilot.press("enter")
    session = app.session
    while not (cells := session.transcript.code_cells()) or cells[-1].status is None:
        await pilot.pause(0.002)
    stamps["first_result"] = time.time()
    app.exit()


def run_headless(self: PairreplApp) -> None:
    App.run(self, headless=True, size=(120, 40), auto_pilot=auto_pilot)


PairreplApp.run = run_headless  # type: ignore[method-assign]
cli.main([sys.argv[1]])
print(json.dumps(stamps))
