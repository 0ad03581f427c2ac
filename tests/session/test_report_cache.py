"""The report cache gives the figures a full read gives, whatever happened to the
sources since it was made (invariant REPORT-CACHE-IS-DERIVED).

A real ledger (`Ledger.append`) and a real provenance file (`ProvenanceLog`), written as
sessions write them: two people, proposals shown, run, inspected and accepted, records
with and without explanations, rationales and reviews, a hand-edited function. After
each change (records and events appended, a file edited, an undo, provenance rewritten
in place or replaced, cut short, a line half written, the ledger replaced) the report
from the cache must print and count exactly what a report without it does, and the
cache must say whether it was extended or derived again.
"""

import json
import os
import re
from pathlib import Path

import pytest

from pairrepl import promote
from pairrepl.cli.report_html import report_html
from pairrepl.cli.understanding import report_text
from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    Event,
    ObjectInspected,
    ProposalAccepted,
    ProposalMade,
    RequestSent,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.provenance import PromotionFacts, record_for
from pairrepl.core.review import Review
from pairrepl.ledger import Ledger, ProvenanceLog
from pairrepl.ledger.report_cache import CACHE_NAME, ReportCache
from pairrepl.session.understanding import project_understanding

ADA, BOB = "Ada <ada@example.org>", "Bob <bob@example.org>"
T0 = 1_767_571_200.0  # Monday 2026-01-05 00:00 UTC
WEEK = 7 * 86_400.0
WHY = "Compute the price with the tax from the quantity."


def function(name: str, body: str = "price * quantity * 1.2") -> str:
    return f"def {name}(price, quantity=1):\n    return {body}\n"


