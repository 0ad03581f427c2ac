"""What `report` and `check` gather, shared by the full read (`session/understanding.py`)
and the report cache (`session/report_cache.py`), so both derive the same things the
same way: what the ledger says, each file's blame from its newest records, the notes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pairrepl import promote
from pairrepl.core.events import LedgerEntry, ProposalMade, RequestSent, SessionStarted
from pairrepl.core.provenance import ProvenanceRecord
from pairrepl.core.review import REVIEW_EVENT_KINDS, Review, ReviewFold
from pairrepl.ledger import Ledger, UnreadableEvent
from pairrepl.promote.errors import PromotionRefused

#: The ledger's event kinds the report reads.
LEDGER_KINDS = REVIEW_EVENT_KINDS | {SessionStarted.KIND}


@dataclass
class Gathered:
    """What the figures were counted from, and what could not be read."""

    provenance_records: int = 0
    unreadable_provenance_lines: int = 0
    missing_files: list[str] = field(default_factory=list)  # in provenance, not on disk
    ledger: str = "not read"  # what was read of the ledger, in words
    git: bool = False  # git's authors are in the knowledge map
    cache: str = "not used"  # how the report cache served, in words (not in the payload)

    def notes(self) -> list[str]:
        notes = [
            f"{name} is in provenance but not in the project any more."
            for name in self.missing_files
        ]
        if self.unreadable_provenance_lines:
            notes.append(
                f"{self.unreadable_provenance_lines} line(s) of provenance.jsonl could not be read."
            )
        return notes

    def to_payload(self) -> dict[str, object]:
        return {
            "provenance_records": self.provenance_records,
            "unreadable_provenance_lines": self.unreadable_provenance_lines,
            "missing_files": self.missing_files,
            "ledger": self.ledger,
            "git": self.git,
        }


@dataclass
class FromLedger:
    """What the ledger adds: how each accepted proposal was reviewed, who worked in each
    session, the AI's rationales, and when each question was asked. Folded entry by
    entry, in the order they were recorded; a fold restored `from_payload` goes on."""

    fold: ReviewFold = field(default_factory=ReviewFold)
    session_people: dict[str, str] = field(default_factory=dict)
    rationales: dict[str, str] = field(default_factory=dict)
    questions: list[tuple[str, float]] = field(default_factory=list)
    sessions: set[str] = field(default_factory=set)

    @property
    def reviews(self) -> list[Review]:
        return self.fold.reviews

    @property
    def note(self) -> str:
        return f"{len(self.sessions)} session(s)"

    def apply(self, entry: LedgerEntry) -> None:
        self.sessions.add(entry.session_id)
        event = entry.event
        if isinstance(event, SessionStarted) and event.person:
            self.session_people[entry.session_id] = event.person
        elif isinstance(event, ProposalMade):
            self.rationales[event.proposal_id] = event.rationale
        elif isinstance(event, RequestSent):
            self.questions.append((entry.session_id, entry.at))
        self.fold.apply(entry)

    def to_payload(self) -> dict[str, Any]:
        return {
            "fold": self.fold.to_payload(),
            "session_people": self.session_people,
            "rationales": self.rationales,
            "questions": self.questions,
            "sessions": sorted(self.sessions),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> FromLedger:
        return cls(
            ReviewFold.from_payload(payload["fold"]),
            dict(payload["session_people"]),
            dict(payload["rationales"]),
            [(session_id, at) for session_id, at in payload["questions"]],
            set(payload["sessions"]),
        )


def read_the_ledger(root: Path) -> tuple[str, FromLedger | None]:
    """What the ledger says, and in words what was read of it (None: nothing could be)."""
    ledger = Ledger.open_existing(root)
    if ledger is None:
        return NO_LEDGER, None
    found = FromLedger()
    try:
        for entry in ledger.entries_of_kinds(LEDGER_KINDS):
            found.apply(entry)
    except UnreadableEvent as error:
        return unreadable_ledger(error), None
    finally:
        ledger.close()
    return found.note, found


NO_LEDGER = "none on this machine: reviews from provenance"


def unreadable_ledger(error: UnreadableEvent) -> str:
    return f"unreadable ({error}): reviews from provenance"


def newest_of_symbols(records: Iterable[ProvenanceRecord]) -> list[ProvenanceRecord]:
    """The newest of each (kind, symbol) of one file's live records (oldest first), in
    that order: all blame looks at."""
    newest: dict[tuple[str, str], tuple[int, ProvenanceRecord]] = {}
    for place, record in enumerate(records):
        newest[(record.kind, record.symbol)] = (place, record)
    return [record for _, record in sorted(newest.values(), key=lambda found: found[0])]


def by_file(records: Iterable[ProvenanceRecord]) -> dict[str, list[ProvenanceRecord]]:
    grouped: dict[str, list[ProvenanceRecord]] = {}
    for record in records:
        grouped.setdefault(record.file, []).append(record)
    return dict(sorted(grouped.items()))


def reviews_in(records: Iterable[ProvenanceRecord]) -> list[Review]:
    """The reviews provenance carries, one per proposal (the first record's)."""
    found: dict[str, Review] = {}
    for record in records:
        if record.review is not None:
            found.setdefault(record.review.proposal_id, record.review)
    return list(found.values())


def module_name(file: str) -> str:
    try:
        return promote.module_name_for(file)
    except PromotionRefused:
        return file


def modules_of(files: Sequence[str]) -> dict[str, str]:
    return {file: module_name(file) for file in files}
