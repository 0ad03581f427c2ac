"""A fake model server on 127.0.0.1 that speaks both wire formats, for the real SDKs.

Tests script what it answers, one reply per request, in a neutral form (``Turn``,
``HttpError``, ``Hang``), or exactly as a real server sent it (``Recorded``: the wire
corpus in ``tests/agent/wire/``). The neutral forms are rendered in the format the
request asked for:

- Anthropic ``POST /v1/messages``: SSE events ``message_start``, ``content_block_start``
  / ``content_block_delta`` (``text_delta``, ``input_json_delta``) / ``content_block_stop``,
  ``message_delta`` (stop reason, usage), ``message_stop``; ``error`` events mid-stream.
- OpenAI ``POST /v1/chat/completions``: ``data: {chunk}`` lines with ``delta.content``,
  ``delta.tool_calls`` fragments and ``delta.refusal``, a final usage chunk, ``data: [DONE]``.

Streams use chunked transfer encoding over HTTP/1.1, as the real services do, so a cut
is a cut. Every request body is kept for inspection; the auth headers are never stored
or logged (only whether one was present).
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_AUTH_HEADERS = {"authorization", "x-api-key", "api-key"}


@dataclass
class Turn:
    """One model reply. ``cut_after`` / ``error_after`` count SSE events sent first."""

    text: str = ""
    tool_name: str | None = None
    tool_arguments: str | None = None  # raw JSON text, possibly malformed on purpose
    refusal: str | None = None
    input_tokens: int = 21
    output_tokens: int = 9
    chunk_chars: int = 8
    delay_s: float = 0.0  # between events
    cut_after: int | None = None  # drop the connection after this many events
    error_after: int | None = None  # send an in-stream error after this many events
    error_type: str = "overloaded_error"


@dataclass
class HttpError:
    """An error response; ``body``, when given, is sent as it is (a recorded body)."""

    status: int
    error_type: str = "api_error"
    message: str = "Something went wrong."
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class Recorded:
    """A streamed reply as a real server sent it: each event is ``{"event": name, "data":
    {...}}`` (Anthropic), ``{"data": {...}}`` (Chat Completions), the string ``"[DONE]"``,
    or ``{"raw": text}`` for a line sent as it is. ``cut``: the connection drops after
    the last event instead of the stream ending."""

    events: list[Any]
    cut: bool = False


@dataclass
class Hang:
    """Say nothing for ``seconds`` (the client should time out first)."""

    seconds: float


Reply = Turn | HttpError | Hang | Recorded


def propose(code: str, rationale: str = "Because.", text: str = "", **options: Any) -> Turn:
    arguments = json.dumps({"code": code, "rationale": rationale})
    return Turn(text=text, tool_name="propose_cell", tool_arguments=arguments, **options)


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]  # without auth headers
    body: str
    had_auth: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FakeLLMServer:
    def __init__(self) -> None:
        self._replies: deque[Reply] = deque()
        self.requests: list[ReceivedRequest] = []
        self.disconnects = 0  # streams the client closed before the end
        # For benchmarks/first_token.py: time.perf_counter() as each stream began, and
        # as each of its events was written (with the event's text).
        self.first_bytes: list[float] = []
        self.sent_events: list[tuple[float, str]] = []
        self.client_disconnected = threading.Event()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._http.daemon_threads = True
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    # --- lifecycle ------------------------------------------------------------------

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._http.shutdown()
        self._http.server_close()

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    # --- scripting and inspection ---------------------------------------------------

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        return HttpError(500, "api_error", "fake server: no reply scripted for this request")

    def record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    @property
    def bodies(self) -> list[str]:
        return [request.body for request in self.requests]

    def note_disconnect(self) -> None:
        with self._lock:
            self.disconnects += 1
        self.client_disconnected.set()


class _ClientGone(Exception):
    pass


def _handler_for(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # or every streamed event waits ~40 ms

        def log_message(self, format: str, *args: Any) -> None:
            pass  # never log: request lines are harmless, but keep the rule simple

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            headers = {
                name.lower(): value
                for name, value in self.headers.items()
                if name.lower() not in _AUTH_HEADERS
            }
            had_auth = any(name.lower() in _AUTH_HEADERS for name in self.headers)
            server.record(ReceivedRequest(self.path, headers, body, had_auth))
            wire = "anthropic" if self.path.rstrip("/").endswith("/messages") else "openai"
            reply = server.next_reply()
            try:
                if isinstance(reply, Hang):
                    server._stopping.wait(reply.seconds)
                    self.close_connection = True
                elif isinstance(reply, HttpError):
                    self._send_error(reply, wire)
                elif isinstance(reply, Recorded):
                    recorded = [_recorded_event(event) for event in reply.events]
                    self._stream(
                        recorded, Turn(cut_after=len(recorded) if reply.cut else None), wire
                    )
                else:
                    events = (
                        _anthropic_events(reply) if wire == "anthropic" else _openai_events(reply)
                    )
                    self._stream(events, reply, wire)
            except _ClientGone:
                server.note_disconnect()
                self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                server.note_disconnect()
                self.close_connection = True

        def _send_error(self, error: HttpError, wire: str) -> None:
            if error.body is not None:
                payload = error.body
            elif wire == "anthropic":
                payload = {
                    "type": "error",
                    "error": {"type": error.error_type, "message": error.message},
                }
            else:
                payload = {
                    "error": {"message": error.message, "type": error.error_type, "code": None}
                }
            data = json.dumps(payload).encode()
            self.send_response(error.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in error.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, events: list[str], turn: Turn, wire: str) -> None:
            server.first_bytes.append(time.perf_counter())
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for number, event in enumerate(events):
                if turn.cut_after is not None and number == turn.cut_after:
                    self._cut()
                    return
                if turn.error_after is not None and number == turn.error_after:
                    self._chunk(_error_event(turn.error_type, wire))
                    self._chunk("")
                    return
                if turn.delay_s and number:
                    self._pause(turn.delay_s)
                self._chunk(event)
                server.sent_events.append((time.perf_counter(), event))
            if turn.cut_after is not None and turn.cut_after >= len(events):
                self._cut()
                return
            self._chunk("")

        def _cut(self) -> None:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def _chunk(self, text: str) -> None:
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _pause(self, seconds: float) -> None:
            """Wait between events, noticing if the client hung up meanwhile."""
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                readable, _, _ = select.select([self.connection], [], [], min(left, 0.01))
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    raise _ClientGone

    return Handler


# --- wire formats ----------------------------------------------------------------------


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _anthropic_events(turn: Turn) -> list[str]:
    events = [
        _sse(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-fake",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": turn.input_tokens, "output_tokens": 1},
                },
            },
        )
    ]
    index = 0
    text = turn.text or turn.refusal or ""
    if text:
        events.append(
            _sse(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            )
        )
        events += [
            _sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "text_delta", "text": piece},
                },
            )
            for piece in _pieces(text, turn.chunk_chars)
        ]
        events.append(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        index += 1
    if turn.tool_name is not None:
        events.append(
            _sse(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {
                        "type": "tool_use",
                        "id": "toolu_fake",
                        "name": turn.tool_name,
                        "input": {},
                    },
                },
            )
        )
        events += [
            _sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": piece},
                },
            )
            for piece in _pieces(turn.tool_arguments or "", turn.chunk_chars)
        ]
        events.append(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
    stop = "refusal" if turn.refusal else "tool_use" if turn.tool_name else "end_turn"
    events.append(
        _sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": turn.output_tokens},
            },
        )
    )
    events.append(_sse("message_stop", {"type": "message_stop"}))
    return events


def _chunk(delta: dict[str, Any], finish: str | None = None) -> str:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


def _openai_events(turn: Turn) -> list[str]:
    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": piece}) for piece in _pieces(turn.text, turn.chunk_chars)]
    if turn.refusal:
        events += [_chunk({"refusal": piece}) for piece in _pieces(turn.refusal, turn.chunk_chars)]
    if turn.tool_name is not None:
        events.append(
            _chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_fake",
                            "type": "function",
                            "function": {"name": turn.tool_name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        events += [
            _chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
            for piece in _pieces(turn.tool_arguments or "", turn.chunk_chars)
        ]
    events.append(_chunk({}, "tool_calls" if turn.tool_name else "stop"))
    usage = {
        "prompt_tokens": turn.input_tokens,
        "completion_tokens": turn.output_tokens,
        "total_tokens": turn.input_tokens + turn.output_tokens,
    }
    events.append(
        "data: "
        + json.dumps(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "gpt-fake",
                "choices": [],
                "usage": usage,
            }
        )
        + "\n\n"
    )
    events.append("data: [DONE]\n\n")
    return events


def _recorded_event(event: Any) -> str:
    if event == "[DONE]":
        return "data: [DONE]\n\n"
    if "raw" in event:
        return str(event["raw"])
    named = f"event: {event['event']}\n" if "event" in event else ""
    return f"{named}data: {json.dumps(event['data'])}\n\n"


def _error_event(error_type: str, wire: str) -> str:
    message = "Overloaded" if error_type == "overloaded_error" else "Internal error"
    if wire == "anthropic":
        return _sse("error", {"type": "error", "error": {"type": error_type, "message": message}})
    return f"data: {json.dumps({'error': {'message': message, 'type': error_type}})}\n\n"
