"""Start, death, restart and shutdown of kernels we own. Each test has its own kernel.

The first tests are the contract of every backend that owns its kernel, run against a
local kernel and a kernel on a Jupyter Server (``start_kernel`` is parametrized); the
last ones are about what only a local kernel has (a connection file, a log, a cwd).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.kernel import KernelBackend, KernelUnavailable, LocalKernel
from tests.processes import process_running

from .conftest import RecordingSink, StateLog, kernel_pid, local_kernel

StartKernel = Callable[[], Awaitable[KernelBackend]]

#: Seconds until a killed kernel is reported dead. A Jupyter Server (or Enterprise
#: Gateway) notices by polling the process (every second in these tests, every 3 s by
#: default) and tells us.
DEATH_NOTICED = {"local": 2.0, "server": 3.0, "gateway": 3.0}


async def test_first_cell_after_start_shows_all_its_output(start_kernel: StartKernel) -> None:
    kernel = await start_kernel()
    sink = RecordingSink()
    reply = await kernel.execute("print('first')\n'value'", sink)
    assert reply.status is ExecutionStatus.OK
    assert [o.text for o in sink.outputs] == ["first\n", "'value'"]
    assert reply.namespace is not None and reply.namespace.error is None
    assert kernel.owned
    if isinstance(kernel, LocalKernel):
        assert f"pid {kernel.pid}" in kernel.description


async def test_sigkill_while_idle_is_reported_dead_and_not_restarted(
    start_kernel: StartKernel, kind: str
) -> None:
    kernel = await start_kernel()
    states = StateLog()
    kernel.watch(states)
    pid = await kernel_pid(kernel)
    os.kill(pid, signal.SIGKILL)
    assert (
        await states.wait_for(KernelState.DEAD, timeout=DEATH_NOTICED[kind]) < DEATH_NOTICED[kind]
    )
    await asyncio.sleep(1.0)
    # No restart behind the human's back (a server restarts the process, but its
    # variables are gone: the kernel stays dead for us until the human restarts it).
    assert states.states[-1] is KernelState.DEAD
    assert not process_running(pid)
    with pytest.raises(KernelUnavailable):
        await kernel.execute("1", RecordingSink())
    assert "died" in (await kernel.namespace()).error  # type: ignore[operator]


async def test_a_cell_that_kills_the_kernel_returns_died(
    start_kernel: StartKernel, kind: str
) -> None:
    kernel = await start_kernel()
    states = StateLog()
    kernel.watch(states)
    started = time.monotonic()
    # Dies before its busy/execute_input get out: still DIED, and the queued cell ABORTED.
    dying = asyncio.create_task(kernel.execute("import os; os._exit(1)", RecordingSink()))
    queued = asyncio.create_task(kernel.execute("print('never')", RecordingSink()))
    reply = await asyncio.wait_for(dying, 10)
    assert reply.status is ExecutionStatus.DIED
    assert reply.namespace is None
    assert time.monotonic() - started < DEATH_NOTICED[kind] + 0.5
    assert (await asyncio.wait_for(queued, 5)).status is ExecutionStatus.ABORTED
    assert KernelState.DEAD in states.states


async def test_restart_after_death_gives_a_fresh_monitored_kernel(
    start_kernel: StartKernel, kind: str
) -> None:
    kernel = await start_kernel()
    states = StateLog()
    kernel.watch(states)
    await kernel.execute("old = 1", RecordingSink())
    os.kill(await kernel_pid(kernel), signal.SIGKILL)
    await states.wait_for(KernelState.DEAD, timeout=DEATH_NOTICED[kind])

    await kernel.restart()
    assert states.states[-1] is KernelState.IDLE
    sink = RecordingSink()
    reply = await kernel.execute("print('again')\nnew = 2", sink)
    assert sink.stdout() == "again\n"
    assert reply.namespace is not None
    assert reply.namespace.error is None  # the inspector was loaded again
    assert set(reply.namespace.by_name()) == {"new"}

    states.states.clear()
    os.kill(await kernel_pid(kernel), signal.SIGKILL)
    await states.wait_for(KernelState.DEAD, timeout=DEATH_NOTICED[kind])  # still watched


async def test_restart_while_a_cell_runs_ends_it_and_empties_the_namespace(
    start_kernel: StartKernel,
) -> None:
    kernel = await start_kernel()
    await kernel.execute("old = 1", RecordingSink())
    running = asyncio.create_task(kernel.execute("import time; time.sleep(30)", RecordingSink()))
    await asyncio.sleep(0.3)
    await kernel.restart()
    assert (await asyncio.wait_for(running, 5)).status is ExecutionStatus.DIED
    assert (await kernel.namespace()).variables == ()


async def test_shutdown_stops_the_process_and_removes_the_connection_file(
    tmp_path: Path,
) -> None:
    kernel = local_kernel(tmp_path)
    await kernel.start()
    pid, connection_file = kernel.pid, kernel.connection_file
    assert pid is not None and connection_file is not None and connection_file.exists()
    await kernel.shutdown()
    assert not process_running(pid)
    assert not connection_file.exists()
    await kernel.shutdown()  # a second call is harmless


async def test_a_launched_kernel_boots_unattended_until_start_connects_to_it(
    tmp_path: Path,
) -> None:
    """``pairrepl`` launches its kernel before importing the UI, and starts it later."""
    kernel = local_kernel(tmp_path)
    try:
        await kernel.launch()
        pid = kernel.pid
        assert pid is not None and process_running(pid)
        with pytest.raises(KernelUnavailable, match="not running"):
            await kernel.execute("1", RecordingSink())
        with pytest.raises(KernelUnavailable, match="already launched"):
            await kernel.launch()
        await kernel.start()
        assert kernel.pid == pid  # the launched process, not a second one
        reply = await kernel.execute("import os; os.getpid()", sink := RecordingSink())
        assert reply.status is ExecutionStatus.OK and sink.outputs[-1].text == str(pid)
    finally:
        await kernel.shutdown()
    assert not process_running(pid)


async def test_kernel_fd_output_goes_to_the_log_not_our_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    kernel = local_kernel(tmp_path)
    await kernel.start()
    try:
        await kernel.execute(
            "import os; os.write(1, b'LEAK-OUT\\n'); os.write(2, b'LEAK-ERR\\n')", RecordingSink()
        )
    finally:
        await kernel.shutdown()
    captured = capfd.readouterr()
    assert "LEAK" not in captured.out + captured.err
    log = kernel.log_path.read_text()
    assert "LEAK-OUT" in log and "LEAK-ERR" in log


async def test_a_kernel_that_cannot_start_raises_kernel_unavailable(tmp_path: Path) -> None:
    kernel = LocalKernel(
        cwd=tmp_path / "no-such-dir", log_path=tmp_path / "kernel.log", withheld_variables=()
    )
    states = StateLog()
    kernel.watch(states)
    with pytest.raises(KernelUnavailable, match="did not start"):
        await kernel.launch()  # pairrepl ignores this, and start() says it on screen:
    with pytest.raises(KernelUnavailable, match="did not start"):
        await kernel.start()
    assert states.states[-1] is KernelState.DEAD
    with pytest.raises(KernelUnavailable):
        await kernel.execute("1", RecordingSink())
