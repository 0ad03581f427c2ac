"""What the report counts of promoted lines and promotions, grouped before it is counted.

`pairrepl report` counts every promotion and every promoted line into the figures of a
file, a person and a week. Counted one by one, that is most of its time on a large
project; counted here first per (file, who, week), the report adds up a few thousand
groups instead of a hundred thousand promotions. A tally of records extended with a
tally of newer records equals the tally of all of them (`PromotionTally.merge`), so a
cache can keep one and extend it with what was appended since (`session/report_cache.py`).

"Who" is the identity a record carries, or, for older records without one, the session
it was promoted in (the report names that session's person). Pure: no file access here.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from pairrepl.core.cells import Origin
from pairrepl.core.explanations import ExplanationQuality, quality
from pairrepl.core.provenance import LineBlame, ProvenanceRecord, UnderstandingFigures

#: (identity as recorded or "", session id when there is no identity or "", ISO week)
WhoAndWeek = tuple[str, str, str]
#: (file, identity or "", session id or "", ISO week)
FileWhoAndWeek = tuple[str, str, str, str]


def who_of(record: ProvenanceRecord) -> tuple[str, str]:
    """The record's identity, or (older records) the session that names the person."""
    return (record.person, "") if record.person else ("", record.session_id)


@dataclass
class ExplanationFigures:
    """The explain-back gate's answers, for one group of promotions."""

    ai_promotions: int = 0  # promotions of AI-verbatim code
    ai_explained: int = 0  # of those, how many carry the human's explanation
    explained: int = 0  # explanations given, for code of any origin
    paraphrased: int = 0  # explanations that mostly repeat the AI's rationale
    words: list[int] = field(default_factory=list)

    def add(self, origin: Origin, measured: ExplanationQuality | None) -> None:
        verbatim = origin is Origin.AI
        self.ai_promotions += verbatim
        if measured is None:
            return
        self.ai_explained += verbatim
        self.explained += 1
        self.paraphrased += measured.paraphrase
        self.words.append(measured.words)

    def merge(self, other: ExplanationFigures) -> None:
        self.ai_promotions += other.ai_promotions
        self.ai_explained += other.ai_explained
        self.explained += other.explained
        self.paraphrased += other.paraphrased
        self.words.extend(other.words)

    def to_payload(self) -> dict[str, Any]:
        return {
            "ai_promotions": self.ai_promotions,
            "ai_explained": self.ai_explained,
            "explained": self.explained,
            "paraphrased": self.paraphrased,
            "paraphrase_share": self.paraphrased / self.explained if self.explained else None,
            "median_words": median(self.words) if self.words else None,
        }

    def to_counts(self) -> list[Any]:
        return [self.ai_promotions, self.ai_explained, self.explained, self.paraphrased, self.words]

    @classmethod
    def from_counts(cls, counts: Sequence[Any]) -> ExplanationFigures:
        ai_promotions, ai_explained, explained, paraphrased, words = counts
        return cls(ai_promotions, ai_explained, explained, paraphrased, list(words))


@dataclass
class LineTally:
    """One file's promoted lines counted by who promoted them and the week."""

    groups: dict[WhoAndWeek, UnderstandingFigures] = field(default_factory=dict)
    promoted: list[int] = field(default_factory=list)  # the line numbers a record covers

    def to_payload(self) -> dict[str, Any]:
        return {
            "groups": [[*key, _line_counts(counted)] for key, counted in self.groups.items()],
            "promoted": self.promoted,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> LineTally:
        groups = {
            (identity, session, week): UnderstandingFigures(*counts)
            for identity, session, week, counts in payload["groups"]
        }
        return cls(groups, list(payload["promoted"]))


def tally_lines(lines: Iterable[LineBlame], *, since: float | None = None) -> LineTally:
    """Count a file's blamed lines (only those promoted at or after `since`, if given)."""
    tally = LineTally()
    weeks: dict[float, str] = {}
    for line in lines:
        record = line.record
        if record is None or (since is not None and record.time < since):
            continue
        week = weeks.get(record.time) or weeks.setdefault(record.time, week_of(record.time))
        key = (*who_of(record), week)
        counted = tally.groups.get(key) or tally.groups.setdefault(key, UnderstandingFigures())
        counted.add(line)
        tally.promoted.append(line.number)
    return tally


@dataclass
class PromotionTally:
    """Promotions counted by file, who and week: one count per promotion (its records
    share the explanation), in the file of its first record."""

    groups: dict[FileWhoAndWeek, ExplanationFigures] = field(default_factory=dict)

    def merge(self, other: PromotionTally) -> None:
        """Add `other`'s counts (a tally of newer promotions, none counted here)."""
        for key, counted in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = ExplanationFigures.from_counts(counted.to_counts())
            else:
                mine.merge(counted)

    def to_payload(self) -> list[list[Any]]:
        return [[*key, counted.to_counts()] for key, counted in self.groups.items()]

    @classmethod
    def from_payload(cls, payload: Iterable[Sequence[Any]]) -> PromotionTally:
        return cls(
            {
                (file, identity, session, week): ExplanationFigures.from_counts(counts)
                for file, identity, session, week, counts in payload
            }
        )


def tally_promotions(
    records: Iterable[ProvenanceRecord],
    rationales: Mapping[str, str],
    *,
    since: float | None = None,
    counted: set[str] | None = None,
) -> PromotionTally:
    """Count each promotion of `records` (live, oldest first) once, with its explanation
    measured against the AI's rationale (the record's, else `rationales` by proposal).
    `counted`: promotion ids counted already (skipped; the ids counted now are added)."""
    tally = PromotionTally()
    seen = set() if counted is None else counted
    measured: dict[tuple[str, str | None], ExplanationQuality] = {}
    weeks: dict[float, str] = {}
    for record in records:
        if record.promotion_id in seen or (since is not None and record.time < since):
            continue
        seen.add(record.promotion_id)
        explanation, quality_of = record.explanation, None
        if explanation:
            rationale = record.rationale or rationales.get(record.proposal_id or "")
            quality_of = measured.get((explanation, rationale))
            if quality_of is None:
                quality_of = measured[(explanation, rationale)] = quality(explanation, rationale)
        week = weeks.get(record.time) or weeks.setdefault(record.time, week_of(record.time))
        key = (record.file, *who_of(record), week)
        found = tally.groups.get(key) or tally.groups.setdefault(key, ExplanationFigures())
        found.add(record.origin, quality_of)
    return tally


def week_of(time: float) -> str:
    """The ISO week of a time, in UTC: "2026-W05"."""
    return _week_label(int((time // 86_400 + 3) // 7))  # weeks since Monday 1969-12-29


@functools.lru_cache(maxsize=1024)
def _week_label(weeks_since_1969_12_29: int) -> str:
    monday = datetime.date(1969, 12, 29) + datetime.timedelta(weeks=weeks_since_1969_12_29)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _line_counts(counted: UnderstandingFigures) -> list[int]:
    return [
        counted.human,
        counted.ai,
        counted.ai_edited,
        counted.changed_by_hand,
        counted.ai_explained,
    ]
