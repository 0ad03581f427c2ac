"""The names a module binds at its top level, and the statement that binds each.

Promotion needs them twice: an import the cell brings is not copied when the target
already binds that name (its own definition, or its own import of it, relative or
absolute: copying it would rebind the module's name, or import the module into itself);
and a *new* definition must not silently rebind a name the module imports or assigns
(`def chain(...)` appended to a module that does `from itertools import chain` changes
what every function there calls).

Read from libcst's tree, which promotion has parsed anyway. Top level means outside any
function or class, including inside top-level `if` / `try` / `with` / `for` / `while`
blocks (`try: import simplejson as json` binds `json` for the whole module), but not
inside `if TYPE_CHECKING:` or `if __name__ == "__main__":`: those names are not bound
when the module is imported, so a cell's import of one is still needed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import libcst as cst
from libcst.helpers import get_full_name_for_node

_EMPTY = cst.Module(body=[])


@dataclass(frozen=True)
class TopLevelBinding:
    """How a module binds one name: "import", "definition" (def or class) or "assignment"
    (any other binding statement); `statement` is its first line of code."""

    name: str
    kind: str
    statement: str


def top_level_bindings_of(module: cst.Module) -> dict[str, TopLevelBinding]:
    """Each name `module` binds at its top level -> the first statement that binds it."""
    found: dict[str, TopLevelBinding] = {}
    for statement in _top_level_statements(module.body):
        for name, kind, code in _bound_by(statement):
            found.setdefault(name, TopLevelBinding(name, kind, code or _first_line(statement)))
    return found


def line_of_binding(module_text: str, name: str) -> int | None:
    """The first line of `module_text` where its top level binds `name` (Python's
    parser: only asked when a refusal names the place)."""
    try:
        tree = ast.parse(module_text)
    except (SyntaxError, ValueError):
        return None
    lines = [
        getattr(node, "lineno", 0) for node in _ast_module_level(tree) if _ast_binds(node, name)
    ]
    return min(lines, default=None)


def _top_level_statements(
    body: Iterable[cst.BaseStatement | cst.BaseSmallStatement],
) -> Iterator[cst.CSTNode]:
    """Every statement that runs at module level: into blocks, never into defs, nor into
    `if TYPE_CHECKING:` or `if __name__ == "__main__":` (what those bind is not bound
    when the module is imported)."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
            yield statement
        elif isinstance(statement, cst.BaseCompoundStatement):
            yield statement  # for `for x in`, `with ... as x`, `except E as x`
            skip_body = isinstance(statement, cst.If) and _not_run_on_import(statement.test)
            for block in _blocks_of(statement, skip_body=skip_body):
                yield from _top_level_statements(block)


def _not_run_on_import(test: cst.BaseExpression) -> bool:
    """`TYPE_CHECKING` (`typing.TYPE_CHECKING`) or `__name__ == "__main__"`."""
    name = get_full_name_for_node(test) or ""
    return name.rsplit(".", 1)[-1] == "TYPE_CHECKING" or is_main_test(test)


def is_main_test(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"` (either way round): the test of a script's main block."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = {_EMPTY.code_for_node(test.left), _EMPTY.code_for_node(test.comparisons[0].comparator)}
    return isinstance(test.comparisons[0].operator, cst.Equal) and sides in (
        {"__name__", '"__main__"'},
        {"__name__", "'__main__'"},
    )


def _blocks_of(
    statement: cst.BaseCompoundStatement, *, skip_body: bool = False
) -> Iterator[Iterable[cst.BaseStatement]]:
    """The blocks of statements under a compound statement (`skip_body`: only its
    `elif`/`else`/`finally`/`except` blocks)."""
    body = statement.body
    if isinstance(body, cst.IndentedBlock) and not skip_body:
        yield body.body
    elif isinstance(body, cst.SimpleStatementSuite) and not skip_body:
        yield (cst.SimpleStatementLine(body=body.body),)
    for attribute in ("orelse", "finalbody"):
        more = getattr(statement, attribute, None)
        if isinstance(more, cst.If):  # elif
            yield (more,)
        elif more is not None and hasattr(more, "body"):
            yield from _blocks_of(more)
    for handler in getattr(statement, "handlers", ()):
        yield from _blocks_of(handler)


def _bound_by(statement: cst.CSTNode) -> Iterator[tuple[str, str, str]]:
    """(name, kind, code) for each name the statement binds; for an import, code is the
    import of that one name (else "": the statement's first line says it)."""
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        yield statement.name.value, "definition", ""
    elif isinstance(statement, cst.Import | cst.ImportFrom):
        if isinstance(statement.names, cst.ImportStar):
            return
        source = ""
        if isinstance(statement, cst.ImportFrom):
            dots = "." * len(statement.relative)
            module = get_full_name_for_node(statement.module) if statement.module else ""
            source = f"from {dots}{module} "
        for alias in statement.names:
            imported = get_full_name_for_node(alias.name) or ""
            code = f"{source}import {imported}"
            if alias.asname is not None:
                bound = get_full_name_for_node(alias.asname.name) or ""
                yield bound, "import", f"{code} as {bound}"
            else:
                yield imported.split(".")[0], "import", code
        return
    targets: list[cst.BaseExpression] = []
    if isinstance(statement, cst.Assign):
        targets = [target.target for target in statement.targets]
    elif isinstance(statement, cst.AnnAssign | cst.AugAssign | cst.For):
        targets = [statement.target]
    elif isinstance(statement, cst.With):
        targets = [item.asname.name for item in statement.items if item.asname is not None]
    elif isinstance(statement, cst.Try):
        targets = [
            handler.name.name
            for handler in statement.handlers
            if handler.name is not None and isinstance(handler.name.name, cst.BaseExpression)
        ]
    for target in targets:
        for name in _names_in(target):
            yield name, "assignment", ""


def _names_in(target: cst.BaseExpression) -> Iterator[str]:
    """The plain names an assignment target binds (`a`, `a, (b, *c)`; not `a.b`, `a[0]`)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from _names_in(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _names_in(target.value)


def _first_line(statement: cst.CSTNode) -> str:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        kind = "class" if isinstance(statement, cst.ClassDef) else "def"
        return f"{kind} {statement.name.value}"
    if isinstance(statement, cst.BaseCompoundStatement):
        statement = statement.with_changes(body=cst.IndentedBlock(body=[]))
    code = _EMPTY.code_for_node(statement).strip().splitlines()
    first = code[0] if code else ""
    return first if len(first) <= 60 else first[:59] + "…"


def _ast_module_level(node: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs at module level (a def or class itself, not its body)."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
        ):
            yield from _ast_module_level(child)


def _ast_binds(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.Name):
        return node.id == name and isinstance(node.ctx, ast.Store)
    if isinstance(node, ast.alias):
        return (node.asname or node.name).split(".")[0] == name
    if isinstance(node, ast.ExceptHandler):
        return node.name == name
    return False
