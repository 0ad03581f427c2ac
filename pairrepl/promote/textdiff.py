"""A unified diff of two texts, as the promotion dialog and refusals show it."""

from __future__ import annotations

import difflib

NO_NEWLINE_MARK = "\\ No newline at end of file\n"


def unified_diff(before: str, after: str, *, before_name: str, after_name: str) -> str:
    """`git diff`-style text; empty when the texts are equal."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=before_name,
        tofile=after_name,
    )
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:  # the last line of a text without a final newline
            out.append(line + "\n" + NO_NEWLINE_MARK)
    return "".join(out)
