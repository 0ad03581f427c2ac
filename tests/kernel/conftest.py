"""Shared fixtures for the kernel adapter tests: real ipykernel processes, no mocks.

One ``LocalKernel`` is shared per test module (``shared_kernel``); tests that kill,
restart or shut down a kernel start their own with ``start_local``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from pairrepl.core.execution import KernelState
from pairrepl.core.outputs import Output, StreamOutput
from pairrepl.kernel import LocalKernel


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
    return LocalKernel(cwd=directory, log_path=directory / ".pairrepl" / "kernel.log")


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


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_kernel(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalKernel]:
    kernel = local_kernel(tmp_path_factory.mktemp("shared-kernel"))
    await kernel.start()
    yield kernel
    await kernel.shutdown()
