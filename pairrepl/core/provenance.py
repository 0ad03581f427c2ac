"""Who wrote each promoted line, and the runs that showed it working.

A promotion writes definitions into a module and appends one `ProvenanceRecord` per
promoted top-level symbol to `.pairrepl/provenance.jsonl` (meant to be committed). Each
record keeps the symbol's exact text as written, so `blame` can work from provenance and
the current file alone: a symbol whose text still hashes the same is attributed whole to
its record; a symbol edited since is compared line by line, and the lines that differ
are the human's. Pure: no file access here.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pairrepl.core.cells import Origin, code_hash
from pairrepl.core.review import Review

#: A line no promotion wrote (or one whose symbol has no live record).
UNRECORDED = "-"
#: A promoted line the human changed by hand after the promotion (whoever wrote it first).
CHANGED_BY_HAND = "changed"
_AI, _AI_EDITED = Origin.AI.value, Origin.AI_EDITED.value  # read once: counted per line

# Python's own line breaks (not str.splitlines', which also splits on form feeds and
# other characters that may sit in a comment), so line numbers agree with the parser's.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def source_lines(text: str) -> list[str]:
    """`text` split into lines as Python's parser counts them, each with its line break."""
    return _LINE.findall(text)


@dataclass(frozen=True)
class Symbol:
    """One top-level statement of a module, as blame and provenance see it.

    `kind` is "function", "class", "constant" or "import" (`name` is then the import
    statement's code). Lines are 1-based and inclusive; `text` is exactly those lines.
    """

    name: str
    kind: str
    first_line: int
    last_line: int
    text: str


@dataclass(frozen=True)
class Evidence:
    """One execution that showed the promoted code working against live objects."""

    cell_id: str
    execution_count: int | None
    code_hash: str
    outputs_hash: str
    code: str

    def to_payload(self) -> dict[str, Any]:
        return {
            "cell_id": self.cell_id,
            "execution_count": self.execution_count,
            "code_hash": self.code_hash,
            "outputs_hash": self.outputs_hash,
            "code": self.code,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Evidence:
        return cls(
            cell_id=str(payload.get("cell_id", "")),
            execution_count=payload.get("execution_count"),
            code_hash=str(payload.get("code_hash", "")),
            outputs_hash=str(payload.get("outputs_hash", "")),
            code=str(payload.get("code", "")),
        )


@dataclass(frozen=True)
class ProvenanceRecord:
    """One promoted symbol: where it went, who wrote it, why, and what proved it."""

    promotion_id: str
    file: str  # relative to the project root, with forward slashes
    symbol: str
    kind: str
    first_line: int
    last_line: int
    content_hash: str
    text: str
    origin: Origin
    session_id: str
    time: float
    model: str | None = None
    request: str | None = None  # the human's words that led to the proposal
    request_id: str | None = None
    proposal_id: str | None = None
    explanation: str | None = None  # the human's own one-line account, if given
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    person: str | None = None  # who promoted it ("Name <email>"); None in older files
    rationale: str | None = None  # the AI's own account of its proposal
    review: Review | None = None  # how the proposal was reviewed before its accept

    @property
    def line_count(self) -> int:
        return self.last_line - self.first_line + 1

    def to_payload(self) -> dict[str, Any]:
        return {
            "promotion_id": self.promotion_id,
            "file": self.file,
            "symbol": self.symbol,
            "kind": self.kind,
            "lines": [self.first_line, self.last_line],
            "content_hash": self.content_hash,
            "origin": self.origin.value,
            "model": self.model,
            "request": self.request,
            "request_id": self.request_id,
            "session_id": self.session_id,
            "proposal_id": self.proposal_id,
            "time": self.time,
            "explanation": self.explanation,
            "evidence": [item.to_payload() for item in self.evidence],
            "text": self.text,
            "person": self.person,
            "rationale": self.rationale,
            "review": None if self.review is None else self.review.to_payload(),
        }

    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any], *, with_evidence: bool = True
    ) -> ProvenanceRecord:
        """The record of one JSON line; `with_evidence=False` leaves the evidence out
        (empty), for readers that never look at it and would only pay for reading it."""
        first, last = payload.get("lines") or (0, -1)
        evidence = payload.get("evidence", ()) if with_evidence else ()
        return cls(
            promotion_id=str(payload["promotion_id"]),
            file=str(payload["file"]),
            symbol=str(payload["symbol"]),
            kind=str(payload.get("kind", "")),
            first_line=int(first),
            last_line=int(last),
            content_hash=str(payload.get("content_hash", "")),
            text=str(payload.get("text", "")),
            origin=Origin(payload.get("origin", Origin.HUMAN.value)),
            session_id=str(payload.get("session_id", "")),
            time=float(payload.get("time", 0.0)),
            model=payload.get("model"),
            request=payload.get("request"),
            request_id=payload.get("request_id"),
            proposal_id=payload.get("proposal_id"),
            explanation=payload.get("explanation"),
            evidence=tuple(Evidence.from_payload(item) for item in evidence),
            person=payload.get("person"),
            rationale=payload.get("rationale"),
            review=Review.from_payload(payload["review"]) if payload.get("review") else None,
        )


