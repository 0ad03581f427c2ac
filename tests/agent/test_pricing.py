"""Cost estimates: list prices from a maintained table, the project's own first, None (not
a guess) for the rest; through the providers, as the session asks for them."""

import pytest

from pairrepl.agent import Usage, estimate_cost_usd
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.agent.pricing import Price

MILLION_EACH_WAY = Usage(1_000_000, 1_000_000)


@pytest.mark.parametrize(
    ("provider", "model", "expected"),
    [
        ("anthropic", "claude-sonnet-4-6", 3.0 + 15.0),  # the default model
        ("anthropic", "claude-opus-4-1", 15.0 + 75.0),
        ("anthropic", "claude-opus-4-5", 5.0 + 25.0),  # not Opus 4.1's prices (3x)
        ("openai", "gpt-5.4-mini", 0.75 + 4.5),  # the default model, priced
        ("openai", "gpt-4o-mini", 0.15 + 0.6),
        ("openai", "gpt-4o", 2.5 + 10.0),  # not confused with gpt-4o-mini
        ("openai", "some-future-model", None),
    ],
)
def test_list_prices_of_a_million_tokens_each_way(provider, model, expected):
    cost = estimate_cost_usd(provider, model, 1_000_000, 1_000_000)
    assert cost == (pytest.approx(expected) if expected is not None else None)


def test_a_compatible_server_is_priced_by_its_address_or_not_at_all():
    hosted = OpenAIProvider(
        "llama-3.3-70b-versatile", "k", base_url="https://api.groq.com/openai/v1"
    )
    local = OpenAIProvider("llama3.1:8b", "k", base_url="http://localhost:11434/v1")
    assert (hosted.cost_usd(MILLION_EACH_WAY) or 0) > 0  # Groq's prices, known by its address
    assert local.cost_usd(MILLION_EACH_WAY) is None, "unknown, not free"


def test_the_projects_own_prices_win():
    own = {"llama3.1:8b": Price(0, 0), "claude-opus-4-5": Price(4, 20)}
    local = OpenAIProvider("llama3.1:8b", "k", base_url="http://localhost:11434/v1", prices=own)
    assert local.cost_usd(MILLION_EACH_WAY) == 0.0
    contract = AnthropicProvider("claude-opus-4-5", "k", prices=own)
    assert contract.cost_usd(MILLION_EACH_WAY) == pytest.approx(24.0)
