"""OpenAI Chat Completions, streaming, with function tools; any compatible server too.

``base_url`` points it at Ollama, vLLM, a llama.cpp server or anything else that speaks
Chat Completions. As with Anthropic, the SDK is imported on first use and its own
retries are off: the agent decides what to retry. What a compatible server refuses
(tools, ``stream_options``) is no longer sent once it has refused it, and is remembered
for its address (``agent/server_features.py``).
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
    ToolCall,
    Usage,
)
from pairrepl.agent.server_features import FEATURE_WORDS, FeatureMemory, ServerFeatures

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIProvider(Provider):
    name = "openai"
    key_variables = ("OPENAI_API_KEY",)
    base_url_variable = "OPENAI_BASE_URL"
    default_model = "gpt-5.4-mini"

    def __init__(
        self,
        model: str,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        takes_images: bool | None = None,
        memory: FeatureMemory | None = None,
        prices: Mapping[str, Price] | None = None,
    ) -> None:
        self.model = model
        self.prices = dict(prices or {})
        self.base_url = normalise_base_url(base_url or DEFAULT_BASE_URL)
        # OpenAI's own server, or a compatible one (Ollama, vLLM, llama.cpp, ...)?
        self.at_openai = self.base_url == DEFAULT_BASE_URL
        self._memory = memory or FeatureMemory()  # no file: this process only
        self.features = self._memory.recall(self.base_url)
        # OpenAI's own models read images; a compatible server's often refuse the whole
        # request if sent one, so they get none unless asked (or found to take them).
        if takes_images is None:
            takes_images = self.at_openai or self.features.images is True
        self.takes_images = takes_images
        self.label = (
            f"openai:{model}" if self.at_openai else f"openai:{model}@{host_of(self.base_url)}"
        )
        # Who answered, in error messages: "OpenAI", or "the server at 127.0.0.1:8080".
        self.service = "OpenAI" if self.at_openai else f"the server at {host_of(self.base_url)}"
        if self.features.refused:
            refused = ", ".join(FEATURE_WORDS[name] for name in self.features.refused)
            self.remembered_note = (
                f"{self.service[:1].upper()}{self.service[1:]} refused {refused} on "
                f"{self._memory.when(self.base_url)}, so they are not sent "
                "(`pairrepl doctor` checks it again)."
            )
        self.secrets = (api_key,)
        self._api_key = api_key
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._client: Any = None

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> OpenAIProvider:
        return cls(
            settings.model or cls.default_model,
            settings.api_key,
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            memory=FeatureMemory.for_user(),
            prices=settings.prices,
        )

    @property
    def takes_tools(self) -> bool:  # type: ignore[override]
        return self.features.tools

    def stop_sending(self, feature: str, why: str) -> bool:
        if getattr(self.features, feature, None) is False or feature == "images":
            return False
        self.features = self.features.without(feature)
        self._memory.remember(self.base_url, self.features, why)
        return True

    def learn(self, features: ServerFeatures, why: str) -> None:
        """What ``pairrepl doctor`` found this server takes: used, and remembered."""
        self.features = features
        self._memory.remember(self.base_url, features, why)

    @classmethod
    def needs_key(cls, base_url: str | None) -> bool:
        """Only OpenAI's own server: a local one (Ollama, ...) usually takes none."""
        return base_url is None or normalise_base_url(base_url) == DEFAULT_BASE_URL

    def cost_usd(self, usage: Usage) -> float | None:
        """List prices by model name at OpenAI; at another server, by its address (Groq,
        OpenRouter... are known; a local server is not, unless the project prices it)."""
        return estimate_cost_usd(
            self.name,
            self.model,
            usage.input_tokens,
            usage.output_tokens,
            api_url=None if self.at_openai else self.base_url,
            prices=self.prices,
        )

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
        arguments: dict[str, Any] = {"model": self.model, "messages": messages, "stream": True}
        if self.features.stream_usage:
            arguments["stream_options"] = {"include_usage": True}
        # OpenAI's newer models want max_completion_tokens; compatible servers know max_tokens.
        limit_name = "max_completion_tokens" if self.at_openai else "max_tokens"
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
            if self.features.parallel_tool_calls:
                arguments["parallel_tool_calls"] = False  # one proposal per reply
        try:
            sdk_stream = await client.chat.completions.create(**arguments)
        except Exception as error:
            raise classify_exception(error, self.service) from None

        state = _StreamState()
        try:
            async with sdk_stream:
                async for chunk in sdk_stream:
                    try:
                        events = state.translate(chunk)
                    except Exception as error:
                        raise unreadable_reply(self.service, error) from None
                    for event in events:
                        yield event
        except ProviderError:
            raise
        except Exception as error:
            raise classify_exception(error, self.service, mid_stream=True) from None
        if state.finish_reason is None:
            raise ProviderError(
                ErrorKind.CUT, f"The reply from {self.service} stopped before it was complete."
            )
        for event in state.closing_events():
            yield event


