"""The replay provider drives the same agent path as a model; the demo script is sound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pairrepl.agent import Agent, Redactor, ReplayProvider, build_context
from pairrepl.agent.replay import END_OF_SCRIPT, ReplayFormatError, parse_script
from pairrepl.core import ProposalPolicy

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.replay.json"
CONTEXT = build_context("What should I look at first?", redactor=Redactor())


def replay(*turns: dict) -> ReplayProvider:
    return ReplayProvider(parse_script({"turns": list(turns)}), script_name="test.json")


async def test_a_replayed_proposal_streams_and_is_checked():
    provider = replay(
        {
            "text": "Let me look at the first values.",
            "propose_cell": {"code": "prices[:5]", "rationale": "See them."},
        }
    )
    streamed: list[str] = []
    reply = await Agent(provider).ask(CONTEXT, on_text=streamed.append)
    assert reply.model == "replay:test.json"
    assert reply.proposal is not None and reply.proposal.code == "prices[:5]"
    assert "".join(streamed) == "Let me look at the first values." and len(streamed) > 1


async def test_a_replayed_malformed_call_takes_the_retry_path():
    provider = replay(
        {"tool_call": {"name": "propose_cell", "arguments": '{"code": "len(prices"'}},
        {"propose_cell": {"code": "len(prices)", "rationale": "Fixed."}},
    )
    reply = await Agent(provider).ask(CONTEXT)
    assert reply.retried and reply.proposal is not None
    assert provider.played == 2


async def test_replayed_refusal_and_end_of_script():
    provider = replay({"refusal": "No."})
    agent = Agent(provider)
    assert (await agent.ask(CONTEXT)).refusal == "No."
    assert END_OF_SCRIPT in (await agent.ask(CONTEXT)).text


def test_format_errors_say_where():
    with pytest.raises(ReplayFormatError, match="turn 2"):
        parse_script({"turns": [{"text": "ok"}, {"txet": "typo"}]})
    with pytest.raises(ReplayFormatError, match="format"):
        parse_script({"format": "other/9", "turns": []})


async def test_the_demo_script_plays_to_valid_proposals():
    provider = ReplayProvider.from_file(DEMO)
    script = json.loads(DEMO.read_text())
    agent = Agent(provider, ProposalPolicy())
    proposals = 0
    for _ in script["turns"]:
        reply = await agent.ask(CONTEXT)
        assert reply.error is None, reply.error
        proposals += reply.proposal is not None
    assert proposals >= 3
    assert provider.label == "replay:demo.replay.json"
