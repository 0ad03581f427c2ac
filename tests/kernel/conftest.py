"""Shared fixtures for the kernel adapter tests: real ipykernel processes, no mocks.

The contract every ``KernelBackend`` keeps is tested once, against each adapter: the
``shared_kernel`` and ``start_kernel`` fixtures are parametrized over a ``LocalKernel``
and a ``ServerKernel`` on a real ``jupyter server`` (one per test run, started here).
One kernel of each kind is shared per test module (``shared_kernel``); tests that kill,
restart or shut down a kernel start their own with ``start_kernel`` (or ``start_local``
for what only a local kernel has: a pid we own, a connection file, a log).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.outputs import Output, ResultOutput, StreamOutput
from pairrepl.kernel import KernelBackend, LocalKernel, ServerKernel
from tests.jupyter_server import JupyterServer

#: The backends of the contract suite. "gateway" (a real Jupyter Enterprise Gateway)
#: runs only with ``pytest -m gateway`` (``.ci/run`` does, after tests/gateway_venv.sh).
KINDS = ["local", "server", pytest.param("gateway", marks=pytest.mark.gateway)]
SERVERS = {"server": "jupyter_server", "gateway": "enterprise_gateway"}


class RecordingSink:
    """Collects outputs; answers ``input()`` from a list of prepared answers."""

    def __init__(self, answers: list[str] | None = None) -> None:
        self.outputs: list[Output] = []
        self.answers = list(answers or [])
        self.prompts: list[tuple[str, bool]] = []

    def output(self, output: Output) -> None:
        self.outputs.append(output)

    async def input_requested(self, prompt: str, password: bool) -> str:
        self.prompts.append((prompt, password))
        return self.answers.pop(0)

    def stdout(self) -> str:
        return "".join(
            o.text for o in self.outputs if isinstance(o, StreamOutput) and o.name == "stdout"
        )

    def kinds(self) -> list[str]:
        return [o.kind for o in self.outputs]


class StateLog:
    def __init__(self) -> None:
        self.states: list[KernelState] = []
        self.times: list[float] = []

    def __call__(self, state: KernelState) -> None:
        self.states.append(state)
        self.times.append(time.monotonic())

    async def wait_for(self, state: KernelState, timeout: float) -> float:
        """Seconds until ``state`` was reported (raises on timeout)."""
        start = time.monotonic()
        while state not in self.states:
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{state} not reported within {timeout}s: {self.states}")
            await asyncio.sleep(0.02)
        return self.times[self.states.index(state)] - start


async def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def local_kernel(directory: Path) -> LocalKernel:
    return LocalKernel(
        cwd=directory, log_path=directory / ".pairrepl" / "kernel.log", withheld_variables=()
    )


def make_kernel(kind: str, directory: Path, server: JupyterServer | None) -> KernelBackend:
    if server is None:
        return local_kernel(directory)
    return ServerKernel(server.url, server.token, reconnect_delays=(0.1, 0.2, 0.4))


def server_for(kind: str, request: pytest.FixtureRequest) -> JupyterServer | None:
    """The Jupyter Server or Enterprise Gateway behind ``kind``; None for a local kernel."""
    fixture = SERVERS.get(kind)
    return request.getfixturevalue(fixture) if fixture else None


async def kernel_pid(kernel: KernelBackend) -> int:
    """The kernel process's pid, asked of the kernel itself (the server's kernels run on
    this machine in the tests)."""
    sink = RecordingSink()
    reply = await kernel.execute("__import__('os').getpid()", sink)
    assert reply.status is ExecutionStatus.OK
    result = sink.outputs[-1]
    assert isinstance(result, ResultOutput)
    return int(result.text)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest_asyncio.fixture
async def start_kernel(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Callable[[], Awaitable[KernelBackend]]]:
    """Start kernels of the parametrized kind; all are shut down afterwards."""
    started: list[KernelBackend] = []

    async def start() -> KernelBackend:
        kernel = make_kernel(kind, tmp_path, server_for(kind, request))
        started.append(kernel)
        await kernel.start()
        return kernel

    yield start
    for kernel in started:
        await kernel.shutdown()


@pytest_asyncio.fixture
async def start_local(tmp_path: Path) -> AsyncIterator[Callable[[], Awaitable[LocalKernel]]]:
    """Start kernels of the test's own (same event loop); all are shut down afterwards."""
    started: list[LocalKernel] = []

    async def start() -> LocalKernel:
        kernel = local_kernel(tmp_path)
        started.append(kernel)
        await kernel.start()
        return kernel

    yield start
    for kernel in started:
        await kernel.shutdown()


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=KINDS)
async def shared_kernel(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KernelBackend]:
    kind = str(request.param)
    server = server_for(kind, request)
    kernel = make_kernel(kind, tmp_path_factory.mktemp("shared-kernel"), server)
    await kernel.start()
    yield kernel
    await kernel.shutdown()
