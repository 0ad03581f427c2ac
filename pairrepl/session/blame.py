"""Blame and report: who wrote the promoted code, from provenance and the files alone.

No ledger and no session needed: `provenance.jsonl` is committed with the project, so a
teammate who never ran pairrepl gets the same answer from a clone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pairrepl import promote
from pairrepl.core.provenance import LineBlame, UnderstandingFigures, blame, figures
from pairrepl.errors import PairreplError
from pairrepl.ledger import ProvenanceLog
from pairrepl.promote.errors import PromotionRefused


class BlameError(PairreplError):
    """The file cannot be blamed (outside the project, not Python, does not parse)."""


def blame_file(project_root: Path, file: str) -> list[LineBlame]:
    """Each line of `file` (relative to the project root, or absolute inside it) with
    its origin, per the project's provenance."""
    root = Path(project_root).resolve()
    relative = _relative(root, file)
    try:
        text = promote.read_target(root, relative)
        symbols = promote.top_level_symbols(text)
    except PromotionRefused as refused:
        raise BlameError(refused.message) from refused
    if not (root / relative).exists():
        raise BlameError(f"No file {relative} in the project {root}.")
    return blame(text, symbols, ProvenanceLog(root).read().for_file(relative))


@dataclass
class ProjectReport:
    """The understanding figures, per file and for the whole project."""

    files: dict[str, UnderstandingFigures] = field(default_factory=dict)
    total: UnderstandingFigures = field(default_factory=UnderstandingFigures)
    missing_files: list[str] = field(default_factory=list)  # in provenance, gone from disk
    unreadable_lines: int = 0  # in provenance.jsonl

    def to_payload(self) -> dict[str, object]:
        return {
            "files": {name: numbers.to_payload() for name, numbers in self.files.items()},
            "total": self.total.to_payload(),
            "missing_files": self.missing_files,
            "unreadable_provenance_lines": self.unreadable_lines,
        }


def project_report(project_root: Path, *, since: float | None = None) -> ProjectReport:
    """Blame every file that provenance names; count promoted lines by origin."""
    root = Path(project_root).resolve()
    history = ProvenanceLog(root).read()
    report = ProjectReport(unreadable_lines=history.unreadable_lines)
    for file in history.files():
        if not (root / file).is_file():
            report.missing_files.append(file)
            continue
        try:
            lines = blame_file(root, file)
        except BlameError:
            report.missing_files.append(file)
            continue
        numbers = figures(lines, since=since)
        report.files[file] = numbers
        report.total.merge(numbers)
    return report


def _relative(root: Path, file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            raise BlameError(f"{file} is outside the project root {root}.")
        return resolved.relative_to(root).as_posix()
    resolved = (Path.cwd() / path).resolve()
    if resolved.exists() and resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix()
    return path.as_posix()
