"""What the app looks like at the sizes terminals really have: the main screen, the
promotion dialog, the help and the inspector at 80×24, 120×40 and 200×60 (issue 19).

Each is the screen's text, compared with tests/tui/snapshots/<screen>-<size>.txt after
blanking what differs between runs (ids, times, addresses, token counts) and the runs of
blanks those shift. What it guards: what is on screen, where lines break, what is cut. A real kernel
and a replayed AI make the scene. To accept a deliberate change:
PAIRREPL_UPDATE_SNAPSHOTS=1 pytest tests/tui/test_snapshots.py, then read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pairrepl.agent import Agent, ReplayProvider
from pairrepl.core.inspection import ObjectPath
from pairrepl.session import PromotionSettings, SessionSettings
from pairrepl.tui.inspector import InspectorScreen
from pairrepl.tui.promotion import PromoteScreen
from pairrepl.tui.screens import HelpScreen
from tests.tui.conftest import Harness, fresh_app, replay_script

SNAPSHOTS = Path(__file__).parent / "snapshots"
REPLY = (
    "Sort after dropping repeats: the exact diff of what changes is what a promotion shows "
    "before anything is written to the file, so nothing surprising lands there."
)
VOLATILE = [
    (re.compile(r"\b\d+(\.\d+)? (ms|s)\b"), "# ms"),  # durations
    # a dialog that covers a line just after a duration cuts it where the duration's
    # width says: what little shows between them is dropped
    (re.compile(r"# ms[^█│\n]{0,12}█"), "# ms█"),
    (re.compile(r"0x[0-9a-f]+"), "0x…"),  # addresses in reprs
    (re.compile(r"#[0-9a-f]{1,6}"), "#……"),  # proposal and promotion ids (cut by a dialog too)
    (re.compile(r"session [0-9a-f]{8}"), "session ……"),
    (re.compile(r"\b\d+(\.\d+)?k?(/\d+k)? tokens?\b"), "# tokens"),
    (re.compile(r"ctx \d+(\.\d+)?k?/"), "ctx #/"),
    (re.compile(r"\d+ in / \d+ out"), "# in / # out"),
    (re.compile(r"\d+ B\b"), "# B"),
    (re.compile(r"[▁▂▃▄▅▆▇]"), "▄"),  # a scrollbar's thumb, drawn to an eighth of a row
    (re.compile(r" {2,}"), "  "),  # what a blanked value of another length shifted
]


def screen_text(tui: Harness, project: str) -> str:
    """The whole screen as text, dialogs over the main screen included, with what
    differs between runs blanked."""
    strips = tui.app.screen._compositor.render_strips()
    text = "\n".join(strip.text.rstrip() for strip in strips).replace(project, "project")
    for pattern, blank in VOLATILE:
        text = pattern.sub(blank, text)
    return text + "\n"


def check(name: str, text: str) -> None:
    expected = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("PAIRREPL_UPDATE_SNAPSHOTS") or not expected.exists():
        expected.write_text(text)
    assert text == expected.read_text(), f"{name} changed: PAIRREPL_UPDATE_SNAPSHOTS=1 to accept"


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_screens_at_real_terminal_sizes(tmp_path: Path, size: tuple[int, int]) -> None:
    script = replay_script(
        tmp_path / "script.json",
        {
            "text": REPLY,
            "propose_cell": {
                "code": "def unique_sorted(values):\n    return sorted(set(values))\n\n"
                "prices = unique_sorted([3, 1, 3])",
                "rationale": "Deduplicate, then sort.",
            },
        },
    )
    settings = SessionSettings(
        agent=Agent(ReplayProvider.from_file(script)),
        promotion=PromotionSettings(default_target="shop.py"),  # [tool.pairrepl] promote_to
    )
    size_name = f"{size[0]}x{size[1]}"
    async with fresh_app(tmp_path, settings, size=size) as tui:
        await tui.run("x = 42\nwords = 'the exact diff is what a promotion shows, word by word'")
        await tui.run(
            "def add(a, b):\n    return a + b  # a comment long enough to fold in the pane"
            " at every size we try, under its own indentation",
            key="ctrl+j",
        )
        await tui.type("/dedupe the prices")
        await tui.pilot.press("enter")
        await tui.wait_until(lambda: tui.app.review.display and not tui.app._answering)
        await tui.pilot.press("ctrl+r")
        await tui.wait_until(lambda: len(tui.cells()) == 3 and tui.cells()[-1].status is not None)
        await tui.settle()
        await tui.pilot.pause(0.3)
        check(f"main-{size_name}", screen_text(tui, tmp_path.name))

        await tui.pilot.press("ctrl+t", "ctrl+s")
        await tui.wait_until(lambda: isinstance(tui.app.screen, PromoteScreen))
        await tui.pilot.pause(0.3)
        check(f"promote-{size_name}", screen_text(tui, tmp_path.name))
        await tui.pilot.press("escape")

        await tui.pilot.press("f1")
        await tui.wait_until(lambda: isinstance(tui.app.screen, HelpScreen))
        await tui.pilot.pause(0.3)
        check(f"help-{size_name}", screen_text(tui, tmp_path.name))
        await tui.pilot.press("escape")

        await tui.wait_until(lambda: not isinstance(tui.app.screen, HelpScreen))
        tui.app._open_inspector(ObjectPath.name("words"))
        await tui.wait_until(lambda: isinstance(tui.app.screen, InspectorScreen))
        screen = tui.app.screen
        assert isinstance(screen, InspectorScreen)
        await tui.wait_until(lambda: screen.inspection is not None)
        await tui.pilot.pause(0.3)
        check(f"inspector-{size_name}", screen_text(tui, tmp_path.name))
