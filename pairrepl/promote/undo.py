"""Undo a promotion: only when the file still holds exactly what the promotion wrote."""

from __future__ import annotations

from pairrepl.promote.errors import PromotionRefused
from pairrepl.promote.textdiff import unified_diff


def undo_text(before: str, after: str, current: str) -> str:
    """The text that reverts a promotion (`before`), if `current` is still `after`.

    Otherwise `PromotionRefused`, carrying the diff between what the promotion wrote and
    what the file holds now, so the user sees what an undo would have destroyed.
    """
    if current == after:
        return before
    raise PromotionRefused(
        "Refusing to undo: the file changed since this promotion wrote it.",
        diff=unified_diff(after, current, before_name="as promoted", after_name="on disk now"),
    )
