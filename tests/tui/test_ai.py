"""The AI's side of the screen, on a real session and kernel, with a replay script as the AI.

Each test drives the app with keys and checks three things: what the screen says, what
the session recorded, and that nothing ran that the human did not run.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from pairrepl.agent import Agent, ReplayProvider
from pairrepl.core.cells import Origin
from pairrepl.core.events import ProposalRejected, RequestSent
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import ExchangeItem, NoteItem, ProposalItem
from pairrepl.session import NO_PROVIDER, SessionSettings
from pairrepl.tui.screens import RejectScreen
from tests.tui.conftest import Harness, fresh_app, replay_script, widget_text


@asynccontextmanager
async def ai_app(
    tmp_path: Path, *turns: Mapping[str, object], delay_s: float = 0.0
) -> AsyncIterator[Harness]:
    """The app on a fresh session whose AI plays ``turns``, one per request."""
    script = replay_script(tmp_path / "script.json", *turns)
    agent = Agent(ReplayProvider.from_file(script, delay_s=delay_s))
    async with fresh_app(tmp_path, SessionSettings(agent=agent)) as tui:
        yield tui


def exchanges(tui: Harness) -> list[ExchangeItem]:
    return list(tui.session.transcript.exchanges.values())


async def answered(tui: Harness, count: int) -> ExchangeItem:
    """Wait for the ``count``-th reply to finish; return it."""
    await tui.wait_until(lambda: len(exchanges(tui)) >= count and exchanges(tui)[-1].finished)
    await tui.wait_until(lambda: not tui.app._answering)
    await tui.settle()
    return exchanges(tui)[count - 1]


def proposal(tui: Harness, exchange: ExchangeItem) -> ProposalItem:
    assert exchange.proposal_id is not None, exchange
    return tui.session.transcript.proposals[exchange.proposal_id]


async def ran(tui: Harness, item: ProposalItem, runs: int = 1) -> None:
    """Wait for the proposal's ``runs``-th run to finish."""
    await tui.wait_until(
        lambda: (
            len(item.runs) >= runs
            and tui.session.transcript.cells[item.runs[-1]].status is not None
        )
    )
    await tui.settle()


def notifications(tui: Harness) -> str:
    return "\n".join(notification.message for notification in tui.app._notifications)


def status(tui: Harness) -> str:
    return widget_text(tui.app.status)


async def test_asking_streams_a_reply_and_a_proposal_that_nothing_ran(tmp_path: Path) -> None:
    async with ai_app(
        tmp_path,
        {
            "text": "Let me compute it first.",
            "propose_cell": {
                "code": "answer = 6 * 7\nprint('answer', answer)",
                "rationale": "Compute it and show it.",
            },
            "usage": {"input_tokens": 1500, "output_tokens": 40},
        },
        {"text": "Because six times seven is forty-two."},
    ) as tui:
        await tui.type("what is the answer?")
        await tui.pilot.press("f3")
        first = await answered(tui, 1)
        item = proposal(tui, first)
        short = item.proposal.id[:6]

        text = tui.transcript_text()
        assert "Ask:     what is the answer?" in text
        assert "✦ AI:    Let me compute it first." in text
        assert f"✦ proposal #{short} · proposed · 2 lines" in text
        assert "│ answer = 6 * 7" in text
        assert "│ why: Compute it and show it." in text
        assert "│ Ctrl+R run · Ctrl+O edit · Ctrl+G reject · F4 follow-up" in text
        review = tui.app.review.text
        assert f"#{short} · proposed" in review
        assert "print('answer', answer)" in review
        assert "why: Compute it and show it." in review
        assert "accept: after a run without error" in review
        assert tui.app.code_input.text == ""

        assert tui.cells() == []  # nothing ran
        assert "answer" not in tui.session.namespace.by_name()
        assert "answer" not in widget_text(tui.app.query_one("#variables-table"))
        shown = status(tui)
        assert "replay:script.json" in shown
        assert re.search(r"ctx [\d.]+k?/8k", shown)  # what the next request would use
        assert "1.5k tokens used" in shown
        assert "$0.00" in shown  # a replay costs nothing

        await tui.type("/why 42?")  # the prefix: a request, never Python
        await tui.pilot.press("enter")
        second = await answered(tui, 2)
        assert second.request == "why 42?"
        assert second.proposal_id is None
        assert tui.cells() == []
        assert "(an answer, no proposal)" in tui.transcript_text()
        assert f"#{short} · proposed" in tui.app.review.text  # still open, still in review


