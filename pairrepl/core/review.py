"""Review depth: how closely the human looked at an AI proposal before accepting it.

Folded from ledger entries (each carries its time), like the transcript is folded from
events. For each accepted proposal, a `Review` says how long the human took from the
proposal shown to its run and from the run to the accept, and what they did in the
window from shown to accept: looked into live objects (the inspector, `obj?`),
ran a probe cell of their own, asked the AI a follow-up, ran an edit of the code,
or rejected earlier attempts. An accept with none of that, soon after the run, is
*rubber-stamped*. Pure: the caller reads the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from statistics import median
from typing import Any

from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    LedgerEntry,
    ObjectInspected,
    ProposalAccepted,
    ProposalMade,
    ProposalRejected,
    RequestSent,
)

#: The event kinds `ReviewFold` reads: a reader may skip every other kind.
REVIEW_EVENT_KINDS = frozenset(
    cls.KIND
    for cls in (
        ProposalMade,
        CellSubmitted,
        CellFinished,
        RequestSent,
        ObjectInspected,
        ProposalAccepted,
        ProposalRejected,
    )
)

#: An accept this soon after the run, with no inspection, edit or follow-up, is
#: rubber-stamped (`[tool.pairrepl.report] rubber_stamp_seconds` changes it).
RUBBER_STAMP_SECONDS = 20.0


@dataclass(frozen=True)
class Review:
    """What happened between one proposal shown and its accept. Times are seconds
    since the epoch; counts are of what happened in the session from shown to accept."""

    proposal_id: str
    session_id: str
    shown_at: float
    accepted_at: float
    first_run_at: float | None = None  # the first run of the proposal was submitted
    last_run_at: float | None = None  # the last run before the accept finished
    inspections: int = 0  # looks into live objects: the inspector, obj?, obj??
    probe_cells: int = 0  # cells the human wrote and ran
    follow_ups: int = 0  # requests to the AI
    edited: bool = False  # a run of it was the human's edit (origin ai-edited)
    rejected_before: int = 0  # proposals rejected in the session since its previous accept

    @property
    def to_run_s(self) -> float | None:
        """Seconds from the proposal shown to its first run."""
        return None if self.first_run_at is None else self.first_run_at - self.shown_at

    @property
    def run_to_accept_s(self) -> float | None:
        """Seconds from the end of its last run to the accept."""
        return None if self.last_run_at is None else self.accepted_at - self.last_run_at

    @property
    def inspected(self) -> bool:
        """The human looked at live objects or ran a probe of their own."""
        return bool(self.inspections or self.probe_cells)

    def rubber_stamped(self, within_s: float = RUBBER_STAMP_SECONDS) -> bool:
        """Accepted within `within_s` of its run, with no inspection, edit or follow-up."""
        quick = self.run_to_accept_s is None or self.run_to_accept_s < within_s
        return quick and not (self.inspected or self.edited or self.follow_ups)

    def to_payload(self) -> dict[str, Any]:
        return dict(vars(self))  # its fields, which are plain values

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Review:
        known = cls.__dataclass_fields__
        return cls(**{name: value for name, value in payload.items() if name in known})


@dataclass
class _Shown:
    """A proposal shown and not yet accepted or rejected, with the session's counters
    as they stood when it was shown (what happened since is the difference; the request
    that led to the proposal came before, so it is no follow-up)."""

    shown_at: float
    counts_then: tuple[int, int, int]
    first_run_at: float | None = None
    last_run_at: float | None = None
    edited: bool = False


@dataclass
class _SessionFold:
    inspections: int = 0
    probe_cells: int = 0
    follow_ups: int = 0
    rejected_since_accept: int = 0
    shown: dict[str, _Shown] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)  # cell id -> proposal id

    @property
    def counts(self) -> tuple[int, int, int]:
        return (self.inspections, self.probe_cells, self.follow_ups)


class ReviewFold:
    """Turns ledger entries (in order within each session; sessions may interleave)
    into one `Review` per accepted proposal."""

    def __init__(self) -> None:
        self.reviews: list[Review] = []
        self._sessions: dict[str, _SessionFold] = {}
        self._by_proposal: dict[str, Review] = {}

    def review_of(self, proposal_id: str) -> Review | None:
        """The review of an accepted proposal (None: not accepted, or not seen)."""
        return self._by_proposal.get(proposal_id)

    def apply(self, entry: LedgerEntry) -> Review | None:
        """Fold one entry in; return the review an accept completed, if any."""
        event = entry.event
        fold = self._sessions.get(entry.session_id)
        if fold is None:  # not setdefault: that would make a fold for every entry
            fold = self._sessions[entry.session_id] = _SessionFold()
        if isinstance(event, ProposalMade):
            fold.shown[event.proposal_id] = _Shown(entry.at, fold.counts)
        elif isinstance(event, CellSubmitted):
            shown = fold.shown.get(event.proposal_id or "")
            if shown is not None:
                fold.runs[event.cell_id] = event.proposal_id or ""
                if shown.first_run_at is None:
                    shown.first_run_at = entry.at
                shown.edited = shown.edited or event.origin is Origin.AI_EDITED
            elif event.origin is Origin.HUMAN and not (event.proposal_id or event.rerun_of):
                fold.probe_cells += 1
        elif isinstance(event, CellFinished):
            shown = fold.shown.get(fold.runs.pop(event.cell_id, ""))
            if shown is not None:
                shown.last_run_at = entry.at
        elif isinstance(event, ObjectInspected):
            fold.inspections += 1
        elif isinstance(event, RequestSent):
            fold.follow_ups += 1
        elif isinstance(event, ProposalRejected):
            if fold.shown.pop(event.proposal_id, None) is not None:
                fold.rejected_since_accept += 1
        elif isinstance(event, ProposalAccepted):
            return self._accepted(entry, fold, event.proposal_id)
        return None

    def to_payload(self) -> dict[str, Any]:
        """What was folded so far (the reviews, and each session's proposals still open
        and its counters), as JSON values: a fold made `from_payload` takes the entries
        that came after as this one would."""
        return {
            "reviews": [review.to_payload() for review in self.reviews],
            "sessions": {session_id: asdict(fold) for session_id, fold in self._sessions.items()},
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ReviewFold:
        fold = cls()
        for review in payload["reviews"]:
            fold.reviews.append(Review.from_payload(review))
            fold._by_proposal[fold.reviews[-1].proposal_id] = fold.reviews[-1]
        for session_id, state in payload["sessions"].items():
            shown = {
                proposal_id: _Shown(**{**open_one, "counts_then": tuple(open_one["counts_then"])})
                for proposal_id, open_one in state["shown"].items()
            }
            fold._sessions[session_id] = _SessionFold(**{**state, "shown": shown})
        return fold

    def apply_all(self, entries: Iterable[LedgerEntry]) -> list[Review]:
        for entry in entries:
            self.apply(entry)
        return self.reviews

    def _accepted(self, entry: LedgerEntry, fold: _SessionFold, proposal_id: str) -> Review | None:
        shown = fold.shown.pop(proposal_id, None)
        if shown is None:
            return None
        inspections, probes, follow_ups = (
            now - then for now, then in zip(fold.counts, shown.counts_then, strict=True)
        )
        review = Review(
            proposal_id,
            entry.session_id,
            shown.shown_at,
            entry.at,
            shown.first_run_at,
            shown.last_run_at,
            inspections,
            probes,
            follow_ups,
            shown.edited,
            fold.rejected_since_accept,
        )
        fold.rejected_since_accept = 0
        self.reviews.append(review)
        self._by_proposal[proposal_id] = review
        return review


@dataclass
class ReviewFigures:
    """Accepted proposals and how closely they were reviewed, for one group of them."""

    rubber_stamp_seconds: float = RUBBER_STAMP_SECONDS
    accepted: int = 0
    inspected: int = 0
    edited: int = 0
    followed_up: int = 0
    after_rejections: int = 0  # accepts that came after rejected attempts
    rubber_stamped: int = 0
    to_run_s: list[float] = field(default_factory=list)
    run_to_accept_s: list[float] = field(default_factory=list)

    def add(self, review: Review) -> None:
        self.accepted += 1
        self.inspected += review.inspected
        self.edited += review.edited
        self.followed_up += bool(review.follow_ups)
        self.after_rejections += bool(review.rejected_before)
        self.rubber_stamped += review.rubber_stamped(self.rubber_stamp_seconds)
        if review.to_run_s is not None:
            self.to_run_s.append(review.to_run_s)
        if review.run_to_accept_s is not None:
            self.run_to_accept_s.append(review.run_to_accept_s)

    @property
    def rubber_stamp_rate(self) -> float | None:
        return self.rubber_stamped / self.accepted if self.accepted else None

    def to_payload(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "inspected": self.inspected,
            "edited": self.edited,
            "followed_up": self.followed_up,
            "after_rejections": self.after_rejections,
            "rubber_stamped": self.rubber_stamped,
            "rubber_stamp_rate": self.rubber_stamp_rate,
            "median_to_run_s": _median(self.to_run_s),
            "median_run_to_accept_s": _median(self.run_to_accept_s),
        }


def _median(values: list[float]) -> float | None:
    return median(values) if values else None
