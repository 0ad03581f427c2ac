"""The AI proposes, the human disposes: a real session, a real SDK, a fake model server."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from pairrepl.agent import Agent, RetryPolicy
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.cli.options import session_settings
from pairrepl.core.cells import Origin
from pairrepl.core.events import ProposalMade, ReplyFinished, RequestSent
from pairrepl.core.proposals import ProposalState
from pairrepl.ledger import Ledger
from pairrepl.session import Session, SessionError, SessionSettings
from pairrepl.session.settings import read_settings
from tests.agent.fake_llm_server import FakeLLMServer, Turn, propose
from tests.session.conftest import local_kernel

CANARY = "canary-7f3a9c"


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        yield fake


@pytest.fixture
async def ai_session(
    tmp_path: Path, ledger: Ledger, server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Session]:
    monkeypatch.setenv("PAIRREPL_TEST_SECRET", CANARY)  # the kernel inherits it
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-123456")  # the kernel must not
    provider = OpenAIProvider("gpt-fake", "sk-test-key-123456", base_url=server.url + "/v1")
    agent = Agent(provider, retry=RetryPolicy(max_retries=0))
    settings = SessionSettings(agent=agent)
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger, settings=settings)
    yield session
    await session.close()
    await agent.aclose()


async def test_a_proposal_is_shown_and_never_run_until_the_human_runs_it(
    ai_session: Session, server: FakeLLMServer, ledger: Ledger
) -> None:
    server.script(propose("answer = 41 + 1", "Compute it.", text="Try this."))
    reply = await ai_session.ask("what is the answer?")
    assert reply.proposal is not None
    item = ai_session.latest_proposal()
    assert item is not None and item.proposal.state is ProposalState.PROPOSED
    assert "answer" not in ai_session.namespace.by_name()  # the reply ran nothing
    exchange = ai_session.transcript.exchanges[item.proposal.prompt_id]
    assert exchange.reply == "Try this." and exchange.finished
    usage = ai_session.usage()
    assert (usage.input_tokens, usage.output_tokens) == (21, 9)  # as the server reported
    assert usage.cost_usd is None  # a server at a custom address: prices unknown

    with pytest.raises(SessionError, match="has not run yet"):
        ai_session.accept(item.proposal.id)  # not before a successful run

    execution = await ai_session.run_proposal(item.proposal.id)
    assert ai_session.transcript.cells[execution.cell_id].origin is Origin.AI
    assert "answer" in ai_session.namespace.by_name()
    assert item.proposal.state is ProposalState.RAN_OK
    ai_session.accept(item.proposal.id)
    assert item.proposal.state is ProposalState.ACCEPTED

    kinds = [type(e.event) for e in ledger.entries(ai_session.id)]
    assert kinds.index(RequestSent) < kinds.index(ProposalMade)


async def test_an_edited_proposal_runs_as_ai_edited_and_a_rejection_reaches_the_model(
    ai_session: Session, server: FakeLLMServer
) -> None:
    server.script(propose("total = sum([1, 2])"), Turn(text="Understood."))
    await ai_session.ask("sum something")
    item = ai_session.latest_proposal()
    assert item is not None
    execution = await ai_session.run_proposal(item.proposal.id, "total = sum([1, 2, 3])")
    assert ai_session.transcript.cells[execution.cell_id].origin is Origin.AI_EDITED
    ai_session.reject(item.proposal.id, "use a generator instead")
    with pytest.raises(SessionError):
        await ai_session.run_proposal(item.proposal.id)
    await ai_session.ask("ok, what now?")
    assert "use a generator instead" in server.bodies[-1]


async def test_no_secret_reaches_the_model_or_the_ledger(
    ai_session: Session, server: FakeLLMServer, ledger: Ledger
) -> None:
    await ai_session.run("import os\nSECRET_TOKEN = os.environ['PAIRREPL_TEST_SECRET']")
    probe = await ai_session.run("print('OPENAI_API_KEY' in os.environ)")
    assert probe.outputs[0].text == "False\n"  # the provider's key stays in the app
    assert CANARY not in str(ai_session.namespace)  # summaries never carry the value
    server.script(Turn(text="Fine."))
    await ai_session.ask("what is in $SECRET_TOKEN and the namespace?")
    assert server.bodies and all(CANARY not in body for body in server.bodies)
    assert all("sk-test-key-123456" not in body for body in server.bodies)
    files = [Path(ledger.path), Path(f"{ledger.path}-wal")]
    assert all(CANARY.encode() not in f.read_bytes() for f in files if f.exists())
    assert all(CANARY not in str(e.event) for e in ledger.entries(ai_session.id))


async def test_functions_defined_in_the_session_reach_the_model_with_their_source(
    ai_session: Session, server: FakeLLMServer
) -> None:
    await ai_session.run("def halve(x):\n    return x / 2  # marker-in-source")
    for _ in range(30):  # push the defining cell out of the context budget
        await ai_session.run("print('x' * 3000)")
    server.script(Turn(text="ok"))
    await ai_session.ask("what can I call?")
    body = server.bodies[-1]
    assert "earlier items left out" in body  # the defining cell did not fit...
    assert "marker-in-source" in body  # ...but the function's source is there


async def test_the_context_meter_grows_with_the_session_and_stays_in_the_budget(
    ai_session: Session,
) -> None:
    empty, budget = await ai_session.preview_context("?")
    await ai_session.run("for i in range(300): print('row', i)")
    grown, _ = await ai_session.preview_context("?")
    assert empty < grown <= budget


async def test_without_a_provider_asking_says_how_to_configure_one(
    tmp_path: Path, ledger: Ledger
) -> None:
    """As the command line starts it: the words come from the provider registry."""
    settings = read_settings(tmp_path, environ={}, user_file=tmp_path / "no-user-file.toml")
    session = await Session.start(
        tmp_path, local_kernel(tmp_path), ledger, settings=session_settings(settings)
    )
    try:
        with pytest.raises(SessionError, match="ANTHROPIC_API_KEY or OPENAI_API_KEY"):
            await session.ask("hello?")
    finally:
        await session.close()


async def test_steering_edits_pins_and_hides_reach_the_next_request_and_survive_resume(
    ai_session: Session, server: FakeLLMServer, ledger: Ledger, tmp_path: Path
) -> None:
    kept = await ai_session.run("kept_marker = 'always-here'")
    secret_cell = await ai_session.run(
        "def never_shown():\n    return 'hidden' + '-body'\nprint('never' + '-sent')"
    )
    ai_session.mark_for_context(kept.cell_id, "pinned")
    ai_session.mark_for_context(secret_cell.cell_id, "hidden")
    server.script(
        propose("pending = True", "left for later"),
        Turn(text="original answer"),
        Turn(text="second"),
        Turn(text="third"),
    )
    await ai_session.ask("propose something")
    pending = ai_session.latest_proposal()
    assert pending is not None
    await ai_session.ask("first question")
    exchange = list(ai_session.transcript.exchanges.values())[1]
    ai_session.edit_request(exchange.request_id, "edited question")
    ai_session.edit_reply(exchange.request_id, "edited answer")
    await ai_session.ask("next question")
    body = server.bodies[-1]
    assert "edited question" in body and "edited answer" in body
    assert "original answer" not in body
    assert "always-here" in body
    assert "never-sent" not in body and "'never' + '-sent'" not in body  # code and output
    assert "'hidden' + '-body'" not in body  # nor the source of a function it defined
    await ai_session.retry_last()
    assert "next question" in server.bodies[-1]

    originals = [e.event for e in ledger.entries(ai_session.id)]
    assert any(getattr(e, "request", None) == "first question" for e in originals)
    await ai_session.close()  # one process at a time has a session open
    rebuilt = await Session.resume(tmp_path, local_kernel(tmp_path), ledger, ai_session.id)
    try:
        assert rebuilt.transcript.exchanges[exchange.request_id].reply_text == "edited answer"
        assert rebuilt.transcript.hidden == {secret_cell.cell_id}
        assert rebuilt.transcript.pinned == {kept.cell_id}
        restored = rebuilt.latest_proposal()  # a pending proposal comes back, still pending
        assert restored is not None and restored.proposal.id == pending.proposal.id
        assert restored.proposal.state is ProposalState.PROPOSED
    finally:
        await rebuilt._kernel.shutdown()


async def test_a_cancelled_reply_is_closed_with_its_usage_unknown(
    ai_session: Session, server: FakeLLMServer, ledger: Ledger
) -> None:
    server.script(Turn(text="word " * 400, chunk_chars=5, delay_s=0.02))
    asking = asyncio.create_task(ai_session.ask("talk for a while"))
    while not any(exchange.reply for exchange in ai_session.transcript.exchanges.values()):
        await asyncio.sleep(0.01)
    asking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asking
    (exchange,) = ai_session.transcript.exchanges.values()
    assert exchange.finished and exchange.partial and exchange.error == "Cancelled."
    assert not exchange.usage_known and exchange.cost_usd is None  # unknown, not "0 tokens"
    finished = [
        e.event for e in ledger.entries(ai_session.id) if isinstance(e.event, ReplyFinished)
    ]
    assert len(finished) == 1 and not finished[0].usage_known
