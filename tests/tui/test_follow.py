"""The transcript follows the newest output unless the human scrolled up (issue 19).

In a real app at 80×24, where the review pane opening takes many of the transcript's
rows: fast output, a pane that opens, output that arrives after its cell ended, then a
human who scrolls up and is told, not dragged, when more arrives below.
"""

from __future__ import annotations

from pathlib import Path

from pairrepl.agent import Agent, ReplayProvider
from pairrepl.session import SessionSettings
from tests.tui.conftest import Harness, fresh_app, replay_script, widget_text


def at_bottom(tui: Harness) -> bool:
    view = tui.app.transcript
    return view.following and round(view.scroll_y) >= view.max_scroll_y


async def test_the_transcript_follows_unless_scrolled_up(tmp_path: Path) -> None:
    script = replay_script(
        tmp_path / "script.json",
        {"text": "Here.", "propose_cell": {"code": "y = 1", "rationale": "A start."}},
    )
    settings = SessionSettings(agent=Agent(ReplayProvider.from_file(script)))
    async with fresh_app(tmp_path, settings, size=(80, 24)) as tui:
        view = tui.app.transcript
        await tui.run("for i in range(300): print('fast', i)")
        assert at_bottom(tui) and "fast 299" in tui.visible_transcript()

        await tui.type("/go on")  # the reply and a review pane that takes rows away
        await tui.pilot.press("enter")
        await tui.wait_until(lambda: tui.app.review.display and not tui.app._answering)
        await tui.settle()
        await tui.pilot.pause(0.2)
        assert at_bottom(tui) and "y = 1" in tui.visible_transcript()

        # Output after the cell ended (a thread) is the newest content: shown.
        await tui.run(
            "import threading, time\n"
            "def later():\n    time.sleep(0.5)\n    print('late line')\n"
            "threading.Thread(target=later).start()"
        )
        await tui.wait_until(lambda: "late line" in tui.transcript_text())
        await tui.settle()
        await tui.wait_until(lambda: "late line" in tui.visible_transcript(), 5)
        assert at_bottom(tui)

        # The human scrolls up: new output does not move the view, and the pane says so.
        await tui.pilot.press("pageup")
        await tui.pilot.pause(0.2)
        assert not view.following
        where = view.scroll_y
        await tui.run("print('while you read')")
        assert view.scroll_y == where
        pane = tui.app.query_one("#transcript-pane")
        assert "new below" in str(pane.border_subtitle)

        # Back at the bottom it follows again.
        while not view.following:
            await tui.pilot.press("pagedown")
            await tui.pilot.pause(0.1)
        await tui.run("print('and now')")
        assert at_bottom(tui) and "and now" in tui.visible_transcript()
        assert not pane.border_subtitle
        assert "kernel" in widget_text(tui.app.status)
