"""Proposal first token on screen, against the first byte from the (fake) model server.

The app on a session whose agent is the real Anthropic SDK pointed at the fake server of
``tests/agent/fake_llm_server.py`` on 127.0.0.1 (a kernel stub: nothing runs). Each
round asks a question; the server streams a reply that starts with a word seen nowhere
else and ends in a proposal, paced like a model (``PACE_S`` between events). Measured:
from the moment the server has written the bytes that carry the first word (the
baseline: the first byte of the token, out) to the moment the transcript paints it.
Also shown, unpaced: the whole reply, proposal included, written at once, timed from
the response's first byte (then the proposal's own drawing competes with the token).

Bar: median ≤ +20 ms (p95 shown).

Run:  python benchmarks/first_token.py [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from _common import Figure, median, ms, p95, parse_arguments, report
from _stubs import InstantKernel
from _tui import PaintWatch, running_app, wait_until

from pairrepl.agent import Agent
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionSettings
from tests.agent.fake_llm_server import FakeLLMServer, propose

API_KEY = "sk-bench-not-a-real-key-0000"
PACE_S = 0.02  # between streamed events: about what a model sends


def token_sent_at(server: FakeLLMServer, word: str) -> float:
    return next(at for at, event in server.sent_events if word in event)


async def measure(rounds: int, pace_s: float) -> list[float]:
    delays: list[float] = []
    with tempfile.TemporaryDirectory() as directory, FakeLLMServer() as server:
        root = Path(directory)
        ledger = Ledger.open(root)
        words = [f"Qk{n:03d}" for n in range(rounds + 1)]  # within one 8-character chunk
        server.script(
            *(
                propose(
                    "df.head()",
                    "Look first.",
                    text=f"{word}! Let me look at the data first.",
                    delay_s=pace_s,
                )
                for word in words
            )
        )
        provider = AnthropicProvider("claude-fake", API_KEY, base_url=server.url, timeout=10)
        settings = SessionSettings(agent=Agent(provider))

        async def open_session() -> Session:
            return await Session.start(root, InstantKernel(), ledger, settings=settings)  # type: ignore[arg-type]

        try:
            async with running_app(open_session) as app:
                session = app.session
                assert session is not None
                watch = PaintWatch(app.transcript)
                for number, word in enumerate(words):
                    watch.expect(lambda strip, word=word: word in strip.text)
                    asked = len(server.first_bytes)
                    app.code_input.insert(f"/what should I look at first? ({number})")
                    app.code_input.submit()
                    painted = await watch.wait(30)
                    await wait_until(lambda: session.latest_proposal() is not None, 30)
                    await wait_until(lambda asked=asked: len(server.first_bytes) > asked, 5)
                    sent = token_sent_at(server, word) if pace_s else server.first_bytes[asked]
                    if number:  # the first round warms up the SDK and the connection
                        delays.append(painted - sent)
                    await wait_until(lambda: app._answering == 0, 30)
                    await asyncio.sleep(0.05)
                await session.close()
        finally:
            ledger.close()
            await provider.aclose()
    return delays


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    rounds = 3 if arguments.quick else 30
    paced = await measure(rounds, PACE_S)
    unpaced = await measure(rounds, 0.0)
    figure = Figure(
        name="proposal first token on screen after the server sent it",
        measured=median(paced),
        unit="s",
        baseline=None,
        baseline_name="the fake server writing that token",
        bar="≤ +20 ms",
        met=median(paced) <= 0.020,
        details=[
            f"{len(paced)} requests paced {PACE_S * 1000:.0f} ms per event: median"
            f" {ms(median(paced))}, p95 {ms(p95(paced))}, max {ms(max(paced))}",
            f"unpaced (the whole reply at once, from its first byte): median"
            f" {ms(median(unpaced))}, p95 {ms(p95(unpaced))}",
        ],
    )
    report([figure], arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
