"""The wire corpus: reply shapes real model servers send, kept as data in ``wire/``.

Each ``wire/<family>.json`` holds one server family's recordings. A recording is the
replies a server sent for one request (and for the agent's follow-up requests, if any),
where the shape comes from, and what pairrepl must make of it. ``wire/README.md`` says how
to add one; ``check_outcome`` is the one judgement every replay gets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pairrepl.agent import AgentReply

from .fake_llm_server import FakeLLMServer, HttpError, Recorded, Reply

WIRE = Path(__file__).parent / "wire"
OUTCOMES = ("proposal", "error", "refusal", "answer")


@dataclass(frozen=True)
class Recording:
    family: str  # the file's stem: "ollama", "anthropic"...
    name: str
    source: str
    wire: str  # which SDK speaks it: "openai" or "anthropic"
    replies: tuple[Reply, ...]
    expect: Mapping[str, Any]
    session: bool  # also replayed through a real Session (tests/session/test_wire_corpus.py)

    @property
    def id(self) -> str:
        return f"{self.family}: {self.name}"

    @property
    def outcome(self) -> str:
        return next(kind for kind in OUTCOMES if kind in self.expect)


def load_corpus() -> list[Recording]:
    recordings = []
    for path in sorted(WIRE.glob("*.json")):
        data = json.loads(path.read_text())
        for entry in data["recordings"]:
            recordings.append(
                Recording(
                    family=path.stem,
                    name=entry["name"],
                    source=entry["source"],
                    wire=entry["wire"],
                    replies=tuple(_reply(reply) for reply in entry["replies"]),
                    expect=entry["expect"],
                    session=entry.get("session", False),
                )
            )
    return recordings


def _reply(data: Mapping[str, Any]) -> Reply:
    if "sse" in data:
        return Recorded(list(data["sse"]), cut=data.get("cut", False))
    return HttpError(data["status"], body=data["body"], headers=dict(data.get("headers", {})))


def check_outcome(
    recording: Recording, reply: AgentReply, statuses: Sequence[str], server: FakeLLMServer
) -> None:
    """The reply is the one outcome the recording expects, said specifically."""
    expect = recording.expect
    if "proposal" in expect:
        assert reply.error is None, reply.error
        assert reply.proposal is not None, f"no proposal; text: {reply.text!r}"
        assert reply.proposal.code == expect["proposal"]
        if "rationale" in expect:
            assert expect["rationale"] in reply.proposal.rationale
    elif "error" in expect:
        assert reply.proposal is None
        assert reply.error is not None, f"no error; text: {reply.text!r}"
        for words in expect["error"]:
            assert words in reply.error, f"{words!r} not in {reply.error!r}"
        assert "Traceback" not in reply.error
    elif "refusal" in expect:
        assert reply.refusal is not None and expect["refusal"] in reply.refusal
    else:
        assert reply.is_answer and expect["answer"] in reply.text
    if "partial" in expect:
        assert reply.partial is expect["partial"]
    if "usage" in expect and expect["usage"] is None:  # the server sent no counts
        assert not reply.usage.known
    elif "usage" in expect:
        assert reply.usage.known
        assert [reply.usage.input_tokens, reply.usage.output_tokens] == expect["usage"]
    if "requests" in expect:
        assert len(server.requests) == expect["requests"]
    for words in expect.get("statuses", ()):
        assert any(words in status for status in statuses), f"{words!r} not in {statuses}"
    for sent in expect.get("sent", ()):
        body = json.dumps(server.requests[sent["request"] - 1].json)  # one spacing to match
        if "contains" in sent:
            assert sent["contains"] in body, f"request {sent['request']} lacks {sent['contains']!r}"
        if "lacks" in sent:
            assert sent["lacks"] not in body, f"request {sent['request']} has {sent['lacks']!r}"
