"""The agent with the real anthropic and openai SDKs, over HTTP, against a fake server.

Each case runs against both SDKs where the case exists for both. Nothing of ours is
mocked: the only fake is the server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

from pairrepl.agent import Agent, AgentReply, build_context
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.agent.probe import probe_server
from pairrepl.agent.redaction import Redactor

from .fake_llm_server import FakeLLMServer, Hang, HttpError, Turn, propose
from .support import API_KEY, SDKS

pytestmark = pytest.mark.parametrize("sdk", SDKS)

CONTEXT = build_context("How many prices are missing?", redactor=Redactor())
SMALL_CELL = "missing = [p for p in prices if p is None]\nlen(missing)"
OVERSIZED_CELL = "\n".join(f"x{i} = {i}" for i in range(30))


def last_tool_result_text(body: dict, sdk: str) -> str:
    """What we told the model about its invalid proposal, in either wire format."""
    if sdk == "anthropic":
        blocks = body["messages"][-1]["content"]
        return next(b["content"] for b in blocks if b["type"] == "tool_result")
    return next(m["content"] for m in reversed(body["messages"]) if m["role"] == "tool")


async def test_a_tool_call_becomes_a_checked_proposal(sdk, server, agent_for):
    server.script(propose(SMALL_CELL, "Count the gaps first.", text="Let me count them."))
    streamed: list[str] = []

    reply = await agent_for(sdk).ask(CONTEXT, on_text=streamed.append)

    assert reply.proposal is not None
    assert reply.proposal.code == SMALL_CELL
    assert reply.proposal.rationale == "Count the gaps first."
    assert reply.error is None and not reply.partial
    assert reply.text == "Let me count them." == "".join(streamed)
    assert len(streamed) > 1, "text arrives in deltas"
    assert reply.usage.input_tokens == 21 and reply.usage.output_tokens == 9
    assert reply.model.startswith(f"{sdk}:")
    body = server.requests[0].json
    tool_names = [t.get("name") or t["function"]["name"] for t in body["tools"]]
    assert tool_names == ["propose_cell"]
    assert body["stream"] is True
    assert server.requests[0].had_auth


async def test_prose_only_is_an_answer(sdk, server, agent_for):
    server.script(Turn(text="I do not know yet; look at `prices[:5]` first."))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.is_answer
    assert reply.proposal is None and reply.error is None
    assert "I do not know yet" in reply.text


async def test_timeout_is_a_clear_error(sdk, server, agent_for):
    server.script(Hang(3.0))
    started = time.monotonic()
    reply = await agent_for(sdk, timeout=0.3).ask(CONTEXT)
    assert time.monotonic() - started < 2.5
    assert reply.error is not None and "timed out" in reply.error
    assert reply.proposal is None and not reply.partial
    assert "Traceback" not in reply.error


async def test_401_says_the_key_was_refused(sdk, server, agent_for):
    server.script(HttpError(401, "authentication_error", "invalid x-api-key"))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.error is not None
    assert "refused the API key" in reply.error and "401" in reply.error
    assert len(server.requests) == 1, "a 401 is not retried"


async def test_429_waits_for_retry_after_then_succeeds(sdk, server, agent_for):
    server.script(
        HttpError(429, "rate_limit_error", "slow down", headers={"retry-after": "0.3"}),
        propose(SMALL_CELL),
    )
    statuses: list[str] = []
    started = time.monotonic()
    reply = await agent_for(sdk).ask(CONTEXT, on_status=statuses.append)
    assert time.monotonic() - started >= 0.3, "retry-after was honoured"
    assert reply.proposal is not None and reply.error is None
    assert len(server.requests) == 2
    assert statuses and "429" in statuses[0]


async def test_529_overloaded_is_retried_then_succeeds(sdk, server, agent_for):
    server.script(HttpError(529, "overloaded_error", "Overloaded"), propose(SMALL_CELL))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.proposal is not None and reply.error is None
    assert len(server.requests) == 2


async def test_overloaded_for_good_gives_up_with_a_clear_error(sdk, server, agent_for):
    server.script(*[HttpError(529, "overloaded_error", "Overloaded")] * 3)
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.error is not None and "overloaded" in reply.error
    assert len(server.requests) == 3  # the first try and two retries (FAST_RETRIES)


async def test_500_is_a_clear_error_and_not_retried(sdk, server, agent_for):
    server.script(HttpError(500, "api_error", "boom"))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.error is not None and "internal error (500)" in reply.error
    assert len(server.requests) == 1


async def test_overloaded_error_mid_stream_gives_a_partial_reply(sdk, server, agent_for):
    # message_start/first chunk, then some text deltas, then an in-stream error event.
    server.script(Turn(text="Here is what I think about this", chunk_chars=4, error_after=4))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.partial
    assert reply.error is not None and "overloaded" in reply.error
    assert reply.text and "Here is what I think about this".startswith(reply.text)
    assert len(server.requests) == 1, "never retried once text was shown"


async def test_overloaded_event_before_any_text_is_retried(sdk, server, agent_for):
    server.script(Turn(text="hello", error_after=1), Turn(text="second try"))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.text == "second try" and reply.error is None
    assert len(server.requests) == 2


async def test_a_stream_cut_midway_gives_a_partial_reply(sdk, server, agent_for):
    server.script(Turn(text="The prices list has several gaps", chunk_chars=4, cut_after=4))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.partial
    assert reply.error is not None and "stopped before it was complete" in reply.error
    assert reply.proposal is None and reply.text


async def test_malformed_tool_arguments_are_sent_back_then_a_valid_retry_wins(
    sdk, server, agent_for
):
    server.script(
        Turn(tool_name="propose_cell", tool_arguments='{"code": "len(prices"'),
        propose(SMALL_CELL, "Fixed."),
    )
    statuses: list[str] = []
    reply = await agent_for(sdk).ask(CONTEXT, on_status=statuses.append)
    assert reply.proposal is not None and reply.proposal.code == SMALL_CELL
    assert reply.retried and reply.error is None
    told = last_tool_result_text(server.requests[1].json, sdk)
    assert "not valid JSON" in told
    assert statuses and "invalid" in statuses[0]


async def test_invalid_twice_is_a_clear_error_with_the_raw_reply(sdk, server, agent_for):
    server.script(
        Turn(text="Try this.", tool_name="propose_cell", tool_arguments='{"code": 42}'),
        Turn(tool_name="propose_cell", tool_arguments='{"code": "x = (", "rationale": "r"}'),
    )
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.proposal is None
    assert reply.error is not None and "invalid twice" in reply.error
    assert "does not parse" in reply.error
    assert '{"code": 42}' in reply.raw and '"x = ("' in reply.raw
    assert len(server.requests) == 2


async def test_an_oversized_proposal_is_retried_once_then_an_error(sdk, server, agent_for):
    server.script(propose(OVERSIZED_CELL), propose(OVERSIZED_CELL))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.proposal is None
    assert reply.error is not None and "the limit is 15" in reply.error
    assert "limit is 15" in last_tool_result_text(server.requests[1].json, sdk)


async def test_an_oversized_proposal_can_be_split_on_retry(sdk, server, agent_for):
    server.script(propose(OVERSIZED_CELL), propose("x0 = 0"))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.proposal is not None and reply.proposal.code == "x0 = 0"
    # The retry carries the model's own invalid call and our answer to it.
    messages = server.requests[1].json["messages"]
    if sdk == "anthropic":
        assert messages[-2]["content"][-1]["type"] == "tool_use"
        assert messages[-1]["content"][0]["is_error"] is True
    else:
        assert messages[-2]["tool_calls"][0]["id"] == "call_fake"
        assert messages[-1]["tool_call_id"] == "call_fake"


async def test_a_refusal_is_reported_as_such(sdk, server, agent_for):
    server.script(Turn(refusal="I can't help with that."))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.refusal == "I can't help with that."
    assert reply.proposal is None and not reply.is_answer
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Try:\n```python\nlen(prices)\n```",
        "Try:\n```py\nlen(prices)\n```\nIt counts them.",
        "```\nlen(prices)\n```",
        "````python\nlen(prices)\n````",
        "Here:\n````\n```python\nlen(prices)\n```\n````",
    ],
    ids=["python", "py", "unlabelled", "four-backticks", "nested"],
)
async def test_fenced_code_is_accepted_when_it_parses(sdk, text, server, agent_for):
    server.script(Turn(text=text))
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.proposal is not None, reply.error
    assert reply.proposal.code == "len(prices)"
    assert reply.proposal.via == "fence"


async def test_fenced_code_that_does_not_parse_is_an_error(sdk, server, agent_for):
    broken = Turn(text="```python\ndef clean(prices:\n    return prices\n```")
    server.script(broken, broken)
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.proposal is None
    assert reply.error is not None and "does not parse" in reply.error
    second = json.dumps(server.requests[1].json)
    assert "markdown fence" in second


async def test_cancelling_the_task_closes_the_http_response(sdk, server, agent_for):
    server.script(Turn(text="word " * 400, chunk_chars=5, delay_s=0.02))
    first_text = asyncio.Event()
    streamed: list[str] = []

    def on_text(delta: str) -> None:
        streamed.append(delta)
        first_text.set()

    task = asyncio.create_task(agent_for(sdk).ask(CONTEXT, on_text=on_text))
    await asyncio.wait_for(first_text.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(server.client_disconnected.wait, 3)
    assert len(streamed) < 400


async def test_stopping_returns_the_partial_reply_and_closes_the_response(sdk, server, agent_for):
    server.script(Turn(text="word " * 400, chunk_chars=5, delay_s=0.02))
    stop = asyncio.Event()
    reply_task = asyncio.create_task(
        agent_for(sdk).ask(CONTEXT, on_text=lambda _: stop.set(), stop=stop)
    )
    reply: AgentReply = await asyncio.wait_for(reply_task, 5)
    assert reply.partial and reply.error is not None and "Stopped" in reply.error
    assert reply.text.startswith("word")
    assert await asyncio.to_thread(server.client_disconnected.wait, 3)


async def test_hint_mode_offers_no_tool(sdk, server, agent_for):
    server.script(Turn(text="What does `prices[0]` look like?"))
    context = build_context("help", hint_mode=True, redactor=Redactor())
    reply = await agent_for(sdk).ask(context)
    assert reply.is_answer
    assert "tools" not in server.requests[0].json
    assert "Hint mode is on" in json.dumps(server.requests[0].json)


def test_fake_server_is_reused_per_test(sdk, server: FakeLLMServer):
    assert server.url.startswith("http://127.0.0.1:")


async def test_a_stream_that_stalls_midway_times_out(sdk, server, agent_for):
    server.script(Turn(text="slow words arrive", chunk_chars=4, delay_s=1.0))
    reply = await agent_for(sdk, timeout=0.3).ask(CONTEXT)
    assert reply.error is not None and "timed out" in reply.error
    assert len(server.requests) == 1


async def test_a_retry_after_beyond_the_limit_is_reported_not_waited(sdk, server, agent_for):
    server.script(HttpError(429, "rate_limit_error", "slow", headers={"retry-after": "600"}))
    started = time.monotonic()
    reply = await agent_for(sdk).ask(CONTEXT)
    assert time.monotonic() - started < 2
    assert reply.error is not None and "try again in 600 s" in reply.error


async def test_nobody_listening_is_a_clear_error(sdk):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    provider = (
        AnthropicProvider("m", API_KEY, base_url=url)
        if sdk == "anthropic"
        else OpenAIProvider("m", API_KEY, base_url=url + "/v1")
    )
    reply = await Agent(provider).ask(CONTEXT)
    await provider.aclose()
    assert reply.error is not None and "Could not connect" in reply.error


async def test_the_doctor_probe_over_both_sdks(sdk, server, provider_for):
    server.script(*[Turn(text="OK")] * 3, HttpError(401, "authentication_error", "bad key"))
    provider = provider_for(sdk)
    assert [probe.taken for probe in await probe_server(provider)] == [True] * 4
    (answers,) = await probe_server(provider)
    assert answers.taken is False and "refused the API key" in answers.detail


async def test_openai_style_503_overloaded_is_retried(sdk, server, agent_for):
    server.script(
        HttpError(503, "server_error", "The engine is currently overloaded."), Turn(text="ok")
    )
    reply = await agent_for(sdk).ask(CONTEXT)
    assert reply.text == "ok" and len(server.requests) == 2
