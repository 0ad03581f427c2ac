"""How messages reach a kernel and come back: the one thing the transports differ in.

The ``MessageRouter`` decides *where* each message goes (which request, which sink);
a ``Channels`` object only moves messages. Two implementations:

- ``ZmqChannels``: jupyter_client's zmq sockets, for kernels whose ports we can reach
  (``LocalKernel``, ``ExistingKernel``).
- ``WebSocketChannels`` (``websocket.py``): one websocket to a Jupyter Server, for
  ``ServerKernel``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.session import Session

from pairrepl.kernel.messages import Message

log = logging.getLogger(__name__)

#: Called with each incoming message and the channel it came on
#: (``"iopub"``, ``"shell"``, ``"stdin"``, ``"control"``).
Deliver = Callable[[str, Message], None]


class ChannelsClosed(Exception):
    """Sending failed because the connection to the kernel is gone (for now)."""


class Channels(Protocol):
    #: Builds (and signs) the messages we send; its ``session`` id names us to the kernel.
    session: Session

    def start(self, deliver: Deliver) -> None:
        """Begin reading: every incoming message goes to ``deliver``."""

    def send(self, channel: str, message: Message) -> None:
        """Send one message; raises ``ChannelsClosed`` when there is no connection."""

    def nudge(self, deliver: Deliver) -> None:
        """A reply is late although its request finished: un-wedge what can be un-wedged
        (read what sits unnoticed, wake the kernel up). Never raises."""

    async def close(self) -> None:
        """Stop reading. Safe to call twice."""


class ZmqChannels:
    """jupyter_client's sockets, one reader task per channel.

    Receives with ``recv_multipart`` directly rather than ``get_msg()`` (a poll and then
    a recv: one more wake-up to miss).
    """

    def __init__(self, client: AsyncKernelClient) -> None:
        self.client = client
        self.session = client.session
        self._readers: list[asyncio.Task[None]] = []

    def start(self, deliver: Deliver) -> None:
        self._readers = [
            asyncio.create_task(self._read(name, deliver)) for name in ("iopub", "shell", "stdin")
        ]

    def send(self, channel: str, message: Message) -> None:
        self._channel(channel).send(message)

    def nudge(self, deliver: Deliver) -> None:
        """Read what may sit unnoticed in our shell socket, and send a kernel_info_request,
        whose arrival wakes a kernel that missed its own wake-up."""
        socket = self.client.shell_channel.socket
        try:
            while True:
                frames = socket.recv_multipart(flags=zmq.NOBLOCK).result()
                log.warning("found an unread shell message; a zmq wake-up was missed")
                self._dispatch("shell", frames, deliver)
        except zmq.Again:
            pass
        except Exception:
            log.exception("reading the shell channel without blocking failed")
        with contextlib.suppress(Exception):
            self.client.kernel_info()

    async def close(self) -> None:
        readers, self._readers = self._readers, []
        for reader in readers:
            reader.cancel()
        for reader in readers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    def _channel(self, name: str) -> Any:
        return getattr(self.client, f"{name}_channel")

    async def _read(self, name: str, deliver: Deliver) -> None:
        socket = self._channel(name).socket
        while True:
            try:
                frames = await socket.recv_multipart()
            except asyncio.CancelledError:
                raise
            except Exception:
                if not socket.closed:
                    log.exception("reading a kernel channel failed; stopping that reader")
                return
            self._dispatch(name, frames, deliver)

    def _dispatch(self, name: str, frames: list[Any], deliver: Deliver) -> None:
        try:
            _identities, parts = self.session.feed_identities(frames)
            message = self.session.deserialize(parts)
        except Exception:
            log.exception("dropping a kernel message that could not be read")
            return
        deliver(name, message)
