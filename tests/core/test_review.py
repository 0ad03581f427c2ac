"""Review depth from ledger entries with controlled times: what the human did between a
proposal shown and its accept, and which accepts were rubber stamps."""

from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    Event,
    LedgerEntry,
    ObjectInspected,
    ProposalAccepted,
    ProposalMade,
    ProposalRejected,
    RequestSent,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.review import Review, ReviewFigures, ReviewFold


def entries(session_id: str, *timed: tuple[float, Event]) -> list[LedgerEntry]:
    return [LedgerEntry(seq, session_id, at, event) for seq, (at, event) in enumerate(timed, 1)]


def proposal(proposal_id: str) -> ProposalMade:
    return ProposalMade(proposal_id, "r1", "x = 1", "Set x.", "model")


def ran(cell_id: str, proposal_id: str | None, origin: Origin = Origin.AI) -> CellSubmitted:
    return CellSubmitted(cell_id, "x = 1", origin, proposal_id)


def finished(cell_id: str) -> CellFinished:
    return CellFinished(cell_id, 1, ExecutionStatus.OK, 0.1)


def test_an_accept_seconds_after_the_run_with_nothing_looked_at_is_a_rubber_stamp() -> None:
    reviews = ReviewFold().apply_all(
        entries(
            "s1",
            (99.0, RequestSent("r1", "make x", "ctx", "model")),  # led to it: no follow-up
            (100.0, proposal("p1")),
            (104.0, ran("c1", "p1")),
            (105.5, finished("c1")),
            (108.0, ProposalAccepted("p1")),
        )
    )
    assert reviews == [Review("p1", "s1", 100.0, 108.0, 104.0, 105.5)]
    (review,) = reviews
    assert (review.to_run_s, review.run_to_accept_s) == (4.0, 2.5)
    assert review.rubber_stamped(within_s=20) and not review.rubber_stamped(within_s=2)


def test_what_the_human_did_between_shown_and_accept_is_counted() -> None:
    fold = ReviewFold()
    reviews = fold.apply_all(
        entries(
            "s1",
            (10.0, proposal("p0")),
            (12.0, ProposalRejected("p0", "not that column")),
            (20.0, proposal("p1")),
            (30.0, ran("c1", "p1", Origin.AI_EDITED)),  # the human's edit of it
            (31.0, finished("c1")),
            (40.0, ObjectInspected("df.columns")),
            (45.0, ObjectInspected("df?", how="help")),
            (50.0, ran("c2", None, Origin.HUMAN)),  # a probe of their own
            (51.0, finished("c2")),
            (60.0, RequestSent("r2", "why drop the NaNs?", "ctx", "model")),
            (90.0, ProposalAccepted("p1")),
            (100.0, proposal("p2")),
            (101.0, ran("c3", "p2")),
            (102.0, finished("c3")),
            (103.0, ProposalAccepted("p2")),
        )
    )
    inspected, stamped = reviews
    assert inspected == Review("p1", "s1", 20.0, 90.0, 30.0, 31.0, 2, 1, 1, True, 1)
    assert (inspected.to_run_s, inspected.run_to_accept_s) == (10.0, 59.0)
    assert inspected.inspected and not inspected.rubber_stamped()
    # the next proposal starts afresh: nothing happened in its own window
    assert stamped == Review("p2", "s1", 100.0, 103.0, 101.0, 102.0)
    figures = ReviewFigures()
    for review in reviews:
        figures.add(review)
    assert figures.to_payload() == {
        "accepted": 2,
        "inspected": 1,
        "edited": 1,
        "followed_up": 1,
        "after_rejections": 1,
        "rubber_stamped": 1,
        "rubber_stamp_rate": 0.5,
        "median_to_run_s": 5.5,
        "median_run_to_accept_s": 30.0,
    }


def test_sessions_are_folded_apart_even_when_their_entries_interleave() -> None:
    one = entries("s1", (1.0, proposal("p1")), (2.0, ran("c1", "p1")), (3.0, finished("c1")))
    two = entries("s2", (1.5, ObjectInspected("x")), (2.5, ran("c9", None, Origin.HUMAN)))
    fold = ReviewFold()
    for entry in [one[0], two[0], one[1], two[1], one[2]]:
        fold.apply(entry)
    review = fold.apply(LedgerEntry(4, "s1", 9.0, ProposalAccepted("p1")))
    assert review is not None and (review.inspections, review.probe_cells) == (0, 0)


def test_a_review_survives_its_json_form() -> None:
    review = Review("p1", "s1", 20.0, 90.0, 30.0, 31.0, 2, 1, 1, True, 1)
    assert Review.from_payload({**review.to_payload(), "added_later": 1}) == review
