"""`.pairrepl/provenance.jsonl`: one JSON line per promoted symbol, meant to be committed.

Append-only and line-based, so git's union merge driver combines two branches' lines
(`.pairrepl/provenance.jsonl merge=union` in `.gitattributes`). An undo appends a line
`{"undo": "<promotion id>"}` instead of deleting anything. Lines that do not parse (a
hand-edit, a merge marker) are skipped and counted, never fatal: blame still works from
the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pairrepl.core.provenance import ProvenanceRecord, live_records
from pairrepl.ledger.state_dir import ensure_state_dir

PROVENANCE_NAME = "provenance.jsonl"


@dataclass(frozen=True)
class ProvenanceHistory:
    """What provenance.jsonl holds: live records (oldest first) and unreadable lines."""

    records: list[ProvenanceRecord]
    undone: frozenset[str]
    unreadable_lines: int = 0

    def for_file(self, file: str) -> list[ProvenanceRecord]:
        return [record for record in self.records if record.file == file]

    def files(self) -> list[str]:
        return sorted({record.file for record in self.records})


@dataclass(frozen=True)
class ProvenanceMark:
    """How far a reader that keeps what it read got in provenance.jsonl, and the file
    it read: device and inode, size (whole lines only), times, the SHA-1 of those bytes,
    and how many lines they hold."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    sha1: str
    lines: int

    def may_be_prefix_of(self, status: os.stat_result) -> bool:
        return (status.st_dev, status.st_ino) == (self.device, self.inode) and (
            status.st_size >= self.size
        )

    def same_as(self, status: os.stat_result) -> bool:
        """Not written since (any write changes the change time, which no tool sets)."""
        return (status.st_size, status.st_mtime_ns, status.st_ctime_ns) == (
            self.size,
            self.mtime_ns,
            self.ctime_ns,
        )


@dataclass(frozen=True)
class AppendedProvenance:
    """The lines appended since a mark: records with their line numbers, in file order."""

    records: list[tuple[int, ProvenanceRecord]]
    undone: set[str]
    unreadable: int
    mark: ProvenanceMark
    torn_tail: bool  # the file ends in part of a line, not read yet


class ProvenanceLog:
    """The project's provenance file."""

    def __init__(self, project_root: Path) -> None:
        self.project_root = Path(project_root).resolve()
        self.path = self.project_root / ".pairrepl" / PROVENANCE_NAME

    def append(self, records: Iterable[ProvenanceRecord]) -> None:
        self._append_lines(json.dumps(record.to_payload(), sort_keys=True) for record in records)

    def append_undo(self, promotion_id: str) -> None:
        self._append_lines([json.dumps({"undo": promotion_id, "time": time.time()})])

    def read(self, *, with_evidence: bool = True) -> ProvenanceHistory:
        """Every record and undo; `with_evidence=False` for readers that never look at
        the evidence (blame, report, check): reading it is most of the work."""
        if not self.path.exists():
            return ProvenanceHistory([], frozenset())
        lines = self.path.read_text(encoding="utf-8").splitlines()
        read = _parse(lines, with_evidence=with_evidence)
        records = [record for _, record in read.records]
        return ProvenanceHistory(
            live_records(records, read.undone), frozenset(read.undone), read.unreadable
        )

    def read_after(self, mark: ProvenanceMark | None) -> AppendedProvenance | None:
        """The whole lines appended since `mark` was taken (every line for None), parsed
        without the evidence, and the mark after them. None when the file is not the one
        `mark` was taken of with lines appended: replaced, rewritten (a merge, a
        checkout, a hand edit) or cut short; its bytes up to the mark are compared
        (SHA-1) whenever its size or times changed. A last line without its line break
        (a write in progress) is left for later."""
        with self.path.open("rb") as file:
            status = os.fstat(file.fileno())
            if mark is not None and not mark.may_be_prefix_of(status):
                return None
            if mark is not None and mark.same_as(status):
                return AppendedProvenance([], set(), 0, mark, torn_tail=False)
            with _mapped(file, status.st_size) as data, memoryview(data) as view:
                digest = hashlib.sha1(usedforsecurity=False)
                start, first_line = 0, 0
                if mark is not None:
                    digest.update(view[: mark.size])
                    if digest.hexdigest() != mark.sha1:
                        return None
                    start, first_line = mark.size, mark.lines
                end = max(start, data.rfind(b"\n", start) + 1)
                digest.update(view[start:end])
                text = str(view[start:end], "utf-8")
                torn_tail = end < status.st_size
        lines = text.splitlines()
        read = _parse(lines, with_evidence=False, first_line=first_line)
        after = ProvenanceMark(
            status.st_dev,
            status.st_ino,
            end,
            status.st_mtime_ns,
            status.st_ctime_ns,
            digest.hexdigest(),
            first_line + len(lines),
        )
        return AppendedProvenance(read.records, read.undone, read.unreadable, after, torn_tail)

    def _append_lines(self, lines: Iterable[str]) -> None:
        """One write of whole lines to a file opened for appending, then fsync: a crash
        leaves at most a torn last line, which `read` skips."""
        text = "".join(f"{line}\n" for line in lines)
        if not text:
            return
        ensure_state_dir(self.project_root)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class _Parsed:
    records: list[tuple[int, ProvenanceRecord]]
    undone: set[str]
    unreadable: int


def _parse(lines: Iterable[str], *, with_evidence: bool, first_line: int = 0) -> _Parsed:
    """The records (with their line numbers) and undos of `lines`; lines that do not
    parse are counted."""
    parsed = _Parsed([], set(), 0)
    for number, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        try:
            payload = json.loads(line)
            if "undo" in payload:
                parsed.undone.add(str(payload["undo"]))
            else:
                record = ProvenanceRecord.from_payload(payload, with_evidence=with_evidence)
                parsed.records.append((number, record))
        except (ValueError, TypeError, KeyError):
            parsed.unreadable += 1
    return parsed


@contextlib.contextmanager
def _mapped(file: BinaryIO, size: int) -> Iterator[mmap.mmap | bytes]:
    """The file's bytes, mapped (not copied) when it has any."""
    if size == 0:
        yield b""
        return
    with mmap.mmap(file.fileno(), size, access=mmap.ACCESS_READ) as mapped:
        yield mapped
