"""A kernel we start, own, restart and stop: the default backend of ``pairrepl``."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import IO, Any

import zmq
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.kernel.backend import KernelUnavailable
from pairrepl.kernel.connected import JupyterKernel


class CurrentInterpreterKernelSpecs(KernelSpecManager):
    """Always the python3 kernel of *this* interpreter, whatever kernelspecs are
    installed: pairrepl (and its kernel extension) is importable there."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (pairrepl)",
            language="python",
            interrupt_mode="signal",
            metadata={},
        )


class LocalKernel(JupyterKernel):
    """An ipykernel process started with the current interpreter, in the project root.

    The kernel's own stdout/stderr (startup warnings, C code writing to fd 1) go to
    ``log_path``, never to our terminal, where they would tear the Textual screen.
    jupyter_client's auto-restarter is not used: a dead kernel stays dead until the
    human asks for ``restart()``, so a crash is always seen.

    It listens on Unix sockets (zmq's IPC transport) in a folder of its own that only
    this user can read, where the platform has them: no TCP port is open for anyone on
    the machine to connect to, and ipykernel does not warn about unencrypted TCP. Where
    zmq has no IPC (Windows), on TCP ports of 127.0.0.1.

    The kernel inherits our environment less ``withheld_variables``: the AI providers'
    key variables, which the command line takes from the provider registry (this layer
    does not know the providers). The kernel runs the human's code and has no use for
    them, so a kernel the app starts never holds them (invariant
    CONTEXT-IS-BOUNDED-AND-CLEAN).
    """

    owned = True

    def __init__(
        self,
        cwd: Path,
        log_path: Path,
        *,
        withheld_variables: Collection[str],
        ready_timeout: float = 60.0,
    ) -> None:
        super().__init__(ready_timeout=ready_timeout)
        self.cwd = Path(cwd)
        self.log_path = Path(log_path)
        self.withheld_variables = frozenset(withheld_variables)
        self.description = "local python3 kernel (not started)"
        self._manager: AsyncKernelManager | None = None
        self._log_file: IO[bytes] | None = None
        self._runtime_dir: Path | None = None  # the connection file and the sockets

    @property
    def pid(self) -> int | None:
        provisioner = self._manager.provisioner if self._manager else None
        pid = getattr(provisioner, "pid", None)
        return pid if isinstance(pid, int) else None

    @property
    def connection_file(self) -> Path | None:
        return Path(self._manager.connection_file) if self._manager else None

    async def launch(self) -> None:
        """Start the kernel's process and return without waiting for it to be ready.

        The process takes most of a second to boot; ``pairrepl`` launches it first and
        imports its UI meanwhile. ``start`` then connects (and launches, if not yet).
        """
        async with self._lifecycle():
            if self._manager is not None:
                raise KernelUnavailable("the kernel is already launched")
            try:
                await self._launch_process()
            except Exception as error:
                await self._abandon()
                raise KernelUnavailable(
                    f"the kernel did not start ({error}); its log is {self.log_path}"
                ) from error

    async def start(self) -> None:
        async with self._lifecycle():
            if self._client is not None:
                raise KernelUnavailable("the kernel is already started")
            self._emit(KernelState.STARTING)
            try:
                manager = self._manager or await self._launch_process()
                await self._connect(manager.client())
            except Exception as error:
                await self._disconnect(running=ExecutionStatus.DIED, queued=ExecutionStatus.ABORTED)
                await self._abandon()
                self._emit(KernelState.DEAD)
                raise KernelUnavailable(
                    f"the kernel did not start ({error}); its log is {self.log_path}"
                ) from error
            self.description = f"local python3 kernel (pid {self.pid})"
            self._start_monitor()

    async def interrupt(self) -> None:
        manager = self._require_manager()
        if self._dead:
            raise KernelUnavailable("the kernel died; restart it to go on")
        try:
            await manager.interrupt_kernel()
        except (RuntimeError, OSError) as error:
            raise KernelUnavailable(f"cannot interrupt: {error}") from error

    async def restart(self) -> None:
        """A fresh process (empty namespace, inspector loaded again); also after death.
        A running cell ends as DIED, queued ones as ABORTED."""
        async with self._lifecycle():
            manager = self._require_manager()
            self._emit(KernelState.STARTING)
            await self._disconnect(running=ExecutionStatus.DIED, queued=ExecutionStatus.ABORTED)
            try:
                await manager.restart_kernel(now=True)
                await self._connect(manager.client())
            except Exception as error:
                self._mark_dead()
                raise KernelUnavailable(
                    f"the kernel did not restart ({error}); its log is {self.log_path}"
                ) from error
            self.description = f"local python3 kernel (pid {self.pid})"
            self._start_monitor()

    async def shutdown(self) -> None:
        """Stop the process and remove its connection file. Safe to call twice."""
        await self._stop_monitor()
        async with self._lifecycle():
            if self._manager is None:
                return
            await self._disconnect(running=ExecutionStatus.DIED, queued=ExecutionStatus.ABORTED)
            await self._abandon()
            self._emit(KernelState.DEAD)

    async def _is_alive(self) -> bool:
        return bool(self._manager is not None and await self._manager.is_alive())

    async def _launch_process(self) -> AsyncKernelManager:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # Private, like the ledger: what the kernel prints may hold what the human typed.
        descriptor = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(descriptor, 0o600)
        self._log_file = os.fdopen(descriptor, "ab")  # kept open for restarts
        manager = AsyncKernelManager(
            kernel_name="python3",
            kernel_spec_manager=CurrentInterpreterKernelSpecs(),
            **self._transport(),
        )
        manager.autorestart = False
        manager.shutdown_wait_time = 2.0
        self._manager = manager
        await manager.start_kernel(**self._launch_options())
        return manager

    def _transport(self) -> dict[str, str]:
        """IPC in a fresh private folder (``mkdtemp`` makes it 0700; under
        ``$XDG_RUNTIME_DIR`` when there is one): the sockets sit next to the connection
        file, ``<folder>/kernel-ipc-<n>``. TCP where zmq has no IPC."""
        if not zmq.has("ipc"):
            return {}
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        folder = tempfile.mkdtemp(
            prefix="pairrepl-kernel-", dir=runtime if runtime and os.path.isdir(runtime) else None
        )
        self._runtime_dir = Path(folder)
        return {"transport": "ipc", "connection_file": str(self._runtime_dir / "kernel.json")}

    def _launch_options(self) -> dict[str, Any]:
        return {
            "cwd": str(self.cwd),
            "stdout": self._log_file,
            "stderr": self._log_file,
            "env": {
                name: value
                for name, value in os.environ.items()
                if name not in self.withheld_variables
            },
        }

    def _require_manager(self) -> AsyncKernelManager:
        if self._manager is None:
            raise KernelUnavailable("the kernel is not started")
        return self._manager

    async def _abandon(self) -> None:
        """Stop the process if any, clean the connection file and the sockets' folder,
        close the log."""
        manager, self._manager = self._manager, None
        if manager is not None:
            with contextlib.suppress(Exception):
                alive = await manager.is_alive()
                await manager.shutdown_kernel(now=not alive)
            with contextlib.suppress(Exception):
                manager.cleanup_connection_file()
        if self._runtime_dir is not None:
            shutil.rmtree(self._runtime_dir, ignore_errors=True)
            self._runtime_dir = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
