"""What only a kernel on a Jupyter Server has: the server's errors, attaching by id,
and a connection that drops and comes back. Against a real ``jupyter server``; network
failures come from a TCP proxy between us and it (``tests/jupyter_server.py``)."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.kernel import KernelUnavailable, ServerKernel
from pairrepl.kernel.server_api import (
    ServerAuthFailed,
    ServerUnreachable,
    UnknownKernel,
    UnknownKernelSpec,
)
from tests.jupyter_server import JupyterServer, TcpProxy, free_port

from .conftest import RecordingSink, StateLog, wait_until

FAST_RECONNECT = (0.1, 0.2, 0.4)


def start_kernel_elsewhere(server: JupyterServer) -> str:
    """A kernel someone else started on the server (JupyterLab, say); its id."""
    request = urllib.request.Request(
        server.url + "/api/kernels",
        data=json.dumps({"name": "python3"}).encode(),
        headers={"Authorization": f"token {server.token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["id"])


@pytest_asyncio.fixture
async def proxy(jupyter_server: JupyterServer) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(jupyter_server.port)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest_asyncio.fixture
async def through_proxy(
    proxy: TcpProxy, jupyter_server: JupyterServer
) -> AsyncIterator[ServerKernel]:
    kernel = ServerKernel(proxy.url, jupyter_server.token, reconnect_delays=FAST_RECONNECT)
    await kernel.start()
    yield kernel
    await proxy.start()  # let the shutdown reach the server even if a test left it down
    await kernel.shutdown()


# Clear errors --------------------------------------------------------------------------


async def test_a_wrong_token_is_a_clear_error(jupyter_server: JupyterServer) -> None:
    kernel = ServerKernel(jupyter_server.url, "not-the-token")
    with pytest.raises(ServerAuthFailed, match=r"token was refused.*--token or JUPYTER_TOKEN"):
        await kernel.start()
    assert jupyter_server.get("/api/kernels") == []  # nothing was started


async def test_no_token_at_all_says_it_is_missing(jupyter_server: JupyterServer) -> None:
    with pytest.raises(ServerAuthFailed, match="token is missing"):
        await ServerKernel(jupyter_server.url).start()


async def test_an_unreachable_url_is_a_clear_error() -> None:
    kernel = ServerKernel(f"http://127.0.0.1:{free_port()}", "token")
    with pytest.raises(ServerUnreachable, match="cannot reach a Jupyter Server at http://127"):
        await kernel.start()


async def test_an_unknown_kernelspec_lists_the_ones_there(jupyter_server: JupyterServer) -> None:
    kernel = ServerKernel(jupyter_server.url, jupyter_server.token, kernel_name="julia-9")
    with pytest.raises(UnknownKernelSpec, match=r"no kernelspec 'julia-9'; it has .*python3"):
        await kernel.start()


async def test_an_unknown_kernel_id_is_a_clear_error(jupyter_server: JupyterServer) -> None:
    kernel = ServerKernel(jupyter_server.url, jupyter_server.token, kernel_id="no-such-kernel")
    with pytest.raises(UnknownKernel, match=r"has no kernel no-such-kernel.*--kernel-id"):
        await kernel.start()


# Attaching -----------------------------------------------------------------------------


async def test_attach_by_id_uses_the_kernel_and_leaves_it_running(
    jupyter_server: JupyterServer,
) -> None:
    kernel_id = start_kernel_elsewhere(jupyter_server)
    kernel = ServerKernel(jupyter_server.url, jupyter_server.token, kernel_id=kernel_id)
    await kernel.start()
    try:
        assert not kernel.owned and "attached" in kernel.description
        reply = await kernel.execute("shared = 5", RecordingSink())
        assert reply.namespace is not None and "shared" in reply.namespace.by_name()
        with pytest.raises(KernelUnavailable, match="started by someone else"):
            await kernel.restart()
    finally:
        await kernel.shutdown()
    models = jupyter_server.get("/api/kernels")
    assert kernel_id in [model["id"] for model in models]  # type: ignore[union-attr,index]
    delete = urllib.request.Request(
        f"{jupyter_server.url}/api/kernels/{kernel_id}",
        headers={"Authorization": f"token {jupyter_server.token}"},
        method="DELETE",
    )
    urllib.request.urlopen(delete, timeout=30).close()  # the other user is done with it


# A dropped connection ------------------------------------------------------------------


async def test_a_dropped_connection_reconnects_and_the_running_cell_finishes(
    through_proxy: ServerKernel, proxy: TcpProxy
) -> None:
    """Output the kernel printed while we were away arrives after the reconnect (the
    server keeps it for our session id), and the namespace is the same."""
    kernel = through_proxy
    states = StateLog()
    kernel.watch(states)
    await kernel.execute("kept = 'still here'", RecordingSink())
    sink = RecordingSink()
    running = asyncio.create_task(
        kernel.execute(
            "import time\nprint('before', flush=True)\ntime.sleep(1.5)\nprint('after')", sink
        )
    )
    await wait_until(lambda: "before" in sink.stdout(), timeout=10)
    await proxy.refuse()  # the network goes away while the cell runs...
    await states.wait_for(KernelState.DISCONNECTED, timeout=5)
    assert kernel.state_reason.startswith(proxy.url)
    with pytest.raises(KernelUnavailable, match="reconnecting"):
        await kernel.execute("1", RecordingSink())
    await asyncio.sleep(2.0)  # ...past the cell's end
    await proxy.start()
    reply = await asyncio.wait_for(running, 15)
    assert reply.status is ExecutionStatus.OK
    assert sink.stdout() == "before\nafter\n"
    after = await kernel.execute("kept", RecordingSink())
    assert after.namespace is not None and after.namespace.by_name()["kept"].repr == "'still here'"
    assert KernelState.DEAD not in states.states
    assert states.states[-1] is KernelState.IDLE


async def test_a_cut_while_idle_is_healed_at_once(
    through_proxy: ServerKernel, proxy: TcpProxy
) -> None:
    states = StateLog()
    through_proxy.watch(states)
    proxy.cut()
    await states.wait_for(KernelState.DISCONNECTED, timeout=5)
    await wait_until(lambda: states.states[-1] is KernelState.IDLE, timeout=5)
    sink = RecordingSink()
    assert (await through_proxy.execute("print('again')", sink)).status is ExecutionStatus.OK
    assert sink.stdout() == "again\n"


async def test_a_kernel_restarted_while_we_were_away_is_a_death(
    through_proxy: ServerKernel, proxy: TcpProxy, jupyter_server: JupyterServer
) -> None:
    """Same id on the server, new process: its variables are gone, so it is dead to us."""
    states = StateLog()
    through_proxy.watch(states)
    await through_proxy.execute("gone = 1", RecordingSink())
    await proxy.refuse()
    await states.wait_for(KernelState.DISCONNECTED, timeout=5)
    restart = urllib.request.Request(
        f"{jupyter_server.url}/api/kernels/{through_proxy.kernel_id}/restart",
        data=b"{}",
        headers={"Authorization": f"token {jupyter_server.token}"},
        method="POST",
    )
    await asyncio.to_thread(urllib.request.urlopen, restart, None, 30)
    await proxy.start()
    await states.wait_for(KernelState.DEAD, timeout=10)
    assert "restarted" in through_proxy.state_reason