class Project:
    """A project whose sessions promote functions into modules, one step at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.provenance = ProvenanceLog(root)
        self.serial = 0

    def session(
        self,
        session_id: str,
        person: str,
        when: float,
        names: dict[str, str],
        *,
        ledger_later: bool = False,
    ) -> list[tuple[float, Event]]:
        """One session of `person`: for each module, a request, the AI's proposal, its
        run, a look at the result (every other one), the accept, and the promotion of
        `names[module]` (AI code explained, every third one written by the human). With
        `ledger_later`, its events are returned for `record`, not recorded."""
        events: list[tuple[float, Event]] = [(when, SessionStarted(str(self.root), person=person))]
        for module, name in names.items():
            self.serial += 1
            proposal, at = f"p{self.serial}", when + self.serial * 60
            origin = Origin.HUMAN if self.serial % 3 == 0 else Origin.AI
            events += [
                (at, RequestSent(f"r{self.serial}", "a price with tax", "", "m")),
                (at + 1, ProposalMade(proposal, f"r{self.serial}", function(name), WHY, "m")),
                (at + 5, CellSubmitted(f"c{self.serial}", function(name), Origin.AI, proposal)),
                (at + 6, CellFinished(f"c{self.serial}", self.serial, ExecutionStatus.OK, 0.1)),
            ]
            if self.serial % 2:
                events.append((at + 8, ObjectInspected("price")))
            events.append((at + 30, ProposalAccepted(proposal)))
            self.promote(module, name, origin, session_id, person, at + 40, proposal, at)
        if not ledger_later:
            self.record(session_id, events)
        return events

    def record(self, session_id: str, events: list[tuple[float, Event]]) -> None:
        with Ledger.open(self.root) as ledger:
            for at, event in events:
                ledger.append(session_id, event, at=at)

    def promote(
        self,
        module: str,
        name: str,
        origin: Origin,
        session_id: str,
        person: str,
        when: float,
        proposal: str,
        shown: float,
    ) -> None:
        path = self.root / module
        path.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text() if path.exists() else ""
        if f"def {name}(" not in text:
            text = text + ("\n\n" if text else "") + function(name)
            path.write_text(text)
        symbols = [s for s in promote.top_level_symbols(text) if s.name == name]
        facts = PromotionFacts(
            f"m{self.serial}",
            origin,
            session_id,
            when,
            proposal_id=proposal,
            explanation="adds the tax to the price" if origin is Origin.AI else None,
            person=person,
            rationale=WHY if self.serial % 4 else None,  # older records carry none
            review=Review(proposal, session_id, shown + 1, shown + 30, shown + 5, shown + 6),
        )
        self.provenance.append([record_for(symbol, module, facts) for symbol in symbols])


def figures(root: Path, *, cached: bool) -> tuple[str, str]:
    """Everything `pairrepl report` prints, counts and draws (its HTML page, led by
    Ada's own trend), and how the cache served."""
    report, gathered = project_understanding(root, cached=cached)
    payload = report.to_payload()
    del payload["explanations"]  # each promotion's: listed from a full read only (--json)
    printed = report_text(report, ledger=gathered.ledger) + "\n".join(gathered.notes())
    page = re.sub(
        r"Made by pairrepl on [\d: -]+", "", report_html(report, project="x", learner=ADA)
    )
    return json.dumps([payload, gathered.to_payload(), printed, page]), gathered.cache


def same_as_a_full_read(root: Path, cache: str) -> None:
    counted, how = figures(root, cached=True)
    full, _ = figures(root, cached=False)
    assert counted == full
    assert how.startswith(cache), how
    again, how = figures(root, cached=True)  # and once more, from the cache as it stands
    assert (again, how) == (full, "extended")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    made = Project(tmp_path)
    made.session("s1", ADA, T0, {"shop/prices.py": "price", "shop/tax.py": "tax"})
    made.session("s2", BOB, T0 + WEEK, {"shop/prices.py": "discount", "lib/util.py": "util"})
    return made


def test_the_cache_counts_what_a_full_read_counts_as_the_sources_change(project: Project) -> None:
    root, provenance = project.root, project.provenance.path
    same_as_a_full_read(root, "derived again: no report was cached")

    # Records and events appended, in a new session and a new week: extended.
    project.session("s3", ADA, T0 + 2 * WEEK, {"shop/tax.py": "vat", "shop/prices.py": "price"})
    same_as_a_full_read(root, "extended")

    # A function edited by hand: that file is blamed again.
    prices = root / "shop/prices.py"
    prices.write_text(prices.read_text().replace("quantity * 1.2", "quantity * 1.25", 1))
    same_as_a_full_read(root, "extended")

    # An undo line: a promotion no longer counts.
    project.provenance.append_undo("m2")
    same_as_a_full_read(root, "derived again: a promotion was undone")

    # Rewritten in place (same file, same size: a word of an explanation changed), and
    # its modification time put back as it was (as rsync -t, cp -p and tar do).
    same_as_a_full_read(root, "extended")
    before = provenance.stat()
    at = provenance.read_bytes().index(b"adds the tax")
    with provenance.open("r+b") as file:
        file.seek(at)
        file.write(b"ADDS")
    os.utime(provenance, ns=(before.st_atime_ns, before.st_mtime_ns))
    same_as_a_full_read(root, "derived again: provenance.jsonl is not the file it read")

    # Replaced by a merge's result: the other branch's lines first, then ours.
    lines = provenance.read_text().splitlines(keepends=True)
    merged = root / "merged.jsonl"
    merged.write_text("".join(lines[4:] + lines[:4]))
    os.replace(merged, provenance)
    same_as_a_full_read(root, "derived again: provenance.jsonl is not the file it read")

    # Cut short (a checkout of an older commit, written in place).
    lines = provenance.read_bytes().splitlines(keepends=True)
    with provenance.open("r+b") as file:
        file.truncate(len(b"".join(lines[: len(lines) // 2])))
    same_as_a_full_read(root, "derived again: provenance.jsonl is not the file it read")

    # A record older than those counted (a clock behind, a branch's late lines).
    project.session("s4", BOB, T0 - WEEK, {"lib/util.py": "util"})
    same_as_a_full_read(root, "derived again: an appended record is older than one counted")

    # The ledger's events written after the records (they waited for a full disk):
    # a rationale arrives for a proposal whose record had none.
    project.serial += (3 - project.serial) % 4  # the next record carries no rationale
    late = project.session("s6", ADA, T0 + 3 * WEEK, {"lib/util.py": "late"}, ledger_later=True)
    same_as_a_full_read(root, "extended")
    project.record("s6", late)
    same_as_a_full_read(root, "derived again: the ledger gave the rationale of a proposal")

    # The ledger moved aside (a clone, CI): the reviews provenance carries.
    ledger = root / ".pairrepl" / "ledger.sqlite3"
    for companion in ("", "-wal", "-shm"):
        Path(f"{ledger}{companion}").unlink(missing_ok=True)
    same_as_a_full_read(root, "derived again: the ledger is not the one it read")

    # A new ledger started: it is read from its first event.
    project.session("s5", ADA, T0 + 4 * WEEK, {"shop/tax.py": "tax"})
    same_as_a_full_read(root, "extended")

    # And replaced by another one.
    for companion in ("", "-wal", "-shm"):
        Path(f"{ledger}{companion}").unlink(missing_ok=True)
    project.session("s7", BOB, T0 + 5 * WEEK, {"shop/tax.py": "vat", "lib/new.py": "new"})
    same_as_a_full_read(root, "derived again: the ledger is not the one it read")


def test_a_line_half_written_is_read_when_it_is_whole(project: Project) -> None:
    same_as_a_full_read(project.root, "derived again: no report was cached")
    project.session("s3", ADA, T0 + 2 * WEEK, {"shop/tax.py": "vat"})
    whole = project.provenance.path.read_bytes()
    last = whole.rindex(b"\n", 0, len(whole) - 1) + 1
    project.provenance.path.write_bytes(whole[: last + 40])  # a write in progress
    counted, how = figures(project.root, cached=True)
    assert how == "not used" and counted == figures(project.root, cached=False)[0]
    project.provenance.path.write_bytes(whole)
    same_as_a_full_read(project.root, "extended")


def test_a_cache_from_other_code_or_not_a_cache_at_all_is_derived_again(
    project: Project,
) -> None:
    same_as_a_full_read(project.root, "derived again: no report was cached")
    cache = ReportCache.open(project.root)
    with cache.transaction():
        cache.put("derived_by", "another version of pairrepl")
    cache.close()
    same_as_a_full_read(project.root, "derived again: pairrepl's code changed since")
    (project.root / ".pairrepl" / CACHE_NAME).write_bytes(b"not a database at all" * 100)
    same_as_a_full_read(project.root, "derived again: no report was cached")
