"""The transcript's focus: F2, Up/Down select an item, plain keys act on it.

Real session, real kernel, a replay script as the AI; each test checks what the session
recorded and what the screen shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pairrepl.core.events import ReplyEdited
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.transcript import CellItem, NoteItem
from pairrepl.ledger import Ledger
from pairrepl.session import Session
from pairrepl.tui.screens import EditTextScreen
from tests.tui.conftest import Harness, local_kernel, running_app, widget_text
from tests.tui.test_ai import ai_app, answered, exchanges, status

TURN = {"text": "Here is an answer.", "usage": {"input_tokens": 100, "output_tokens": 10}}


async def test_f2_up_selects_a_cell_to_pin_and_a_note_to_hide_and_escape_goes_back(
    tui: Harness,
) -> None:
    first = await tui.run("x = 1")
    await tui.run("y = 2")
    await tui.type("remember: x is one")
    await tui.pilot.press("ctrl+n")
    await tui.wait_until(lambda: any(isinstance(i, NoteItem) for i in tui.session.transcript.items))
    note = next(i for i in tui.session.transcript.items if isinstance(i, NoteItem))
    await tui.settle()

    await tui.pilot.press("f2")
    assert tui.app.focused is tui.app.transcript
    assert tui.app.transcript.selected_item is note  # the latest item
    await tui.pilot.press("h")
    await tui.wait_until(lambda: note.note_id in tui.session.transcript.hidden)
    await tui.wait_until(lambda: "⊘ hidden from AI" in tui.transcript_text())

    await tui.pilot.press("up", "k")
    assert tui.app.transcript.selected_item is first
    tui.app.transcript.flush()
    await tui.pilot.pause()
    assert "p pin · h hide" in tui.visible_transcript()  # the keys, under the selection
    await tui.pilot.press("p")
    await tui.wait_until(lambda: first.cell_id in tui.session.transcript.pinned)
    await tui.wait_until(lambda: "📌 pinned" in tui.visible_transcript())
    await tui.pilot.press("p")  # again: back to normal
    await tui.wait_until(lambda: first.cell_id not in tui.session.transcript.pinned)

    await tui.pilot.press("escape")
    assert tui.app.focused is tui.app.code_input
    assert tui.app.transcript.selected_item is None
    await tui.pilot.press("p")  # a letter typed in the input, not an action
    assert tui.app.code_input.text == "p"


async def test_enter_copies_a_cell_to_the_input_and_f_fixes_a_selected_error(
    tmp_path: Path,
) -> None:
    fix_turn = {
        "propose_cell": {"code": "ratio = 1", "rationale": "do not divide by zero"},
        "usage": {"input_tokens": 50, "output_tokens": 5},
    }
    async with ai_app(tmp_path, fix_turn) as tui:
        broken = await tui.run("ratio = 1 / 0")
        assert broken.status is ExecutionStatus.ERROR
        await tui.run("z = 3")
        await tui.pilot.press("f2", "up")
        assert tui.app.transcript.selected_item is broken
        tui.app.transcript.flush()
        await tui.pilot.pause()
        assert "f fix" in tui.visible_transcript()
        await tui.pilot.press("f")
        fix = await answered(tui, 1)
        assert "ratio = 1 / 0" in fix.request

        await tui.pilot.press("down")  # still in the transcript: the next cell
        assert tui.app.transcript.selected_item is tui.cells()[1]
        await tui.pilot.press("enter")
        assert tui.app.focused is tui.app.code_input
        assert tui.app.code_input.text == "z = 3"
        assert tui.app.transcript.selected_item is None


async def test_edit_a_past_reply_and_retry_it(tmp_path: Path) -> None:
    async with ai_app(tmp_path, TURN, TURN, TURN) as tui:
        await tui.type("/what is x?")
        await tui.pilot.press("enter")
        exchange = await answered(tui, 1)
        await tui.run("x = 1")  # the exchange is no longer the latest item

        await tui.pilot.press("f2", "up")
        assert tui.app.transcript.selected_item is exchange
        await tui.pilot.press("E")
        await tui.wait_until(lambda: isinstance(tui.app.screen, EditTextScreen))
        area = tui.app.screen.query_one("#edit-text")
        assert area.text == "Here is an answer."  # type: ignore[attr-defined]
        area.load_text("x is one, set by the human.")  # type: ignore[attr-defined]
        await tui.pilot.press("ctrl+s")
        await tui.wait_until(lambda: exchange.edited_reply == "x is one, set by the human.")
        await tui.settle()
        assert "x is one, set by the human." in tui.transcript_text()
        assert "reply edited by you" in tui.transcript_text()
        recorded = [e.event for e in tui.session._ledger.entries(tui.session.id)]
        assert any(isinstance(e, ReplyEdited) for e in recorded)
        assert exchange.reply == "Here is an answer."  # the original is kept

        await tui.pilot.press("e")  # edit the request, then cancel: nothing recorded
        await tui.wait_until(lambda: isinstance(tui.app.screen, EditTextScreen))
        await tui.pilot.press("escape")
        assert exchange.edited_request is None

        await tui.pilot.press("r")  # retry: the last exchange, asked again
        second = await answered(tui, 2)
        assert second.request == "what is x?"
        assert len(exchanges(tui)) == 2


async def test_r_runs_a_selected_loaded_cell(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    cells = [
        {"cell_type": "code", "id": f"c{n}", "metadata": {}, "source": source, "outputs": []}
        | {"execution_count": None}
        for n, source in enumerate(["first = 1", "second = 2"])
    ]
    notebook.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    )
    with Ledger.open(tmp_path) as ledger:

        async def start() -> Session:
            return await Session.start(tmp_path, local_kernel(tmp_path), ledger, notebook=notebook)

        async with running_app(start) as tui:
            await tui.wait_until(lambda: tui.app.session is not None, 60)
            await tui.settle()
            loaded = [c for c in tui.cells() if c.loaded_from is not None]
            await tui.pilot.press("f2")
            assert tui.app.transcript.selected_item is loaded[1]
            await tui.pilot.press("r")  # the second, not the next: the one selected
            await tui.wait_until(lambda: "second" in tui.session.namespace.by_name(), 30)
            assert "first" not in tui.session.namespace.by_name()
            await tui.settle()
            assert loaded[1].rerun_as is not None
        await tui.session.close()


async def test_status_shows_cost_and_a_meter_of_the_next_request(tmp_path: Path) -> None:
    async with ai_app(tmp_path, TURN) as tui:
        await tui.type("/hello")
        await tui.pilot.press("enter")
        await answered(tui, 1)

        def meter() -> int:
            found = re.search(r"ctx ([\d.]+)(k?)/", status(tui))
            assert found, status(tui)
            return int(float(found[1]) * (1000 if found[2] else 1))

        await tui.wait_until(lambda: "$0.00" in status(tui))
        await tui.wait_until(lambda: tui.app._preview_tokens is not None)
        before = meter()
        await tui.run("print('a long line of output ' * 40)")
        await tui.wait_until(lambda: meter() > before)
        assert isinstance(tui.cells()[-1], CellItem)
        assert "cost unknown" not in widget_text(tui.app.status)
