"""Keys arriving faster than the app answers them: fast typing, tmux, a paste."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key

from tests.tui.conftest import Harness


def burst(tui: Harness, typed: str) -> None:
    """Send keys the way a terminal delivers a fast typist or ``tmux send-keys``: all at
    once, without waiting for the app to handle one before the next arrives. A newline
    in ``typed`` is the Enter key."""
    driver = tui.app._driver
    assert driver is not None
    for character in typed:
        if character == "\n":
            event = events.Key("enter", "\r")
        else:
            event = events.Key(_character_to_key(character), character)
        event.set_sender(tui.app)
        driver.send_message(event)


async def test_enter_then_fast_typing_never_merges_two_cells(tui: Harness) -> None:
    burst(tui, "answer = 6 * 7\nprint(f'the answer is {answer}')\n")
    await tui.wait_until(lambda: len(tui.cells()) == 2 and tui.cells()[1].status is not None)
    first, second = tui.cells()
    assert first.code == "answer = 6 * 7"
    assert second.code == "print(f'the answer is {answer}')"
    assert "the answer is 42" in tui.transcript_text()
    assert tui.app.code_input.text == ""


async def test_keys_typed_after_enter_on_an_open_block_go_on_its_next_line(tui: Harness) -> None:
    burst(tui, "for i in range(2):\nprint(i * 10)\n\n'after'\n")
    await tui.wait_until(lambda: len(tui.cells()) == 2 and tui.cells()[1].status is not None)
    loop, after = tui.cells()
    assert loop.code.rstrip() == "for i in range(2):\n    print(i * 10)"
    assert after.code == "'after'"
    assert "10" in tui.transcript_text()
