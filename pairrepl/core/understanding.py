"""Do we still understand our code? The figures of `pairrepl report` and `pairrepl check`.

Built from what the session layer gathered: each file's blamed lines (who wrote each
line now, per provenance), the provenance records (every promotion: who, when, the
explanation), the reviews of accepted proposals (from the ledger, or from provenance
where there is no ledger), and git's authors of the promoted lines. The same figures
are counted per file, per person, per ISO week (UTC) and for the whole project; per
module, the knowledge map says who knows its code. The lines and promotions are tallied
per (file, who, week) first (`core/tallies.py`, `CountedSources`) and the groups added
up (`counted_report`), which is what the report cache keeps and extends;
`understanding_report` also lists each promotion's explanation (`--json`). Pure: no
file, ledger or git access.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pairrepl.core.cells import Origin
from pairrepl.core.explanations import ExplanationQuality, quality
from pairrepl.core.provenance import LineBlame, ProvenanceRecord, UnderstandingFigures
from pairrepl.core.review import RUBBER_STAMP_SECONDS, Review, ReviewFigures
from pairrepl.core.tallies import (
    ExplanationFigures,
    LineTally,
    PromotionTally,
    tally_lines,
    tally_promotions,
    week_of,
    who_of,
)

#: Who did something when no one was recorded (provenance from before people were).
UNKNOWN_PERSON = "(unknown)"

_EMAIL = re.compile(r"<([^<>]+)>")


def person_key(identity: str) -> str:
    """One key per person: the e-mail of "Name <email>" (git's form), else the name."""
    found = _EMAIL.search(identity)
    return (found.group(1) if found else identity).strip().lower()


def display_name(identity: str) -> str:
    """The name part of "Name <email>" (the whole identity if it has no name part)."""
    name = _EMAIL.sub("", identity).strip()
    return name or identity


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from `first` to `last`, both included."""
    day = datetime.date.fromisocalendar(int(first[:4]), int(first[6:]), 1)
    weeks = []
    while (label := f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}") <= last:
        weeks.append(label)
        day += datetime.timedelta(days=7)
    return weeks


@dataclass
class Figures:
    """Every figure of one group: promoted lines, reviews, explanations, questions."""

    lines: UnderstandingFigures = field(default_factory=UnderstandingFigures)
    reviews: ReviewFigures = field(default_factory=ReviewFigures)
    explanations: ExplanationFigures = field(default_factory=ExplanationFigures)
    questions: int = 0  # requests to the AI

    def to_payload(self) -> dict[str, Any]:
        return {
            **self.lines.to_payload(),
            "written_share": self.lines.written_share,
            "review": self.reviews.to_payload(),
            "explanations": self.explanations.to_payload(),
            "questions": self.questions,
        }


@dataclass(frozen=True)
class PromotionExplanation:
    """One promotion's explanation (None: not given) and how it measures."""

    promotion_id: str
    file: str
    person: str
    time: float
    origin: Origin
    explanation: str | None
    rationale: str | None
    quality: ExplanationQuality | None

    def to_payload(self) -> dict[str, Any]:
        measured = self.quality
        return {
            "promotion_id": self.promotion_id,
            "file": self.file,
            "person": self.person,
            "time": self.time,
            "origin": self.origin.value,
            "explanation": self.explanation,
            "rationale": self.rationale,
            "words": measured.words if measured else None,
            "overlap": measured.overlap if measured else None,
            "paraphrase": measured.paraphrase if measured else None,
        }


@dataclass
class ModuleKnowledge:
    """Who knows one module's promoted code: the knowledge map's row."""

    module: str
    files: list[str] = field(default_factory=list)
    lines: UnderstandingFigures = field(default_factory=UnderstandingFigures)
    promoted_by: set[str] = field(default_factory=set)
    explained_by: set[str] = field(default_factory=set)
    explained_ai_code: set[str] = field(default_factory=set)  # AI-verbatim code, that is
    git_authors: set[str] = field(default_factory=set)  # of its promoted lines, now

    @property
    def people(self) -> set[str]:
        """Everyone who promoted, explained or (per git) edited its promoted code."""
        return self.promoted_by | self.explained_by | self.git_authors

    @property
    def flag(self) -> str | None:
        """Why this module's AI code is known to too few people, if it is."""
        if not self.lines.ai:
            return None
        if not self.explained_ai_code:
            return "no one explained its AI code"
        if len(self.explained_ai_code) == 1:
            return f"only {display_name(next(iter(self.explained_ai_code)))} explained its AI code"
        return None

    def to_payload(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "lines": self.lines.to_payload(),
            "people": sorted(self.people),
            "promoted_by": sorted(self.promoted_by),
            "explained_by": sorted(self.explained_by),
            "explained_ai_code": sorted(self.explained_ai_code),
            "git_authors": sorted(self.git_authors),
            "flag": self.flag,
        }


@dataclass(frozen=True)
class AcceptedProposal:
    """One accepted proposal's review, who accepted it, and where its code went."""

    review: Review
    person: str
    files: tuple[str, ...]

    def to_payload(self, rubber_stamp_seconds: float) -> dict[str, Any]:
        review = self.review
        return {
            **review.to_payload(),
            "person": self.person,
            "files": list(self.files),
            "to_run_s": review.to_run_s,
            "run_to_accept_s": review.run_to_accept_s,
            "inspected": review.inspected,
            "rubber_stamped": review.rubber_stamped(rubber_stamp_seconds),
        }


@dataclass
class UnderstandingReport:
    total: Figures = field(default_factory=Figures)
    files: dict[str, Figures] = field(default_factory=dict)
    people: dict[str, Figures] = field(default_factory=dict)
    weeks: dict[str, Figures] = field(default_factory=dict)  # every week, oldest first
    modules: dict[str, ModuleKnowledge] = field(default_factory=dict)
    person_weeks: dict[str, dict[str, Figures]] = field(default_factory=dict)  # each's trend
    accepted: list[AcceptedProposal] = field(default_factory=list)
    explanations: list[PromotionExplanation] = field(default_factory=list)  # --json only
    rubber_stamp_seconds: float = RUBBER_STAMP_SECONDS

    def known_as(self, identity: str | None) -> str | None:
        """How the report names the person `identity` is (one key per e-mail), if it
        counted anything of theirs; None if it did not."""
        if not identity:
            return None
        wanted = person_key(identity)
        return next((name for name in self.people if person_key(name) == wanted), None)

    def to_payload(self) -> dict[str, Any]:
        """Everything, as JSON values (`pairrepl report --json`)."""
        return {
            "total": self.total.to_payload(),
            "files": {name: figures.to_payload() for name, figures in self.files.items()},
            "modules": {name: known.to_payload() for name, known in self.modules.items()},
            "people": {name: figures.to_payload() for name, figures in self.people.items()},
            "weeks": _weekly(self.weeks),
            "people_weeks": {person: _weekly(weeks) for person, weeks in self.person_weeks.items()},
            "accepted_proposals": [
                proposal.to_payload(self.rubber_stamp_seconds) for proposal in self.accepted
            ],
            "explanations": [promotion.to_payload() for promotion in self.explanations],
            "rubber_stamp_seconds": self.rubber_stamp_seconds,
        }


def _weekly(weeks: Mapping[str, Figures]) -> list[dict[str, Any]]:
    return [{"week": week, **figures.to_payload()} for week, figures in weeks.items()]


@dataclass(frozen=True)
class UnderstandingSources:
    """What the session layer gathered for the report."""

    blamed: Mapping[str, Sequence[LineBlame]]  # file -> its lines now (files on disk)
    records: Sequence[ProvenanceRecord]  # live, oldest first
    reviews: Sequence[Review] = ()
    modules: Mapping[str, str] = field(default_factory=dict)  # file -> module name
    session_people: Mapping[str, str] = field(default_factory=dict)  # session id -> person
    rationales: Mapping[str, str] = field(default_factory=dict)  # proposal id -> rationale
    git_authors: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # file -> line
    questions: Sequence[tuple[str, float]] = ()  # (session id, time) of each request to the AI

    def counted(self, *, since: float | None = None) -> CountedSources:
        """The same, with the lines and promotions tallied (only since `since`)."""
        return CountedSources(
            lines={file: tally_lines(lines, since=since) for file, lines in self.blamed.items()},
            promotions=tally_promotions(self.records, self.rationales, since=since),
            reviews=self.reviews,
            files_of_proposal=files_of_proposals(self.records),
            modules=self.modules,
            session_people=people_of_sessions(self.session_people, self.records),
            git_authors=self.git_authors,
            questions=self.questions,
        )


@dataclass(frozen=True)
class CountedSources:
    """What the report counts: the lines and promotions tallied, the rest as gathered."""

    lines: Mapping[str, LineTally]  # file -> its promoted lines now (files on disk)
    promotions: PromotionTally
    reviews: Sequence[Review] = ()
    files_of_proposal: Mapping[str, Collection[str]] = field(default_factory=dict)
    modules: Mapping[str, str] = field(default_factory=dict)  # file -> module name
    session_people: Mapping[str, str] = field(default_factory=dict)  # session id -> person
    git_authors: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # file -> line
    questions: Sequence[tuple[str, float]] = ()  # (session id, time) of each request to the AI


def files_of_proposals(records: Sequence[ProvenanceRecord]) -> dict[str, set[str]]:
    """Proposal id -> the files its code was promoted into."""
    found: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if record.proposal_id:
            found[record.proposal_id].add(record.file)
    return dict(found)


def people_of_sessions(
    known: Mapping[str, str], records: Sequence[ProvenanceRecord]
) -> dict[str, str]:
    """Session id -> its person: as `known` (the ledger's), else the first identity a
    record of that session carries."""
    people = dict(known)
    for record in records:
        if record.person:
            people.setdefault(record.session_id, record.person)
    return people


def understanding_report(
    sources: UnderstandingSources,
    *,
    since: float | None = None,
    rubber_stamp_seconds: float = RUBBER_STAMP_SECONDS,
) -> UnderstandingReport:
    """Count everything in `sources` (only what happened at or after `since`, if given),
    and list each promotion's explanation."""
    builder = _Builder(sources.counted(since=since), rubber_stamp_seconds)
    builder.count(since)
    builder.list_explanations(sources.records, sources.rationales, since)
    return builder.finish()


def counted_report(
    sources: CountedSources,
    *,
    since: float | None = None,
    rubber_stamp_seconds: float = RUBBER_STAMP_SECONDS,
) -> UnderstandingReport:
    """Every figure of `understanding_report` from tallied sources (the same `since` as
    they were tallied with); no list of each promotion's explanation."""
    builder = _Builder(sources, rubber_stamp_seconds)
    builder.count(since)
    return builder.finish()


class _Builder:
    def __init__(self, sources: CountedSources, rubber_stamp_seconds: float) -> None:
        self.sources = sources
        self.report = UnderstandingReport(rubber_stamp_seconds=rubber_stamp_seconds)
        self.names: dict[str, str] = {}  # identity as recorded -> the person's name
        self.shown_names: dict[str, str] = {}  # person key -> the name first seen
        self.weeks_of_time: dict[float, str] = {}

    def count(self, since: float | None) -> None:
        sources = self.sources
        for file, tally in sources.lines.items():
            self.add_lines(file, tally)
        for (file, identity, session_id, week), counted in sources.promotions.groups.items():
            self.add_promotions(file, self.who(identity, session_id), week, counted)
        for review in sources.reviews:
            if since is None or review.accepted_at >= since:
                self.add_review(review)
        for session_id, time in sources.questions:
            if since is None or time >= since:
                self.add_question(session_id, time)

    def person(self, identity: str | None) -> str:
        """The name a person is shown by: the first identity seen with their key."""
        if not identity:
            return UNKNOWN_PERSON
        if identity not in self.names:
            self.names[identity] = self.shown_names.setdefault(person_key(identity), identity)
        return self.names[identity]

    def who(self, identity: str, session_id: str) -> str:
        """The person of a tally's group: its identity, else its session's person."""
        return self.person(identity or self.sources.session_people.get(session_id))

    def fresh_figures(self) -> Figures:
        return Figures(reviews=ReviewFigures(self.report.rubber_stamp_seconds))

    def groups(self, file: str | None, person: str, week: str) -> list[Figures]:
        """The figures something done by `person` in `week` (in `file`) counts in."""
        report = self.report
        found = [report.total]
        for table, key in ((report.files, file), (report.people, person)):
            if key is not None:
                found.append(table.get(key) or table.setdefault(key, self.fresh_figures()))
        found.append(report.weeks.get(week) or report.weeks.setdefault(week, self.fresh_figures()))
        weeks = report.person_weeks.get(person) or report.person_weeks.setdefault(person, {})
        found.append(weeks.get(week) or weeks.setdefault(week, self.fresh_figures()))
        return found

    def week(self, time: float) -> str:
        found = self.weeks_of_time.get(time)
        if found is None:
            found = self.weeks_of_time[time] = week_of(time)
        return found

    def module(self, file: str) -> ModuleKnowledge:
        name = self.sources.modules.get(file, file)
        found = self.report.modules.get(name)
        if found is None:
            found = self.report.modules[name] = ModuleKnowledge(name)
        if file not in found.files:
            found.files.append(file)
        return found

    def add_lines(self, file: str, tally: LineTally) -> None:
        self.report.files.setdefault(file, self.fresh_figures())
        module = self.module(file)
        for (identity, session_id, week), counted in tally.groups.items():
            for figures in self.groups(file, self.who(identity, session_id), week):
                figures.lines.merge(counted)
            module.lines.merge(counted)
        authors = self.sources.git_authors.get(file, {})
        for number in tally.promoted:
            author = authors.get(number)
            if author:
                module.git_authors.add(self.person(author))

    def add_promotions(
        self, file: str, person: str, week: str, counted: ExplanationFigures
    ) -> None:
        on_disk = file in self.sources.lines
        for figures in self.groups(file if on_disk else None, person, week):
            figures.explanations.merge(counted)
        if on_disk:  # the knowledge map
            module = self.module(file)
            module.promoted_by.add(person)
            if counted.explained:
                module.explained_by.add(person)
            if counted.ai_explained:
                module.explained_ai_code.add(person)

    def list_explanations(
        self,
        records: Sequence[ProvenanceRecord],
        rationales: Mapping[str, str],
        since: float | None,
    ) -> None:
        """One entry per promotion (its records share the explanation), oldest first."""
        seen: set[str] = set()
        for record in records:
            if record.promotion_id in seen or (since is not None and record.time < since):
                continue
            seen.add(record.promotion_id)
            rationale = record.rationale or rationales.get(record.proposal_id or "")
            self.report.explanations.append(
                PromotionExplanation(
                    record.promotion_id,
                    record.file,
                    self.who(*who_of(record)),
                    record.time,
                    record.origin,
                    record.explanation,
                    rationale,
                    quality(record.explanation, rationale) if record.explanation else None,
                )
            )

    def add_review(self, review: Review) -> None:
        person = self.person(self.sources.session_people.get(review.session_id))
        files = sorted(self.sources.files_of_proposal.get(review.proposal_id, ()))
        self.report.accepted.append(AcceptedProposal(review, person, tuple(files)))
        counted = self.groups(None, person, self.week(review.accepted_at))
        counted.extend(self.report.files[file] for file in files if file in self.sources.lines)
        for figures in counted:
            figures.reviews.add(review)

    def add_question(self, session_id: str, time: float) -> None:
        person = self.person(self.sources.session_people.get(session_id))
        for figures in self.groups(None, person, self.week(time)):
            figures.questions += 1

    def finish(self) -> UnderstandingReport:
        report = self.report
        report.files = dict(sorted(report.files.items()))
        report.people = dict(sorted(report.people.items()))
        report.modules = dict(sorted(report.modules.items()))
        if report.weeks:
            every = weeks_between(min(report.weeks), max(report.weeks))

            def all_weeks(found: dict[str, Figures]) -> dict[str, Figures]:
                return {week: found.get(week) or self.fresh_figures() for week in every}

            report.weeks = all_weeks(report.weeks)
            report.person_weeks = {
                person: all_weeks(weeks) for person, weeks in sorted(report.person_weeks.items())
            }
        return report
