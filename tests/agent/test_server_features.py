"""What a server refuses is asked without once, said on screen, and remembered for its
address; ``pairrepl doctor``'s probe finds what it takes. Real SDK, fake server."""

from __future__ import annotations

import json
from pathlib import Path

from pairrepl.agent import Agent, build_context
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.agent.probe import probe_server
from pairrepl.agent.redaction import Redactor
from pairrepl.agent.server_features import FeatureMemory

from .fake_llm_server import FakeLLMServer, HttpError, Turn
from .support import API_KEY, FAST_RETRIES

CONTEXT = build_context("How many prices are missing?", redactor=Redactor())
JINJA = HttpError(
    500, body={"error": {"code": 500, "message": "tools param requires --jinja flag"}}
)
FENCED = Turn(text="Count them:\n```python\nsum(p is None for p in prices)\n```")


def provider(server: FakeLLMServer, memory_file: Path) -> OpenAIProvider:
    return OpenAIProvider(
        "qwen3", API_KEY, base_url=server.url + "/v1", memory=FeatureMemory(memory_file)
    )


async def test_a_refused_tool_is_remembered_so_the_next_session_goes_straight_to_fences(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    memory_file = tmp_path / "servers.json"
    server.script(JINJA, FENCED)
    first = provider(server, memory_file)
    reply = await Agent(first, retry=FAST_RETRIES).ask(CONTEXT)
    await first.aclose()
    assert reply.proposal is not None and reply.proposal.via == "fence"
    remembered = json.loads(memory_file.read_text())[first.base_url]
    assert remembered["tools"] is False and "--jinja" in remembered["why"]

    server.script(FENCED)
    statuses: list[str] = []
    second = provider(server, memory_file)
    reply = await Agent(second, retry=FAST_RETRIES).ask(CONTEXT, on_status=statuses.append)
    await second.aclose()
    assert reply.proposal is not None
    assert len(server.requests) == 3, "no second refusal"
    assert "tools" not in server.requests[2].json
    assert statuses and "refused tools" in statuses[0] and "pairrepl doctor" in statuses[0]


async def test_the_probe_says_what_the_server_takes_and_remembers_it(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    memory_file = tmp_path / "servers.json"
    no_images = HttpError(400, body={"error": {"message": "image input is not supported"}})
    server.script(Turn(text="OK"), JINJA, no_images)
    probed = provider(server, memory_file)
    answers, tools, counts, images = await probe_server(probed)
    await probed.aclose()
    assert answers.taken and counts.taken
    assert tools.taken is False and "--jinja" in tools.line() and "fenced" in tools.line()
    assert images.taken is False and "image input is not supported" in images.line()
    assert "tools" in server.requests[1].json and "image_url" in server.requests[2].body

    later = provider(server, memory_file)
    assert not later.takes_tools and not later.takes_images


async def test_a_server_found_to_read_images_gets_plots(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    memory_file = tmp_path / "servers.json"
    server.script(Turn(text="OK"), Turn(text="OK"), Turn(text="grey"))
    probed = provider(server, memory_file)
    assert not probed.takes_images, "a compatible server gets no images until known"
    probes = await probe_server(probed)
    await probed.aclose()
    assert [probe.taken for probe in probes] == [True, True, True, True]
    assert provider(server, memory_file).takes_images
