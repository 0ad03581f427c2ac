"""A cell is code plus who wrote it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum


class Origin(Enum):
    """Who wrote the text of a cell."""

    HUMAN = "human"
    AI = "ai"  # the AI's text, run verbatim
    AI_EDITED = "ai-edited"  # the AI's text, changed by the human before running


def code_hash(code: str) -> str:
    """The identity of a cell's exact text: promotion checks that this text ran."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Cell:
    code: str
    origin: Origin = Origin.HUMAN

    @property
    def hash(self) -> str:
        return code_hash(self.code)
