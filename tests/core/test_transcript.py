"""The transcript fold: what a person reads, rebuilt from events alone."""

from pairrepl.core.events import (
    EVENT_TYPES,
    CellFinished,
    CellLoaded,
    CellSubmitted,
    KernelDisconnected,
    KernelReconnected,
    KernelStarted,
    ProposalAccepted,
    ProposalMade,
    ProposalRejected,
    ReplyFinished,
    ReplyStreamed,
    RequestSent,
    SessionResumed,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import NoticeItem, Transcript

OK = ExecutionStatus.OK


def fold(*events: object) -> Transcript:
    transcript = Transcript()
    for event in events:
        transcript.apply(event)  # type: ignore[arg-type]
    return transcript


def test_cells_of_an_earlier_kernel_are_offered_for_rerun_until_rerun() -> None:
    transcript = fold(
        KernelStarted("k1"),
        CellSubmitted("a", "x = 1"),
        CellFinished("a", 1, OK, 0.1),
        CellSubmitted("b", "1 / 0"),
        CellFinished("b", 2, ExecutionStatus.ERROR, 0.1),
        SessionResumed(),
        KernelStarted("k2"),
    )
    assert [c.cell_id for c in transcript.cells_lost_with_kernel()] == ["a"]
    assert isinstance(transcript.items[-1], NoticeItem)
    transcript.apply(CellSubmitted("c", "x = 1", rerun_of="a"))
    transcript.apply(CellFinished("c", 1, OK, 0.1))
    assert transcript.cells_lost_with_kernel() == []


def test_loaded_cells_stay_pending_until_run() -> None:
    transcript = fold(CellLoaded("l1", "a = 1", "nb.ipynb"), CellLoaded("l2", "b = 2", "nb.ipynb"))
    transcript.apply(CellSubmitted("c1", "a = 1", rerun_of="l1"))
    assert [c.cell_id for c in transcript.pending_loaded_cells()] == ["l2"]


def test_a_proposal_follows_its_runs_and_the_human_decisions() -> None:
    transcript = fold(
        RequestSent("r1", "why?", "{}", "replay:demo"),
        ReplyStreamed("r1", "Look "),
        ReplyStreamed("r1", "first."),
        ReplyFinished("r1", output_tokens=2),
        ProposalMade("p1", "r1", "rows[:3]", "see three rows", "replay:demo"),
    )
    exchange = transcript.exchanges["r1"]
    assert exchange.reply == "Look first." and exchange.finished
    assert exchange.proposal_id == "p1"
    item = transcript.proposals["p1"]
    assert item.proposal.state is ProposalState.PROPOSED
    transcript.apply(CellSubmitted("c1", "rows[:3]", proposal_id="p1"))
    transcript.apply(CellFinished("c1", 1, ExecutionStatus.ERROR, 0.1))
    assert item.proposal.state is ProposalState.RAN_ERROR
    transcript.apply(CellSubmitted("c2", "rows[:3]", proposal_id="p1"))
    transcript.apply(CellFinished("c2", 2, OK, 0.1))
    transcript.apply(ProposalAccepted("p1"))
    assert item.proposal.state is ProposalState.ACCEPTED
    assert item.runs == ["c1", "c2"]


def test_an_illegal_move_in_an_old_ledger_does_not_stop_it_from_opening() -> None:
    transcript = fold(
        RequestSent("r1", "?", "{}", "m"),
        ProposalMade("p1", "r1", "1", "one", "m"),
        ProposalRejected("p1", "no"),
        ProposalAccepted("p1"),  # illegal after a rejection: skipped, not raised
    )
    item = transcript.proposals["p1"]
    assert item.proposal.state is ProposalState.REJECTED
    assert item.rejection_reason == "no"


def test_a_connection_gap_is_two_notices_and_the_cells_stay_on_their_kernel() -> None:
    transcript = fold(
        KernelStarted("remote"),
        CellSubmitted("a", "x = 1"),
        CellFinished("a", 1, OK, 0.1),
        KernelDisconnected(None, "http://gpu:8888: the connection dropped"),
        KernelReconnected(12.34),
    )
    notices = [item for item in transcript.items if isinstance(item, NoticeItem)]
    assert "Lost the connection to the kernel (http://gpu:8888: the connection dropped)" in (
        notices[0].text
    )
    assert notices[0].severity == "warning"
    assert "after 12.3 s" in notices[1].text and "intact" in notices[1].text
    assert transcript.cells_lost_with_kernel() == []  # a reconnect is the same kernel


def test_connection_events_round_trip_through_the_ledger_payload() -> None:
    from pairrepl.core.events import event_from_payload, event_to_payload

    for event in (KernelDisconnected("c1", "server down"), KernelReconnected(3.5)):
        assert EVENT_TYPES[event.KIND] is type(event)
        assert event_from_payload(event.KIND, event.VERSION, event_to_payload(event)) == event
