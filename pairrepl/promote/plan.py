"""Plan a promotion: which parts of a cell go into a module, and the module's new text.

Pure: text in, text out, no file access. What a cell contributes:

- **definitions**: top-level `def` / `async def` / `class` (with their decorators), and
  **constants**: a top-level assignment to one plain name that is UPPER_CASE
  (`LIMIT = 10`, `_CACHE_SIZE = 3`), or an annotated assignment to one plain name
  (`retries: int = 3`, `name: str`). A name defined twice in the cell: the last one wins,
  as it did when the cell ran.
- **imports**: top-level `import` / `from ... import ...` statements.
- **extra imports** the caller passes (found in earlier cells of the session) are
  handled exactly like imports of the cell.
- Everything else is **exploratory** and skipped (expressions such as `df.head()`,
  `print(...)`, lowercase assignments, loops, `if`, `with`, dunder assignments such as
  `__all__`); the plan lists it so the user sees what is left behind.

How it merges into the target module (libcst, so untouched text stays byte-identical):

- a definition whose name is already defined at the top level of the target replaces
  the last such definition in place; the target's comments and blank lines above it are
  kept; if the new code is the same, nothing changes;
- a new definition is appended at the end (after two blank lines for `def`/`class`, one
  for a constant), before the file's trailing comments;
- an import whose names are all bound already by an identical top-level import
  (`import x`, `import x as y`, `from a import b`) is not added; otherwise the missing
  names are added as new lines at the end of the file's first block of imports (after the
  docstring when there are no imports yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pairrepl.core.cells import code_hash
from pairrepl.promote.errors import PromotionRefused
from pairrepl.promote.symbols import CONSTANT_NAME
from pairrepl.promote.textdiff import unified_diff

Statement: TypeAlias = cst.SimpleStatementLine | cst.BaseCompoundStatement
ImportKey: TypeAlias = tuple[str, str, str, str]  # (kind, module, name, asname)

_EMPTY = cst.parse_module("")


@dataclass(frozen=True)
class PromotionPlan:
    """What promoting a cell into one module would do. Nothing is written yet."""

    original_text: str
    new_text: str
    diff: str
    definitions_added: tuple[str, ...]
    definitions_replaced: tuple[str, ...]
    definitions_unchanged: tuple[str, ...]
    imports_added: tuple[str, ...]
    statements_skipped: tuple[str, ...]

    @property
    def original_hash(self) -> str:
        """sha256 of the text the plan was made from (what the file must still hold)."""
        return code_hash(self.original_text)

    @property
    def has_changes(self) -> bool:
        return self.new_text != self.original_text


@dataclass(frozen=True)
class Definition:
    """One top-level definition (or constant) a cell contributes, under its name."""

    name: str
    node: Statement
    is_constant: bool


@dataclass(frozen=True)
class CellParts:
    """What a cell contributes to a module: definitions, imports, and what is left behind."""

    definitions: tuple[Definition, ...]
    imports: tuple[cst.Import | cst.ImportFrom, ...]
    skipped: tuple[str, ...]


def plan_promotion(
    cell_code: str,
    target_text: str,
    *,
    target_name: str = "module.py",
    extra_imports: Sequence[str] = (),
    place_after: str | None = None,
) -> PromotionPlan:
    """Plan promoting `cell_code` into a module whose current text is `target_text`.

    `target_text` is "" for a file that does not exist yet. `target_name` only labels
    the diff. `extra_imports` are import statements (code, e.g. `"import numpy as np"`)
    the promoted code needs but the cell does not hold, typically found in an earlier
    cell of the session: they are merged exactly as if they were imports at the top of
    the cell (same deduplication against the target and against each other).
    `place_after` names a top-level definition of the target: new definitions go right
    after it instead of at the end.
    Raises `PromotionRefused` when the cell, the target or an extra import does not
    parse, an extra import is not an import statement, or `place_after` is not defined
    at the top level of the target.
    """
    cell = parse_text(cell_code, "the cell")
    target = parse_text(target_text, target_name)
    parts = _split_cell(cell)
    parts = CellParts(
        parts.definitions, parse_imports(extra_imports) + parts.imports, parts.skipped
    )
    return merge_into(parts, target, target_text, target_name, place_after=place_after)


def parse_imports(statements: Sequence[str]) -> tuple[cst.Import | cst.ImportFrom, ...]:
    """Each code string as import nodes; `PromotionRefused` if one is anything else."""
    imports: list[cst.Import | cst.ImportFrom] = []
    for code in statements:
        module = parse_text(code, f"the import {code!r}")
        found = [
            small
            for statement in module.body
            if isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body
            if isinstance(small, cst.Import | cst.ImportFrom)
        ]
        others = [s for s in module.body if not _is_import_line(s)]
        if not found or others:
            raise PromotionRefused(f"{code!r} is not an import statement.")
        imports.extend(found)
    return tuple(imports)


def merge_into(
    parts: CellParts,
    target: cst.Module,
    target_text: str,
    target_name: str,
    *,
    place_after: str | None = None,
) -> PromotionPlan:
    """Merge what a cell contributes into the parsed target: the plan (shared by the
    definition and the test promotion, so both keep the same guarantees)."""
    body = list(target.body)
    defined_at = _top_level_definitions(target)
    if place_after is not None and place_after not in defined_at:
        raise PromotionRefused(
            f"{target_name} defines no {place_after!r} at its top level to place the code after."
        )
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    appended: list[Statement] = []
    last_appended_was_constant = False
    new_imports = _missing_imports(parts.imports, _import_keys_of(target))
    for definition in parts.definitions:
        index = defined_at.get(definition.name)
        if index is not None:
            old = body[index]
            new = _with_leading_lines(definition.node, _leading_lines(old))
            if target.code_for_node(new) == target.code_for_node(old):
                unchanged.append(definition.name)
            else:
                body[index] = new
                replaced.append(definition.name)
            continue
        blank_lines = 0
        if body or appended or new_imports:
            blank_lines = 1 if definition.is_constant else 2
            if definition.is_constant and last_appended_was_constant:
                blank_lines = 0
        leading = (cst.EmptyLine(),) * blank_lines + _comments_only(_leading_lines(definition.node))
        appended.append(_with_leading_lines(definition.node, leading))
        added.append(definition.name)
        last_appended_was_constant = definition.is_constant

    insert_at, after_docstring = _import_insertion_point(target)
    import_lines: list[Statement] = []
    for position, statement in enumerate(new_imports):
        blank = (cst.EmptyLine(),) if position == 0 and after_docstring else ()
        import_lines.append(cst.SimpleStatementLine(body=[statement], leading_lines=blank))
    body[insert_at:insert_at] = import_lines
    if place_after is None:
        body.extend(appended)
    else:
        after = defined_at[place_after] + (
            len(import_lines) if insert_at <= defined_at[place_after] else 0
        )
        body[after + 1 : after + 1] = appended

    new_module = target.with_changes(body=body)
    if appended:
        new_module = new_module.with_changes(has_trailing_newline=True)
    new_text = new_module.code if (appended or import_lines or replaced) else target_text
    return PromotionPlan(
        original_text=target_text,
        new_text=new_text,
        diff=unified_diff(
            target_text, new_text, before_name=f"a/{target_name}", after_name=f"b/{target_name}"
        ),
        definitions_added=tuple(added),
        definitions_replaced=tuple(replaced),
        definitions_unchanged=tuple(unchanged),
        imports_added=tuple(_EMPTY.code_for_node(line).strip() for line in import_lines),
        statements_skipped=parts.skipped,
    )


def parse_text(text: str, what: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise PromotionRefused(
            f"{what} is not valid Python, so nothing can be promoted from or into it: "
            f"{error.message} (line {error.raw_line}, column {error.raw_column})"
        ) from error


# --- what a cell contributes ---------------------------------------------------------


def promoted_part(cell_code: str) -> cst.Module:
    """What promotion takes from a cell, as a module: its imports and its definitions
    (the statements left behind are not in it). Raises `PromotionRefused` if the cell
    does not parse."""
    parts = _split_cell(parse_text(cell_code, "the cell"))
    imports = [cst.SimpleStatementLine(body=[statement]) for statement in parts.imports]
    return cst.Module(body=[*imports, *(definition.node for definition in parts.definitions)])


def _split_cell(cell: cst.Module) -> CellParts:
    definitions: dict[str, Definition] = {}
    imports: list[cst.Import | cst.ImportFrom] = []
    skipped: list[str] = []
    for statement in cell.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            name = statement.name.value
            definitions.pop(name, None)  # the last definition wins, in its own position
            definitions[name] = Definition(name, statement, is_constant=False)
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            skipped.append(cell.code_for_node(statement).strip())
            continue
        for small in statement.body:
            if isinstance(small, cst.Import | cst.ImportFrom):
                imports.append(small)
                continue
            name_or_none = constant_name(small)
            if name_or_none is None:
                skipped.append(cell.code_for_node(small).strip().rstrip(";").strip())
                continue
            line: Statement = statement
            if len(statement.body) > 1:  # `A = 1; print(A)`: keep only the constant
                line = cst.SimpleStatementLine(
                    body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)]
                )
            definitions.pop(name_or_none, None)
            definitions[name_or_none] = Definition(name_or_none, line, is_constant=True)
    return CellParts(tuple(definitions.values()), tuple(imports), tuple(skipped))


def constant_name(small: cst.BaseSmallStatement) -> str | None:
    """The name a small statement defines as a constant, or None if it is not one."""
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return small.target.value
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and CONSTANT_NAME.match(small.targets[0].target.value)
    ):
        return small.targets[0].target.value
    return None


# --- what the target already has -----------------------------------------------------


def _top_level_definitions(module: cst.Module) -> dict[str, int]:
    """Name -> index in `module.body` of the last top-level statement defining it."""
    found: dict[str, int] = {}
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            found[statement.name.value] = index
        elif isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            name = constant_name(statement.body[0])
            if name is not None:
                found[name] = index
    return found


def _leading_lines(statement: Statement) -> tuple[cst.EmptyLine, ...]:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef | cst.SimpleStatementLine):
        return tuple(statement.leading_lines)
    return ()


def _with_leading_lines(statement: Statement, leading: Sequence[cst.EmptyLine]) -> Statement:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef | cst.SimpleStatementLine):
        return statement.with_changes(leading_lines=tuple(leading))
    return statement


def _comments_only(lines: tuple[cst.EmptyLine, ...]) -> tuple[cst.EmptyLine, ...]:
    """A cell's lines above a definition, without the blank lines that open them."""
    index = 0
    while index < len(lines) and lines[index].comment is None:
        index += 1
    return lines[index:]