class _StreamState:
    """Chat completion chunks -> our events. Tool calls arrive in fragments by index.

    Compatible servers bend the format, and each bend is read as what it means:
    ``arguments`` sent as a JSON object instead of a string (llama.cpp, TGI) is
    serialised; a second call sent under an index already taken (Ollama gives every call
    index 0, each whole in one chunk) is a second call, told apart by its new id, or by a
    new name arriving after complete arguments.
    """

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.refusal_parts: list[str] = []
        self._calls: list[_PartialCall] = []
        self._by_index: dict[int, _PartialCall] = {}  # the newest call at each index

    def translate(self, chunk: Any) -> list[ModelEvent]:
        events: list[ModelEvent] = []
        usage = getattr(chunk, "usage", None)
        if usage is not None:  # once at the end, or with every chunk (vLLM): the latest holds
            events.append(Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0))
        for choice in getattr(chunk, "choices", None) or []:
            if choice.index not in (0, None):
                continue
            delta = choice.delta
            if delta is not None:
                if delta.content:
                    events.append(TextDelta(delta.content))
                if getattr(delta, "refusal", None):
                    self.refusal_parts.append(delta.refusal)
                for fragment in delta.tool_calls or []:
                    self._add_fragment(fragment)
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        return events

    def _add_fragment(self, fragment: Any) -> None:
        function = fragment.function
        name = (getattr(function, "name", None) or "") if function is not None else ""
        arguments = getattr(function, "arguments", None) if function is not None else None
        index = fragment.index if isinstance(fragment.index, int) else len(self._calls)
        call = self._by_index.get(index)
        if call is None or call.is_followed_by(fragment.id or "", name):
            call = _PartialCall()
            self._calls.append(call)
            self._by_index[index] = call
        call.add(fragment.id or "", name, arguments)

    def closing_events(self) -> list[ModelEvent]:
        events: list[ModelEvent] = [
            call.tool_call(f"call_{number}") for number, call in enumerate(self._calls)
        ]
        if self.refusal_parts:
            events.append(Refusal("".join(self.refusal_parts)))
        events.append(Finished(self.finish_reason or "stop"))
        return events


class _PartialCall:
    """One tool call as its fragments arrive."""

    def __init__(self) -> None:
        self.call_id = ""
        self.name = ""
        self.arguments: list[str] = []

    def is_followed_by(self, call_id: str, name: str) -> bool:
        """Does a fragment with this id and name start another call at the same index?"""
        if call_id and self.call_id and call_id != self.call_id:
            return True
        return bool(name and self.name and _is_json("".join(self.arguments)))

    def add(self, call_id: str, name: str, arguments: object) -> None:
        self.call_id = self.call_id or call_id
        if name and name != self.name:  # some servers repeat the name in every fragment
            self.name += name
        if isinstance(arguments, str):
            self.arguments.append(arguments)
        elif arguments is not None:  # an object, not the JSON text of one
            self.arguments.append(json.dumps(arguments))

    def tool_call(self, fallback_id: str) -> ToolCall:
        return ToolCall(self.name, "".join(self.arguments) or "{}", self.call_id or fallback_id)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


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
    return raw if _is_json(raw) else "{}"
