"""Blame: who wrote each line of a file, from provenance and the file alone.

No ledger and no session needed: `provenance.jsonl` is committed with the project, so a
teammate who never ran pairrepl gets the same answer from a clone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pairrepl import promote
from pairrepl.core.provenance import LineBlame, ProvenanceRecord, blame, blame_in_place
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
    return blame_text(
        root, relative, ProvenanceLog(root).read(with_evidence=False).for_file(relative)
    )


def blame_text(root: Path, relative: str, records: Sequence[ProvenanceRecord]) -> list[LineBlame]:
    """Each line of the project's file `relative` with its origin, per `records` (the
    file's live provenance, oldest first)."""
    return blame_of(file_text(root, relative), records)


def file_text(root: Path, relative: str) -> str:
    """The text of the project's file `relative`, as blame reads it."""
    try:
        text = promote.read_target(root, relative)
    except PromotionRefused as refused:
        raise BlameError(refused.message) from refused
    if not (root / relative).exists():
        raise BlameError(f"No file {relative} in the project {root}.")
    return text


def blame_of(text: str, records: Sequence[ProvenanceRecord]) -> list[LineBlame]:
    """Each line of `text` with its origin, per `records` (its file's live provenance,
    oldest first)."""
    in_place = blame_in_place(text, records)  # no parse when nothing moved or changed
    if in_place is not None:
        return in_place
    try:
        return blame(text, promote.top_level_symbols(text), records)
    except PromotionRefused as refused:
        raise BlameError(refused.message) from refused


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
