"""What a request to the AI used, in words every front end shows the same way."""

from __future__ import annotations

from pairrepl.core.transcript import ExchangeItem


def format_tokens(count: int) -> str:
    """Token counts the way people read them: ``950``, ``2.1k``, ``16k``."""
    if count < 1000:
        return str(count)
    thousands = count / 1000
    return f"{thousands:.0f}k" if thousands >= 10 or count % 1000 == 0 else f"{thousands:.1f}k"


def usage_words(exchange: ExchangeItem) -> str:
    """``used 812 in / 41 out · $0.0012``; says so when the server sent no counts (not
    "0 tokens"), or when the model's prices are not known."""
    if not exchange.usage_known:
        return "tokens used unknown (the server sent no counts) · cost unknown"
    used = f"used {format_tokens(exchange.input_tokens)} in / {format_tokens(exchange.output_tokens)} out"
    cost = "cost unknown" if exchange.cost_usd is None else f"${exchange.cost_usd:.4f}"
    return f"{used} · {cost}"
