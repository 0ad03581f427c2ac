"""`.pairrepl/provenance.jsonl`: one JSON line per promoted symbol, meant to be committed.

Append-only and line-based, so git's union merge driver combines two branches' lines
(`.pairrepl/provenance.jsonl merge=union` in `.gitattributes`). An undo appends a line
`{"undo": "<promotion id>"}` instead of deleting anything. Lines that do not parse (a
hand-edit, a merge marker) are skipped and counted, never fatal: blame still works from
the rest.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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
        records: list[ProvenanceRecord] = []
        undone: set[str] = set()
        unreadable = 0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                payload = json.loads(line)
                if "undo" in payload:
                    undone.add(str(payload["undo"]))
                else:
                    records.append(
                        ProvenanceRecord.from_payload(payload, with_evidence=with_evidence)
                    )
            except (ValueError, TypeError, KeyError):
                unreadable += 1
        return ProvenanceHistory(live_records(records, undone), frozenset(undone), unreadable)

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
