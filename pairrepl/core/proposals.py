"""A proposal is a cell the AI suggests; only the human moves it along.

The lifecycle, in one place:

    proposed ──run──► ran_ok ──accept──► accepted ──promote──► promoted
        │      └────► ran_error               ◄──undo of its last promotion──┘
        └─ rejected  (from any state before promoted)

A proposal that ran (ok or not) may run again after an edit-and-rerun; ``accepted``
needs a successful run; undoing the last live promotion of its code makes it accepted
again (the file no longer holds it). Every other move raises ``IllegalTransition``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from pairrepl.core.cells import code_hash


class ProposalState(Enum):
    PROPOSED = "proposed"  # shown to the human, not run
    RAN_OK = "ran_ok"  # the human ran it and it finished without error
    RAN_ERROR = "ran_error"  # the human ran it and it raised (or was interrupted)
    ACCEPTED = "accepted"  # the human looked at what it did and kept it
    PROMOTED = "promoted"  # written into a source file (undo brings it back to accepted)
    REJECTED = "rejected"  # the human turned it down; final

    @property
    def words(self) -> str:
        """The state as a screen says it: ``ran ok``, not ``ran_ok``."""
        return self.value.replace("_", " ")


_RAN = {ProposalState.RAN_OK, ProposalState.RAN_ERROR}

TRANSITIONS: dict[ProposalState, frozenset[ProposalState]] = {
    ProposalState.PROPOSED: frozenset(_RAN | {ProposalState.REJECTED}),
    ProposalState.RAN_OK: frozenset(_RAN | {ProposalState.ACCEPTED, ProposalState.REJECTED}),
    ProposalState.RAN_ERROR: frozenset(_RAN | {ProposalState.REJECTED}),
    ProposalState.ACCEPTED: frozenset({ProposalState.PROMOTED, ProposalState.REJECTED}),
    ProposalState.PROMOTED: frozenset({ProposalState.ACCEPTED}),  # undo
    ProposalState.REJECTED: frozenset(),
}


#: No longer open to a decision: it cannot run, and keys and commands pass it by.
CLOSED = frozenset({ProposalState.REJECTED, ProposalState.PROMOTED})


class IllegalTransition(Exception):
    def __init__(self, proposal_id: str, current: ProposalState, wanted: ProposalState) -> None:
        super().__init__(f"proposal {proposal_id} cannot go from {current.value} to {wanted.value}")
        self.proposal_id = proposal_id
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True)
class Proposal:
    id: str
    code: str
    rationale: str
    model: str
    prompt_id: str
    state: ProposalState = ProposalState.PROPOSED

    @property
    def code_hash(self) -> str:
        return code_hash(self.code)

    def moved_to(self, wanted: ProposalState) -> Proposal:
        """This proposal in state ``wanted``; raises ``IllegalTransition`` if not allowed."""
        if wanted not in TRANSITIONS[self.state]:
            raise IllegalTransition(self.id, self.state, wanted)
        return replace(self, state=wanted)
