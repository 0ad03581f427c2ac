"""The understanding figures of a project: `pairrepl report` and `pairrepl check`.

Gathers what `core.understanding` counts: provenance and the files (always), the
ledger's reviews of accepted proposals (where this machine has a ledger; elsewhere the
reviews that provenance carries), and git's authors of the promoted lines (where git
is there). `check` never reads the ledger: it must give the same answer in CI, from a
clone, as on the machine where the code was promoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from pairrepl.core.checks import CheckResult, CheckSettings, check
from pairrepl.core.provenance import LineBlame
from pairrepl.core.understanding import (
    UnderstandingReport,
    UnderstandingSources,
    counted_report,
    understanding_report,
)
from pairrepl.ledger import ProvenanceLog, line_authors
from pairrepl.session.blame import BlameError, blame_text
from pairrepl.session.gathering import (
    FromLedger,
    Gathered,
    by_file,
    modules_of,
    newest_of_symbols,
    read_the_ledger,
    reviews_in,
)
from pairrepl.session.gc_pause import cyclic_gc_paused
from pairrepl.session.project import check_settings, rubber_stamp_seconds
from pairrepl.session.report_cache import cached_sources


def gather(root: Path, *, read_ledger: bool) -> tuple[UnderstandingSources, Gathered]:
    """Blame every file that provenance names; the ledger's reviews if asked and there.
    Everything is read (no cache)."""
    root = Path(root).resolve()
    history = ProvenanceLog(root).read(with_evidence=False)
    blamed: dict[str, list[LineBlame]] = {}
    missing: list[str] = []
    for file, records in by_file(history.records).items():
        try:
            blamed[file] = blame_text(root, file, newest_of_symbols(records))
        except BlameError:
            missing.append(file)
    ledger_note, from_ledger = "not read (check works from provenance and git alone)", None
    if read_ledger:
        ledger_note, from_ledger = read_the_ledger(root)
    if from_ledger is None:  # the reviews that provenance carries
        reviews, from_ledger = reviews_in(history.records), FromLedger()
    else:
        reviews = from_ledger.reviews
    authors = line_authors(root, blamed)
    sources = UnderstandingSources(
        blamed=blamed,
        records=history.records,
        reviews=reviews,
        modules=modules_of(list(blamed)),
        session_people=from_ledger.session_people,
        rationales=from_ledger.rationales,
        git_authors=authors,
        questions=from_ledger.questions,
    )
    gathered = Gathered(
        len(history.records), history.unreadable_lines, missing, ledger_note, bool(authors)
    )
    return sources, gathered


def project_understanding(
    root: Path, *, since: float | None = None, listing: bool = False, cached: bool = True
) -> tuple[UnderstandingReport, Gathered]:
    """Every figure of `pairrepl report`, from everything this machine has. From the
    report cache (`session/report_cache.py`) unless `cached` is false, or `since` or
    `listing` (each promotion's explanation, for `--json`) is asked for."""
    seconds = rubber_stamp_seconds(root)
    with cyclic_gc_paused(collect_after=False):  # every record and review is kept
        if cached and since is None and not listing:
            found = cached_sources(root)
            if found is not None:
                counted, gathered = found
                return counted_report(counted, rubber_stamp_seconds=seconds), gathered
        sources, gathered = gather(root, read_ledger=True)
        report = understanding_report(sources, since=since, rubber_stamp_seconds=seconds)
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
        sources, gathered = gather(root, read_ledger=False)
    within = [_relative(root, path) for path in paths]
    scopes: dict[str, set[str]] = {}
    for file in sources.blamed:
        if not within or any(_is_under(file, path) for path in within):
            scopes.setdefault(settings.scope_of(file), set()).add(file)
    results: list[CheckResult] = []
    seconds = rubber_stamp_seconds(root)
    for scope, files in sorted(scopes.items()):
        thresholds = settings.thresholds_of(scope)
        if thresholds.any_set:
            report = counted_report(_only(sources, files).counted(), rubber_stamp_seconds=seconds)
            results.extend(check(scope, thresholds, report))
    return CheckOutcome(results, settings, gathered)


def _only(sources: UnderstandingSources, files: set[str]) -> UnderstandingSources:
    """The sources of these files alone (the reviews of what was promoted into them)."""
    records = [record for record in sources.records if record.file in files]
    return replace(
        sources,
        blamed={file: lines for file, lines in sources.blamed.items() if file in files},
        records=records,
        reviews=reviews_in(records),
    )


def _relative(root: Path, path: str) -> str:
    resolved = (Path.cwd() / path).resolve()
    if resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix()
    return PurePosixPath(path).as_posix()


def _is_under(file: str, path: str) -> bool:
    wanted = PurePosixPath(path).parts
    return wanted == () or PurePosixPath(file).parts[: len(wanted)] == wanted
