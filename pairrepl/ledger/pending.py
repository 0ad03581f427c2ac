"""`.pairrepl/pending/`: what a promotion (or its undo) is about to write, recorded first.

A promotion makes three separate writes: the project file, the ledger event, the
provenance lines. A crash between them would leave a change nobody recorded, which no
undo can reach. So the promoter writes its intent here first (one small JSON file per
promotion, written whole and fsynced before the project file is touched), updates it as
the records are made, and removes it when all of them are. Whatever is left here when a
session starts was interrupted: the session compares the project file with the intent
and finishes the records, or says what happened.

Private to the machine, like the ledger (`.pairrepl/.gitignore` keeps it out of git).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from pairrepl.ledger.state_dir import ensure_state_dir, write_atomically

PENDING_DIR_NAME = "pending"


class PendingWrites:
    """The project's pending intents, one JSON object per key (a promotion id)."""

    def __init__(self, project_root: Path) -> None:
        self.project_root = Path(project_root).resolve()
        self.folder = self.project_root / ".pairrepl" / PENDING_DIR_NAME

    def put(self, key: str, intent: dict[str, Any]) -> None:
        """Write (or replace) the intent under `key`, durably, before returning."""
        ensure_state_dir(self.project_root)
        self.folder.mkdir(exist_ok=True)
        write_atomically(self._path(key), json.dumps(intent))

    def remove(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def all(self) -> list[tuple[str, dict[str, Any]]]:
        """Every intent left, oldest first; a file that does not read as JSON is skipped."""
        if not self.folder.is_dir():
            return []
        found: list[tuple[float, str, dict[str, Any]]] = []
        for path in self.folder.glob("*.json"):
            try:
                intent = json.loads(path.read_text(encoding="utf-8"))
                found.append((path.stat().st_mtime, path.stem, intent))
            except (OSError, ValueError):
                continue
        return [(key, intent) for _, key, intent in sorted(found, key=lambda item: item[0])]

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"not a key for a pending write: {key!r}")
        return self.folder / f"{key}.json"
