"""A kernel on a Jupyter Server or Enterprise Gateway (``pairrepl --server URL``).

The kernel runs where the data or the GPU is; the app, the ledger and the API keys stay
on the user's machine. We speak the server's own API: REST to start, interrupt, restart
and stop kernels (``server_api.py``), one websocket for the messages
(``websocket.py``). The routing, the namespace summary and the statuses are the same
code as for a local kernel (``JupyterKernel``).

What differs, and why:

- Death. The server owns the process and restarts a dead kernel by itself; it tells
  its websocket clients with a ``restarting`` (or, when it gives up, ``dead``) status.
  Either means the namespace is gone, so we report DEAD as a local kernel would, and
  the human restarts. The server notices within its ``KernelRestarter.time_to_dead``
  (3 s by default), so death is seen a little later than for a local kernel.
- Dropped connections. A closed websocket is not a dead kernel: we report
  DISCONNECTED and reconnect with backoff (``RECONNECT_DELAYS``), with the same session
  id, so the server replays what the kernel said meanwhile. If the server no longer
  has the kernel (it restarted, or someone shut the kernel down), that is a death.
  If it has a kernel under that id whose process is new (restarted while we were
  away), that is a death too: a token we leave in the kernel tells the two apart.
- Ownership. A kernel we started is ours: restart and shutdown go through the API.
  A kernel we attached to (``--kernel-id``) is never shut down, and restarted only
  when the server already replaced it (so no one's state is lost by it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence

from jupyter_client.session import Session
from tornado.websocket import WebSocketClientConnection

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.kernel.backend import KernelUnavailable
from pairrepl.kernel.connected import JupyterKernel, _KernelWentAway
from pairrepl.kernel.messages import Message, message_type, parent_id
from pairrepl.kernel.server_api import ServerApi, UnknownKernel
from pairrepl.kernel.websocket import WebSocketChannels, open_websocket

log = logging.getLogger(__name__)

#: Seconds between reconnection attempts; the last one repeats until the server is back.
RECONNECT_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
#: The statuses a Jupyter Server sends (with no parent) when the kernel process was
#: replaced behind our back: auto-restarted after a crash, or given up on.
_REPLACED_STATES = {
    "restarting": "its process ended; the server started a fresh one",
    "dead": "its process ended and the server could not start it again",
}
_TOKEN_EXPRESSION = "getattr(__import__('sys'), '_pairrepl_kernel_token', None)"


class ServerKernel(JupyterKernel):
    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        kernel_name: str | None = None,
        kernel_id: str | None = None,
        ready_timeout: float = 120.0,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
    ) -> None:
        super().__init__(ready_timeout=ready_timeout)
        self.api = ServerApi(url, token)
        self.owned = kernel_id is None
        self.kernel_id = kernel_id
        self.kernel_name = kernel_name
        self.description = f"kernel on {self.api.url} (not started)"
        self._reconnect_delays = tuple(reconnect_delays) or RECONNECT_DELAYS
        self._channels: WebSocketChannels | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._identity_check: asyncio.Task[None] | None = None
        self._closing = False
        self._token = ""  # left in the kernel to recognise it after a reconnect
        self._replaced_by_server = False  # dead because the server restarted it

    # The KernelBackend protocol -------------------------------------------------------

    async def start(self) -> None:
        """Check the server, start (or find) the kernel, open its channels."""
        async with self._lifecycle():
            if self._channels is not None:
                raise KernelUnavailable("the kernel is already started")
            self._emit(KernelState.STARTING)
            try:
                await self.api.check()
                if self.kernel_id is None:
                    name = (await self.api.kernelspecs()).choose(self.kernel_name)
                    model = await self.api.start_kernel(name)
                    self.kernel_id = str(model["id"])
                else:
                    model = await self.api.require_kernel(self.kernel_id)
                self.kernel_name = str(model.get("name") or self.kernel_name or "?")
                self._describe()
                await self._open()
            except BaseException:
                await self._close_channels(ExecutionStatus.DIED)
                if self.owned and self.kernel_id is not None:  # do not leave it running there
                    with contextlib.suppress(Exception):
                        await self.api.shutdown(self.kernel_id)
                    self.kernel_id = None
                self._emit(KernelState.DEAD)
                raise

    async def interrupt(self) -> None:
        if self._dead or self.kernel_id is None:
            raise KernelUnavailable("the kernel died; restart it to go on")
        await self.api.interrupt(self.kernel_id)

    async def restart(self) -> None:
        """Owned: the server restarts the process (same id). Attached: only reconnect to
        a kernel the server already replaced; anything else would wipe someone's work."""
        async with self._lifecycle():
            if self.kernel_id is None:
                raise KernelUnavailable("the kernel is not started")
            if not self.owned and not self._replaced_by_server:
                raise KernelUnavailable(
                    "this kernel was started by someone else (attached with --kernel-id), so "
                    "pairrepl will not restart it. Restart it where it runs (e.g. in "
                    "JupyterLab), or start pairrepl without --kernel-id for a kernel of your own."
                )
            self._emit(KernelState.STARTING)
            await self._close_channels(ExecutionStatus.DIED)
            try:
                if self.owned:
                    await self._restart_owned(self.kernel_id)
                await self._open()
            except Exception as error:
                self._mark_dead(f"the restart failed: {error}")
                raise KernelUnavailable(f"the kernel did not restart ({error})") from error

    async def _restart_owned(self, kernel_id: str) -> None:
        """Restart it in place; if the server lost it (the server restarted), start a new
        one of the same kernelspec. (Asked first: Jupyter Server answers 500, not 404,
        to a restart of a kernel it does not have.)"""
        if await self.api.kernel(kernel_id) is not None:
            with contextlib.suppress(UnknownKernel):
                await self.api.restart(kernel_id)
                return
        model = await self.api.start_kernel(self.kernel_name or "python3")
        self.kernel_id = str(model["id"])
        self._describe()

    async def shutdown(self) -> None:
        """Close the channels; stop the kernel on the server only if we started it."""
        self._closing = True
        await self._stop_reconnecting()
        async with self._lifecycle():
            await self._close_channels(
                ExecutionStatus.DIED if self.owned else ExecutionStatus.ABORTED
            )
            if self.owned and self.kernel_id is not None:
                with contextlib.suppress(KernelUnavailable):
                    await self.api.shutdown(self.kernel_id)
                self._emit(KernelState.DEAD)
            self.api.close()

    async def _is_alive(self) -> bool:
        """Not polled: the server tells us of a death (see the module docstring)."""
        return not self._dead

    # Connecting -----------------------------------------------------------------------

    async def _open(self) -> None:
        """A websocket with a new session id, the router on it, the inspector loaded."""
        assert self.kernel_id is not None
        # The server signs what it forwards with the kernel's key; ours is never checked,
        # but an empty one makes jupyter_client warn.
        session = Session(key=uuid.uuid4().hex.encode(), session=str(uuid.uuid4()))
        connection = await self._connect_websocket(session)
        channels = WebSocketChannels(
            session, connection, self._on_connection_lost, observe=self._notice_server_status
        )
        self._channels = channels
        try:
            await asyncio.wait_for(self._attach_channels(channels), self._ready_timeout)
        except TimeoutError:
            raise KernelUnavailable(
                f"the kernel on {self.api.url} did not answer within {self._ready_timeout:.0f} s "
                "(is it busy running something?)"
            ) from None
        self._replaced_by_server = False

    async def _attach_channels(self, channels: WebSocketChannels) -> None:
        await self._attach(channels)
        self._token = uuid.uuid4().hex
        await self._silent(f"__import__('sys')._pairrepl_kernel_token = {self._token!r}")

    async def _connect_websocket(self, session: Session) -> WebSocketClientConnection:
        assert self.kernel_id is not None
        request = self.api.websocket_request(self.kernel_id, session.session)
        try:
            return await open_websocket(request)
        except Exception as error:
            code = getattr(error, "code", None)
            if code == 404:
                raise UnknownKernel(
                    f"the server at {self.api.url} no longer has kernel {self.kernel_id}"
                ) from None
            raise KernelUnavailable(
                f"cannot open the kernel's channels on {self.api.url}: {error}"
            ) from None

    async def _close_channels(self, running: ExecutionStatus) -> None:
        channels, self._channels = self._channels, None
        await self._disconnect(running=running, queued=ExecutionStatus.ABORTED)
        if channels is not None:
            await channels.close()

    def _describe(self) -> None:
        kernel = (self.kernel_id or "?")[:8]
        whose = "" if self.owned else ", attached"
        self.description = f"{self.kernel_name} kernel {kernel} on {self.api.url}{whose}"

    # Death ------------------------------------------------------------------------------

    def _notice_server_status(self, channel: str, message: Message) -> None:
        if channel != "iopub" or message_type(message) != "status" or parent_id(message):
            return
        state = str((message.get("content") or {}).get("execution_state"))
        if self._monitor_paused or self._dead:
            return  # our own restart, or already reported
        if state in _REPLACED_STATES:
            self._server_replaced(_REPLACED_STATES[state])
        elif state == "starting":
            self._server_replaced("it was restarted from elsewhere, e.g. JupyterLab")

    def _server_replaced(self, reason: str) -> None:
        self._replaced_by_server = True
        self._mark_dead(reason)

    # Reconnecting -----------------------------------------------------------------------

    def _on_connection_lost(self, reason: str) -> None:
        if self._closing or self._dead or self._monitor_paused:
            return
        self.state_reason = f"{self.api.url}: {reason}"
        log.warning("%s; reconnecting", self.state_reason)
        self._emit(KernelState.DISCONNECTED)
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.create_task(self._reconnect())

    async def _reconnect(self) -> None:
        """Until the same kernel answers again, or is known to be gone."""
        attempt = 0
        started = time.monotonic()
        while not self._closing:
            delay = self._reconnect_delays[min(attempt, len(self._reconnect_delays) - 1)]
            await asyncio.sleep(delay)
            attempt += 1
            if self._closing or self._dead or self._channels is None or self.kernel_id is None:
                return
            try:
                model = await self.api.kernel(self.kernel_id)
                if model is None:
                    self._server_replaced(
                        f"the server at {self.api.url} no longer has it: the server restarted, "
                        "or the kernel was shut down there"
                    )
                    return
                connection = await self._connect_websocket(self._channels.session)
            except UnknownKernel as error:
                self._server_replaced(str(error))
                return
            except KernelUnavailable as error:
                log.info("reconnect attempt %d failed: %s", attempt, error)
                continue
            if self._closing or self._dead or self._channels is None:
                connection.close()
                return
            self._channels.replace(connection)
            if self._router is not None:
                self._router.pause_reply_clock()
            log.warning(
                "reconnected to %s after %.1f s (%d attempts)",
                self.api.url,
                time.monotonic() - started,
                attempt,
            )
            self.state_reason = ""
            busy = model.get("execution_state") == "busy"
            self._emit(KernelState.BUSY if busy else KernelState.IDLE)
            self._identity_check = asyncio.create_task(self._check_same_kernel())
            return

    async def _check_same_kernel(self) -> None:
        """The server kept the id, but is it the same process? Ours holds our token."""
        try:
            outcome = await self._silent("", user_expressions={"token": _TOKEN_EXPRESSION})
        except (KernelUnavailable, _KernelWentAway):
            return
        reply = outcome.reply or {}
        result = (reply.get("user_expressions") or {}).get("token") or {}
        seen = str((result.get("data") or {}).get("text/plain", ""))
        if reply.get("status") == "ok" and self._token and self._token not in seen:
            self._server_replaced("it was restarted while the connection was down")

    async def _stop_reconnecting(self) -> None:
        task, self._reconnecting = self._reconnecting, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
