"""The one swap point for models: a ``Provider`` streams ``ModelEvent``s for a ``ModelRequest``.

Like httpx's ``BaseTransport``, the protocol is one method, so a new model family (or a
fake for a demo) is one small class. Everything a provider says arrives as one of six
events; everything that goes wrong arrives as a ``ProviderError`` with a plain message
(no SDK traceback ever reaches a user), tagged with whether trying again may help.

Providers translate; they do not decide. Retrying, validating a proposal and building the
context are the agent's job (``pairrepl.agent.agent``), the same for every provider.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pairrepl.errors import PairreplError

if TYPE_CHECKING:
    from pairrepl.agent.pricing import Price
    from pairrepl.agent.server_features import ServerFeatures

# --- what we send --------------------------------------------------------------------


@dataclass(frozen=True)
class ImagePart:
    """An image for providers that take them (a plot the kernel displayed)."""

    media_type: str  # "image/png"
    data_base64: str


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call: a name, what it is for, a JSON schema of its arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]  # JSON schema of an object


@dataclass(frozen=True)
class ToolCall:
    """The model called a tool. ``arguments`` is the raw JSON text, as streamed (a server
    that sends an object instead, as llama.cpp and TGI do, has it serialised): it may be
    malformed, and the agent is the one that checks it."""

    name: str
    arguments: str
    call_id: str = ""


@dataclass(frozen=True)
class ToolResult:
    """Our answer to one tool call (used to tell the model why a proposal was refused)."""

    call_id: str
    text: str
    is_error: bool = False


@dataclass(frozen=True)
class ThinkingBlock:
    """A block of the model's reasoning (Anthropic's ``thinking``), with the signature that
    vouches for it; ``redacted`` holds an encrypted ``redacted_thinking`` block instead.

    Opaque to us: it goes back exactly as it came, first in the assistant turn that made
    a tool call (the API rejects a tool-use turn whose thinking was dropped or changed).
    """

    text: str = ""
    signature: str = ""
    redacted: str = ""


@dataclass(frozen=True)
class Message:
    """One turn of the conversation.

    A user turn holds text (and maybe images, and tool results answering the previous
    assistant turn); an assistant turn holds text and maybe the tool calls it made, after
    the thinking blocks it started with.
    """

    role: Literal["user", "assistant"]
    text: str = ""
    images: tuple[ImagePart, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    tool_results: tuple[ToolResult, ...] = ()
    thinking: tuple[ThinkingBlock, ...] = ()


DEFAULT_MAX_TOKENS = 4096  # the most a reply may use, reasoning and thinking included


@dataclass(frozen=True)
class ModelRequest:
    system: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    max_tokens: int = DEFAULT_MAX_TOKENS


# --- what comes back -----------------------------------------------------------------


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Usage:
    """Token counts the server reported. As an event, the counts of the reply so far: a
    later one replaces an earlier one (servers send them at the start, the end, or with
    every chunk). ``known`` is False when the server sent none."""

    input_tokens: int = 0
    output_tokens: int = 0
    known: bool = True

    def __add__(self, other: Usage) -> Usage:
        """Two requests' counts together (known only if both were)."""
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.known and other.known,
        )


@dataclass(frozen=True)
class Finished:
    """The reply is complete. ``stop_reason`` is the provider's word for why it stopped."""

    stop_reason: str


@dataclass(frozen=True)
class Refusal:
    """The model declined to answer; ``text`` is what it said about it, if anything."""

    text: str


ModelEvent = TextDelta | ToolCall | Usage | Finished | Refusal | ThinkingBlock

# A stream that ends without ``Finished`` was cut: providers raise
# ``ProviderError(ErrorKind.CUT, ...)`` rather than ending quietly.


# --- what goes wrong -----------------------------------------------------------------


class AgentError(PairreplError):
    """Anything the agent layer reports to a person: ``str(error)`` is a plain sentence."""


class ErrorKind(Enum):
    AUTH = "auth"  # 401/403: the key is wrong or lacks access
    RATE_LIMITED = "rate_limited"  # 429
    OVERLOADED = "overloaded"  # 529 or an overloaded_error event
    SERVER = "server"  # other 5xx
    BAD_REQUEST = "bad_request"  # other 4xx: our request was refused
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # could not connect
    CUT = "cut"  # the stream stopped before the reply was complete
    STREAM_ERROR = "stream_error"  # the provider sent an error in the middle of a stream


