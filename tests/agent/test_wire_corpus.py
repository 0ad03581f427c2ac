"""Every recorded wire shape, replayed through the real SDK: a proposal or a specific message.

The recordings are data (``tests/agent/wire/``); this test replays each one through the
SDK its server speaks, against the fake server, and checks the one outcome it expects.
``tests/session/test_wire_corpus.py`` replays a representative subset through a real
session and checks the ledger as well.
"""

from __future__ import annotations

from collections import Counter

import pytest

from pairrepl.agent import build_context
from pairrepl.agent.redaction import Redactor

from .wire_corpus import OUTCOMES, check_outcome, load_corpus

RECORDINGS = load_corpus()
CONTEXT = build_context("How many closing prices are missing?", redactor=Redactor())


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda recording: recording.id)
async def test_a_recorded_reply_ends_in_a_proposal_or_a_specific_message(
    recording, server, agent_for
):
    server.script(*recording.replies)
    statuses: list[str] = []
    reply = await agent_for(recording.wire).ask(CONTEXT, on_status=statuses.append)
    check_outcome(recording, reply, statuses, server)


def test_the_corpus_covers_every_server_family_and_outcome():
    families = Counter(recording.family for recording in RECORDINGS)
    outcomes = Counter(recording.outcome for recording in RECORDINGS)
    print(f"\nwire corpus: {len(RECORDINGS)} recordings; {dict(families)}; {dict(outcomes)}")
    assert set(families) >= {
        "openai",
        "azure",
        "anthropic",
        "ollama",
        "vllm",
        "llama_cpp",
        "lm_studio",
        "tgi",
    }
    assert set(outcomes) <= set(OUTCOMES) and {"proposal", "error"} <= set(outcomes)
    assert all(
        recording.source and recording.wire in ("openai", "anthropic") for recording in RECORDINGS
    )
