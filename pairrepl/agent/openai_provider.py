"""OpenAI Chat Completions, streaming, with function tools; any compatible server too.

``base_url`` points it at Ollama, vLLM, a llama.cpp server or anything else that speaks
Chat Completions. As with Anthropic, the SDK is imported on first use and its own
retries are off: the agent decides what to retry.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from pairrepl.agent.http_errors import classify_exception
from pairrepl.agent.protocol import (
    ErrorKind,
    Finished,
    Message,
    ModelEvent,
    ModelRequest,
    Provider,
    ProviderError,
    Refusal,
    TextDelta,
    ToolCall,
    Usage,
)

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIProvider(Provider):
    def __init__(
        self,
        model: str,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        takes_images: bool | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL
        # OpenAI's own models read images; a compatible server's (Ollama, vLLM, llama.cpp)
        # often refuse the whole request if sent one, so they get none unless asked.
        self.takes_images = (
            self.base_url == DEFAULT_BASE_URL if takes_images is None else takes_images
        )
        self.label = (
            f"openai:{model}"
            if base_url in (None, DEFAULT_BASE_URL)
            else (f"openai:{model}@{_host(self.base_url)}")
        )
        self.secrets = (api_key,)
        self._api_key = api_key
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._client: Any = None

    def _sdk_client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(
                # Local servers (Ollama...) take no key, but the SDK insists on one.
                api_key=self._api_key or "not-needed",
                base_url=self.base_url,
                max_retries=0,
                timeout=openai.Timeout(self._timeout, connect=self._connect_timeout),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        client = self._sdk_client()
        messages: list[dict[str, Any]] = [{"role": "system", "content": request.system}]
        for message in request.messages:
            messages.extend(_messages(message))
        arguments: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        # OpenAI's newer models want max_completion_tokens; compatible servers know max_tokens.
        limit_name = "max_completion_tokens" if self.base_url == DEFAULT_BASE_URL else "max_tokens"
        arguments[limit_name] = request.max_tokens
        if request.tools:
            arguments["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": dict(t.parameters),
                    },
                }
                for t in request.tools
            ]
        try:
            sdk_stream = await client.chat.completions.create(**arguments)
        except Exception as error:
            raise classify_exception(error, "OpenAI") from None

        state = _StreamState()
        try:
            async with sdk_stream:
                async for chunk in sdk_stream:
                    for event in state.translate(chunk):
                        yield event
        except ProviderError:
            raise
        except Exception as error:
            raise classify_exception(error, "OpenAI", mid_stream=True) from None
        if state.finish_reason is None:
            raise ProviderError(
                ErrorKind.CUT, "The reply from OpenAI stopped before it was complete."
            )
        for event in state.closing_events():
            yield event


class _StreamState:
    """Chat completion chunks -> our events. Tool calls arrive in fragments by index."""

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.refusal_parts: list[str] = []
        self._calls: dict[int, dict[str, Any]] = {}

    def translate(self, chunk: Any) -> list[ModelEvent]:
        events: list[ModelEvent] = []
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self.usage = Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0)
        for choice in getattr(chunk, "choices", None) or []:
            if choice.index != 0:
                continue
            delta = choice.delta
            if delta is not None:
                if delta.content:
                    events.append(TextDelta(delta.content))
                if getattr(delta, "refusal", None):
                    self.refusal_parts.append(delta.refusal)
                for fragment in delta.tool_calls or []:
                    call = self._calls.setdefault(
                        fragment.index, {"id": "", "name": "", "args": []}
                    )
                    if fragment.id:
                        call["id"] = fragment.id
                    function = fragment.function
                    if function is not None:
                        if function.name:
                            call["name"] += function.name
                        if function.arguments:
                            call["args"].append(function.arguments)
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        return events

    def closing_events(self) -> list[ModelEvent]:
        events: list[ModelEvent] = [
            ToolCall(
                name=c["name"], arguments="".join(c["args"]) or "{}", call_id=c["id"] or f"call_{i}"
            )
            for i, c in sorted(self._calls.items())
        ]
        if self.refusal_parts:
            events.append(Refusal("".join(self.refusal_parts)))
        if self.usage is not None:
            events.append(self.usage)
        events.append(Finished(self.finish_reason or "stop"))
        return events


def _messages(message: Message) -> list[dict[str, Any]]:
    """One of our messages -> Chat Completions messages (tool results are their own)."""
    out: list[dict[str, Any]] = [
        {"role": "tool", "tool_call_id": r.call_id, "content": r.text} for r in message.tool_results
    ]
    if message.role == "assistant":
        entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
        if message.tool_calls:
            entry["tool_calls"] = [
                {
                    "id": call.call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": _valid_json(call.arguments)},
                }
                for call in message.tool_calls
            ]
        out.append(entry)
    elif message.images:
        parts: list[dict[str, Any]] = (
            [{"type": "text", "text": message.text}] if message.text else []
        )
        parts += [
            {
                "type": "image_url",
                "image_url": {"url": f"data:{i.media_type};base64,{i.data_base64}"},
            }
            for i in message.images
        ]
        out.append({"role": "user", "content": parts})
    elif message.text or not message.tool_results:
        out.append({"role": "user", "content": message.text})
    return out


def _valid_json(raw: str) -> str:
    try:
        json.loads(raw)
    except json.JSONDecodeError:
        return "{}"
    return raw


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]