@dataclass(frozen=True)
class PromotionFacts:
    """What every symbol written by one promotion shares."""

    promotion_id: str
    origin: Origin
    session_id: str
    time: float
    model: str | None = None
    request: str | None = None
    request_id: str | None = None
    proposal_id: str | None = None
    explanation: str | None = None
    evidence: tuple[Evidence, ...] = ()
    person: str | None = None
    rationale: str | None = None
    review: Review | None = None


def record_for(symbol: Symbol, file: str, facts: PromotionFacts) -> ProvenanceRecord:
    """The record of `symbol` as it now stands in `file`, written by one promotion."""
    return ProvenanceRecord(
        file=file,
        symbol=symbol.name,
        kind=symbol.kind,
        first_line=symbol.first_line,
        last_line=symbol.last_line,
        content_hash=code_hash(symbol.text),
        text=symbol.text,
        **{name: getattr(facts, name) for name in PromotionFacts.__dataclass_fields__},
    )


def live_records(
    records: Iterable[ProvenanceRecord], undone: Iterable[str]
) -> list[ProvenanceRecord]:
    """The records whose promotion was not undone, oldest first."""
    undone_ids = set(undone)
    return sorted(
        (record for record in records if record.promotion_id not in undone_ids),
        key=lambda record: record.time,
    )


# --- blame ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineBlame:
    """One line of a file: who wrote it, per provenance.

    `origin` is an `Origin` value ("human", "ai", "ai-edited") for a line a promotion
    wrote and nobody changed since, `CHANGED_BY_HAND` ("changed") for a promoted symbol's
    line the human edited afterwards, or `UNRECORDED` for a line no promotion wrote.
    """

    number: int
    text: str
    origin: str
    record: ProvenanceRecord | None = None
    changed_by_hand: bool = False  # promoted, then edited in the file (origin "changed")


def blame(
    file_text: str, symbols: Sequence[Symbol], records: Sequence[ProvenanceRecord]
) -> list[LineBlame]:
    """Attribute each line of `file_text` from its top-level `symbols` and the file's
    live provenance `records` (oldest first; the newest record of a symbol wins)."""
    lines = source_lines(file_text)
    origins: list[tuple[str, ProvenanceRecord | None, bool]] = [(UNRECORDED, None, False)] * len(
        lines
    )
    newest: dict[tuple[str, str], ProvenanceRecord] = {}
    for record in records:
        newest[(record.kind, record.symbol)] = record
    for symbol in symbols:
        found = newest.get((symbol.kind, symbol.name))
        if found is None:
            continue
        for offset, changed in enumerate(_changed_lines(symbol, found)):
            origin = CHANGED_BY_HAND if changed else found.origin.value
            origins[symbol.first_line - 1 + offset] = (origin, found, changed)
    return [
        LineBlame(number, text.rstrip("\r\n"), origin, record, changed)
        for number, (text, (origin, record, changed)) in enumerate(
            zip(lines, origins, strict=True), 1
        )
    ]


def blame_in_place(file_text: str, records: Sequence[ProvenanceRecord]) -> list[LineBlame] | None:
    """`blame` without finding the file's symbols, when each symbol's newest record still
    stands in the file word for word, once, as a whole top-level statement: then every
    line of it keeps the record's origin and the rest are unrecorded. None when that is
    not so for some record (edited, gone, found twice): the caller finds the symbols.

    Finding the symbols means parsing the file; this is a text search, so blaming an
    unchanged project costs about what reading it does. It looks for no other top-level
    definition of a recorded name (a second `def f` further down is not attributed), and
    leaves files with line breaks other than \n, \r\n and \r to `blame`.
    """
    if _ODD_LINE_BREAKS.search(file_text):
        return None
    starts = [0, *(match.end() for match in _LINE_BREAK.finditer(file_text))]
    if starts[-1] == len(file_text):
        starts.pop()  # the text ends with a line break: no empty last line
    lines = [line.rstrip("\r\n") for line in file_text.splitlines(keepends=True)]  # as `blame`
    origins: list[ProvenanceRecord | None] = [None] * len(lines)
    newest: dict[tuple[str, str], ProvenanceRecord] = {}
    for record in records:
        newest[(record.kind, record.symbol)] = record
    bound = Counter(
        next(name for name in match.groups() if name)
        for match in _TOP_LEVEL_BINDING.finditer(file_text)
    )
    for record in newest.values():
        if record.kind != "import" and bound[record.symbol] > 1:
            return None  # bound twice at the top level (`@overload`s, a redefinition)
        first = _only_statement_at(file_text, starts, lines, record.text)
        if first is None:
            return None
        for number in range(first, first + len(record.text.splitlines())):
            origins[number] = record
    return [
        LineBlame(number, text, record.origin.value if record else UNRECORDED, record)
        for number, (text, record) in enumerate(zip(lines, origins, strict=True), 1)
    ]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A line that binds a name at the top level: `def f`, `async def f`, `class C`, `X =`, `x: int`.