async def test_run_then_accept_and_a_failed_run_says_why_accept_is_refused(
    tmp_path: Path,
) -> None:
    async with ai_app(
        tmp_path,
        {"propose_cell": {"code": "total = sum([1, 2, 3])\ntotal", "rationale": "Add them."}},
        {"propose_cell": {"code": "ratio = total / 0", "rationale": "Divide."}},
        {"text": "Dividing by zero raises.", "propose_cell": {"code": "ratio = total / 3"}},
    ) as tui:
        await tui.type("/add them")
        await tui.pilot.press("enter")
        item = proposal(tui, await answered(tui, 1))

        await tui.pilot.press("ctrl+t")  # not before a run
        assert "Cannot accept" in notifications(tui)
        assert "has not run yet" in notifications(tui)
        assert item.proposal.state is ProposalState.PROPOSED

        await tui.pilot.press("ctrl+r")
        await ran(tui, item)
        cell = tui.session.transcript.cells[item.runs[0]]
        assert cell.origin is Origin.AI and cell.proposal_id == item.proposal.id
        assert item.proposal.state is ProposalState.RAN_OK
        text = tui.transcript_text()
        short = item.proposal.id[:6]
        assert f"✦ proposal #{short} · ran ok" in text
        assert "In [1]:  ✦ total = sum([1, 2, 3])" in text
        assert f"✦ ai from proposal #{short}" in text
        assert "Out[1]:  6" in text
        assert "+ total  int" in text
        review = tui.app.review.text
        assert "ran ok" in review and "last run: In [1]: ✦ ai ✓" in review
        assert "+ total  int" in review and "Ctrl+T accept" in review

        await tui.pilot.press("ctrl+t")
        await tui.wait_until(lambda: item.proposal.state is ProposalState.ACCEPTED)
        await tui.settle()
        assert f"#{short} · accepted" in tui.app.review.text

        await tui.type("/now divide")
        await tui.pilot.press("enter")
        failing = proposal(tui, await answered(tui, 2))
        await tui.pilot.press("ctrl+r")
        await ran(tui, failing)
        assert failing.proposal.state is ProposalState.RAN_ERROR
        assert "ZeroDivisionError" in tui.transcript_text()
        assert "accept: its run raised" in tui.app.review.text
        await tui.pilot.press("ctrl+t")
        assert "its last run raised" in notifications(tui)
        assert failing.proposal.state is ProposalState.RAN_ERROR

        error_cell = failing.runs[0]
        assert "Ctrl+F asks the AI to fix it" in tui.transcript_text()
        await tui.pilot.press("ctrl+f")
        fix = await answered(tui, 3)
        assert "ratio = total / 0" in fix.request
        sent = [e.event for e in tui.session._ledger.entries(tui.session.id)]
        requests = [event for event in sent if isinstance(event, RequestSent)]
        assert requests[-1].about_cell == error_cell
        assert "ratio = total / 3" in tui.app.review.text  # the fix is now in review
        assert "ratio" not in tui.session.namespace.by_name()  # and did not run


async def test_edit_runs_as_ai_edited_and_reject_keeps_the_reason(tmp_path: Path) -> None:
    async with ai_app(
        tmp_path, {"propose_cell": {"code": "x = 1", "rationale": "Start small."}}
    ) as tui:
        await tui.type("/start")
        await tui.pilot.press("enter")
        item = proposal(tui, await answered(tui, 1))
        short = item.proposal.id[:6]
        note = tui.app.query_one("#input-note")

        await tui.pilot.press("ctrl+o")
        assert tui.app.code_input.text == "x = 1"
        assert tui.app.code_input.editing_proposal == item.proposal.id
        await tui.pilot.pause()
        assert f"editing proposal #{short}" in widget_text(note)
        await tui.pilot.press("escape")  # drops the edit: AI text never stays as the human's
        assert tui.app.code_input.text == ""
        assert tui.app.code_input.editing_proposal is None
        await tui.pilot.pause()
        assert not note.display

        await tui.pilot.press("ctrl+o", "end", "2")
        await tui.pilot.press("escape")  # the human changed it: not lost on one Escape
        assert tui.app.code_input.text == "x = 12"
        assert "Escape again drops your edit" in notifications(tui)
        await tui.pilot.press("escape")
        assert tui.app.code_input.text == ""
        assert tui.app.code_input.editing_proposal is None

        await tui.pilot.press("ctrl+o", "0", "enter")
        await ran(tui, item)
        cell = tui.session.transcript.cells[item.runs[0]]
        assert cell.code == "x = 10"
        assert cell.origin is Origin.AI_EDITED
        assert tui.session.namespace.by_name()["x"].repr == "10"
        assert f"✦ ai-edited from proposal #{short}" in tui.transcript_text()
        assert tui.app.code_input.editing_proposal is None

        await tui.pilot.press("ctrl+g")
        assert isinstance(tui.app.screen, RejectScreen)
        await tui.pilot.press(*"too small", "enter")
        await tui.wait_until(lambda: item.proposal.state is ProposalState.REJECTED)
        await tui.settle()
        assert item.rejection_reason == "too small"
        assert "│ rejected: too small" in tui.transcript_text()
        assert not tui.app.review.display  # nothing open any more
        recorded = [e.event for e in tui.session._ledger.entries(tui.session.id)]
        assert ProposalRejected(item.proposal.id, "too small") in recorded


