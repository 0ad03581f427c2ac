"""Client-side message routing, shared by every kernel backend.

The transport (``channels.py``: zmq sockets or a Jupyter Server websocket) hands every
incoming message to ``deliver``, which routes it by ``parent_header.msg_id`` to the
request it answers:

- iopub outputs go to that execution's sink, also *after* the execution finished
  (threads and asyncio tasks the cell started keep printing). A bounded map of recent
  sinks is kept for that.
- A request is finished when both its shell reply *and* its iopub ``idle`` arrived: the
  reply can overtake the last outputs, the idle cannot (iopub is ordered).
- stdin ``input_request`` goes to the sink's ``input_requested``; the answer goes back as
  ``input_reply``. A failing or missing sink answers an empty line: never a hang.
- When the kernel goes away, the owner calls ``end_pending`` and every waiter returns.

Everything runs on the event loop of the backend; no threads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.outputs import Output
from pairrepl.kernel.backend import ExecutionSink
from pairrepl.kernel.channels import Channels, ChannelsClosed
from pairrepl.kernel.messages import (
    Message,
    kernel_state,
    message_type,
    output_from_iopub,
    parent_id,
    parent_type,
)

log = logging.getLogger(__name__)

#: How many finished executions can still receive late output.
RECENT_SINKS = 512
#: After the reply, how long iopub may stay silent before we stop waiting for ``idle``
#: (a lost idle must not hang a cell forever; a busy iopub keeps us waiting).
IDLE_GRACE_SECONDS = 3.0
#: After the idle, how late the reply may be before we nudge (see ``_nudge``)...
REPLY_NUDGE_SECONDS = 0.5
#: ...and before we finish from what iopub showed instead.
REPLY_GIVE_UP_SECONDS = 10.0


class NullSink:
    """For our own silent requests: their outputs are not the user's."""

    def output(self, output: Output) -> None:
        pass

    async def input_requested(self, prompt: str, password: bool) -> str:
        return ""


@dataclass(frozen=True)
class Outcome:
    """How a request ended: the reply content, or the status the kernel's end gave it."""

    reply: Mapping[str, Any] | None = None
    ended: ExecutionStatus | None = None


@dataclass(eq=False)
class PendingRequest:
    msg_id: str
    sink: ExecutionSink
    silent: bool
    finished: asyncio.Future[Outcome]
    reply: Mapping[str, Any] | None = None
    idle_seen: bool = False
    started: bool = False  # the kernel began running it (busy / execute_input seen)
    idle_at: float | None = None
    execution_count: int | None = None  # from execute_input, in case the reply is lost
    error_name: str | None = None  # from an iopub error, in case the reply is lost
    input_tasks: set[asyncio.Task[None]] = field(default_factory=set)


