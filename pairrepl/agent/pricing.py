"""An estimate of what a request cost, from token counts and a small price table.

Prices change and differ by contract, so this is an *estimate*, shown as such: list
prices in US dollars per million tokens for the models people commonly pair with,
matched by prefix. Unknown models, and OpenAI-compatible servers other than OpenAI's own,
give ``None`` ("cost unknown") rather than a guess. A replay costs nothing.
"""

from __future__ import annotations

# (label prefix, dollars per million input tokens, dollars per million output tokens);
# the longest matching prefix wins.
PRICES: tuple[tuple[str, float, float], ...] = (
    ("anthropic:claude-opus-4", 15.0, 75.0),
    ("anthropic:claude-sonnet-4", 3.0, 15.0),
    ("anthropic:claude-3-7-sonnet", 3.0, 15.0),
    ("anthropic:claude-3-5-sonnet", 3.0, 15.0),
    ("anthropic:claude-haiku-4", 1.0, 5.0),
    ("anthropic:claude-3-5-haiku", 0.8, 4.0),
    ("openai:gpt-4o-mini", 0.15, 0.6),
    ("openai:gpt-4o", 2.5, 10.0),
    ("openai:gpt-4.1-nano", 0.1, 0.4),
    ("openai:gpt-4.1-mini", 0.4, 1.6),
    ("openai:gpt-4.1", 2.0, 8.0),
    ("openai:o4-mini", 1.1, 4.4),
)


def estimate_cost_usd(label: str, input_tokens: int, output_tokens: int) -> float | None:
    """The list-price cost of one request to the model ``label`` names, or None if unknown."""
    if label.startswith("replay:"):
        return 0.0
    if "@" in label:  # "openai:llama3@localhost:11434": a server whose prices we do not know
        return None
    matches = [price for price in PRICES if label.startswith(price[0])]
    if not matches:
        return None
    _, per_input, per_output = max(matches, key=lambda price: len(price[0]))
    return (input_tokens * per_input + output_tokens * per_output) / 1_000_000
