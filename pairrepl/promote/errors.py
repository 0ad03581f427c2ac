"""The one error promotion raises: a refusal that says why and loses nothing."""

from __future__ import annotations

from pairrepl.errors import PairreplError


class PromotionRefused(PairreplError):
    """Promotion (or its undo) was refused; nothing was written.

    `diff` carries the evidence when there is some to show (for example, what changed
    in the file since the promotion an undo would revert).
    """

    def __init__(self, message: str, *, diff: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.diff = diff

    def __str__(self) -> str:
        if self.diff:
            return f"{self.message}\n{self.diff}"
        return self.message