async def test_ctrl_c_stops_a_streaming_reply_and_failures_are_shown_plainly(
    tmp_path: Path,
) -> None:
    broken = {"tool_call": {"name": "propose_cell", "arguments": '{"code": 1'}}
    async with ai_app(
        tmp_path,
        {"text": "word " * 200},  # 84 chunks of 12 characters, 20 ms apart
        broken,
        broken,  # the retry: invalid twice
        {"refusal": "I can't help with that."},
        delay_s=0.02,
    ) as tui:
        await tui.type("/tell me a long story")
        await tui.pilot.press("enter")
        await tui.wait_until(lambda: bool(exchanges(tui)) and bool(exchanges(tui)[0].reply))
        await tui.settle()
        assert "answering" in status(tui)
        await tui.pilot.press("ctrl+c")
        stopped = await answered(tui, 1)
        assert stopped.partial
        assert len(stopped.reply) < len("word " * 200)
        assert "⚠ partial reply" in tui.transcript_text()
        assert "answering" not in status(tui)
        assert "Interrupted" not in tui.transcript_text()  # the kernel was left alone

        await tui.type("/propose something")
        await tui.pilot.press("enter")
        invalid = await answered(tui, 2)
        assert invalid.proposal_id is None
        text = tui.transcript_text()
        assert "✖ The model's proposal was invalid twice" in text
        assert "The model's raw reply (not runnable, never run)" in text
        assert '[propose_cell call] {"code": 1' in text

        await tui.type("/please")
        await tui.pilot.press("enter")
        await answered(tui, 3)
        assert "⊘ the model declined: I can't help with that." in tui.transcript_text()

        assert (await tui.run("1 + 1")).status is ExecutionStatus.OK
        assert tui.session.transcript.proposals == {}


async def test_without_a_provider_asking_says_how_and_notes_and_hints_still_work(
    tui: Harness,
) -> None:
    assert "no provider" in status(tui)
    await tui.type("/why?")
    await tui.pilot.press("enter")
    await tui.wait_until(lambda: "No AI provider is configured" in tui.transcript_text())
    assert NO_PROVIDER in tui.transcript_text()
    assert tui.app.code_input.text == "/why?"  # given back, nothing lost
    assert tui.cells() == []
    await tui.pilot.press("f3")
    await tui.wait_until(lambda: tui.transcript_text().count("No AI provider") == 2)
    assert tui.app.is_running

    tui.app.code_input.load_text("")
    await tui.pilot.press("ctrl+r")
    assert "No open proposal" in notifications(tui)

    await tui.type("# Plan\nclean the **prices** first")
    await tui.pilot.press("ctrl+n")
    await tui.wait_until(
        lambda: any(isinstance(item, NoteItem) for item in tui.session.transcript.items)
    )
    await tui.settle()
    assert "Note     Plan" in tui.transcript_text()
    assert tui.cells() == []  # a note never runs
    assert tui.app.code_input.text == ""

    await tui.pilot.press("ctrl+l")
    assert tui.session.hint_mode
    await tui.pilot.pause()
    assert "· hint" in status(tui)
    await tui.pilot.press("ctrl+l")
    await tui.pilot.pause()
    assert not tui.session.hint_mode and "· hint" not in status(tui)
