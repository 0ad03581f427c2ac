"""Every provider pairrepl can talk to, by name: the one list everything else reads.

The settings (which names exist, which variables hold keys and server addresses, the
default models), the kernel's environment (a kernel pairrepl starts inherits no key
variable), the command line's ``--provider`` choices, ``pairrepl doctor`` and the
magics' usage text all come from here. Each provider class states its own facts
(``Provider``); adding a provider is one class and one line below.

Cheap to import: the provider modules load their SDK only when they first send a
request, and ``pairrepl.agent`` imports its other modules only when asked for them.
"""

from __future__ import annotations

from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.agent.protocol import Provider
from pairrepl.agent.replay import ReplayProvider

PROVIDERS: dict[str, type[Provider]] = {
    provider.name: provider for provider in (AnthropicProvider, OpenAIProvider, ReplayProvider)
}


def provider_names() -> tuple[str, ...]:
    return tuple(PROVIDERS)


def provider_class(name: str) -> type[Provider]:
    """The class registered as ``name``; ``KeyError`` for a name that is not."""
    return PROVIDERS[name]


def key_variables() -> tuple[str, ...]:
    """Every provider's credential variables: what a kernel pairrepl starts never gets."""
    return tuple(variable for provider in PROVIDERS.values() for variable in provider.key_variables)
