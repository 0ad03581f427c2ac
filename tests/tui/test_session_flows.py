"""Whole-session flows in the app: resume and re-run, notebook cells, quitting, failures."""

from __future__ import annotations

import json
from pathlib import Path

from textual import events

from pairrepl.core.events import SessionClosed
from pairrepl.core.execution import ExecutionStatus
from pairrepl.ledger import Ledger
from pairrepl.session import Session
from tests.tui.conftest import (
    Harness,
    local_kernel,
    running_app,
    widget_text,
)


async def test_resume_shows_the_transcript_and_f9_reruns_the_lost_cells(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        first = await Session.start(tmp_path, local_kernel(tmp_path), ledger)
        await first.run("base = 10")
        await first.run("total = base * 3\nprint('total', total)")
        await first.close()

        async def resume() -> Session:
            return await Session.resume(tmp_path, local_kernel(tmp_path), ledger)

        async with running_app(resume) as tui:
            await tui.wait_until(lambda: tui.app.session is not None, 60)
            await tui.settle()
            text = tui.visible_transcript()
            assert "total 30" in text  # the old outputs are back
            assert "Session resumed on a new kernel" in text
            assert "Press F9 to re-run the 2 cell(s) lost with the kernel" in text
            assert tui.session.namespace.by_name().get("total") is None  # nothing re-ran

            await tui.pilot.press("f9")
            await tui.wait_until(lambda: "total" in tui.session.namespace.by_name(), 30)
            await tui.settle()
            assert tui.session.transcript.cells_lost_with_kernel() == []
            table = tui.app.query_one("#variables-table")
            await tui.wait_until(lambda: "total" in widget_text(table), 10)  # pane refreshes
            assert tui.transcript_text().count("total 30") == 2
        await tui.session.close()


async def test_notebook_cells_are_shown_not_run_until_f6_or_f7(tmp_path: Path) -> None:
    notebook = tmp_path / "analysis.ipynb"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# Prices\nclean them up"},
        {
            "cell_type": "code",
            "metadata": {},
            "source": "a = 1",
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": "b = a + 1",
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": "print(a + b)",
            "outputs": [],
            "execution_count": None,
        },
    ]
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    notebook.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    )
    with Ledger.open(tmp_path) as ledger:

        async def start() -> Session:
            return await Session.start(tmp_path, local_kernel(tmp_path), ledger, notebook=notebook)

        async with running_app(start) as tui:
            await tui.wait_until(lambda: tui.app.session is not None, 60)
            await tui.settle()
            text = tui.visible_transcript()
            assert "Note     Prices" in text
            assert text.count("[loaded]") == 3
            assert "F6 runs the next, F7 runs them all" in tui.transcript_text()
            assert all(cell.status is None for cell in tui.cells())  # nothing ran by itself

            await tui.pilot.press("f6")
            await tui.wait_until(lambda: "a" in tui.session.namespace.by_name(), 30)
            assert "b" not in tui.session.namespace.by_name()

            await tui.pilot.press("f7")
            await tui.wait_until(lambda: not tui.session.transcript.pending_loaded_cells(), 30)
            ran = [cell for cell in tui.cells() if cell.loaded_from is None]
            await tui.wait_until(lambda: all(cell.status is not None for cell in ran), 30)
            assert [cell.status for cell in ran] == [ExecutionStatus.OK] * 3
            await tui.settle()
            assert "         3" in tui.transcript_text()
        await tui.session.close()


async def test_ctrl_q_leaves_and_the_session_is_closed(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:

        async def start() -> Session:
            return await Session.start(tmp_path, local_kernel(tmp_path), ledger)

        async with running_app(start) as tui:
            await tui.wait_until(lambda: tui.app.session is not None, 60)
            await tui.run("x = 1")
            key = events.Key("ctrl+q", None)  # sent as a terminal would: Pilot.press
            key.set_sender(tui.app)  # would wait for a screen that never comes back
            tui.app._driver.send_message(key)  # type: ignore[union-attr]
            await tui.wait_until(lambda: tui.app.return_code is not None, 20)
        recorded = [entry.event for entry in ledger.entries(tui.session.id)]
    assert isinstance(recorded[-1], SessionClosed)


async def test_a_session_that_cannot_open_is_shown_and_the_app_stays(tmp_path: Path) -> None:
    async def broken() -> Session:
        raise RuntimeError("no python3 kernelspec here")

    async with running_app(broken) as tui:
        await tui.wait_until(lambda: tui.app.status.kernel == "failed")
        startup = tui.app.query_one("#startup")
        await tui.wait_until(lambda: "Ctrl+Q quits" in widget_text(startup), 5)
        assert "Could not open the session: no python3 kernelspec here" in widget_text(startup)
        assert "● failed" in widget_text(tui.app.status)
        await tui.pilot.press("x", "enter", "f5", "ctrl+c", "f8", "f9")  # nothing breaks
        assert tui.app.is_running


async def test_a_failing_action_is_shown_and_never_ends_the_app(tui: Harness) -> None:
    async def failing() -> None:
        raise RuntimeError("the adapter broke")

    tui.app._guarded(failing(), "demo")
    await tui.wait_until(
        lambda: "demo failed: RuntimeError: the adapter broke" in tui.transcript_text()
    )
    assert tui.app.is_running
    assert (await tui.run("'fine'")).status is ExecutionStatus.OK


async def test_the_palette_offers_every_action(tui: Harness) -> None:
    from textual.command import CommandPalette

    await tui.pilot.press("ctrl+p")
    await tui.wait_until(lambda: isinstance(tui.app.screen, CommandPalette))
    await tui.pilot.press(*"restart")
    await tui.pilot.pause(0.3)
    assert "Restart the kernel" in widget_text(tui.app.screen.query_one("CommandList"))
