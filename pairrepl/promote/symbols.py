"""The top-level symbols of a module, with the exact lines each one occupies.

Provenance and `pairrepl blame` need, for each promoted symbol, its line span and text
in the file *as it is now* (a hash of the text finds the symbol again after other parts
of the file were edited or reformatted). What counts as a symbol is what promotion
writes: functions and classes, the constants `plan_promotion` promotes, and imports.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from pairrepl.core.provenance import Symbol
from pairrepl.promote.plan import constant_name, parse_text

# Python's own line breaks (not str.splitlines', which also splits on form feeds etc.),
# so line numbers agree with libcst's.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def top_level_symbols(module_text: str) -> tuple[Symbol, ...]:
    """Every function, class, constant and import at the top level of `module_text`.

    In file order. A span starts at the first decorator (or the statement itself) and
    ends on the statement's last line: comments and blank lines *above* it belong to no
    symbol, a comment at the end of its last line is part of it. Constants are the ones
    `plan_promotion` promotes (`LIMIT = 3`, `retries: int = 3`); each import statement
    is one symbol named by its own code (`"from os import path"`). Two statements on one
    line (`X = 1; import os`) are two symbols with the same span. Other statements
    (`if`, loops, expressions, lowercase assignments) are not symbols.
    Raises `PromotionRefused` if the text does not parse.
    """
    wrapper = MetadataWrapper(parse_text(module_text, "the module"), unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    lines = _LINE.findall(module_text)

    def symbol(name: str, kind: str, first: int, last: int) -> Symbol:
        return Symbol(name, kind, first, last, "".join(lines[first - 1 : last]))

    found: list[Symbol] = []
    for statement in wrapper.module.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            start = statement.decorators[0] if statement.decorators else statement
            kind = "function" if isinstance(statement, cst.FunctionDef) else "class"
            found.append(
                symbol(
                    statement.name.value,
                    kind,
                    positions[start].start.line,
                    positions[statement].end.line,
                )
            )
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                span = positions[small]
                if isinstance(small, cst.Import | cst.ImportFrom):
                    code = wrapper.module.code_for_node(
                        small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                    )
                    found.append(symbol(code.strip(), "import", span.start.line, span.end.line))
                    continue
                name = constant_name(small)
                if name is not None:
                    found.append(symbol(name, "constant", span.start.line, span.end.line))
    return tuple(found)
