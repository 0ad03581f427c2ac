"""The wire corpus through a real session: every exchange is closed and the ledger agrees.

A representative subset of ``tests/agent/wire/`` (the recordings marked ``"session":
true``) replayed through one real ``Session`` (a real kernel, a real SQLite ledger), each
recording a request of its own to a model behind its own fake server, as when the human
switches models: one proposal or a specific error, the exchange finished (never left
"answering"), and ``reply_finished`` after ``request_sent``, with a ``proposal_made``
exactly when the reply holds one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from pairrepl.agent import Agent, Provider
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.core.events import ProposalMade, ReplyFinished, RequestSent
from pairrepl.ledger import Ledger
from pairrepl.session import Session
from tests.agent.fake_llm_server import FakeLLMServer
from tests.agent.support import API_KEY, FAST_RETRIES
from tests.agent.wire_corpus import check_outcome, load_corpus
from tests.session.conftest import local_kernel

pytestmark = pytest.mark.asyncio(loop_scope="module")
RECORDINGS = [recording for recording in load_corpus() if recording.session]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Session, Ledger]]:
    root = tmp_path_factory.mktemp("wire-session")
    ledger = Ledger.open(root)
    session = await Session.start(root, local_kernel(root), ledger)
    yield session, ledger
    await session.close()
    ledger.close()


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
    recording, shared: tuple[Session, Ledger], server: FakeLLMServer
) -> None:
    session, ledger = shared
    server.script(*recording.replies)
    agent = Agent(provider_for(recording.wire, server), retry=FAST_RETRIES)
    session.settings.agent = agent
    before = len(list(ledger.entries(session.id)))
    try:
        reply = await session.ask("How many closing prices are missing?")
    finally:
        await agent.aclose()

    events = [entry.event for entry in list(ledger.entries(session.id))[before:]]
    (sent,) = [event for event in events if isinstance(event, RequestSent)]
    exchange = session.transcript.exchanges[sent.request_id]
    statuses = exchange.reply.split("\n")  # status lines are streamed into the reply
    check_outcome(recording, reply, statuses, server)
    assert exchange.finished, "the exchange was left answering"
    assert exchange.error == reply.error
    assert (exchange.proposal_id is not None) == (reply.proposal is not None)

    kinds = [type(event) for event in events]
    assert kinds.count(ReplyFinished) == 1
    assert kinds.index(RequestSent) < kinds.index(ReplyFinished)
    finished = next(event for event in events if isinstance(event, ReplyFinished))
    assert finished.error == reply.error
    assert finished.usage_known == reply.usage.known
    if not reply.usage.known:
        assert finished.cost_usd is None and not exchange.usage_known
    assert kinds.count(ProposalMade) == (1 if reply.proposal is not None else 0)
    if reply.proposal is not None:
        assert kinds.index(ReplyFinished) < kinds.index(ProposalMade)
