"""A kernel someone else started (``pairrepl --existing kernel-1234.json``).

Like ``jupyter console --existing``: we connect to its channels and never own it. We do
not restart or stop it; its liveness comes from the heartbeat channel, and interrupts go
as ``interrupt_request`` messages on the control channel (we do not know its pid).
"""

from __future__ import annotations

import time
from pathlib import Path

from jupyter_client.asynchronous.client import AsyncKernelClient

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.kernel.backend import KernelUnavailable
from pairrepl.kernel.connected import JupyterKernel
from pairrepl.kernel.messages import parent_id

#: Heartbeat period; a kernel silent for ``DEAD_AFTER_SECONDS`` is declared dead.
HEARTBEAT_SECONDS = 0.5
DEAD_AFTER_SECONDS = 1.0


class ExistingKernel(JupyterKernel):
    owned = False

    def __init__(self, connection_file: Path, *, ready_timeout: float = 30.0) -> None:
        super().__init__(ready_timeout=ready_timeout)
        self.connection_file = Path(connection_file)
        self.description = f"existing kernel {self.connection_file.name}"
        self._silent_since: float | None = None

    async def start(self) -> None:
        async with self._lifecycle():
            if self._client is not None:
                raise KernelUnavailable("already attached to the kernel")
            if not self.connection_file.is_file():
                raise KernelUnavailable(f"no connection file at {self.connection_file}")
            self._emit(KernelState.STARTING)
            client = AsyncKernelClient()
            try:
                client.load_connection_file(str(self.connection_file))
            except (OSError, ValueError, KeyError) as error:
                raise KernelUnavailable(
                    f"cannot read connection file {self.connection_file}: {error}"
                ) from error
            client.hb_channel.time_to_dead = HEARTBEAT_SECONDS
            try:
                await self._connect(client)
            except Exception:
                await self._disconnect(running=ExecutionStatus.DIED, queued=ExecutionStatus.ABORTED)
                raise
            self._silent_since = None
            self._start_monitor()

    async def interrupt(self) -> None:
        """An ``interrupt_request`` on the control channel; waits briefly for the reply."""
        client = self._client
        if client is None or self._dead:
            raise KernelUnavailable("not attached to a live kernel")
        request = client.session.msg("interrupt_request", {})
        client.control_channel.send(request)
        deadline = time.monotonic() + 2.0
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                reply = await client.control_channel.get_msg(timeout=remaining)
            except Exception:  # queue.Empty on timeout
                break
            if parent_id(reply) == request["header"]["msg_id"]:
                content = reply.get("content") or {}
                if content.get("status") != "ok":
                    raise KernelUnavailable(
                        f"the kernel refused the interrupt: {content.get('evalue')}"
                    )
                return

    async def restart(self) -> None:
        raise KernelUnavailable(
            "this kernel was started by someone else (attached with --existing), so "
            "pairrepl will not restart it. Restart it where it runs (e.g. in Jupyter), "
            "then attach again."
        )

    async def shutdown(self) -> None:
        """Only disconnect: the kernel keeps running for its owner."""
        await self._stop_monitor()
        async with self._lifecycle():
            await self._disconnect(running=ExecutionStatus.ABORTED, queued=ExecutionStatus.ABORTED)

    async def _is_alive(self) -> bool:
        """Dead once the heartbeat stayed silent for ``DEAD_AFTER_SECONDS``."""
        client = self._client
        if client is None:
            return False
        if client.hb_channel.is_beating():
            self._silent_since = None
            return True
        now = time.monotonic()
        if self._silent_since is None:
            self._silent_since = now
        return now - self._silent_since < DEAD_AFTER_SECONDS
