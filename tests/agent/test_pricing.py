"""Cost estimates: list prices for known models, None (not a guess) for the rest."""

import pytest

from pairrepl.agent import estimate_cost_usd


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("anthropic:claude-sonnet-4-5", 3.0 + 15.0),
        ("openai:gpt-4o-mini", 0.15 + 0.6),
        ("openai:gpt-4o", 2.5 + 10.0),  # not confused with gpt-4o-mini's prefix
        ("replay:demo.replay.json", 0.0),
        ("openai:llama3.1@localhost:11434", None),  # a local server: unknown, not free
        ("openai:some-future-model", None),
    ],
)
def test_cost_of_a_million_tokens_each_way(label: str, expected: float | None) -> None:
    cost = estimate_cost_usd(label, 1_000_000, 1_000_000)
    assert cost == (pytest.approx(expected) if expected is not None else None)
