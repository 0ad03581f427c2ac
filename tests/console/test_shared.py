"""Sessions are shared: the app resumes the console's and the console the app's, and the
export sees no difference between them."""

from __future__ import annotations

import json
from pathlib import Path

from pairrepl.cli import main
from pairrepl.ledger import Ledger
from pairrepl.session import Session
from tests.console.conftest import ENTER, UP, console_on, console_session
from tests.session.conftest import local_kernel
from tests.tui.conftest import fresh_app, running_app


async def test_a_session_moves_between_the_console_and_the_app_and_exports_whole(
    tmp_path: Path,
) -> None:
    async with console_session(tmp_path) as session, console_on(session) as console:
        await console.run("base = 40", ENTER)
        await console.run("print('typed in the console')", ENTER)
    first_id = session.id

    ledger = Ledger.open(tmp_path)  # the app resumes it: the cells are there, not re-run
    resumed: list[Session] = []

    async def resume() -> Session:
        resumed.append(await Session.resume(tmp_path, local_kernel(tmp_path), ledger))
        return resumed[-1]

    try:
        async with running_app(resume) as tui:
            await tui.wait_until(lambda: tui.app.session is not None, 60)
            assert tui.session.id == first_id
            assert "typed in the console" in tui.transcript_text()
            await tui.run("base = 41")  # its own cell, in the same session
    finally:
        for opened in resumed:
            await opened.close()
        ledger.close()

    async with (
        console_session(tmp_path, resume=True) as session,
        console_on(session) as console,
    ):
        assert session.id == first_id
        await console.wait_for("Resumed: 3 cells")
        await console.wait_for(":rerun runs them again")  # lost with the app's kernel
        again = await console.run(UP, ENTER)  # the app's cell, from the ledger's history
        assert again.code == "base = 41"
        await console.run("base + 1", ENTER)
        assert "Out[2]: 42\n" in console.printed()

    notebook = tmp_path / "both.ipynb"
    assert main(["export", first_id, "--to", str(notebook), "--project", str(tmp_path)]) == 0
    cells = json.loads(notebook.read_text())["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    for code in ("base = 40", "print('typed in the console')", "base = 41", "base + 1"):
        assert code in sources


async def test_the_console_resumes_a_session_started_in_the_app(tmp_path: Path) -> None:
    async with fresh_app(tmp_path) as tui:
        await tui.run("made_in_the_app = 1")
        app_session = tui.session.id
    async with (
        console_session(tmp_path, resume=True) as session,
        console_on(session) as console,
    ):
        assert session.id == app_session
        again = await console.run(UP, ENTER)
        assert again.code == "made_in_the_app = 1"
