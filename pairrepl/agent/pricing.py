"""What a request cost at list prices: an estimate for the cost meter, shown as such.

Prices come from genai-prices, the pydantic team's maintained table of the providers'
list prices (a snapshot shipped with the package: nothing is fetched), which knows each
model version (Claude Opus 4.1 at $15/$75 per million tokens, Opus 4.5 at $5/$25), and
hosted OpenAI-compatible services by their address (Groq, DeepSeek, OpenRouter...). A
project's own table wins: ``[tool.pairrepl.prices]`` (or ``[prices]`` in the user's
config), dollars per million tokens by model name, for contract prices or a local model
that costs nothing::

    [tool.pairrepl.prices]
    "qwen3:8b" = { input = 0, output = 0 }

Anything else, a local server's model say, is ``None``: "cost unknown", never a guess.
genai-prices is imported with the first cost worked out, not when pairrepl starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens."""

    input: float
    output: float


def estimate_cost_usd(
    provider: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    *,
    api_url: str | None = None,
    prices: Mapping[str, Price] | None = None,
) -> float | None:
    """The list-price cost of one request, or None if the price is not known.

    ``provider`` is the registry's name ("anthropic", "openai"); ``api_url`` is given for
    a server other than the provider's own (an OpenAI-compatible one), and is then what
    the price is looked up by. ``prices`` is the project's own table, which wins.
    """
    own = (prices or {}).get(model)
    if own is not None:
        return (input_tokens * own.input + output_tokens * own.output) / 1_000_000
    try:
        from genai_prices import Usage, calc_price
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens)
    try:
        if api_url is None:
            priced = calc_price(usage, model_ref=model, provider_id=provider)
        else:
            priced = calc_price(usage, model_ref=model, provider_api_url=api_url)
    except (LookupError, ValueError):  # a model or a server genai-prices does not know
        return None
    return float(priced.total_price)


def read_prices(table: object, where: str) -> tuple[dict[str, Price], str | None]:
    """``[tool.pairrepl.prices]`` (from ``where``) as prices, or the problem with it."""
    if not isinstance(table, Mapping):
        return {}, f"prices in {where} must be a table of models, such as {_EXAMPLE}."
    prices = {}
    for model, entry in table.items():
        values = [entry.get(side) if isinstance(entry, Mapping) else None for side in _SIDES]
        if not all(isinstance(v, int | float) and v >= 0 for v in values):
            return {}, (
                f"prices.{model!r} in {where} must give input and output in dollars per "
                f"million tokens, such as {_EXAMPLE}."
            )
        prices[str(model)] = Price(float(values[0]), float(values[1]))  # type: ignore[arg-type]
    return prices, None


_SIDES = ("input", "output")
_EXAMPLE = '"my-model" = { input = 0.5, output = 1.5 }'
