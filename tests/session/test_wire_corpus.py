"""The wire corpus through a real session: every exchange is closed and the ledger agrees.

A representative subset of ``tests/agent/wire/`` (the recordings marked ``"session":
true``) replayed through a real ``Session`` with a real kernel and a real SQLite ledger:
one proposal or a specific error, the exchange finished (never left "answering"), and
``reply_finished`` after ``request_sent``, with a ``proposal_made`` exactly when the reply
holds one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pairrepl.agent import Agent, Provider
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.core.events import ProposalMade, ReplyFinished, RequestSent
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionSettings
from tests.agent.fake_llm_server import FakeLLMServer
from tests.agent.support import API_KEY, FAST_RETRIES
from tests.agent.wire_corpus import check_outcome, load_corpus
from tests.session.conftest import local_kernel

RECORDINGS = [recording for recording in load_corpus() if recording.session]


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        yield fake


def provider_for(wire: str, server: FakeLLMServer) -> Provider:
    if wire == "anthropic":
        return AnthropicProvider("claude-fake", API_KEY, base_url=server.url)
    return OpenAIProvider("gpt-fake", API_KEY, base_url=server.url + "/v1")


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda recording: recording.id)
async def test_a_recorded_reply_closes_its_exchange_in_the_ledger(
    recording, tmp_path: Path, ledger: Ledger, server: FakeLLMServer
) -> None:
    server.script(*recording.replies)
    agent = Agent(provider_for(recording.wire, server), retry=FAST_RETRIES)
    session = await Session.start(
        tmp_path, local_kernel(tmp_path), ledger, settings=SessionSettings(agent=agent)
    )
    statuses: list[str] = []
    try:
        reply = await session.ask("How many closing prices are missing?")
        statuses = [
            item.reply for item in session.transcript.exchanges.values()
        ]  # the status lines are streamed into the reply
        check_outcome(recording, reply, statuses, server)

        (exchange,) = session.transcript.exchanges.values()
        assert exchange.finished, "the exchange was left answering"
        assert exchange.error == reply.error
        assert (exchange.proposal_id is not None) == (reply.proposal is not None)
    finally:
        await session.close()
        await agent.aclose()

    events = [entry.event for entry in ledger.entries(session.id)]
    kinds = [type(event) for event in events]
    assert kinds.count(RequestSent) == 1 and kinds.count(ReplyFinished) == 1
    assert kinds.index(RequestSent) < kinds.index(ReplyFinished)
    finished = next(event for event in events if isinstance(event, ReplyFinished))
    assert finished.error == reply.error
    assert kinds.count(ProposalMade) == (1 if reply.proposal is not None else 0)
    if reply.proposal is not None:
        assert kinds.index(ReplyFinished) < kinds.index(ProposalMade)
