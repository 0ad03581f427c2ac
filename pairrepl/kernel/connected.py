"""What every kernel backend shares: executing, summaries, liveness.

A subclass says how to reach the kernel (start a process, read a connection file, or
open a websocket to a Jupyter Server), how to tell whether it is alive, and how to
interrupt and restart it. Everything else (the request/reply dance, the namespace
summary, the state reported to ``watch`` callbacks, death detection) lives here once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.inspection import Completions, HelpText, Inspection, ObjectPath
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.kernel import inspection, loading, summary
from pairrepl.kernel.backend import ExecuteReply, ExecutionSink, KernelUnavailable
from pairrepl.kernel.channels import Channels, ChannelsClosed, ZmqChannels
from pairrepl.kernel.completeness import check_complete
from pairrepl.kernel.messages import status_from_reply
from pairrepl.kernel.router import MessageRouter, NullSink, Outcome

log = logging.getLogger(__name__)

#: How often the monitor asks whether the kernel is still alive.
MONITOR_INTERVAL_SECONDS = 0.2
#: Retries when the kernel aborts our namespace request (it aborts queued requests for
#: a moment after a cell fails).
_ABORTED_RETRIES = 5


class JupyterKernel(ABC):
    """Base of ``LocalKernel``, ``ExistingKernel`` and ``ServerKernel`` (a ``KernelBackend``)."""

    description: str
    owned: bool

    def __init__(self, *, ready_timeout: float) -> None:
        self._ready_timeout = ready_timeout
        self._client: AsyncKernelClient | None = None
        self._router: MessageRouter | None = None
        self._watchers: list[Callable[[KernelState], None]] = []
        self._state: KernelState | None = None
        self._dead = False
        self._monitor: asyncio.Task[None] | None = None
        self._monitor_paused = False
        self._lifecycle_lock: asyncio.Lock | None = None
        self.extension_error: str | None = None  # why the namespace inspector is missing
        self.extension_notice = ""  # why it was sent as source, and how to install it
        self.state_reason = ""  # why the kernel is in its state, when there is more to say

    # The KernelBackend protocol -----------------------------------------------------

    async def execute(self, code: str, sink: ExecutionSink) -> ExecuteReply:
        router = self._live_router()
        try:
            request = router.send_execute(
                code, sink, user_expressions=summary.user_expressions(), allow_stdin=True
            )
        except ChannelsClosed as error:
            raise KernelUnavailable(str(error)) from error
        outcome = await router.wait(request)
        if outcome.ended is not None or outcome.reply is None:
            return ExecuteReply(None, outcome.ended or ExecutionStatus.DIED)
        content = outcome.reply
        status = status_from_reply(content)
        count = content.get("execution_count")
        return ExecuteReply(
            count if isinstance(count, int) else None,
            status,
            await self._namespace_after(status, content),
        )

    async def namespace(self) -> NamespaceSummary:
        try:
            return await self._fetch_namespace()
        except asyncio.CancelledError:
            raise
        except KernelUnavailable as error:
            return NamespaceSummary(error=str(error))
        except Exception as error:  # never raise: the variables pane shows the reason
            log.exception("namespace summary failed")
            return NamespaceSummary(error=f"namespace summary failed: {error!r}")

    async def describe(self, name: str) -> str | None:
        """A fuller, bounded view of one live object, made inside the kernel; None when
        there is no such name, no inspector, or no kernel. Never raises."""
        if not name.isidentifier():
            return None
        try:
            result = await self._evaluate(summary.describe_expression(name))
        except asyncio.CancelledError:
            raise
        except (KernelUnavailable, _KernelWentAway):
            return None
        except Exception:
            log.exception("describe(%r) failed", name)
            return None
        return summary.decode_view(result)

    def is_complete(self, code: str) -> str:
        return check_complete(code)

    async def inspect(
        self,
        path: ObjectPath,
        offset: int = 0,
        *,
        items_only: bool = False,
        read_values: bool = False,
    ) -> Inspection:
        """What pairrepl_kernel says about the object at ``path`` (bounded there). Never raises:
        a missing kernel or inspector comes back as the inspection's ``error``."""
        expression = inspection.inspect_expression(path, offset, items_only, read_values)
        try:
            result = await self._evaluate(expression)
        except asyncio.CancelledError:
            raise
        except (KernelUnavailable, _KernelWentAway) as error:
            return Inspection(path, error=str(error) or "the kernel went away")
        if summary.is_not_loaded(result):
            return Inspection(path, error=self.extension_error or summary.NOT_LOADED)
        return inspection.inspection(path, result)

    async def complete(self, code: str, cursor: int) -> Completions:
        """The kernel's completions at ``cursor`` (bounded by pairrepl_kernel; a plain
        ``complete_request`` if the inspector is missing). Never raises."""
        try:
            result = await self._evaluate(inspection.complete_expression(code, cursor))
            if summary.is_not_loaded(result):
                reply = await self._shell_request(
                    "complete_request", {"code": code, "cursor_pos": cursor}
                )
                return inspection.completions_from_reply(reply, cursor)
        except asyncio.CancelledError:
            raise
        except (KernelUnavailable, _KernelWentAway) as error:
            return Completions(start=cursor, end=cursor, error=str(error) or "no kernel")
        return inspection.completions(result, cursor)

    async def help(self, code: str, cursor: int, detail: int = 0) -> HelpText:
        """IPython's ``obj?`` (detail 0) or ``obj??`` (detail 1) for the name at
        ``cursor`` (bounded by pairrepl_kernel; a plain ``inspect_request`` if the inspector
        is missing). Never raises."""
        try:
            result = await self._evaluate(inspection.help_expression(code, cursor, detail))
            if summary.is_not_loaded(result):
                content = {"code": code, "cursor_pos": cursor, "detail_level": detail}
                reply = await self._shell_request("inspect_request", content)
                return inspection.help_from_reply(code.strip("?"), reply)
        except asyncio.CancelledError:
            raise
        except (KernelUnavailable, _KernelWentAway) as error:
            return HelpText(code.strip("?"), error=str(error) or "no kernel")
        return inspection.help_text(code.strip("?"), result)

    async def reload_module(
        self, module_name: str, names: list[str], search_paths: list[str]
    ) -> Mapping[str, Any] | None:
        try:
            result = await self._evaluate(
                summary.reload_expression(module_name, names, search_paths)
            )
        except asyncio.CancelledError:
            raise
        except (KernelUnavailable, _KernelWentAway):
            return None
        return summary.decode_json(result)

    def watch(self, on_state: Callable[[KernelState], None]) -> None:
        self._watchers.append(on_state)
        if self._state is not None:
            on_state(self._state)

    # For subclasses -------------------------------------------------------------------

    @abstractmethod
    async def _is_alive(self) -> bool:
        """Cheap liveness check, polled by the monitor."""

    async def _connect(self, client: AsyncKernelClient) -> None:
        """Channels up, kernel answering on shell *and* iopub, inspector loaded.

        ``wait_for_ready`` only returns after a kernel_info reply and an iopub message
        have both arrived, so the iopub subscription is live: a cell run at once after
        start cannot lose its first outputs.
        """
        self._client = client
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=self._ready_timeout)
        except RuntimeError as error:
            raise KernelUnavailable(f"the kernel did not answer: {error}") from error
        await self._attach(ZmqChannels(client))

    async def _attach(self, channels: Channels) -> None:
        """Route the kernel's messages, load the inspector, report IDLE."""
        self._router = MessageRouter(channels, self._on_kernel_state)
        self._router.start()
        self._dead = False
        self.state_reason = ""
        await self._load_extension()
        self._emit(KernelState.IDLE)

    async def _disconnect(self, *, running: ExecutionStatus, queued: ExecutionStatus) -> None:
        router, client = self._router, self._client
        self._router, self._client = None, None
        if router is not None:
            await router.close(running=running, queued=queued)
        if client is not None:
            with contextlib.suppress(Exception):
                client.stop_channels()

    def _start_monitor(self) -> None:
        if self._monitor is None or self._monitor.done():
            self._monitor = asyncio.create_task(self._watch_liveness())

    async def _stop_monitor(self) -> None:
        monitor, self._monitor = self._monitor, None
        if monitor is not None:
            monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await monitor

    @contextlib.asynccontextmanager
    async def _lifecycle(self) -> Any:
        """Start/restart/shutdown one at a time; the monitor looks away meanwhile."""
        if self._lifecycle_lock is None:
            self._lifecycle_lock = asyncio.Lock()
        async with self._lifecycle_lock:
            self._monitor_paused = True
            try:
                yield
            finally:
                self._monitor_paused = False

    def _emit(self, state: KernelState) -> None:
        if state is self._state:
            return
        self._state = state
        for on_state in list(self._watchers):
            try:
                on_state(state)
            except Exception:
                log.exception("a kernel state watcher failed")

    def _mark_dead(self, reason: str = "") -> None:
        """The kernel process is gone: every waiter returns, watchers hear DEAD."""
        self._dead = True
        self.state_reason = reason
        if self._router is not None:
            self._router.end_pending(running=ExecutionStatus.DIED, queued=ExecutionStatus.ABORTED)
        self._emit(KernelState.DEAD)

    # Internals ------------------------------------------------------------------------

    def _live_router(self) -> MessageRouter:
        if self._router is None:
            raise KernelUnavailable("the kernel is not running (start or restart it)")
        if self._dead:
            raise KernelUnavailable("the kernel died; restart it to go on")
        return self._router

    def _on_kernel_state(self, state: KernelState) -> None:
        if not self._dead:
            self._emit(state)

    async def _watch_liveness(self) -> None:
        while True:
            await asyncio.sleep(MONITOR_INTERVAL_SECONDS)
            if self._monitor_paused or self._dead or self._router is None:
                continue
            try:
                alive = await self._is_alive()
            except Exception:
                log.exception("liveness check failed; assuming the kernel is alive")
                continue
            if not alive and not self._monitor_paused:
                self._mark_dead()

    async def _silent(self, code: str, **options: Any) -> Outcome:
        """Our own request: no history, no execution count, no output to the user."""
        router = self._live_router()
        try:
            request = router.send_execute(
                code,
                NullSink(),
                silent=True,
                store_history=False,
                allow_stdin=False,
                stop_on_error=False,
                **options,
            )
        except ChannelsClosed as error:
            raise KernelUnavailable(str(error)) from error
        return await router.wait(request)

    async def _shell_request(self, msg_type: str, content: Mapping[str, Any]) -> Mapping[str, Any]:
        """A plain Jupyter shell request (``complete_request``, ``inspect_request``): its
        reply content, once the kernel answered and went idle."""
        router = self._live_router()
        assert self._client is not None
        message = self._client.session.msg(msg_type, dict(content))
        request = router.expect(message, NullSink(), silent=True)
        self._client.shell_channel.send(message)
        outcome = await router.wait(request)
        if outcome.reply is None:
            raise _KernelWentAway()
        return outcome.reply

    async def _load_extension(self) -> None:
        """Connect the kernel's own ``pairrepl_kernel``; if it is missing or speaks another
        protocol, send ours as source and say so (``extension_notice``)."""
        key = summary.EXPRESSION_KEY
        own = loading.Connected.read(
            (await self._silent("", user_expressions={key: loading.CONNECT})).reply
        )
        if own.loaded:
            self.extension_error, self.extension_notice = None, ""
            return
        sent = loading.Connected.read(
            (
                await self._silent(
                    loading.install_from_source(), user_expressions={key: loading.CONNECT_SENT}
                )
            ).reply
        )
        if sent.loaded:
            self.extension_error = None
            self.extension_notice = loading.fallback_notice(own, sent)
            log.info("pairrepl_kernel sent as source: %s", self.extension_notice)
            return
        self.extension_error = f"{summary.NOT_LOADED} ({own.error}; {sent.error})"
        self.extension_notice = ""
        log.warning("namespace inspector not loaded: %s", self.extension_error)

    async def _fetch_namespace(self) -> NamespaceSummary:
        try:
            result = await self._evaluate(summary.SUMMARY_EXPRESSION)
        except _KernelWentAway:
            return NamespaceSummary(error="the kernel went away before it answered")
        decoded = summary.decode_summary(result)
        if decoded.error == summary.NOT_LOADED and self.extension_error:
            return NamespaceSummary(error=self.extension_error)
        return decoded

    async def _evaluate(self, expression: str) -> Mapping[str, Any] | None:
        """One user expression in a silent request: its result (a mime bundle or an
        error). Retries while the kernel aborts requests after a failed cell, and loads
        the inspector once more if its function is missing (``%reset`` wipes it)."""
        reloaded = False
        for attempt in range(_ABORTED_RETRIES):
            outcome = await self._silent("", user_expressions={summary.EXPRESSION_KEY: expression})
            if outcome.ended is not None or outcome.reply is None:
                raise _KernelWentAway()
            if outcome.reply.get("status") == "aborted":
                await asyncio.sleep(0.05 * (attempt + 1))
                continue
            result = _expression_result(outcome.reply)
            if summary.is_not_loaded(result) and not reloaded:
                reloaded = True
                await self._load_extension()
                continue
            return result
        return {"status": "error", "ename": "Aborted", "evalue": "the kernel kept refusing"}

    async def _namespace_after(
        self, status: ExecutionStatus, content: Mapping[str, Any]
    ) -> NamespaceSummary | None:
        """After success the summary came with the reply; after a failure the cell may
        still have bound names, so ask once more; an aborted cell changed nothing."""
        if status is ExecutionStatus.OK:
            result = _expression_result(content)
            if result is not None and not summary.is_not_loaded(result):
                return summary.decode_summary(result)
            return await self.namespace()
        if status in (ExecutionStatus.ERROR, ExecutionStatus.INTERRUPTED):
            return await self.namespace()
        return None


class _KernelWentAway(Exception):
    """The kernel died or was restarted while our own request waited."""


def _expression_result(reply: Mapping[str, Any]) -> Mapping[str, Any] | None:
    expressions = reply.get("user_expressions") or {}
    result = expressions.get(summary.EXPRESSION_KEY)
    return result if isinstance(result, Mapping) else None
