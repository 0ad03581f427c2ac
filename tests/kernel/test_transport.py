"""Local kernels talk over Unix sockets in a folder only this user can read, not over TCP
ports; ``--existing`` connects over whatever its connection file says. The kernel's
listening sockets are read from /proc (Linux).

One TCP port stays: ipykernel itself binds ``tcp://127.0.0.1`` for the output of
processes its kernel forks (``ipykernel/iostream.py`` ``IOPubThread._setup_pipe_in``,
whatever the transport; messages on it must carry a random 16-byte key). No setting
moves it; the test checks that it is the only one and that it is that pipe."""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from jupyter_client.manager import AsyncKernelManager

from pairrepl.core.execution import ExecutionStatus
from pairrepl.kernel import ExistingKernel, LocalKernel
from pairrepl.kernel.local import CurrentInterpreterKernelSpecs
from tests.processes import sockets_of, tcp_ports_listened_on_by

from .conftest import RecordingSink

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


async def forked_output_pipe(kernel: LocalKernel) -> list[int]:
    """ipykernel's own port for the output of forked processes, asked of the kernel."""
    sink = RecordingSink()
    await kernel.execute("print(get_ipython().kernel.iopub_thread._pipe_port)", sink)
    return [int(sink.stdout())]


async def test_a_local_kernel_listens_on_no_tcp_port_of_its_own(
    start_local: Callable[[], Awaitable[LocalKernel]],
) -> None:
    kernel = await start_local()
    assert kernel.pid is not None and kernel.connection_file is not None
    assert sockets_of(kernel.pid) >= 5  # shell, iopub, stdin, control, heartbeat at least
    assert tcp_ports_listened_on_by(kernel.pid) == await forked_output_pipe(kernel)
    connection = json.loads(kernel.connection_file.read_text())
    folder = kernel.connection_file.parent
    assert connection["transport"] == "ipc" and connection["ip"].startswith(str(folder))
    assert stat.S_IMODE(folder.stat().st_mode) & 0o777 == 0o700  # (jupyter_client adds +t)
    assert sum(path.is_socket() for path in folder.iterdir()) == 5
    assert (await kernel.execute("1 + 1", RecordingSink())).status is ExecutionStatus.OK
    await kernel.restart()  # the same sockets' folder, still no TCP
    assert kernel.pid is not None
    assert tcp_ports_listened_on_by(kernel.pid) == await forked_output_pipe(kernel)
    await kernel.shutdown()
    assert not folder.exists()  # sockets and connection file gone with it


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
async def test_existing_connects_over_what_the_connection_file_says(
    tmp_path: Path, transport: str
) -> None:
    manager = AsyncKernelManager(
        kernel_spec_manager=CurrentInterpreterKernelSpecs(),
        transport=transport,
        connection_file=str(tmp_path / "kernel-elsewhere.json"),
    )
    with open(tmp_path / "owner.log", "ab") as log:
        await manager.start_kernel(stdout=log, stderr=log, cwd=str(tmp_path))
    owner = manager.client()
    owner.start_channels()
    try:
        await owner.wait_for_ready(timeout=60)
        pid = manager.provisioner.pid  # type: ignore[union-attr]
        channels = [manager.shell_port, manager.iopub_port, manager.hb_port]
        listening = tcp_ports_listened_on_by(pid)
        assert (set(channels) <= set(listening)) is (transport == "tcp")
        kernel = ExistingKernel(Path(manager.connection_file))
        await kernel.start()
        try:
            sink = RecordingSink()
            reply = await kernel.execute("print('over', 'it')", sink)
            assert reply.status is ExecutionStatus.OK and sink.stdout() == "over it\n"
        finally:
            await kernel.shutdown()
    finally:
        owner.stop_channels()
        await manager.shutdown_kernel(now=True)
