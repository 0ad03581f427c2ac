"""The AI side of pairrepl: providers, the context a model sees, and the agent that asks.

The agent only ever *proposes*: it returns checked drafts, and holds no handle to a kernel
(invariant AI-NEVER-EXECUTES-CODE: an import-linter contract forbids ``pairrepl.kernel``,
``pairrepl_kernel`` and ``pairrepl.session`` here).
The anthropic and openai SDKs are imported lazily, inside the provider that needs them,
and this package imports each of its modules only when one of its names is first used
(``from pairrepl.agent import Agent``), so that the command line can read the provider
registry (``pairrepl.agent.registry``) before it launches the kernel, at little cost.

Typical use (by ``pairrepl.session``)::

    agent = Agent(provider_class(name).from_settings(ProviderSettings(model=...)))
    context = build_context(request, transcript=..., namespace=..., object_views=...,
                            images=agent.provider.takes_images)
    reply = await agent.ask(context, on_text=show_delta)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pairrepl.agent.agent import Agent, AgentReply
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
        ProviderSettings,
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

#: The module of this package that defines each name above, imported on first use.
_HOMES = {
    "Agent": "agent",
    "AgentReply": "agent",
    "ContextLimits": "context",
    "Exchange": "context",
    "ModelContext": "context",
    "build_context": "context",
    "estimate_tokens": "context",
    "referenced_names": "context",
    "PROPOSE_CELL_TOOL": "drafts",
    "ProposalDraft": "drafts",
    "estimate_cost_usd": "pricing",
    "AgentError": "protocol",
    "ErrorKind": "protocol",
    "Finished": "protocol",
    "ImagePart": "protocol",
    "Message": "protocol",
    "ModelEvent": "protocol",
    "ModelRequest": "protocol",
    "Provider": "protocol",
    "ProviderError": "protocol",
    "ProviderSettings": "protocol",
    "Refusal": "protocol",
    "TextDelta": "protocol",
    "ToolCall": "protocol",
    "ToolResult": "protocol",
    "ToolSpec": "protocol",
    "Usage": "protocol",
    "Redactor": "redaction",
    "looks_secret": "redaction",
    "ReplayProvider": "replay",
    "RetryPolicy": "retry",
}

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
    "ProviderError",
    "ProviderSettings",
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
    "estimate_cost_usd",
    "estimate_tokens",
    "looks_secret",
    "referenced_names",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