_RETRYABLE = {ErrorKind.RATE_LIMITED, ErrorKind.OVERLOADED}


class ProviderError(AgentError):
    """A provider failed. ``kind`` says how; ``str(error)`` says it in plain words."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        server_message: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after  # seconds, from the server's retry-after header
        self.status = status
        self.server_message = server_message  # the server's own words, when it sent some

    @property
    def retryable(self) -> bool:
        """Trying the same request again may succeed (only ever before the first delta)."""
        return self.kind in _RETRYABLE


# --- the swap point ------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderSettings:
    """What a provider is made from (``Provider.from_settings``): the settings that concern it."""

    model: str | None = None  # None: the provider's ``default_model``
    api_key: str = field(default="", repr=False)
    base_url: str | None = None  # normalised (``agent/base_url.py``); None: its own server
    timeout_s: float = 60.0
    script: str | None = None  # a recorded script, for the replay provider
    prices: Mapping[str, Price] = field(default_factory=dict)  # the project's own, by model


class Provider(ABC):
    """A model behind one streaming method.

    Each provider class states what the rest of pairrepl needs to know about it; the
    registry (``agent/registry.py``) maps ``name`` to the class, and the settings, the
    kernel's environment, the command line, ``pairrepl doctor`` and the magics read it:

    - ``name``: how the human chooses it (``--provider``, ``PAIRREPL_PROVIDER``, ...);
    - ``key_variables``: the environment variables that hold its credentials. The first
      is the one read as its API key; a kernel pairrepl starts inherits none of them;
    - ``base_url_variable``: the environment variable that points it at another server;
    - ``default_model``: the model asked when none is chosen;
    - ``takes_images``: whether the model accepts ``Message.images``: the caller passes
      it to ``build_context(images=...)``, so a provider that does not gets none;
    - ``cost_usd``: how its prices are looked up (``agent/pricing.py``);
    - ``needs_key`` and ``from_settings``: what it needs, and how it is made.

    Servers that refuse part of a request (tools, ``stream_options``) get it no more once
    ``stop_sending`` is called (``agent/server_features.py``); ``takes_tools`` says
    whether the agent may offer the tool.

    ``label`` says on screen what answered ("openai:gpt-4o-mini", "replay:demo.json");
    ``service`` names it in a sentence ("OpenAI", "the server at 127.0.0.1:8080").
    ``secrets`` are values that must never appear in anything sent (the provider's own
    API key); the agent scrubs them from every request as a last line of defence.
    """

    name: ClassVar[str] = "provider"
    key_variables: ClassVar[tuple[str, ...]] = ()
    base_url_variable: ClassVar[str | None] = None
    default_model: ClassVar[str] = ""  # "": it has no models to choose from

    label: str = "provider"
    service: str = "the model's server"
    secrets: tuple[str, ...] = ()
    takes_images: bool = False
    takes_tools: bool = True  # False: the model is asked for a fenced block instead
    remembered_note: str = ""  # what was remembered about its server, said once per session

    def stop_sending(self, feature: str, why: str) -> bool:
        """Stop sending ``feature`` (a ``ServerFeatures`` field) that the server refused
        in ``why``, and remember that; False if this provider cannot do without it."""
        return False

    def learn(self, features: ServerFeatures, why: str) -> None:  # noqa: B027 - optional hook
        """Use and remember what ``pairrepl doctor`` found the server takes (a
        ``ServerFeatures``); providers whose server takes everything ignore it."""

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> Provider:
        """The provider ``settings`` describe; ``AgentError`` (saying what to fix) if it
        cannot be made from them."""
        raise AgentError(f"The {cls.name} provider cannot be chosen in the settings.")

    @classmethod
    def needs_key(cls, base_url: str | None) -> bool:
        """Whether it needs an API key to talk to ``base_url`` (None: its own server)."""
        return bool(cls.key_variables)

    def cost_usd(self, usage: Usage) -> float | None:
        """What a request that used ``usage`` cost at list prices; None when not known."""
        return None

    @abstractmethod
    def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        """Yield the reply as events, ending with ``Finished``; raise ``ProviderError``.

        Implementations are async generators. Closing the generator early (the caller
        was cancelled) must close the HTTP response.
        """

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release connections; the provider is not used afterwards."""