def _is_import_line(statement: Statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _is_docstring(statement: Statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _import_insertion_point(module: cst.Module) -> tuple[int, bool]:
    """Where new import lines go: (index in body, whether that is right after a docstring)."""
    body = module.body
    first_import = next((i for i, s in enumerate(body) if _is_import_line(s)), None)
    if first_import is None:
        if body and _is_docstring(body[0]):
            return 1, True
        return 0, False
    end = first_import
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    return end, False


# --- imports -------------------------------------------------------------------------


def _dotted(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    return get_full_name_for_node(node) or ""


def _alias_keys(
    statement: cst.Import | cst.ImportFrom,
) -> list[tuple[ImportKey, cst.ImportAlias | None]]:
    keys: list[tuple[ImportKey, cst.ImportAlias | None]] = []
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            asname = _dotted(alias.asname.name) if alias.asname else ""
            keys.append((("import", _dotted(alias.name), "", asname), alias))
        return keys
    module = "." * len(statement.relative) + _dotted(statement.module)
    if isinstance(statement.names, cst.ImportStar):
        return [(("from", module, "*", ""), None)]
    for alias in statement.names:
        asname = _dotted(alias.asname.name) if alias.asname else ""
        keys.append((("from", module, _dotted(alias.name), asname), alias))
    return keys


def _import_keys_of(module: cst.Module) -> set[ImportKey]:
    keys: set[ImportKey] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    keys.update(key for key, _ in _alias_keys(small))
    return keys


def _missing_imports(
    cell_imports: Sequence[cst.Import | cst.ImportFrom], present: set[ImportKey]
) -> list[cst.Import | cst.ImportFrom]:
    """The cell's imports, reduced to the names the target does not import yet."""
    seen = set(present)
    missing: list[cst.Import | cst.ImportFrom] = []
    for statement in cell_imports:
        keys = _alias_keys(statement)
        wanted = [(key, alias) for key, alias in keys if key not in seen]
        seen.update(key for key, _ in wanted)
        if not wanted:
            continue
        base = statement.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        if len(wanted) == len(keys):
            missing.append(base)
            continue
        aliases = [alias for _, alias in wanted if alias is not None]
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        missing.append(base.with_changes(names=aliases))
    return missing
