"""Child of benchmarks/startup.py: ``pairrepl PROJECT`` as the command runs it, headless.

Prints one JSON line of ``time.time()`` stamps: when the input first showed a typed key,
when the session was open (kernel started, inspector loaded: a cell can run), and when
the first cell (``1+1``) had its result.
"""

import importlib.abc
import importlib.util
import json
import sys
import time

from pairrepl import cli

stamps: dict[str, float] = {}


async def auto_pilot(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("x")  # maybe before the input exists: the app keeps it for the input
    while not (app.screen.query("CodeInput") and app.code_input.text == "x"):
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


class RunHeadlessOnceImported(importlib.abc.MetaPathFinder):
    """Makes ``PairreplApp.run`` headless and auto-piloted as its module loads: importing
    it here first would move the UI's imports before the kernel's launch, unlike the
    command."""

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "pairrepl.tui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            load(module)
            app_class = module.PairreplApp

            def run_headless(self, *, loop=None):  # type: ignore[no-untyped-def]
                textual_app = sys.modules["textual.app"].App  # imported by the app's module
                return textual_app.run(
                    self, headless=True, size=(120, 40), auto_pilot=auto_pilot, loop=loop
                )

            app_class.run = run_headless

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, RunHeadlessOnceImported())
cli.main([sys.argv[1]])
print(json.dumps(stamps))
