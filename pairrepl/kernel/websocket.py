"""A kernel's channels over one Jupyter Server websocket (``/api/kernels/ID/channels``).

We keep to kept clients: tornado's ``websocket_connect`` does the websocket framing, and
jupyter_client's ``Session`` builds our messages. What is left here is the Jupyter
Server's *legacy* message encoding (each message one JSON text frame with a ``channel``
key; a message with binary buffers one binary frame), chosen because every Jupyter
Server and Enterprise Gateway version speaks it.

Latency: Jupyter Server does not disable Nagle's algorithm on kernel websockets, so
the several small frames a cell produces wait for our ACKs, which Linux delays by up to
40 ms: a trivial cell takes ~48 ms instead of ~6 ms. The real fix is on the server
(``docs/benchmarks.md``: ``set_nodelay(True)``); what we can do here is ACK at once
(``TCP_QUICKACK``, re-armed before every read because Linux clears it) and not delay
our own frames (``TCP_NODELAY``). That brings the same cell to ~8 ms against an
unchanged server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import struct
from collections.abc import Callable
from typing import Any

from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect

from pairrepl.kernel.channels import ChannelsClosed, Deliver
from pairrepl.kernel.messages import Message

log = logging.getLogger(__name__)

#: A ping every so often finds a connection that died without a FIN (a laptop that
#: slept, a NAT that forgot us); unanswered for as long again, it counts as dropped.
PING_INTERVAL_SECONDS = 10.0
PING_TIMEOUT_SECONDS = 10.0
MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # one output may be large; the session caps it
#: Whether to ACK at once (``TCP_QUICKACK``, Linux); off only to measure what it saves
#: (``benchmarks/server_roundtrip.py``).
QUICK_ACK = True


async def open_websocket(request: HTTPRequest) -> WebSocketClientConnection:
    """Connect, with Nagle off and quick ACKs on (see the module docstring)."""
    connection = await websocket_connect(
        request,
        ping_interval=PING_INTERVAL_SECONDS,
        ping_timeout=PING_TIMEOUT_SECONDS,
        max_message_size=MAX_MESSAGE_BYTES,
    )
    if connection.protocol is not None:
        connection.protocol.set_nodelay(True)
    _quick_ack(connection)
    return connection


class WebSocketChannels:
    """The ``Channels`` of a ``ServerKernel``: one websocket that can be replaced.

    When the websocket closes without us asking, ``on_lost`` is called once with the
    reason; the kernel then reconnects and hands the new websocket to ``replace``. The
    router (and the requests it waits on) live on across the swap. ``observe`` sees
    every message before the router does (the kernel watches the server's statuses).
    """

    def __init__(
        self,
        session: Session,
        connection: WebSocketClientConnection,
        on_lost: Callable[[str], None],
        observe: Deliver | None = None,
    ) -> None:
        self.session = session
        self._connection: WebSocketClientConnection | None = connection
        self._on_lost = on_lost
        self._observe = observe
        self._deliver: Deliver | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self._connection is not None

    def start(self, deliver: Deliver) -> None:
        self._deliver = deliver
        if self._connection is not None and self._reader is None:
            self._reader = asyncio.create_task(self._read(self._connection))

    def replace(self, connection: WebSocketClientConnection) -> None:
        """Carry on over a new websocket (after a reconnect)."""
        self._drop_connection()
        self._connection = connection
        if self._deliver is not None:
            self._reader = asyncio.create_task(self._read(connection))

    def send(self, channel: str, message: Message) -> None:
        connection = self._connection
        if connection is None:
            raise ChannelsClosed("not connected to the kernel's server (reconnecting)")
        try:
            connection.write_message(encode(channel, message))
        except WebSocketClosedError as error:
            raise ChannelsClosed("the connection to the kernel's server dropped") from error

    def nudge(self, deliver: Deliver) -> None:
        """A kernel_info_request wakes a kernel that missed its own wake-up; the server
        reads its zmq sockets itself, so there is nothing unread on our side."""
        with contextlib.suppress(ChannelsClosed):
            self.send("shell", self.session.msg("kernel_info_request", {}))

    async def close(self) -> None:
        reader, self._reader = self._reader, None
        self._drop_connection()
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    # Internals ------------------------------------------------------------------------

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    async def _read(self, connection: WebSocketClientConnection) -> None:
        while True:
            _quick_ack(connection)
            frame = await connection.read_message()
            if frame is None:
                break
            try:
                channel, message = decode(frame)
            except Exception:
                log.exception("dropping a websocket frame that could not be read")
                continue
            if self._observe is not None:
                self._observe(channel, message)
            if self._deliver is not None:
                self._deliver(channel, message)
        if self._connection is connection:  # not replaced or closed by us meanwhile
            self._connection = None
            self._reader = None
            reason = connection.close_reason or (
                f"closed with code {connection.close_code}"
                if connection.close_code
                else "the connection dropped"
            )
            self._on_lost(reason)


def encode(channel: str, message: Message) -> str:
    """One message as the JSON text frame the server expects (buffers are not sent:
    pairrepl's requests have none)."""
    frame = {key: value for key, value in message.items() if key != "buffers"}
    frame["channel"] = channel
    return json.dumps(frame, default=json_default)


def decode(frame: str | bytes) -> tuple[str, Message]:
    """A frame from the server → (channel, message). Text frames are one JSON message;
    binary frames carry a message with buffers: a count, offsets, the JSON, then each
    buffer (jupyter_server's ``serialize_binary_message``)."""
    buffers: list[bytes] = []
    if isinstance(frame, bytes):
        (count,) = struct.unpack("!I", frame[:4])
        offsets = [*struct.unpack(f"!{count}I", frame[4 : 4 + 4 * count]), len(frame)]
        text: Any = frame[offsets[0] : offsets[1]].decode("utf-8")
        buffers = [frame[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    else:
        text = frame
    message: Message = json.loads(text)
    channel = str(message.pop("channel", "") or "")
    message.setdefault("buffers", buffers)
    message.setdefault("msg_id", (message.get("header") or {}).get("msg_id"))
    message.setdefault("msg_type", (message.get("header") or {}).get("msg_type"))
    return channel, message


def _quick_ack(connection: WebSocketClientConnection) -> None:
    """ACK the next segment at once, so a server that keeps Nagle on does not wait for
    our delayed ACK before sending its next small frame. Linux only; elsewhere a no-op."""
    quickack = getattr(socket, "TCP_QUICKACK", None) if QUICK_ACK else None
    stream = getattr(connection.protocol, "stream", None)
    sock = getattr(stream, "socket", None)
    if quickack is None or sock is None:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
