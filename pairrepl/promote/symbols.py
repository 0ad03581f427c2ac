"""The top-level symbols of a module, with the exact lines each one occupies.

Provenance and `pairrepl blame` need, for each promoted symbol, its line span and text
in the file *as it is now* (a hash of the text finds the symbol again after other parts
of the file were edited or reformatted). What counts as a symbol is what promotion
writes: functions and classes, the constants `plan_promotion` promotes, and imports.
"""

from __future__ import annotations

import ast
import re

from pairrepl.core.provenance import Symbol, source_lines
from pairrepl.promote.errors import PromotionRefused

#: What `plan_promotion` promotes as a constant: `LIMIT = 3`, `_RETRIES = 2`.
CONSTANT_NAME = re.compile(r"^_*[A-Z][A-Z0-9_]*$")


def top_level_symbols(module_text: str) -> tuple[Symbol, ...]:
    """Every function, class, constant and import at the top level of `module_text`.

    In file order. A span starts at the first decorator (or the statement itself) and
    ends on the statement's last line: comments and blank lines *above* it belong to no
    symbol, a comment at the end of its last line is part of it, and so are indented
    comments after the last line of a def or class (libcst's, and promotion's, reading). Constants are the ones
    `plan_promotion` promotes (`LIMIT = 3`, `retries: int = 3`); each import statement
    is one symbol named by its own code (`"from os import path"`). A function's `@overload`
    stubs right above it belong to its symbol (as promotion writes them together). Two
    statements on one line (`X = 1; import os`) are two symbols with the same span. Other statements
    (`if`, loops, expressions, lowercase assignments) are not symbols.
    Raises `PromotionRefused` if the text does not parse.

    Only positions are needed here, so this is Python's own parser (`ast`), which is
    about ten times faster than libcst's parse plus its position pass: provenance runs
    it on the whole target file after every promotion, and `blame` on every file (which
    therefore never imports libcst).
    """
    try:
        module = ast.parse(module_text)
    except (SyntaxError, ValueError) as error:
        where = f" (line {error.lineno})" if isinstance(error, SyntaxError) else ""
        raise PromotionRefused(
            f"the module is not valid Python, so nothing can be promoted from or into it: "
            f"{getattr(error, 'msg', error)}{where}"
        ) from error
    lines = source_lines(module_text)

    def symbol(name: str, kind: str, node: ast.stmt, first: int | None = None) -> Symbol:
        first = node.lineno if first is None else first
        last = node.end_lineno or node.lineno
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            last = _through_indented_comments(lines, last)
        return Symbol(name, kind, first, last, "".join(lines[first - 1 : last]))

    found: list[Symbol] = []
    stubs: tuple[str, int, ast.stmt] | None = None  # @overload stubs above: name, first, last

    def flush_stubs() -> None:  # stubs with no function of their name below: a symbol alone
        nonlocal stubs
        if stubs is not None:
            found.append(symbol(stubs[0], "function", stubs[2], stubs[1]))
            stubs = None

    for statement in module.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            kind = "class" if isinstance(statement, ast.ClassDef) else "function"
            decorators = statement.decorator_list
            first = decorators[0].lineno if decorators else statement.lineno
            if stubs is not None and stubs[0] == statement.name and kind == "function":
                first = stubs[1]
                stubs = None
            flush_stubs()
            if kind == "function" and any(map(_is_overload, decorators)):
                stubs = (statement.name, first, statement)
                continue
            found.append(symbol(statement.name, kind, statement, first))
            continue
        flush_stubs()
        if isinstance(statement, ast.Import | ast.ImportFrom):
            found.append(symbol(_source_of(statement, lines), "import", statement))
        elif (name := _constant_name(statement)) is not None:
            found.append(symbol(name, "constant", statement))
    flush_stubs()
    return tuple(found)


def _through_indented_comments(lines: list[str], last: int) -> int:
    """The last line of a top-level block, counting the indented comments after its last
    statement (`    # fmt: on`): they belong to the block, as libcst (and so promotion)
    reads them. A comment at the margin belongs to what follows."""
    end = last
    for number in range(last + 1, len(lines) + 1):
        line = lines[number - 1]
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#") and line[:1] in (" ", "\t"):
            end = number
            continue
        break
    return end


def _is_overload(decorator: ast.expr) -> bool:
    """`@overload` or `@typing.overload` (as `plan` recognises the stubs)."""
    if isinstance(decorator, ast.Name):
        return decorator.id == "overload"
    return isinstance(decorator, ast.Attribute) and decorator.attr == "overload"


def _source_of(statement: ast.stmt, lines: list[str]) -> str:
    """The statement's own code (`ast.get_source_segment`, which splits the whole text
    again on every call, on the lines already split)."""
    first, last = statement.lineno - 1, (statement.end_lineno or statement.lineno) - 1
    start, end = statement.col_offset, statement.end_col_offset
    encoded = [line.encode() for line in lines[first : last + 1]]  # offsets are in bytes
    if first == last:
        return encoded[0][start:end].decode()
    middle = b"".join(encoded[1:-1])
    return (encoded[0][start:] + middle + encoded[-1][:end]).decode()


def _constant_name(statement: ast.stmt) -> str | None:
    """As `plan.constant_name` decides it on libcst's tree."""
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and CONSTANT_NAME.match(statement.targets[0].id)
    ):
        return statement.targets[0].id
    return None
