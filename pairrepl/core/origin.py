"""Who wrote a cell: the one origin rule, for every front end.

The app knows which proposal the human put into the input (Ctrl+R runs it, Ctrl+O
opens it for editing); the magics know which proposal they put into the next input
(``set_next_input``). Neither knows for sure what the human did to the text after that,
so both decide the same way, from the text that ran:

1. started from an open proposal and the text is exactly that proposal's: ``ai``;
2. the text is exactly some proposal's (the newest such): ``ai``, and the cell is that
   proposal's run unless the proposal is closed (rejected or promoted);
3. started from an open proposal and the text is still close to it (a similarity of at
   least ``EDITED_SIMILARITY``, difflib's ratio): ``ai-edited``, a run of that proposal;
4. otherwise ``human`` (a rewrite that kept little of the AI's text is the human's).

Whitespace at either end never counts.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pairrepl.core.cells import Origin
from pairrepl.core.proposals import CLOSED, Proposal

EDITED_SIMILARITY = 0.6


def origin_of(
    code: str, proposals: Iterable[Proposal], started_from: Proposal | None = None
) -> tuple[Origin, str | None]:
    """(who wrote ``code``, the proposal it is a run of or None), by the rule above."""
    text = code.strip()
    start = started_from if started_from is not None and started_from.state not in CLOSED else None
    if start is not None and start.code.strip() == text:
        return Origin.AI, start.id
    for proposal in reversed(list(proposals)):
        if proposal.code.strip() == text:
            return Origin.AI, None if proposal.state in CLOSED else proposal.id
    if start is not None and _close_enough(start.code.strip(), text):
        return Origin.AI_EDITED, start.id
    return Origin.HUMAN, None


def _close_enough(original: str, edited: str) -> bool:
    matcher = difflib.SequenceMatcher(None, original, edited, autojunk=False)
    # The cheap upper bounds first: a cell far from the proposal costs next to nothing.
    return (
        matcher.real_quick_ratio() >= EDITED_SIMILARITY
        and matcher.quick_ratio() >= EDITED_SIMILARITY
        and matcher.ratio() >= EDITED_SIMILARITY
    )
