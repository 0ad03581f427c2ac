"""The AI side of pairrepl: providers, the context a model sees, and the agent that asks.

The agent only ever *proposes*: it returns checked drafts, and holds no handle to a kernel
(invariant AI-NEVER-EXECUTES-CODE: an import-linter contract forbids ``pairrepl.kernel``,
``pairrepl.kernel_ext`` and ``pairrepl.session`` here).
The anthropic and openai SDKs are imported lazily, inside the provider that needs them,
so importing this package is fast and works without them configured.

Typical use (by ``pairrepl.session``)::

    config = resolve_config(project_root, provider=flags.provider, model=flags.model)
    agent = Agent(make_provider(config)) if config.configured else None
    context = build_context(request, transcript=..., namespace=..., object_views=...,
                            images=agent.provider.takes_images)
    reply = await agent.ask(context, on_text=show_delta)
"""

from pairrepl.agent.agent import Agent, AgentReply, check_provider
from pairrepl.agent.config import ProviderConfig, make_provider, resolve_config
from pairrepl.agent.context import (
    ContextLimits,
    Exchange,
    ModelContext,
    build_context,
    estimate_tokens,
    referenced_names,
)
from pairrepl.agent.drafts import PROPOSE_CELL_TOOL, ProposalDraft
from pairrepl.agent.pricing import estimate_cost_usd
from pairrepl.agent.protocol import (
    AgentError,
    ErrorKind,
    Finished,
    ImagePart,
    Message,
    ModelEvent,
    ModelRequest,
    Provider,
    ProviderError,
    Refusal,
    TextDelta,
    ToolCall,
    ToolResult,
    ToolSpec,
    Usage,
)
from pairrepl.agent.redaction import Redactor, looks_secret
from pairrepl.agent.replay import ReplayProvider
from pairrepl.agent.retry import RetryPolicy

__all__ = [
    "PROPOSE_CELL_TOOL",
    "Agent",
    "AgentError",
    "AgentReply",
    "ContextLimits",
    "ErrorKind",
    "Exchange",
    "Finished",
    "ImagePart",
    "Message",
    "ModelContext",
    "ModelEvent",
    "ModelRequest",
    "ProposalDraft",
    "Provider",
    "ProviderConfig",
    "ProviderError",
    "Redactor",
    "Refusal",
    "ReplayProvider",
    "RetryPolicy",
    "TextDelta",
    "ToolCall",
    "ToolResult",
    "ToolSpec",
    "Usage",
    "build_context",
    "check_provider",
    "estimate_cost_usd",
    "estimate_tokens",
    "looks_secret",
    "make_provider",
    "referenced_names",
    "resolve_config",
]