_TOP_LEVEL_BINDING = re.compile(
    r"^(?:(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+)|(\w+)[ \t]*(?::|=(?!=)))", re.MULTILINE
)
_ODD_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _only_statement_at(
    file_text: str, starts: list[int], lines: list[str], statement: str
) -> int | None:
    """The 0-based line where `statement` starts in `file_text` if it is there exactly
    once at the start of a line, ends a line, and is a whole top-level statement (no
    decorator above it, nothing indented after it); else None."""
    if not statement:
        return None
    found: list[int] = []
    at = file_text.find(statement)
    while at != -1 and len(found) < 2:
        end = at + len(statement)
        starts_line = at == 0 or file_text[at - 1] in "\r\n"
        ends_line = statement[-1] in "\r\n" or end == len(file_text) or file_text[end] in "\r\n"
        if starts_line and ends_line:
            found.append(at)
        at = file_text.find(statement, at + 1)
    if len(found) != 1:
        return None
    first = bisect.bisect_right(starts, found[0]) - 1
    last = first + len(statement.splitlines()) - 1
    before, after = _next_code_line(lines, first - 1, -1), _next_code_line(lines, last + 1, 1)
    if before.startswith("@") or after.startswith((" ", "\t")):
        return None
    return first


def _next_code_line(lines: list[str], index: int, step: int) -> str:
    """The first line that is not blank from `index` on, going by `step` ("" if none)."""
    while 0 <= index < len(lines):
        if lines[index].strip():
            return lines[index]
        index += step
    return ""


def _changed_lines(symbol: Symbol, record: ProvenanceRecord) -> list[bool]:
    """For each line of the symbol now: was it changed since the record was written?"""
    now = [line.rstrip("\r\n") for line in source_lines(symbol.text)]
    if code_hash(symbol.text) == record.content_hash:
        return [False] * len(now)
    changed = [True] * len(now)
    was = [line.rstrip("\r\n") for line in source_lines(record.text)]
    matcher = difflib.SequenceMatcher(a=was, b=now, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            changed[block.b + offset] = False
    return changed


# --- report ---------------------------------------------------------------------------


@dataclass
class UnderstandingFigures:
    """Promoted lines by origin, for one file or the whole project."""

    human: int = 0  # promoted from cells the human wrote
    ai: int = 0  # the AI's text, verbatim
    ai_edited: int = 0  # the AI's text, changed by the human before it ran
    changed_by_hand: int = 0  # promoted, then edited in the file
    ai_explained: int = 0  # AI-verbatim lines whose promotion carries an explanation

    @property
    def promoted(self) -> int:
        return self.human + self.ai + self.ai_edited + self.changed_by_hand

    @property
    def ai_verbatim_share(self) -> float | None:
        return self.ai / self.promoted if self.promoted else None

    @property
    def written_share(self) -> float | None:
        """Of the promoted lines, the human's own: typed by them, or changed by hand since."""
        return (self.human + self.changed_by_hand) / self.promoted if self.promoted else None

    @property
    def explained_share(self) -> float | None:
        """Of the AI-verbatim lines, how many a human explained in their own words."""
        return self.ai_explained / self.ai if self.ai else None

    def add(self, line: LineBlame) -> None:
        if line.record is None:
            return
        if line.changed_by_hand:
            self.changed_by_hand += 1
        elif line.origin == _AI:
            self.ai += 1
            if line.record.explanation:
                self.ai_explained += 1
        elif line.origin == _AI_EDITED:
            self.ai_edited += 1
        else:
            self.human += 1

    def merge(self, other: UnderstandingFigures) -> None:
        self.human += other.human
        self.ai += other.ai
        self.ai_edited += other.ai_edited
        self.changed_by_hand += other.changed_by_hand
        self.ai_explained += other.ai_explained

    def to_payload(self) -> dict[str, Any]:
        return {
            "promoted_lines": self.promoted,
            "human": self.human,
            "ai": self.ai,
            "ai_edited": self.ai_edited,
            "changed_by_hand": self.changed_by_hand,
            "ai_explained": self.ai_explained,
            "ai_verbatim_share": self.ai_verbatim_share,
            "explained_share": self.explained_share,
        }


def figures(lines: Iterable[LineBlame], *, since: float | None = None) -> UnderstandingFigures:
    """Count blamed lines; with `since`, only lines promoted at or after that time."""
    counted = UnderstandingFigures()
    for line in lines:
        if since is not None and (line.record is None or line.record.time < since):
            continue
        counted.add(line)
    return counted
