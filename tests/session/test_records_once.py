"""A kernel the app drives records each cell once, in the app's ledger, even when that
kernel has pairrepl's magics loaded (the "pairrepl" kernelspec, which ``--server``
picks first). A real ``jupyter server`` whose data dir holds that kernelspec; a second
client on the same kernel plays a notebook: its cells are the in-kernel session's."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_client.session import Session as MessageSession

import pairrepl
from pairrepl.core.events import CellSubmitted
from pairrepl.kernel import ServerKernel
from pairrepl.kernel.kernelspec import KERNEL_NAME, install_kernelspec
from pairrepl.kernel.server_api import ServerApi
from pairrepl.kernel.websocket import decode, encode, open_websocket
from pairrepl.ledger import Ledger
from pairrepl.session import Session
from tests.jupyter_server import JupyterServer


@pytest.fixture(scope="module")
def server_with_pairrepl_kernelspec(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[JupyterServer]:
    server = JupyterServer(tmp_path_factory.mktemp("server-with-magics"))
    with pytest.MonkeyPatch.context() as patch:  # `pairrepl install-kernel --user` there
        patch.setenv("JUPYTER_DATA_DIR", server.environment()["JUPYTER_DATA_DIR"])
        install_kernelspec(pairrepl.__version__, user=True)
    with server:
        yield server


def ledgers_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob(".pairrepl/ledger.sqlite3"))


def cells_in(ledger_root: Path) -> list[str]:
    with Ledger.open(ledger_root) as ledger:
        return [
            entry.event.code
            for info in ledger.sessions()
            for entry in ledger.entries(info.id)
            if isinstance(entry.event, CellSubmitted)
        ]


async def run_as_a_notebook(server: JupyterServer, kernel_id: str, code: str) -> None:
    """One cell from another client of the kernel (JupyterLab, say)."""
    api = ServerApi(server.url, server.token)
    session = MessageSession(session=str(uuid.uuid4()))
    connection = await open_websocket(api.websocket_request(kernel_id, session.session))
    try:
        request = session.msg("execute_request", {"code": code, "silent": False})
        connection.write_message(encode("shell", request))
        while True:
            frame = await asyncio.wait_for(connection.read_message(), 30)
            assert frame is not None, "the server closed the websocket"
            channel, message = decode(frame)
            replied = message["parent_header"].get("msg_id") == request["header"]["msg_id"]
            if channel == "shell" and replied:
                assert message["content"]["status"] == "ok", message["content"]
                return
    finally:
        connection.close()


async def test_the_apps_cells_land_in_one_ledger_a_notebooks_in_the_kernels(
    tmp_path: Path, server_with_pairrepl_kernelspec: JupyterServer
) -> None:
    server = server_with_pairrepl_kernelspec
    kernel = ServerKernel(server.url, server.token)
    with Ledger.open(tmp_path) as ledger:
        session = await Session.start(tmp_path, kernel, ledger)
        try:
            assert kernel.kernel_name == KERNEL_NAME  # the magics' kernelspec, as a user gets
            magics = await session.run(
                "get_ipython().magics_manager.registry.get('PairreplMagics') is not None"
            )
            assert magics.outputs[-1].text == "True"  # the magics are loaded in that kernel
            await session.run("x = 41 + 1")
            assert ledgers_under(server.directory) == []  # no second ledger on the server side
            assert kernel.kernel_id is not None
            await run_as_a_notebook(server, kernel.kernel_id, "y = x + 1")
        finally:
            await session.close()
    app_cells = cells_in(tmp_path)
    assert "x = 41 + 1" in app_cells and "y = x + 1" not in app_cells
    (kernel_ledger,) = ledgers_under(server.directory)
    kernel_cells = cells_in(kernel_ledger.parent.parent)
    assert kernel_cells == ["y = x + 1"]  # the notebook's cell, once; none of the app's