class MessageRouter:
    def __init__(self, channels: Channels, on_state: Callable[[KernelState], None]) -> None:
        self._channels = channels
        self._on_state = on_state
        self._pending: dict[str, PendingRequest] = {}
        self._sinks: OrderedDict[str, ExecutionSink] = OrderedDict()
        self._running: OrderedDict[str, None] = OrderedDict()  # execute requests now busy
        self._last_iopub = time.monotonic()
        self._last_nudge = 0.0
        self.reply_give_up_seconds = REPLY_GIVE_UP_SECONDS
        self._handlers: dict[str, Callable[[Message], None]] = {
            "iopub": self._on_iopub,
            "shell": self._on_shell,
            "stdin": self._on_stdin,
        }

    def start(self) -> None:
        self._channels.start(self.deliver)

    async def close(self, *, running: ExecutionStatus, queued: ExecutionStatus) -> None:
        """Stop reading; every pending request ends with ``running`` or ``queued``."""
        self.end_pending(running=running, queued=queued)
        await self._channels.close()

    def deliver(self, channel: str, message: Message) -> None:
        """One incoming message, from whichever transport: route it. Never raises."""
        handle = self._handlers.get(channel)
        if handle is None:
            return
        try:
            handle(message)
        except Exception:
            log.exception("handling a %s message failed", message_type(message))

    def pause_reply_clock(self) -> None:
        """The connection was down for a while: the silence of iopub meanwhile says
        nothing about the requests waiting, so their give-up clocks start again now."""
        now = time.monotonic()
        self._last_iopub = now
        for request in self._pending.values():
            if request.idle_at is not None:
                request.idle_at = now

    def end_pending(self, *, running: ExecutionStatus, queued: ExecutionStatus) -> None:
        """The kernel is gone (died, restarting, shut down): release every waiter.

        The kernel takes shell requests in order, so the oldest pending one was running
        even if none of its iopub messages got out before the process died (``os._exit``
        in a cell); the others were still queued.
        """
        for index, request in enumerate(list(self._pending.values())):
            was_running = index == 0 or request.started
            self._finish(request, Outcome(ended=running if was_running else queued))
        self._running.clear()

    # Sending ----------------------------------------------------------------------

    def send_execute(
        self,
        code: str,
        sink: ExecutionSink,
        *,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: Mapping[str, str] | None = None,
        allow_stdin: bool = True,
        stop_on_error: bool = True,
    ) -> PendingRequest:
        content = {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": dict(user_expressions or {}),
            "allow_stdin": allow_stdin,
            "stop_on_error": stop_on_error,
        }
        message = self._channels.session.msg("execute_request", content)
        # Registered before sending: no await in between, so no message can be missed.
        request = self.expect(message, sink, silent=silent)
        try:
            self._channels.send("shell", message)
        except ChannelsClosed:
            self._pending.pop(request.msg_id, None)
            self._sinks.pop(request.msg_id, None)
            raise
        return request

    def expect(self, message: Message, sink: ExecutionSink, *, silent: bool) -> PendingRequest:
        """Track a request about to be sent: its replies and outputs get routed here."""
        msg_id = str(message["header"]["msg_id"])
        request = PendingRequest(
            msg_id=msg_id,
            sink=sink,
            silent=silent,
            finished=asyncio.get_running_loop().create_future(),
        )
        self._pending[msg_id] = request
        if not silent:
            self._remember_sink(msg_id, sink)
        return request

    async def wait(self, request: PendingRequest) -> Outcome:
        """Until reply + idle, or the kernel's end. A lost message never hangs us:

        - reply but no idle: finish once iopub has been quiet for a while;
        - idle but no reply (seen under load with ipykernel 7, a lost zmq wake-up on one
          side or the other): nudge, and finally finish from what iopub showed.
        """
        while True:
            done, _ = await asyncio.wait({request.finished}, timeout=0.25)
            if done:
                return request.finished.result()
            now = time.monotonic()
            if request.reply is not None and now - self._last_iopub > IDLE_GRACE_SECONDS:
                log.warning("no iopub idle for %s; finishing on its reply", request.msg_id)
                self._finish(request, Outcome(reply=request.reply))
            elif request.reply is None and request.idle_at is not None:
                late = now - request.idle_at
                if late > self.reply_give_up_seconds:
                    log.warning("no execute_reply for %s; status taken from iopub", request.msg_id)
                    self._finish(request, Outcome(reply=_reply_from_iopub(request)))
                elif late > REPLY_NUDGE_SECONDS and now - self._last_nudge > REPLY_NUDGE_SECONDS:
                    self._nudge()

    def _nudge(self) -> None:
        """Un-wedge the transport (see ``Channels.nudge``)."""
        self._last_nudge = time.monotonic()
        self._channels.nudge(self.deliver)

    # Receiving --------------------------------------------------------------------

    def _on_iopub(self, message: Message) -> None:
        self._last_iopub = time.monotonic()
        msg_id = parent_id(message)
        request = self._pending.get(msg_id) if msg_id else None
        state = kernel_state(message)
        if state is not None:
            self._track_state(message, msg_id, state, request)
            if request is not None and state is KernelState.IDLE:
                request.idle_seen = True
                request.idle_at = time.monotonic()
                self._finish_if_complete(request)
            return
        if request is not None:
            request.started = True
            _note_progress(request, message)
        output = output_from_iopub(message)
        if output is None or msg_id is None:
            return
        sink = self._sinks.get(msg_id)
        if sink is not None:
            sink.output(output)

    def _on_shell(self, message: Message) -> None:
        msg_id = parent_id(message)
        request = self._pending.get(msg_id) if msg_id else None
        if request is None or request.reply is not None:
            return
        request.reply = message.get("content") or {}
        self._finish_if_complete(request)

    def _on_stdin(self, message: Message) -> None:
        if message_type(message) != "input_request":
            return
        msg_id = parent_id(message)
        request = self._pending.get(msg_id) if msg_id else None
        sink = request.sink if request else (self._sinks.get(msg_id) if msg_id else None)
        task = asyncio.create_task(self._answer_input(message, sink))
        if request is not None:
            request.input_tasks.add(task)
            task.add_done_callback(request.input_tasks.discard)

    async def _answer_input(self, message: Message, sink: ExecutionSink | None) -> None:
        content = message.get("content") or {}
        value = ""
        if sink is not None:
            try:
                value = await sink.input_requested(
                    str(content.get("prompt", "")), bool(content.get("password", False))
                )
            except asyncio.CancelledError:
                raise  # the execution ended (interrupted): the kernel no longer waits
            except Exception:
                log.exception("the sink failed to answer input(); sending an empty line")
        reply = self._channels.session.msg("input_reply", {"value": value}, parent=message)
        try:
            self._channels.send("stdin", reply)
        except ChannelsClosed:
            log.warning("the connection dropped before input() could be answered")

    # Bookkeeping ------------------------------------------------------------------

    def _track_state(
        self,
        message: Message,
        msg_id: str | None,
        state: KernelState,
        request: PendingRequest | None,
    ) -> None:
        """BUSY while any execute request runs. Status messages for kernel_info, control
        requests and our own silent requests do not flip the state the user sees."""
        if request is not None and state is KernelState.BUSY:
            request.started = True
        if msg_id is None or parent_type(message) != "execute_request":
            return
        if request is not None and request.silent:
            return
        if state is KernelState.BUSY:
            self._running[msg_id] = None
            while len(self._running) > 64:
                self._running.popitem(last=False)
        elif state is KernelState.IDLE:
            self._running.pop(msg_id, None)
        else:
            return
        self._on_state(KernelState.BUSY if self._running else KernelState.IDLE)

    def _remember_sink(self, msg_id: str, sink: ExecutionSink) -> None:
        self._sinks[msg_id] = sink
        while len(self._sinks) > RECENT_SINKS:
            self._sinks.popitem(last=False)

    def _finish_if_complete(self, request: PendingRequest) -> None:
        if request.reply is not None and request.idle_seen:
            self._finish(request, Outcome(reply=request.reply))

    def _finish(self, request: PendingRequest, outcome: Outcome) -> None:
        self._pending.pop(request.msg_id, None)
        for task in list(request.input_tasks):
            task.cancel()
        if not request.finished.done():
            request.finished.set_result(outcome)


def _note_progress(request: PendingRequest, message: Message) -> None:
    """What iopub tells about a request, kept in case its reply never arrives."""
    kind = message_type(message)
    content = message.get("content") or {}
    if kind == "execute_input" and isinstance(content.get("execution_count"), int):
        request.execution_count = content["execution_count"]
    elif kind == "error":
        request.error_name = str(content.get("ename", ""))


def _reply_from_iopub(request: PendingRequest) -> dict[str, Any]:
    """A stand-in execute_reply: error if iopub showed one, else ok; no user expressions,
    so the namespace is fetched separately."""
    reply: dict[str, Any] = {"status": "ok", "execution_count": request.execution_count}
    if request.error_name is not None:
        reply.update(status="error", ename=request.error_name, evalue="")
    return reply
