"""Looking into live objects in the real app: the inspector, Tab completion and obj?.

A real kernel and ledger behind a real app, driven with Pilot like a person would."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from pairrepl.tui.inspector import InspectorScreen

from .conftest import Harness

SNAPSHOTS = Path(__file__).parent / "snapshots"


def screen_text(harness: Harness, selector: str) -> str:
    """What the screen shows inside ``selector``'s region, as plain text (dialogs drawn
    over the main screen included)."""
    app = harness.app
    region = app.screen.query_one(selector).region
    strips = app.screen._compositor.render_strips()
    lines = [strip.text[region.x : region.right] for strip in strips[region.y : region.bottom]]
    return "\n".join(line.rstrip() for line in lines)


async def open_inspector(tui: Harness, row: int = 0) -> InspectorScreen:
    """F2 twice (input → transcript → variables), the row, Enter."""
    await tui.pilot.press("f2", "f2")
    for _ in range(row):
        await tui.pilot.press("down")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: isinstance(tui.app.screen, InspectorScreen))
    screen = tui.app.screen
    assert isinstance(screen, InspectorScreen)
    await loaded(tui, screen)
    return screen


async def loaded(tui: Harness, screen: InspectorScreen) -> None:
    await tui.wait_until(
        lambda: screen.inspection is not None and screen.inspection.path == screen.path
    )
    await tui.pilot.pause()


async def test_inspect_from_the_variables_pane_drill_in_and_come_back(tui: Harness) -> None:
    await tui.run("data = {'prices': [3, 1, 2], 'name': 'shop'}\nlimit = 7")
    screen = await open_inspector(tui)
    text = screen_text(tui, "#inspector-dialog")
    assert "inspect  data" in text and "dict · 184 B (shallow) · 2 items" in text
    assert "'prices'  list  [3, 1, 2]" in " ".join(text.split("│"))
    await tui.pilot.press("enter")  # into data['prices']
    await tui.wait_until(lambda: len(screen.path.steps) == 2)
    await loaded(tui, screen)
    text = screen_text(tui, "#inspector-dialog")
    assert "inspect  data › ['prices']" in text and "items 1–3 of 3" in text
    await tui.pilot.press("backspace")
    await tui.wait_until(lambda: len(screen.path.steps) == 1)
    await tui.pilot.press("escape")
    await tui.wait_until(lambda: not isinstance(tui.app.screen, InspectorScreen))
    # One click on a name opens it too.
    table = tui.app.query_one("#variables-table")
    await tui.pilot.click(table, offset=(2, 2))  # the header, then data, then limit
    await tui.wait_until(lambda: isinstance(tui.app.screen, InspectorScreen))
    clicked = tui.app.screen
    assert isinstance(clicked, InspectorScreen)
    await loaded(tui, clicked)
    assert clicked.inspection is not None and clicked.inspection.repr == "7"


async def test_a_hanging_repr_shows_as_timed_out_and_the_next_cell_runs(tui: Harness) -> None:
    await tui.run(
        "import time\nclass Sleepy:\n    def __repr__(self):\n        time.sleep(60)\n"
        "sleepy = Sleepy()",
        key="ctrl+j",
    )
    names = [variable.name for variable in tui.session.namespace.variables]
    started = time.monotonic()
    screen = await open_inspector(tui, row=names.index("sleepy"))
    assert time.monotonic() - started < 3
    assert screen.inspection is not None and screen.inspection.repr.startswith("<timed out")
    assert "<timed out after 0.2 s>" in screen_text(tui, "#inspector-sections")
    await tui.pilot.press("escape")
    started = time.monotonic()
    cell = await tui.run("print('next')")
    assert time.monotonic() - started < 3
    assert cell.outputs[0].text == "next\n"  # type: ignore[union-attr]


async def test_tab_completes_and_obj_question_mark_shows_help_without_running(
    tui: Harness,
) -> None:
    await tui.run(
        "def greet_user(who):\n    '''Say hello.'''\n    return 'hi ' + who\n"
        "def greet_team(team):\n    return team",
        key="ctrl+j",
    )
    await tui.type("x = greet_u")
    await tui.pilot.press("tab")
    await tui.wait_until(lambda: tui.app.code_input.text == "x = greet_user")
    tui.app.code_input.load_text("")
    await tui.type("gre")
    await tui.pilot.press("tab")  # two matches: their common prefix, and the menu
    menu = tui.app.query_one("#completions")
    await tui.wait_until(lambda: menu.display)
    assert tui.app.code_input.text == "greet_"
    await tui.pilot.press("tab", "tab")  # the first, then the second
    assert tui.app.code_input.text == "greet_user"
    await tui.pilot.press("enter")  # keeps the choice; runs nothing
    assert not menu.display and tui.app.code_input.text == "greet_user"
    count = len(tui.cells())
    tui.app.code_input.load_text("")
    await tui.type("greet_user?")
    await tui.pilot.press("enter")
    panel = tui.app.query_one("#help-panel")
    await tui.wait_until(lambda: panel.display and "Signature" in screen_text(tui, "#help-panel"))
    help_text = screen_text(tui, "#help-panel")
    assert "Signature: greet_user(who)" in help_text and "Docstring: Say hello." in help_text
    assert len(tui.cells()) == count and tui.app.code_input.text == ""  # nothing ran
    await tui.pilot.press("escape")
    assert not panel.display


async def test_snapshot_of_the_inspector_on_a_dataframe(tui: Harness) -> None:
    """What the inspector looks like on a DataFrame. To accept a deliberate change:
    PAIRREPL_UPDATE_SNAPSHOTS=1 pytest tests/tui/test_inspector.py, then read the diff."""
    pytest.importorskip("pandas")
    await tui.run(
        "import pandas as pd\n"
        "prices = pd.DataFrame({'day': range(1, 9), 'price': [9.5, 9.75, None, 10.0, 10.25, "
        "None, 10.5, 11.0], 'volume': [120, 80, 95, 130, 70, 60, 150, 90]})"
    )
    names = [variable.name for variable in tui.session.namespace.variables]
    await open_inspector(tui, row=names.index("prices"))
    text = screen_text(tui, "#inspector-dialog")
    # What may differ between runs and pandas versions: the time taken, the bytes used.
    text = re.sub(r"\(\d+ ms in the kernel\)", "(… ms in the kernel)", text)
    text = re.sub(r"pandas · \d+ B ·", "pandas · … B ·", text)
    text = "\n".join(line.rstrip("█ ") for line in text.splitlines())  # so: no right edge
    expected = SNAPSHOTS / "inspector_dataframe.txt"
    if os.environ.get("PAIRREPL_UPDATE_SNAPSHOTS") or not expected.exists():
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(text + "\n")
    assert text + "\n" == expected.read_text()


async def test_an_array_on_a_gpu_is_read_only_when_asked_and_the_device_is_idle(
    tui: Harness,
) -> None:
    """The fake CUDA tensor of tests/kernel/device_arrays.py: v reads its values, not
    while its device is busy."""
    from tests.kernel import device_arrays

    await tui.run(Path(device_arrays.__file__).read_text(), key="ctrl+j")
    await tui.run("weights = JaxArray((1000, 64), 'float32')", key="ctrl+j")
    names = [variable.name for variable in tui.session.namespace.variables]
    screen = await open_inspector(tui, row=names.index("weights"))
    text = " ".join(screen_text(tui, "#inspector-dialog").split())
    assert "on gpu:1 · 250.0 KB · values not read" in text and "not read (reading one" in text
    await tui.pilot.press("v")
    await tui.wait_until(lambda: "device busy, ask again" in str(screen.inspection))
    await tui.pilot.press("escape")
    await tui.wait_until(lambda: not isinstance(tui.app.screen, InspectorScreen))
    await tui.run("Fake.busy = False", key="ctrl+j")
    screen = await open_inspector(tui, row=names.index("weights"))
    await tui.pilot.press("v")
    await tui.wait_until(lambda: "min 0.5  max 0.5  mean 0.5" in str(screen.inspection))
