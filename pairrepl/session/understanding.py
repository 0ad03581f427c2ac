"""The understanding figures of a project: `pairrepl report` and `pairrepl check`.

Gathers what `core.understanding` counts: provenance and the files (always), the
ledger's reviews of accepted proposals (where this machine has a ledger; elsewhere the
reviews that provenance carries), and git's authors of the promoted lines (where git
is there). `check` never reads the ledger: it must give the same answer in CI, from a
clone, as on the machine where the code was promoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from pairrepl import promote
from pairrepl.core.checks import CheckResult, CheckSettings, check
from pairrepl.core.events import ProposalMade, RequestSent, SessionStarted
from pairrepl.core.provenance import LineBlame, ProvenanceRecord
from pairrepl.core.review import REVIEW_EVENT_KINDS, Review, ReviewFold
from pairrepl.core.understanding import (
    UnderstandingReport,
    UnderstandingSources,
    understanding_report,
)
from pairrepl.ledger import Ledger, ProvenanceLog, UnreadableEvent, line_authors
from pairrepl.promote.errors import PromotionRefused
from pairrepl.session.blame import BlameError, blame_text
from pairrepl.session.gc_pause import cyclic_gc_paused
from pairrepl.session.project import check_settings, rubber_stamp_seconds


@dataclass
class Gathered:
    """The sources of the figures, and what could not be read."""

    sources: UnderstandingSources
    provenance_records: int = 0
    unreadable_provenance_lines: int = 0
    missing_files: list[str] = field(default_factory=list)  # in provenance, not on disk
    ledger: str = "not read"  # what was read of the ledger, in words
    git: bool = False  # git's authors are in the knowledge map

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


def gather(root: Path, *, read_ledger: bool) -> Gathered:
    """Blame every file that provenance names; the ledger's reviews if asked and there."""
    root = Path(root).resolve()
    history = ProvenanceLog(root).read(with_evidence=False)
    blamed: dict[str, list[LineBlame]] = {}
    missing: list[str] = []
    for file, records in _by_file(history.records).items():
        try:
            blamed[file] = blame_text(root, file, records)
        except BlameError:
            missing.append(file)
    ledger_note, from_ledger = "not read (check works from provenance and git alone)", None
    if read_ledger:
        ledger_note, from_ledger = _read_ledger(root)
    if from_ledger is None:  # the reviews that provenance carries
        from_ledger = _FromLedger(reviews=_reviews_in(history.records))
    authors = line_authors(root, blamed)
    sources = UnderstandingSources(
        blamed=blamed,
        records=history.records,
        reviews=from_ledger.reviews,
        modules={file: _module_name(file) for file in blamed},
        session_people=from_ledger.session_people,
        rationales=from_ledger.rationales,
        git_authors=authors,
        questions=from_ledger.questions,
    )
    return Gathered(
        sources,
        len(history.records),
        history.unreadable_lines,
        missing,
        ledger_note,
        bool(authors),
    )


def project_understanding(
    root: Path, *, since: float | None = None
) -> tuple[UnderstandingReport, Gathered]:
    """Every figure of `pairrepl report`, from everything this machine has."""
    seconds = rubber_stamp_seconds(root)
    with cyclic_gc_paused(collect_after=False):  # every record and review is kept
        gathered = gather(root, read_ledger=True)
        report = understanding_report(gathered.sources, since=since, rubber_stamp_seconds=seconds)
    return report, gathered


@dataclass
class CheckOutcome:
    results: list[CheckResult]
    settings: CheckSettings
    gathered: Gathered

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)


def check_project(root: Path, paths: Sequence[str] = ()) -> CheckOutcome:
    """Judge the project's files (only those under `paths`, if given) against the
    thresholds of ``[tool.pairrepl.check]``, from provenance and git alone."""
    root = Path(root).resolve()
    settings = check_settings(root)
    with cyclic_gc_paused(collect_after=False):  # every record is kept
        gathered = gather(root, read_ledger=False)
    within = [_relative(root, path) for path in paths]
    scopes: dict[str, set[str]] = {}
    for file in gathered.sources.blamed:
        if not within or any(_is_under(file, path) for path in within):
            scopes.setdefault(settings.scope_of(file), set()).add(file)
    results: list[CheckResult] = []
    seconds = rubber_stamp_seconds(root)
    for scope, files in sorted(scopes.items()):
        thresholds = settings.thresholds_of(scope)
        if thresholds.any_set:
            report = understanding_report(
                _only(gathered.sources, files), rubber_stamp_seconds=seconds
            )
            results.extend(check(scope, thresholds, report))
    return CheckOutcome(results, settings, gathered)


def _only(sources: UnderstandingSources, files: set[str]) -> UnderstandingSources:
    """The sources of these files alone (the reviews of what was promoted into them)."""
    records = [record for record in sources.records if record.file in files]
    return replace(
        sources,
        blamed={file: lines for file, lines in sources.blamed.items() if file in files},
        records=records,
        reviews=_reviews_in(records),
    )


def _reviews_in(records: Iterable[ProvenanceRecord]) -> list[Review]:
    """The reviews provenance carries, one per proposal."""
    found: dict[str, Review] = {}
    for record in records:
        if record.review is not None:
            found.setdefault(record.review.proposal_id, record.review)
    return list(found.values())


@dataclass
class _FromLedger:
    """What the ledger adds: how each accepted proposal was reviewed, who worked in each
    session, the AI's rationales, and when each question was asked."""

    reviews: list[Review] = field(default_factory=list)
    session_people: dict[str, str] = field(default_factory=dict)
    rationales: dict[str, str] = field(default_factory=dict)
    questions: list[tuple[str, float]] = field(default_factory=list)
    sessions: set[str] = field(default_factory=set)


def _read_ledger(root: Path) -> tuple[str, _FromLedger | None]:
    """What the ledger says, and in words what was read of it (None: nothing could be)."""
    ledger = Ledger.open_existing(root)
    if ledger is None:
        return "none on this machine: reviews from provenance", None
    fold, found = ReviewFold(), _FromLedger()
    try:
        for entry in ledger.entries_of_kinds(REVIEW_EVENT_KINDS | {SessionStarted.KIND}):
            found.sessions.add(entry.session_id)
            event = entry.event
            if isinstance(event, SessionStarted) and event.person:
                found.session_people[entry.session_id] = event.person
            elif isinstance(event, ProposalMade):
                found.rationales[event.proposal_id] = event.rationale
            elif isinstance(event, RequestSent):
                found.questions.append((entry.session_id, entry.at))
            fold.apply(entry)
    except UnreadableEvent as error:
        return f"unreadable ({error}): reviews from provenance", None
    finally:
        ledger.close()
    found.reviews = fold.reviews
    return f"{len(found.sessions)} session(s)", found


def _by_file(records: Iterable[ProvenanceRecord]) -> dict[str, list[ProvenanceRecord]]:
    grouped: dict[str, list[ProvenanceRecord]] = {}
    for record in records:
        grouped.setdefault(record.file, []).append(record)
    return dict(sorted(grouped.items()))


def _module_name(file: str) -> str:
    try:
        return promote.module_name_for(file)
    except PromotionRefused:
        return file


def _relative(root: Path, path: str) -> str:
    resolved = (Path.cwd() / path).resolve()
    if resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix()
    return PurePosixPath(path).as_posix()


def _is_under(file: str, path: str) -> bool:
    wanted = PurePosixPath(path).parts
    return wanted == () or PurePosixPath(file).parts[: len(wanted)] == wanted
