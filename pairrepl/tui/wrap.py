"""Folding a transcript line at the pane's width, as a reader expects: at word
boundaries, and each folded row starting under the line's text (its gutter, the
proposal bar, the code's indentation), never at the left edge.

The transcript view (transcript_view.py) calls ``wrap_spans`` only for lines wider than
the pane, so the many lines that fit cost nothing; a very long line (a huge repr) folds
at the width with plain arithmetic.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from rich.cells import get_character_cell_size
from rich.text import Text

from pairrepl.frontend.render import PROPOSAL_BAR

WORD_WRAP_LIMIT = 4000  # cells: longer lines fold at the width, not at words
_GUTTER_LABEL = re.compile(r"(?:In \[[^\]]*\]:|Out\[[^\]]*\]:|\[loaded\]|Ask:|✦ AI:|Note) +(?:✦ )?")
_MARK_AND_SPACE = re.compile(r"[^\w\s] ")


def continuation(line: Text, width: int) -> Text:
    """What the folded rows of ``line`` start with, so they line up under its text: the
    proposal bar (and the code's indentation after it), or blanks as wide as the gutter
    label and the indentation (``In [3]:``, ``Ask:``, a notice's mark). At most half of
    ``width``, so a folded row always has room."""
    plain = line.plain
    if plain.startswith(PROPOSAL_BAR):
        rest = plain[len(PROPOSAL_BAR) :]
        prefix = line[: len(PROPOSAL_BAR)]
        prefix.append(" " * (len(rest) - len(rest.lstrip(" "))))
    else:
        label = _GUTTER_LABEL.match(plain) or _MARK_AND_SPACE.match(plain)
        start = label.end() if label else 0
        indent = len(plain) - start - len(plain[start:].lstrip(" "))
        prefix = Text(" " * (start + indent))
    if prefix.cell_len > width // 2:
        return Text(" " * (width // 2))
    return prefix


def wrap_spans(plain: str, cells: int, width: int, hang: int) -> list[tuple[int, int]]:
    """The rows of a line ``cells`` wide folded at ``width``: (first cell, end cell) of
    each. A row breaks after the last space that fits (the space is not drawn), else
    mid-word; never inside the leading gutter. Rows after the first have ``hang`` cells
    less room (their continuation)."""
    if cells <= width:
        return [(0, cells)]
    room = max(1, width - hang)
    if cells > WORD_WRAP_LIMIT:  # plain arithmetic, whatever is in the line
        return [(0, width)] + [
            (start, min(start + room, cells)) for start in range(width, cells, room)
        ]
    offsets: list[int] | range
    if len(plain) == cells:
        offsets = range(len(plain) + 1)
    else:  # wide characters: a cell offset for each character
        offsets = [0, *accumulate(get_character_cell_size(c) for c in plain)]
    content = max(hang, len(plain) - len(plain.lstrip(" ")))
    spans: list[tuple[int, int]] = []
    start, available = 0, width
    while offsets[-1] - offsets[start] > available:
        fits = max(bisect_right(offsets, offsets[start] + available) - 1, start + 1)
        space = plain.rfind(" ", max(start, content) + 1, fits + 1)
        if space > start:
            spans.append((offsets[start], offsets[space]))
            start = space + 1
        else:
            spans.append((offsets[start], offsets[fits]))
            start = fits
        available = room
    spans.append((offsets[start], offsets[-1]))
    return spans
