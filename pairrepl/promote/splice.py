"""A module's new text after a few top-level statements were inserted or replaced, made
without generating the code of the whole module again.

libcst's `Module.code` of a 7,000-line module costs about 40% of parsing it (issue 16
item 9), yet a promotion changes a handful of top-level statements. So the text of every
untouched statement is copied from the original, and only the new statements' code is
generated. Where an edit's statement begins in the text (its comments and blank lines
above it included, as libcst counts them):

- near either end of the module (new imports after the first imports, definitions
  appended at the end or before a closing `if __name__ == "__main__":`), from the length
  of libcst's code for the few statements between it and that end;
- elsewhere, from Python's parser (about ten times faster than libcst's): the line of the
  statement (its first decorator) less the lines libcst keeps above it.

Every boundary used is checked against libcst's own code for the statement there; a
module where anything does not line up (no final newline, syntax Python's parser does
not know) falls back to `Module.code`.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import libcst as cst

from pairrepl.core.provenance import source_lines

Statement: TypeAlias = cst.SimpleStatementLine | cst.BaseCompoundStatement


@dataclass(frozen=True)
class Edit:
    """Replace `target.body[start:end]` with `nodes` (`start == end`: insert there).
    Edits at the same place apply in the order given."""

    start: int
    end: int
    nodes: tuple[Statement, ...]


def apply_edits(target: cst.Module, target_text: str, edits: Sequence[Edit]) -> str:
    """`target_text` (the text `target` was parsed from) with `edits` applied."""
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, item[0]))
    offsets = boundary_offsets(target, target_text, {i for e in edits for i in (e.start, e.end)})
    if offsets is not None:
        pieces: list[str] = []
        position = 0
        for _, edit in ordered:
            pieces.append(target_text[position : offsets[edit.start]])
            pieces.extend(target.code_for_node(node) for node in edit.nodes)
            position = offsets[edit.end]
        pieces.append(target_text[position:])
        return "".join(pieces)
    body: list[Statement] = []
    index = 0
    for _, edit in ordered:
        body.extend(target.body[index : edit.start])
        body.extend(edit.nodes)
        index = max(index, edit.end)
    body.extend(target.body[index:])
    appends = any(edit.start == len(target.body) and edit.nodes for edit in edits)
    module = target.with_changes(body=body)
    if appends:
        module = module.with_changes(has_trailing_newline=True)
    return module.code


#: How many statements' code may be generated to find a boundary near an end.
NEAR_AN_END = 32


def boundary_offsets(target: cst.Module, text: str, wanted: set[int]) -> dict[int, int] | None:
    """Where the statements `wanted` (indexes into `target.body`; `len(body)` is the end
    of the last one) begin in `text`; None when that cannot be known cheaply."""
    if not target.has_trailing_newline or not target.body:
        return None
    size = len(target.body)
    footer = "".join(target.code_for_node(line) for line in target.footer)
    end = len(text) - len(footer)
    if text[end:] != footer:
        return None
    offsets: dict[int, int] | None = None
    if all(min(index, size - index) <= NEAR_AN_END for index in wanted):
        header = sum(len(target.code_for_node(line)) for line in target.header)
        offsets = {}
        for index in wanted:
            if index <= size - index:
                offsets[index] = header + _length(target, target.body[:index])
            else:
                offsets[index] = end - _length(target, target.body[index:])
    if offsets is None or not _lines_up(target, text, offsets):
        every = statement_offsets(target, text)
        if every is None:
            return None
        offsets = {index: every[index] for index in wanted}
    return offsets if _lines_up(target, text, offsets) else None


def statement_offsets(target: cst.Module, text: str) -> list[int] | None:
    """Where each top-level statement of `target` begins in `text` (its leading lines
    included), and where the footer begins, from Python's parser; None when the two
    parsers do not agree on the statements."""
    if not target.has_trailing_newline or not target.body:
        return None
    try:
        parsed = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    line_starts = [0]
    for line in source_lines(text):
        line_starts.append(line_starts[-1] + len(line))
    statements = iter(parsed.body)
    offsets: list[int] = []
    for node in target.body:
        count = len(node.body) if isinstance(node, cst.SimpleStatementLine) else 1
        group = [next(statements, None) for _ in range(count)]
        first = group[0]
        if first is None or group[-1] is None:
            return None
        decorators = getattr(first, "decorator_list", [])
        first_line: int = decorators[0].lineno if decorators else first.lineno
        start_line = first_line - len(node.leading_lines)
        if not 1 <= start_line < len(line_starts):
            return None
        offsets.append(line_starts[start_line - 1])
    if next(statements, None) is not None:
        return None
    footer = "".join(target.code_for_node(line) for line in target.footer)
    offsets.append(len(text) - len(footer))
    return offsets if offsets == sorted(offsets) else None


def _length(target: cst.Module, statements: Sequence[Statement]) -> int:
    return sum(len(target.code_for_node(statement)) for statement in statements)


def _lines_up(target: cst.Module, text: str, offsets: dict[int, int]) -> bool:
    """Whether the statements at `offsets` are there (libcst's code for each, generated
    alone, is the text found there)."""
    for index, offset in offsets.items():
        if index < len(target.body):
            code = target.code_for_node(target.body[index])
            if not text.startswith(code, offset):
                return False
    return True
