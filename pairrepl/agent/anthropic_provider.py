"""Claude through the Anthropic Messages API, streaming, with tools.

The ``anthropic`` SDK is imported when the first request is made, never at import time:
it takes about a second to import, and the app must start fast (and work without it).
The SDK's own retries are off (``max_retries=0``): the agent retries, and only before the
first streamed delta, which the SDK cannot know about.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from pairrepl.agent.base_url import host_of, normalise_base_url
from pairrepl.agent.http_errors import classify_exception, unreadable_reply
from pairrepl.agent.pricing import Price, estimate_cost_usd
from pairrepl.agent.protocol import (
    ErrorKind,
    Finished,
    Message,
    ModelEvent,
    ModelRequest,
    Provider,
    ProviderError,
    ProviderSettings,
    Refusal,
    TextDelta,
    ThinkingBlock,
    ToolCall,
    Usage,
)

DEFAULT_BASE_URL = "https://api.anthropic.com"


class AnthropicProvider(Provider):
    name = "anthropic"
    # ANTHROPIC_AUTH_TOKEN is the SDK's other credential: never read, but withheld too.
    key_variables = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
    base_url_variable = "ANTHROPIC_BASE_URL"
    default_model = "claude-sonnet-4-6"
    takes_images = True  # every current Claude model reads images

    def __init__(
        self,
        model: str,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        prices: Mapping[str, Price] | None = None,
    ) -> None:
        self.model = model
        self.prices = dict(prices or {})
        self.label = f"anthropic:{model}"
        self.secrets = (api_key,)
        self._api_key = api_key
        self._base_url = normalise_base_url(base_url or DEFAULT_BASE_URL)
        # Who answered, in error messages: "Anthropic", or "the server at host:port".
        self.service = (
            "Anthropic"
            if self._base_url == DEFAULT_BASE_URL
            else f"the server at {host_of(self._base_url)}"
        )
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._client: Any = None

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> AnthropicProvider:
        return cls(
            settings.model or cls.default_model,
            settings.api_key,
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            prices=settings.prices,
        )

    def cost_usd(self, usage: Usage) -> float | None:
        """List prices by model name, wherever the server is (a proxy charges the same)."""
        return estimate_cost_usd(
            self.name, self.model, usage.input_tokens, usage.output_tokens, prices=self.prices
        )

    def _sdk_client(self) -> Any:
        if self._client is None:
            import anthropic

            self._client = anthropic.AsyncAnthropic(
                api_key=self._api_key,
                base_url=self._base_url,
                max_retries=0,
                timeout=anthropic.Timeout(self._timeout, connect=self._connect_timeout),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        client = self._sdk_client()
        arguments: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "messages": [_message(m) for m in request.messages],
            "stream": True,
        }
        if request.tools:
            arguments["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": dict(t.parameters)}
                for t in request.tools
            ]
            # One proposal per reply: a second call would cost a second, full request.
            arguments["tool_choice"] = {"type": "auto", "disable_parallel_tool_use": True}
        try:
            sdk_stream = await client.messages.create(**arguments)
        except Exception as error:
            raise classify_exception(error, self.service) from None

        events = _EventTranslator()
        try:
            async with sdk_stream:
                async for event in sdk_stream:
                    try:
                        translated = events.translate(event)
                    except Exception as error:
                        raise unreadable_reply(self.service, error) from None
                    for model_event in translated:
                        yield model_event
        except ProviderError:
            raise
        except Exception as error:
            raise classify_exception(error, self.service, mid_stream=True) from None
        if not events.finished:
            raise ProviderError(
                ErrorKind.CUT, f"The reply from {self.service} stopped before it was complete."
            )


class _EventTranslator:
    """Raw Messages API stream events -> our events; remembers blocks across events.

    ``thinking`` blocks (text, then a ``signature_delta``) and ``redacted_thinking``
    blocks become ``ThinkingBlock``s, kept whole so they can go back unchanged. A tool
    block still open when the message ends (cut at ``max_tokens`` in its input) is
    handed on as it stands: the agent says it was cut.
    """

    def __init__(self) -> None:
        self.input_tokens = 0
        self.stop_reason: str | None = None
        self.finished = False
        self.text = ""
        self._tool_blocks: dict[int, tuple[str, str, list[str]]] = {}  # index -> id, name, parts
        self._thinking: dict[int, list[str]] = {}  # index -> [text, signature, redacted]

    def translate(self, event: Any) -> list[ModelEvent]:
        kind = getattr(event, "type", None)
        if kind == "message_start":  # the input's count comes first: kept if the reply breaks
            usage = getattr(event.message, "usage", None)
            self.input_tokens = getattr(usage, "input_tokens", 0) or 0
            return [Usage(self.input_tokens, getattr(usage, "output_tokens", 0) or 0)]
        elif kind == "content_block_start":
            block = event.content_block
            block_type = getattr(block, "type", None)
            if block_type == "tool_use":
                self._tool_blocks[event.index] = (block.id, block.name, [])
            elif block_type == "thinking":
                self._thinking[event.index] = [block.thinking or "", "", ""]
            elif block_type == "redacted_thinking":
                self._thinking[event.index] = ["", "", block.data]
        elif kind == "content_block_delta":
            return self._delta(event.index, event.delta)
        elif kind == "content_block_stop":
            return self._close(event.index)
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason
            usage = event.usage
            output_tokens = getattr(usage, "output_tokens", 0) or 0
            input_tokens = getattr(usage, "input_tokens", None) or self.input_tokens
            return [Usage(input_tokens, output_tokens)]
        elif kind == "message_stop":
            self.finished = True
            unclosed = [event for index in list(self._tool_blocks) for event in self._close(index)]
            reason = self.stop_reason or "end_turn"
            if reason == "refusal":
                refusal = Refusal(self.text or "The model declined to answer.")
                return [*unclosed, refusal, Finished(reason)]
            return [*unclosed, Finished(reason)]
        return []

    def _delta(self, index: int, delta: Any) -> list[ModelEvent]:
        if delta.type == "text_delta" and delta.text:
            self.text += delta.text
            return [TextDelta(delta.text)]
        if delta.type == "input_json_delta" and index in self._tool_blocks:
            self._tool_blocks[index][2].append(delta.partial_json)
        elif delta.type == "thinking_delta" and index in self._thinking:
            self._thinking[index][0] += delta.thinking
        elif delta.type == "signature_delta" and index in self._thinking:
            self._thinking[index][1] += delta.signature
        return []

    def _close(self, index: int) -> list[ModelEvent]:
        if index in self._tool_blocks:
            call_id, name, parts = self._tool_blocks.pop(index)
            return [ToolCall(name=name, arguments="".join(parts) or "{}", call_id=call_id)]
        if index in self._thinking:
            text, signature, redacted = self._thinking.pop(index)
            return [ThinkingBlock(text, signature, redacted)]
        return []


def _message(message: Message) -> dict[str, Any]:
    content: list[dict[str, Any]] = [_thinking_block(block) for block in message.thinking]
    content += [
        {"type": "tool_result", "tool_use_id": r.call_id, "content": r.text, "is_error": r.is_error}
        for r in message.tool_results
    ]
    content += [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": i.media_type, "data": i.data_base64},
        }
        for i in message.images
    ]
    if message.text:
        content.append({"type": "text", "text": message.text})
    for call in message.tool_calls:
        content.append(
            {
                "type": "tool_use",
                "id": call.call_id,
                "name": call.name,
                "input": _json_object(call.arguments),
            }
        )
    return {"role": message.role, "content": content}


def _thinking_block(block: ThinkingBlock) -> dict[str, Any]:
    """A thinking block exactly as it came (the API checks its signature)."""
    if block.redacted:
        return {"type": "redacted_thinking", "data": block.redacted}
    return {"type": "thinking", "thinking": block.text, "signature": block.signature}


def _json_object(raw: str) -> dict[str, Any]:
    """Tool input as the API wants it (an object), even when the model's JSON was broken."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
