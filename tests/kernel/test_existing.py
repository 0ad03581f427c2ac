"""Attaching to a kernel someone else started (``--existing``): use it, never own it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from jupyter_client.manager import AsyncKernelManager

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.inspection import ObjectPath
from pairrepl.kernel import ExistingKernel, KernelUnavailable
from pairrepl.kernel.local import CurrentInterpreterKernelSpecs

from .conftest import RecordingSink, StateLog


class Owner:
    """The other program that started the kernel (like a Jupyter server)."""

    def __init__(self, manager: AsyncKernelManager) -> None:
        self.manager = manager
        self.client = manager.client()

    @property
    def connection_file(self) -> Path:
        return Path(self.manager.connection_file)

    async def run(self, code: str) -> dict[str, Any]:
        reply = await self.client.execute_interactive(code, timeout=10, output_hook=lambda m: None)
        content: dict[str, Any] = reply["content"]
        return content


@pytest_asyncio.fixture
async def owner(tmp_path: Path) -> AsyncIterator[Owner]:
    manager = AsyncKernelManager(kernel_spec_manager=CurrentInterpreterKernelSpecs())
    manager.autorestart = False
    with open(tmp_path / "owner.log", "ab") as log:
        await manager.start_kernel(stdout=log, stderr=log)
    owner = Owner(manager)
    owner.client.start_channels()
    await owner.client.wait_for_ready(timeout=30)
    yield owner
    owner.client.stop_channels()
    await manager.shutdown_kernel(now=True)


async def test_attach_run_and_disconnect_leaves_the_kernel_running(owner: Owner) -> None:
    await owner.run("shared_value = 5")
    kernel = ExistingKernel(owner.connection_file)
    await kernel.start()
    assert not kernel.owned and owner.connection_file.name in kernel.description
    sink = RecordingSink()
    reply = await kernel.execute("print(shared_value * 2)", sink)
    assert reply.status is ExecutionStatus.OK and sink.stdout() == "10\n"
    assert reply.namespace is not None and "shared_value" in reply.namespace.by_name()

    with pytest.raises(KernelUnavailable, match="started by someone else"):
        await kernel.restart()

    await kernel.shutdown()
    assert await owner.manager.is_alive()
    assert (await owner.run("assert shared_value == 5"))["status"] == "ok"


async def test_interrupt_goes_over_the_control_channel(owner: Owner) -> None:
    kernel = ExistingKernel(owner.connection_file)
    await kernel.start()
    states = StateLog()
    kernel.watch(states)
    try:
        running = asyncio.create_task(kernel.execute("while True: pass", RecordingSink()))
        await states.wait_for(KernelState.BUSY, timeout=5)
        await asyncio.sleep(0.2)
        await kernel.interrupt()
        assert (await asyncio.wait_for(running, 10)).status is ExecutionStatus.INTERRUPTED
        assert (await kernel.execute("1", RecordingSink())).status is ExecutionStatus.OK
    finally:
        await kernel.shutdown()


async def test_death_is_seen_through_the_heartbeat(owner: Owner) -> None:
    kernel = ExistingKernel(owner.connection_file)
    await kernel.start()
    states = StateLog()
    kernel.watch(states)
    try:
        pid = owner.manager.provisioner.pid  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
        assert await states.wait_for(KernelState.DEAD, timeout=2.5) < 2.5
    finally:
        await kernel.shutdown()


async def test_without_pairrepl_kernel_the_inspector_is_sent_as_source_and_says_so(
    owner: Owner,
) -> None:
    await owner.run(
        "import sys\nfor name in [m for m in sys.modules if m.startswith('pairrepl')]:\n"
        "    del sys.modules[name]\nsys.modules['pairrepl_kernel'] = None\nhere = 1"
    )
    kernel = ExistingKernel(owner.connection_file)
    await kernel.start()
    try:
        assert kernel.extension_error is None
        notice = kernel.extension_notice
        assert "pairrepl-kernel is not installed for this kernel's Python" in notice
        assert f"{sys.executable} -m pip install 'pairrepl-kernel==0.1.0'" in notice
        assert "sent its own copy as source text (a fallback)" in notice
        assert "\n" not in notice
        summary = await kernel.namespace()
        assert summary.error is None and "here" in summary.by_name()
        inspection = await kernel.inspect(ObjectPath.name("here"))
        assert inspection.error is None and inspection.repr == "1"
        assert (
            await owner.run(
                "assert 'pairrepl_kernel' not in sys.modules or "
                "sys.modules['pairrepl_kernel'] is None"
            )
        )["status"] == "ok"
    finally:
        await kernel.shutdown()


async def test_a_kernel_speaking_another_protocol_gets_our_copy_and_the_install_line(
    owner: Owner,
) -> None:
    await owner.run("import pairrepl_kernel\npairrepl_kernel.PROTOCOL_VERSION = 99")
    kernel = ExistingKernel(owner.connection_file)
    await kernel.start()
    try:
        assert kernel.extension_error is None
        notice = kernel.extension_notice
        assert "pairrepl-kernel 0.1.0 speaks protocol 99, this pairrepl speaks 1" in notice
        assert "-m pip install 'pairrepl-kernel==0.1.0'" in notice
        await owner.run("there = 2")
        assert "there" in (await kernel.namespace()).by_name()
    finally:
        await kernel.shutdown()


async def test_a_kernel_with_pairrepl_kernel_loads_its_own_and_says_nothing(owner: Owner) -> None:
    kernel = ExistingKernel(owner.connection_file)
    await kernel.start()
    try:
        assert kernel.extension_error is None and kernel.extension_notice == ""
        loaded = await owner.run("import sys\nassert '_pairrepl_kernel_sent' not in sys.modules")
        assert loaded["status"] == "ok"
    finally:
        await kernel.shutdown()


async def test_without_an_inspector_namespace_explains_and_never_raises(owner: Owner) -> None:
    # get_ipython shadowed: neither the package nor the source can install the inspector.
    await owner.run("import sys\nsys.modules['pairrepl_kernel'] = None\nget_ipython = None")
    kernel = ExistingKernel(owner.connection_file)
    await kernel.start()
    try:
        summary = await kernel.namespace()
        assert summary.error is not None and "pip install pairrepl-kernel" in summary.error
        reply = await kernel.execute("x = 1", RecordingSink())
        assert reply.status is ExecutionStatus.OK
        assert reply.namespace is not None and reply.namespace.error is not None
        assert (await kernel.inspect(ObjectPath.name("x"))).error is not None
        # Completion and help fall back to the plain Jupyter requests.
        assert "x_long_name" in (await kernel.complete("x_long_name = 2\nx_lo", 20)).matches
        assert "Type:" in (await kernel.help("x?", 1, 0)).text
    finally:
        await kernel.shutdown()


async def test_missing_connection_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KernelUnavailable, match="no connection file"):
        await ExistingKernel(tmp_path / "kernel-nope.json").start()
