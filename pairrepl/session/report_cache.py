"""The report cache: `pairrepl report` reads only what was appended since the last one.

A report counts every promotion in provenance.jsonl (100,000 lines can be 150 MB), the
ledger's reviews and every promoted file's blame. The cache (`ledger/report_cache.py`,
`.pairrepl/report-cache.sqlite3`) keeps what that reading produced: the promotions
tallied (`core/tallies.py`), the ledger's fold, the newest record of each symbol, each
file's lines tallied for its current text. Each report then reads the lines appended to
provenance since the mark it kept, the ledger's events after its mark, and blames only
the files whose text or newest records changed.

invariant REPORT-CACHE-IS-DERIVED: the cache is derived, never a source. It is extended
only when provenance is the file it read, grown by whole lines (same device and inode,
the SHA-1 of the bytes it read unchanged), every appended record is no older than those
counted and undoes nothing, and the ledger still holds the last event it read and adds
no rationale for a proposal it counted without one. Anything else clears it and it is
derived again from everything, in the same run: the figures are those of a full read
(`tests/session/test_report_cache.py` compares both), only the time differs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pairrepl
from pairrepl.core.provenance import ProvenanceRecord
from pairrepl.core.review import Review
from pairrepl.core.tallies import LineTally, PromotionTally, tally_lines, tally_promotions
from pairrepl.core.understanding import CountedSources
from pairrepl.ledger import Ledger, LedgerMark, ProvenanceLog, UnreadableEvent, line_authors
from pairrepl.ledger.provenance import AppendedProvenance, ProvenanceMark
from pairrepl.ledger.report_cache import ReportCache, ReportCacheUnavailable
from pairrepl.session.blame import BlameError, blame_of, file_text
from pairrepl.session.gathering import (
    LEDGER_KINDS,
    NO_LEDGER,
    FromLedger,
    Gathered,
    modules_of,
)

#: The code that decides what the cache keeps (with all of `core/`): a cache derived by
#: another version of it is derived again.
_DERIVING = (
    "ledger/provenance.py",
    "ledger/report_cache.py",
    "ledger/store.py",
    "promote/symbols.py",
    "promote/write.py",
    "session/blame.py",
    "session/gathering.py",
    "session/report_cache.py",
)


@functools.cache
def derivation() -> str:
    """A fingerprint (SHA-1) of the code that derives what the cache keeps."""
    package = Path(pairrepl.__file__).parent
    digest = hashlib.sha1(pairrepl.__version__.encode(), usedforsecurity=False)
    for path in [*sorted((package / "core").glob("*.py")), *(package / n for n in _DERIVING)]:
        with contextlib.suppress(OSError):  # not a plain file (a zip): the version alone
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _NotNow(Exception):
    """The cache cannot serve this run (nothing of it is changed)."""


def cached_sources(root: Path) -> tuple[CountedSources, Gathered] | None:
    """The report's sources, from the cache extended with what provenance and the
    ledger gained since (or derived again, where they are not what it was derived
    from). None where it cannot serve: no provenance yet, a cache that cannot be
    opened or written, an unreadable ledger event, or provenance ending in part of a
    line (a write in progress): the caller reads everything."""
    root = Path(root).resolve()
    log = ProvenanceLog(root)
    if not log.path.exists():
        return None
    try:
        cache = ReportCache.open(root)
    except ReportCacheUnavailable:
        return None
    try:
        with cache.transaction():
            return _derive(root, log, cache)
    except (ReportCacheUnavailable, _NotNow):
        return None
    finally:
        cache.close()


def _derive(root: Path, log: ProvenanceLog, cache: ReportCache) -> tuple[CountedSources, Gathered]:
    why_again: str | None = "no report was cached"
    if cache.get("provenance") is not None and cache.get("derived_by") != derivation():
        why_again = "pairrepl's code changed since"
    elif cache.get("provenance") is not None:
        ledger = _LedgerSide.read(root, cache)
        appended = None if ledger.replaced else log.read_after(_provenance_mark(cache))
        why_again = _why_derived_again(ledger, appended, cache)
    if why_again:
        cache.clear()
        cache.put("derived_by", derivation())
        ledger = _LedgerSide.read(root, cache)
        appended = log.read_after(None)
    assert appended is not None  # a read from the start is always one
    if appended.torn_tail:
        raise _NotNow
    ledger.keep(cache)
    promotions = _count(appended, ledger, cache)
    lines, missing = _file_lines(root, cache)
    authors = line_authors(root, lines)
    reviews = ledger.reviews if ledger.found else _provenance_reviews(cache)
    people = dict(ledger.found.session_people if ledger.found else {})
    for session_id, person in cache.session_people().items():
        people.setdefault(session_id, person)
    counted = CountedSources(
        lines=lines,
        promotions=promotions,
        reviews=reviews,
        files_of_proposal=cache.files_of(review.proposal_id for review in reviews),
        modules=modules_of(list(lines)),
        session_people=people,
        git_authors=authors,
        questions=ledger.found.questions if ledger.found else (),
    )
    gathered = Gathered(
        cache.get("records") or 0,
        cache.get("unreadable") or 0,
        missing,
        ledger.note,
        bool(authors),
        cache=f"derived again: {why_again}" if why_again else "extended",
    )
    return counted, gathered


def _why_derived_again(
    ledger: _LedgerSide, appended: AppendedProvenance | None, cache: ReportCache
) -> str | None:
    """Why counting `appended` onto the cache would not give what a full read gives
    (None: it would)."""
    if ledger.replaced:
        return "the ledger is not the one it read"
    if appended is None:
        return "provenance.jsonl is not the file it read with lines appended"
    if appended.undone:
        return "a promotion was undone"
    newest_counted = cache.get("newest_time")
    if newest_counted is not None and any(
        record.time < newest_counted for _, record in appended.records
    ):
        return "an appended record is older than one counted"
    if cache.without_rationale_of(ledger.new_rationales):
        return "the ledger gave the rationale of a proposal counted without one"
    return None


@dataclass
class _LedgerSide:
    """The ledger's part: its fold, extended with the events after the cache's mark."""

    found: FromLedger | None  # None: no ledger here
    mark: LedgerMark | None
    note: str
    replaced: bool = False  # not the ledger the cache read (or gone)
    moved: bool = False  # events were folded in
    new_rationales: frozenset[str] = frozenset()

    @classmethod
    def read(cls, root: Path, cache: ReportCache) -> _LedgerSide:
        kept = cache.get("ledger_mark")  # [id, session, seq]; [] for a ledger with no event
        ledger = Ledger.open_existing(root)
        if ledger is None:
            return cls(None, None, NO_LEDGER, replaced=kept is not None)
        try:
            mark = ledger.mark()
            after = LedgerMark(*kept) if kept else None
            if after is not None and not ledger.holds(after):
                return cls(None, None, "", replaced=True)
            kept_found = cache.get("ledger_fold") if kept is not None else None
            found = FromLedger.from_payload(kept_found) if kept_found else FromLedger()
            known = set(found.rationales)
            if mark is not None and mark != after:
                for entry in ledger.entries_of_kinds(LEDGER_KINDS, after=after, until=mark):
                    found.apply(entry)
        except UnreadableEvent:
            raise _NotNow from None  # the full read says what could not be read
        finally:
            ledger.close()
        new = frozenset(found.rationales) - known
        return cls(found, mark, found.note, moved=mark != after, new_rationales=new)

    @property
    def rationales(self) -> dict[str, str]:
        return self.found.rationales if self.found else {}

    @property
    def reviews(self) -> list[Review]:
        return self.found.reviews if self.found else []

    def keep(self, cache: ReportCache) -> None:
        """Remember the fold and the mark, if they moved."""
        if self.found is None:
            cache.put("ledger_mark", None)
        elif self.moved or cache.get("ledger_mark") is None:
            cache.put("ledger_mark", [] if self.mark is None else [*vars(self.mark).values()])
            cache.put("ledger_fold", self.found.to_payload())


def _provenance_mark(cache: ReportCache) -> ProvenanceMark:
    return ProvenanceMark(**cache.get("provenance"))


def _count(appended: AppendedProvenance, ledger: _LedgerSide, cache: ReportCache) -> PromotionTally:
    """Count the appended live records into the cache (oldest first, as a full read);
    the promotions counted, all told."""
    tally = PromotionTally.from_payload(cache.get("promotions") or [])
    cache.put("provenance", vars(appended.mark))
    if not (appended.records or appended.unreadable):
        return tally
    records = sorted(
        (
            (record.time, line, record)
            for line, record in appended.records
            if record.promotion_id not in appended.undone
        ),
        key=lambda found: found[0],
    )
    live = [record for _, _, record in records]
    counted = cache.counted_of({record.promotion_id for record in live})
    before = set(counted)
    tally.merge(tally_promotions(live, ledger.rationales, counted=counted))
    cache.put("promotions", tally.to_payload())
    cache.add_counted(counted - before)
    cache.add_without_rationale(
        record.proposal_id for record in live if record.proposal_id and not record.rationale
    )
    cache.add_proposal_files((r.proposal_id, r.file) for r in live if r.proposal_id)
    first_people: dict[str, str] = {}
    for record in live:
        if record.person:
            first_people.setdefault(record.session_id, record.person)
    cache.add_session_people(first_people.items())
    if ledger.found is None:  # the reviews come from provenance (a ledger that goes
        # away later is not the one read: the cache is derived again then)
        first_reviews: dict[str, Review] = {}
        for record in live:
            if record.review:
                first_reviews.setdefault(record.review.proposal_id, record.review)
        cache.add_provenance_reviews((id_, r.to_payload()) for id_, r in first_reviews.items())
    newest: dict[tuple[str, str, str], tuple[float, int, ProvenanceRecord]] = {}
    for found in records:
        newest[(found[2].file, found[2].kind, found[2].symbol)] = found
    cache.set_newest(
        (*key, time, line, record.to_payload()) for key, (time, line, record) in newest.items()
    )
    cache.put("records", (cache.get("records") or 0) + len(live))
    cache.put("unreadable", (cache.get("unreadable") or 0) + appended.unreadable)
    newest_counted = cache.get("newest_time")
    if live and (newest_counted is None or live[-1].time > newest_counted):
        cache.put("newest_time", live[-1].time)
    return tally


def _file_lines(root: Path, cache: ReportCache) -> tuple[dict[str, LineTally], list[str]]:
    """Each file's promoted lines, tallied (blamed again only where its text or its
    newest records changed), and the files that are gone."""
    kept = cache.file_lines()
    lines: dict[str, LineTally] = {}
    missing: list[str] = []
    for file in cache.files():
        try:
            text = file_text(root, file)
            sha1 = hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False)
            if kept.get(file, ("", None))[0] == sha1.hexdigest():
                lines[file] = LineTally.from_payload(kept[file][1])
                continue
            records = [ProvenanceRecord.from_payload(p) for p in cache.newest_of(file)]
            lines[file] = tally_lines(blame_of(text, records))
        except BlameError:
            missing.append(file)
            continue
        cache.set_file_lines(file, sha1.hexdigest(), lines[file].to_payload())
    return lines, missing


def _provenance_reviews(cache: ReportCache) -> list[Review]:
    return [Review.from_payload(review) for review in cache.provenance_reviews()]
