"""Retrying a busy provider, but never once the reply has started.

A 429 or an overloaded provider is worth another try: the request never reached a model,
or the model had not said anything yet. Once a delta has been shown to the user, a retry
would show a second, different reply under the first, so errors after that point end the
reply (marked partial) instead.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass

from pairrepl.agent.protocol import (
    ModelEvent,
    ModelRequest,
    Provider,
    ProviderError,
    Refusal,
    TextDelta,
    ToolCall,
)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay_s: float = 1.0  # doubled each time, with jitter
    max_delay_s: float = 30.0  # a retry-after longer than this is reported, not waited out

    def delay(self, attempt: int, error: ProviderError) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based); None: give up."""
        if attempt > self.max_retries:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_delay_s else None
        backoff = self.base_delay_s * 2.0 ** (attempt - 1)
        return min(backoff * (0.5 + random.random() / 2), self.max_delay_s)


_DELTAS = (TextDelta, ToolCall, Refusal)


async def stream_with_retries(
    provider: Provider,
    request: ModelRequest,
    policy: RetryPolicy,
    *,
    on_retry: Callable[[ProviderError, float], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncGenerator[ModelEvent, None]:
    """``provider.stream(request)``, retried on retryable errors before the first delta.

    Events before the first delta (usage) are held back, so a retried attempt leaves no
    trace. The provider's generator is closed on every path, which closes its response.
    """
    attempt = 0
    while True:
        held: list[ModelEvent] = []
        started = False
        events = provider.stream(request)
        try:
            async for event in events:
                if not started and not isinstance(event, _DELTAS):
                    held.append(event)
                    continue
                if not started:
                    started = True
                    for earlier in held:
                        yield earlier
                yield event
            for event in held if not started else ():
                yield event
            return
        except ProviderError as error:
            attempt += 1
            wait = None if started or not error.retryable else policy.delay(attempt, error)
            if wait is None:
                raise
            if on_retry is not None:
                on_retry(error, wait)
        finally:
            close = getattr(events, "aclose", None)  # async generators have it
            if close is not None:
                await close()
        await sleep(wait)
