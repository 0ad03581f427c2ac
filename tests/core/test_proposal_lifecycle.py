"""The proposal state machine: every legal move works, every other one raises."""

import itertools

import pytest

from pairrepl.core import IllegalTransition, Proposal, ProposalState

S = ProposalState
LEGAL = {
    (S.PROPOSED, S.RAN_OK),
    (S.PROPOSED, S.RAN_ERROR),
    (S.PROPOSED, S.REJECTED),
    (S.RAN_OK, S.RAN_OK),
    (S.RAN_OK, S.RAN_ERROR),
    (S.RAN_OK, S.ACCEPTED),
    (S.RAN_OK, S.REJECTED),
    (S.RAN_ERROR, S.RAN_OK),
    (S.RAN_ERROR, S.RAN_ERROR),
    (S.RAN_ERROR, S.REJECTED),
    (S.ACCEPTED, S.PROMOTED),
    (S.ACCEPTED, S.REJECTED),
    (S.PROMOTED, S.ACCEPTED),  # its promotion was undone
}


def proposal_in(state: ProposalState) -> Proposal:
    return Proposal("p1", "x = 1", "why", "replay:test", "r1", state)


@pytest.mark.parametrize(("current", "wanted"), sorted(LEGAL, key=str))
def test_legal_transition(current: ProposalState, wanted: ProposalState) -> None:
    moved = proposal_in(current).moved_to(wanted)
    assert moved.state is wanted
    assert moved.code == "x = 1"


ILLEGAL = sorted(set(itertools.product(S, S)) - LEGAL, key=str)


@pytest.mark.parametrize(("current", "wanted"), ILLEGAL)
def test_illegal_transition_raises_with_both_states(
    current: ProposalState, wanted: ProposalState
) -> None:
    with pytest.raises(IllegalTransition) as raised:
        proposal_in(current).moved_to(wanted)
    assert current.value in str(raised.value)
    assert wanted.value in str(raised.value)


def test_nothing_is_accepted_or_promoted_without_a_successful_run() -> None:
    never_ran = proposal_in(S.PROPOSED)
    failed = proposal_in(S.RAN_ERROR)
    for proposal in (never_ran, failed):
        with pytest.raises(IllegalTransition):
            proposal.moved_to(S.ACCEPTED)
        with pytest.raises(IllegalTransition):
            proposal.moved_to(S.PROMOTED)
