"""Fixtures for the agent tests: a fake model server and providers pointed at it.

Every test runs with OPENAI_*, ANTHROPIC_* and PAIRREPL_* cleared from the environment,
so nothing on the developer's machine (a real key!) leaks in or changes an outcome.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from pairrepl.agent import Agent, Provider
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider

from .fake_llm_server import FakeLLMServer
from .support import API_KEY, FAST_RETRIES


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "ANTHROPIC_", "PAIRREPL_")):
            monkeypatch.delenv(name)


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        yield fake


ProviderFactory = Callable[..., Provider]


@pytest.fixture
async def provider_for(server: FakeLLMServer) -> AsyncIterator[ProviderFactory]:
    """``provider_for("anthropic" | "openai", timeout=...)``: a real SDK against the fake."""
    made: list[Provider] = []

    def make(sdk: str, *, timeout: float = 5.0) -> Provider:
        provider: Provider
        if sdk == "anthropic":
            provider = AnthropicProvider(
                "claude-fake", API_KEY, base_url=server.url, timeout=timeout
            )
        else:
            provider = OpenAIProvider(
                "gpt-fake", API_KEY, base_url=server.url + "/v1", timeout=timeout
            )
        made.append(provider)
        return provider

    yield make
    for provider in made:
        await provider.aclose()


@pytest.fixture
def agent_for(provider_for: ProviderFactory) -> ProviderFactory:
    def make(sdk: str, **options: object) -> Agent:
        timeout = float(options.pop("timeout", 5.0))  # type: ignore[arg-type]
        return Agent(provider_for(sdk, timeout=timeout), retry=FAST_RETRIES, **options)  # type: ignore[arg-type]

    return make  # type: ignore[return-value]
