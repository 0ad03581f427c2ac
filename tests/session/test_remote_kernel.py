"""A session on a kernel behind a Jupyter Server: the ledger notes a connection gap, and
a server restart is a death like any other. Real server, real ledger, a TCP proxy to
cut the network."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from pairrepl.core.events import (
    CellSubmitted,
    KernelDied,
    KernelDisconnected,
    KernelReconnected,
    KernelRestarted,
)
from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.transcript import NoticeItem
from pairrepl.kernel import ServerKernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionError
from tests.jupyter_server import JupyterServer, TcpProxy


async def wait_for_state(session: Session, state: KernelState, timeout: float) -> None:
    async def reached() -> None:
        while session.kernel_state is not state:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(reached(), timeout)


@pytest_asyncio.fixture
async def proxy(jupyter_server: JupyterServer) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(jupyter_server.port)
    await proxy.start()
    yield proxy
    await proxy.close()


async def test_a_connection_gap_is_in_the_ledger_and_the_session_goes_on(
    tmp_path: Path, jupyter_server: JupyterServer, proxy: TcpProxy
) -> None:
    kernel = ServerKernel(proxy.url, jupyter_server.token, reconnect_delays=(0.1, 0.2, 0.4))
    with Ledger.open(tmp_path) as ledger:
        session = await Session.start(tmp_path, kernel, ledger)
        try:
            await session.run("kept = 42")
            await proxy.refuse()
            await wait_for_state(session, KernelState.DISCONNECTED, 5)
            with pytest.raises(SessionError, match="reconnecting"):
                await session.run("print('not now')")
            await asyncio.sleep(0.5)
            await proxy.start()
            await wait_for_state(session, KernelState.IDLE, 10)
            execution = await session.run("kept + 1")
            assert execution.status is ExecutionStatus.OK
            assert execution.outputs[-1].text == "43"
        finally:
            await session.close()
        events = [entry.event for entry in ledger.entries(session.id)]
    gap = [e for e in events if isinstance(e, KernelDisconnected | KernelReconnected)]
    assert [type(e) for e in gap] == [KernelDisconnected, KernelReconnected]
    assert gap[0].reason.startswith(proxy.url)  # type: ignore[union-attr]
    assert gap[1].gap_s >= 0.5  # type: ignore[union-attr]
    # the refused cell was never recorded: only the two that ran
    assert [e.code for e in events if isinstance(e, CellSubmitted)] == ["kept = 42", "kept + 1"]
    assert not any(isinstance(e, KernelDied) for e in events)
    notices = [i.text for i in session.transcript.items if isinstance(i, NoticeItem)]
    assert any("Lost the connection" in text for text in notices)
    assert any("Reconnected" in text for text in notices)


async def test_a_server_restart_is_recorded_as_a_death_and_restart_starts_a_new_kernel(
    tmp_path: Path,
) -> None:
    """The server shuts its kernels down when it stops: when it is back, ours is gone (a
    death, with the reason); the human's restart starts a fresh kernel there."""
    server = JupyterServer(tmp_path / "server")
    server.directory.mkdir()
    server.start()
    kernel = ServerKernel(server.url, server.token, reconnect_delays=(0.1, 0.2, 0.4))
    try:
        with Ledger.open(tmp_path) as ledger:
            session = await Session.start(tmp_path, kernel, ledger)
            try:
                await session.run("lost = 1")
                await asyncio.to_thread(server.stop)
                await wait_for_state(session, KernelState.DISCONNECTED, 10)
                await asyncio.to_thread(server.start)
                await wait_for_state(session, KernelState.DEAD, 15)
                first_id = kernel.kernel_id
                await session.restart()  # a new kernel on the server: the old id is gone
                assert kernel.kernel_id != first_id
                assert (await session.run("fresh = 2")).status is ExecutionStatus.OK
                assert [v.name for v in session.namespace.variables] == ["fresh"]
                assert [cell.code for cell in session.transcript.cells_lost_with_kernel()] == [
                    "lost = 1"
                ]
            finally:
                await session.close()
            events = [entry.event for entry in ledger.entries(session.id)]
    finally:
        await asyncio.to_thread(server.stop)
    died = [e for e in events if isinstance(e, KernelDied)]
    assert len(died) == 1 and "no longer has it" in died[0].reason
    assert any(isinstance(e, KernelRestarted) for e in events)
