"""The AI in the console: a reply streams, a proposal waits for one key, the origin rule
decides what a run counts as, promotion shows the diff and asks first."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from pairrepl.agent import Agent, RetryPolicy
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.console.lines import TerminalPrompt
from pairrepl.core.cells import Origin
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import ProposalItem
from pairrepl.session import Session, SessionSettings
from tests.agent.fake_llm_server import FakeLLMServer, Turn
from tests.console.conftest import (
    CTRL_C,
    END,
    ENTER,
    UP,
    Driver,
    console_on,
    console_session,
    replay_settings,
)


def turn(code: str, rationale: str, text: str = "Here is a cell.") -> dict[str, object]:
    return {"text": text, "propose_cell": {"code": code, "rationale": rationale}}


def proposals(session: Session) -> list[ProposalItem]:
    return list(session.transcript.proposals.values())


async def proposed(console: Driver, count: int) -> ProposalItem:
    """Wait for the ``count``-th proposal to be printed and its choices offered."""
    await console.wait_until(lambda: len(proposals(console.session)) >= count)
    await console.wait_until(lambda: console.printed().count("why: ") >= count)
    return proposals(console.session)[count - 1]


async def test_a_proposal_waits_for_a_key_runs_edits_rejects_and_follows_up(
    tmp_path: Path,
) -> None:
    settings = replay_settings(
        tmp_path / "script.json",
        turn("total = 40 + 2", "Adds them."),
        turn("half = total / 2", "Halves it."),
        turn("import this", "A poem."),
        turn("print(total)", "Shows it.", text="It prints the total."),
    )
    async with console_session(tmp_path, settings) as session, console_on(session) as console:
        prompt = console.console.lines
        assert isinstance(prompt, TerminalPrompt)
        console.type("/add forty and two", ENTER)
        first = await proposed(console, 1)
        printed = console.printed()
        assert "Here is a cell." in printed  # the reply streamed
        assert f"proposal #{first.proposal.id[:6]} · proposed" in printed
        assert "total = 40 + 2" in printed and "why: Adds them." in printed
        assert first.proposal.state is ProposalState.PROPOSED  # nothing ran by itself
        assert session.namespace.by_name().get("total") is None

        console.type("r")  # run it as the AI wrote it, then accept it
        await console.wait_until(lambda: first.proposal.state is ProposalState.RAN_OK)
        assert "[r]un  [e]dit  [x] reject  [f]ollow-up  [Enter] later: r" in console.printed()
        assert session.transcript.cells[first.runs[-1]].origin is Origin.AI
        console.type("a")
        await console.wait_until(lambda: first.proposal.state is ProposalState.ACCEPTED)
        console.type(UP)  # what ran last, though not typed here
        await console.wait_until(lambda: prompt.text == "total = 40 + 2")
        console.type(CTRL_C)  # dropped

        console.type("/now halve it", ENTER)
        second = await proposed(console, 2)
        console.type("e")  # the code goes into the prompt; the edit runs as ai-edited
        await console.wait_until(lambda: prompt.text == "half = total / 2")
        console.type(END, " + 0", ENTER)
        await console.wait_until(lambda: second.proposal.state is ProposalState.RAN_OK)
        edited = session.transcript.cells[second.runs[-1]]
        assert edited.code == "half = total / 2 + 0" and edited.origin is Origin.AI_EDITED
        console.type(ENTER)  # later

        console.type("/something else", ENTER)
        third = await proposed(console, 3)
        console.type("x", "not now", ENTER)
        await console.wait_until(lambda: third.proposal.state is ProposalState.REJECTED)
        assert third.rejection_reason == "not now"

        console.type(":run #" + third.proposal.id[:6], ENTER)  # a rejected one cannot run
        await console.wait_for("it cannot run")

        console.type(":proposals", ENTER)
        await console.wait_for(f"{second.proposal.id:<14}ran_ok")

        console.type(":reject", ENTER)  # the latest was rejected: none open by default
        await console.wait_for("No proposal is open to a decision")
        console.type(":reject #" + second.proposal.id[:6], ENTER)  # an older one, by name
        await console.wait_until(lambda: second.proposal.state is ProposalState.REJECTED)

        console.type("/print it", ENTER)
        fourth = await proposed(console, 4)
        console.type("f", "why print?", ENTER)
        await console.wait_until(lambda: len(session.transcript.exchanges) == 5)
        follow_up = list(session.transcript.exchanges.values())[-1]
        assert follow_up.request == (
            f"Follow-up on proposal #{fourth.proposal.id[:6]} (proposed): why print?"
        )


async def test_the_reply_streams_over_http_and_ctrl_c_keeps_what_arrived(
    tmp_path: Path,
) -> None:
    with FakeLLMServer() as server:
        server.script(Turn(text="word " * 200, chunk_chars=5, delay_s=0.05))
        provider = OpenAIProvider("gpt-fake", "sk-test-key-123456", base_url=server.url + "/v1")
        agent = Agent(provider, retry=RetryPolicy(max_retries=0))
        settings = SessionSettings(agent=agent)
        async with console_session(tmp_path, settings) as session, console_on(session) as console:
            console.type("/talk for a while", ENTER)
            await console.wait_for("word word word")
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while the reply streams
            await console.wait_for("partial reply")
            exchange = next(iter(session.transcript.exchanges.values()))
            assert exchange.partial and exchange.reply.startswith("word word word")
            assert exchange.reply.count("word") < 200
        await agent.aclose()


async def test_promote_prints_the_diff_asks_then_writes_and_undo_puts_it_back(
    tmp_path: Path,
) -> None:
    settings = replay_settings(
        tmp_path / "script.json",
        turn("def add_one(n):\n    return n + 1", "Adds one to n."),
    )
    module = tmp_path / "numbers.py"
    module.write_text('"""Numbers."""\n')
    async with console_session(tmp_path, settings) as session, console_on(session) as console:
        console.type("/a function", ENTER)
        item = await proposed(console, 1)
        console.type("r")
        await console.wait_until(lambda: item.proposal.state is ProposalState.RAN_OK)
        console.type("a")
        await console.wait_until(lambda: item.proposal.state is ProposalState.ACCEPTED)

        console.type(":promote --to numbers.py", ENTER)
        await console.wait_for("+def add_one(n):")  # the diff, before anything is written
        assert "add_one" not in module.read_text()
        console.type("y")  # the AI's code, verbatim: the explain-back gate asks for a line
        console.type("it adds one to its argument", ENTER)
        await console.wait_for("promoted add_one → numbers.py")
        assert "def add_one(n):" in module.read_text()
        await console.wait_for("add_one: agrees")  # the kernel re-imported it

        console.type(":blame numbers.py", ENTER)
        await console.wait_for("ai        a function")

        console.type(":undo", ENTER)
        await console.wait_for("back as it was")
        assert module.read_text() == '"""Numbers."""\n'
