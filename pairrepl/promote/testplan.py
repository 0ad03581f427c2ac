"""Plan promoting a cell of asserts as a pytest test of the promoted code.

A cell such as

    rows = load("x.csv")
    assert len(rows) == 3

that ran against the live objects becomes, in `tests/test_<module>.py`,

    from pkg.mod import load


    def test_load():
        rows = load("x.csv")
        assert len(rows) == 3

The cell's imports and a `from <module> import ...` of the promoted names it reads go
into the file's imports; every other top-level statement, with its text and the comments
above it, becomes the body of the test function. The merge is `plan_promotion`'s, with
the same guarantees: a test of the same name is replaced in place, untouched text stays
byte-identical, promoting the same cell twice changes nothing.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Sequence

import libcst as cst

from pairrepl.promote.errors import PromotionRefused
from pairrepl.promote.names import names_needed_by, outside_reads
from pairrepl.promote.paths import check_module_name
from pairrepl.promote.plan import (
    CellParts,
    Definition,
    PromotionPlan,
    Statement,
    in_line_endings_of,
    merge_into,
    parse_imports,
    parse_text,
)

DEFAULT_TEST_NAME = "test_cell"


def plan_test_promotion(
    cell_code: str,
    target_text: str,
    *,
    test_name: str,
    module_name: str,
    module_names: Iterable[str],
    target_name: str = "tests/test_module.py",
    extra_imports: Sequence[str] = (),
) -> PromotionPlan:
    """Plan promoting `cell_code` as `def <test_name>():` into a test module.

    `module_names` are the names the promoted module `module_name` defines; those the
    cell reads without binding them itself are imported from it. `target_text` is ""
    for a test file that does not exist yet; `target_name` only labels the diff.
    `extra_imports` are import statements the test needs besides (names promoted into
    other modules, imports of other cells), merged like the cell's own.
    Raises `PromotionRefused` when the cell has no `assert` (a test needs one), when
    the cell or the target does not parse, or `test_name` / `module_name` are not
    valid names. `statements_skipped` is always empty: nothing of the cell is left out
    except what goes into the imports.
    """
    target = parse_text(target_text, target_name)
    parts = test_parts(
        in_line_endings_of(target, cell_code),
        test_name=test_name,
        module_name=module_name,
        module_names=module_names,
        extra_imports=extra_imports,
    )
    return merge_into(parts, target, target_text, target_name)


def test_parts(
    cell_code: str,
    *,
    test_name: str,
    module_name: str,
    module_names: Iterable[str],
    extra_imports: Sequence[str] = (),
) -> CellParts:
    """What a test promotion adds to the test module: its imports and `def <test_name>():`
    holding the cell (see `plan_test_promotion`, which raises the same refusals)."""
    if not test_name.isidentifier() or keyword.iskeyword(test_name):
        raise PromotionRefused(f"{test_name!r} is not a valid test function name.")
    check_module_name(module_name)
    cell = parse_text(cell_code, "the cell")
    imports, statements = _split_test_cell(cell)
    if not any(_has_assert(statement) for statement in statements):
        raise PromotionRefused(
            "A test needs at least one assert, and this cell has none; promote it as "
            "code instead, or add an assert about what it showed."
        )
    imports = parse_imports(extra_imports) + imports
    needed = sorted(set(_promoted_reads(statements, module_names)) - _names_bound_by(imports))
    if needed:
        imports += parse_imports([f"from {module_name} import {', '.join(needed)}"])
    function = cst.FunctionDef(
        name=cst.Name(test_name),
        params=cst.Parameters(),
        body=cst.IndentedBlock(body=statements),
    )
    return CellParts(
        definitions=(Definition(test_name, (function,), is_constant=False),),
        imports=imports,
        skipped=(),
    )


def names_the_test_needs(
    cell_code: str,
    module_text: str,
    *,
    test_name: str,
    module_name: str,
    module_names: Iterable[str],
) -> tuple[str, ...]:
    """Sorted names the test made of `cell_code` would read that neither it nor the test
    module `module_text` binds (see `names_needed_by`: only the test is resolved with
    libcst, never the whole test file)."""
    parts = test_parts(
        cell_code, test_name=test_name, module_name=module_name, module_names=module_names
    )
    imports = [cst.SimpleStatementLine(body=[statement]) for statement in parts.imports]
    return names_needed_by(cst.Module(body=[*imports, *parts.definitions[0].nodes]), module_text)


# Not a test, although its name starts with "test_".
test_parts.__test__ = False  # type: ignore[attr-defined]


def default_test_name(cell_code: str, module_names: Iterable[str]) -> str:
    """`test_<the first promoted name the cell reads>`, else `"test_cell"`.

    "First" is in the order of the text. A name the cell imports counts as read (the
    import moves out of the test); a name the cell defines itself does not.
    Raises `PromotionRefused` if the cell does not parse.
    """
    _, statements = _split_test_cell(parse_text(cell_code, "the cell"))
    for name in _promoted_reads(statements, module_names):
        return f"test_{name}"
    return DEFAULT_TEST_NAME


def _split_test_cell(
    cell: cst.Module,
) -> tuple[tuple[cst.Import | cst.ImportFrom, ...], list[Statement]]:
    """The cell's top-level imports, and every other statement ready to be a body.

    Comments above a statement stay with it (the cell's header with its first
    statement); blank lines that would open the body are dropped, the others stay
    blank (not indented to the body's level: no trailing whitespace).
    """
    imports: list[cst.Import | cst.ImportFrom] = []
    kept: list[Statement] = []
    for index, original in enumerate(cell.body):
        statement: Statement = original
        if index == 0:
            statement = statement.with_changes(
                leading_lines=(*cell.header, *statement.leading_lines)
            )
        if isinstance(statement, cst.SimpleStatementLine):
            others = [s for s in statement.body if not isinstance(s, cst.Import | cst.ImportFrom)]
            imports.extend(s for s in statement.body if isinstance(s, cst.Import | cst.ImportFrom))
            if not others:
                continue
            if len(others) < len(statement.body):  # `import os; x = 1`: keep `x = 1`
                others[-1] = others[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=others)
        lines = tuple(statement.leading_lines)
        if not kept:
            lines = _without_opening_blanks(lines)
        lines = tuple(
            line.with_changes(indent=False, whitespace=cst.SimpleWhitespace(""))
            if line.comment is None
            else line
            for line in lines
        )
        kept.append(statement.with_changes(leading_lines=lines))
    return tuple(imports), kept


def _without_opening_blanks(lines: Sequence[cst.EmptyLine]) -> tuple[cst.EmptyLine, ...]:
    index = 0
    while index < len(lines) and lines[index].comment is None:
        index += 1
    return tuple(lines[index:])


def _promoted_reads(statements: Sequence[Statement], module_names: Iterable[str]) -> list[str]:
    """Names of `module_names` the statements read and do not bind, in order of reading."""
    wanted = set(module_names)
    reads = outside_reads(cst.Module(body=statements)) or ()
    return [name for name in reads if name in wanted]


def _names_bound_by(imports: Iterable[cst.Import | cst.ImportFrom]) -> set[str]:
    bound: set[str] = set()
    for statement in imports:
        if isinstance(statement.names, cst.ImportStar):
            continue
        for alias in statement.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound.add(alias.asname.name.value)
            else:
                bound.add(alias.evaluated_name.split(".")[0])
    return bound


def _has_assert(node: cst.CSTNode) -> bool:
    class Finder(cst.CSTVisitor):
        found = False

        def visit_Assert(self, node: cst.Assert) -> bool:
            self.found = True
            return False

    finder = Finder()
    node.visit(finder)
    return finder.found
