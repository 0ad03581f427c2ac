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
  the last such definition in place (`replacements` says how many lines become how many:
  the session asks the human to confirm that); the target's comments and blank lines
  above it are kept; if the new code is the same, nothing changes. `@overload` stubs
  travel with their implementation, and replace the target's stubs of that name;
- a new definition is appended at the end, before a trailing `if __name__ == "__main__":`
  block and the file's trailing comments, with PEP 8's blank lines (two around a
  `def`/`class`, one between constants). A new definition whose name the target binds
  otherwise (an import, an assignment) or that is a builtin is listed in `shadowed`: it
  would change what that name means for the whole module;
- an import whose names are all bound already by an identical top-level import
  (`import x`, `import x as y`, `from a import b`) is not added; nor is an import of a
  name the target binds in any other way (its own `def`, `from .a import b`), nor a
  `from <the target module itself> import ...`: the code uses the module's own names
  (`imports_not_copied`). The missing names are added as new lines at the end of the
  file's first block of imports (after the docstring when there are no imports yet);
- the cell's lines are written with the target's line ending (CRLF stays CRLF, in
  docstrings too).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import libcst as cst
from libcst.helpers import get_full_name_for_node

from pairrepl.core.cells import code_hash
from pairrepl.promote.bindings import (
    TopLevelBinding,
    is_main_test,
    line_of_binding,
    top_level_bindings_of,
)
from pairrepl.promote.errors import PromotionRefused
from pairrepl.promote.splice import Edit, apply_edits
from pairrepl.promote.symbols import CONSTANT_NAME
from pairrepl.promote.textdiff import unified_diff

Statement: TypeAlias = cst.SimpleStatementLine | cst.BaseCompoundStatement
ImportKey: TypeAlias = tuple[str, str, str, str]  # (kind, module, name, asname)

_EMPTY = cst.parse_module("")
_BUILTINS = frozenset(name for name in vars(builtins) if not name.startswith("_"))


@dataclass(frozen=True)
class Replacement:
    """A definition of the target that the promotion replaces: its name, and how many
    lines it has now and would have after."""

    name: str
    lines_before: int
    lines_after: int

    def __str__(self) -> str:
        return f"`{self.name}` ({_lines(self.lines_before)} → {self.lines_after})"


@dataclass(frozen=True)
class Shadowing:
    """A new definition whose name the target already binds some other way, or that is
    a builtin: writing it changes what the name means for the whole module."""

    name: str
    bound_by: str  # "a builtin", or the binding statement and its line

    def __str__(self) -> str:
        return f"`{self.name}`: {self.bound_by}"


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
    replacements: tuple[Replacement, ...] = ()
    shadowed: tuple[Shadowing, ...] = ()
    imports_not_copied: tuple[str, ...] = ()  # the target binds those names itself

    @property
    def original_hash(self) -> str:
        """sha256 of the text the plan was made from (what the file must still hold)."""
        return code_hash(self.original_text)

    @property
    def has_changes(self) -> bool:
        return self.new_text != self.original_text


@dataclass(frozen=True)
class Definition:
    """One top-level definition (or constant) a cell contributes, under its name: one
    statement, or a function's `@overload` stubs followed by its implementation."""

    name: str
    nodes: tuple[Statement, ...]
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
    module_name: str | None = None,
    extra_imports: Sequence[str] = (),
    place_after: str | None = None,
) -> PromotionPlan:
    """Plan promoting `cell_code` into a module whose current text is `target_text`.

    `target_text` is "" for a file that does not exist yet. `target_name` only labels
    the diff; `module_name` (the target's dotted name, when it has one) lets imports
    from the module itself be left out. `extra_imports` are import statements (code,
    e.g. `"import numpy as np"`) the promoted code needs but the cell does not hold,
    typically found in an earlier cell of the session: they are merged exactly as if
    they were imports at the top of the cell (same deduplication against the target and
    against each other). `place_after` names a top-level definition of the target: new
    definitions go right after it instead of at the end.
    Raises `PromotionRefused` when the cell, the target or an extra import does not
    parse, an extra import is not an import statement, or `place_after` is not defined
    at the top level of the target.
    """
    target = parse_text(target_text, target_name)
    cell = parse_text(in_line_endings_of(target, cell_code), "the cell")
    parts = _split_cell(cell)
    parts = CellParts(
        parts.definitions, parse_imports(extra_imports) + parts.imports, parts.skipped
    )
    return merge_into(
        parts, target, target_text, target_name, module_name=module_name, place_after=place_after
    )


def in_line_endings_of(target: cst.Module, code: str) -> str:
    """`code` with the target's line ending on every line, inside strings too (Python
    reads a CRLF file's docstrings with LF either way, so their values do not change)."""
    newline = target.default_newline
    normalized = code.replace("\r\n", "\n").replace("\r", "\n")
    return normalized if newline == "\n" else normalized.replace("\n", newline)


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
    module_name: str | None = None,
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
    bindings = top_level_bindings_of(target)
    added: list[str] = []
    unchanged: list[str] = []
    replacements: list[Replacement] = []
    shadowed: list[Shadowing] = []
    replaced_at: dict[int, tuple[int, tuple[Statement, ...]]] = {}  # first -> (last, new)
    appended: list[Statement] = []
    new_imports, not_copied = _missing_imports(
        parts.imports, _import_keys_of(target), bindings, module_name
    )
    append_at = len(body) if place_after is None else defined_at[place_after][1] + 1
    if place_after is None:
        append_at = _main_block_index(body)
    previous: str | None = _kind(body[append_at - 1]) if append_at else None
    if previous is None and new_imports:
        previous = "other"
    for definition in parts.definitions:
        span = defined_at.get(definition.name)
        if span is not None:
            first, last = span
            old = tuple(body[first : last + 1])
            new = _with_first_leading_lines(definition.nodes, _leading_lines(old[0]))
            if _code(target, new) == _code(target, old):
                unchanged.append(definition.name)
            else:
                replaced_at[first] = (last, new)
                replacements.append(
                    Replacement(definition.name, _line_count(target, old), _line_count(target, new))
                )
            continue
        clash = _shadowing(definition.name, bindings, target_text)
        if clash is not None:
            shadowed.append(clash)
        blank_lines = _blank_lines_between(previous, _kind(definition.nodes[0]))
        leading = (cst.EmptyLine(),) * blank_lines + _comments_only(
            _leading_lines(definition.nodes[0])
        )
        appended.extend(_with_first_leading_lines(definition.nodes, leading))
        added.append(definition.name)
        previous = "cell constant" if definition.is_constant else "definition"

    insert_imports_at, after_docstring = _import_insertion_point(target)
    import_lines: list[Statement] = []
    for position, statement in enumerate(new_imports):
        blank = (cst.EmptyLine(),) if position == 0 and after_docstring else ()
        import_lines.append(cst.SimpleStatementLine(body=[statement], leading_lines=blank))
    edits = [Edit(insert_imports_at, insert_imports_at, tuple(import_lines))]
    edits.append(Edit(append_at, append_at, tuple(appended)))
    if appended and append_at < len(body):  # the statement after them: PEP 8's blank lines
        below = _with_blank_lines_above(body[append_at], appended[-1])
        if below is not body[append_at]:
            edits.append(Edit(append_at, append_at + 1, (below,)))
    edits += [Edit(first, last + 1, nodes) for first, (last, nodes) in replaced_at.items()]
    changed = appended or import_lines or replaced_at
    new_text = apply_edits(target, target_text, edits) if changed else target_text
    diff = unified_diff(
        target_text, new_text, before_name=f"a/{target_name}", after_name=f"b/{target_name}"
    )
    notes = [f"# replaces {replacement}\n" for replacement in replacements]
    notes += [f"# shadows {clash}\n" for clash in shadowed]
    return PromotionPlan(
        original_text=target_text,
        new_text=new_text,
        diff="".join(notes) + diff,
        definitions_added=tuple(added),
        definitions_replaced=tuple(replacement.name for replacement in replacements),
        definitions_unchanged=tuple(unchanged),
        imports_added=tuple(_EMPTY.code_for_node(line).strip() for line in import_lines),
        statements_skipped=parts.skipped,
        replacements=tuple(replacements),
        shadowed=tuple(shadowed),
        imports_not_copied=tuple(not_copied),
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
    nodes = [node for definition in parts.definitions for node in definition.nodes]
    return cst.Module(body=[*imports, *nodes])


def _split_cell(cell: cst.Module) -> CellParts:
    definitions: dict[str, Definition] = {}
    imports: list[cst.Import | cst.ImportFrom] = []
    skipped: list[str] = []
    stubs: dict[str, list[Statement]] = {}  # @overload stubs waiting for their implementation
    for statement in cell.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            name = statement.name.value
            if _is_overload_stub(statement):
                stubs.setdefault(name, []).append(statement)
                continue
            definitions.pop(name, None)  # the last definition wins, in its own position
            nodes = (*stubs.pop(name, ()), statement)
            definitions[name] = Definition(name, nodes, is_constant=False)
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
            definitions[name_or_none] = Definition(name_or_none, (line,), is_constant=True)
    for name, lone_stubs in stubs.items():  # stubs without an implementation go as they are
        definitions.setdefault(name, Definition(name, tuple(lone_stubs), is_constant=False))
    return CellParts(tuple(definitions.values()), tuple(imports), tuple(skipped))


def _is_overload_stub(statement: Statement) -> bool:
    """`@overload` / `@typing.overload` on a function: a stub of the definition below."""
    return isinstance(statement, cst.FunctionDef) and any(
        (get_full_name_for_node(decorator.decorator) or "").rsplit(".", 1)[-1] == "overload"
        for decorator in statement.decorators
    )


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


def _top_level_definitions(module: cst.Module) -> dict[str, tuple[int, int]]:
    """Name -> (first, last) index in `module.body` of the last top-level definition of
    it: one statement, or a function's `@overload` stubs and its implementation."""
    found: dict[str, tuple[int, int]] = {}
    body = module.body
    for index, statement in enumerate(body):
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            name = statement.name.value
            first = index
            while (
                first > 0
                and _is_overload_stub(body[first - 1])
                and _defined_name(body[first - 1]) == name
            ):
                first -= 1
            found[name] = (first, index)
        elif isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            constant = constant_name(statement.body[0])
            if constant is not None:
                found[constant] = (index, index)
    return found


def _defined_name(statement: Statement) -> str | None:
    """The name a `def` or `class` statement defines (None for other statements)."""
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return statement.name.value
    return None


def _leading_lines(statement: Statement) -> tuple[cst.EmptyLine, ...]:
    """The comments and blank lines above a statement (every statement has them)."""
    return tuple(getattr(statement, "leading_lines", ()))


def _with_leading_lines(statement: Statement, leading: Sequence[cst.EmptyLine]) -> Statement:
    return statement.with_changes(leading_lines=tuple(leading))


def _with_first_leading_lines(
    nodes: Sequence[Statement], leading: Sequence[cst.EmptyLine]
) -> tuple[Statement, ...]:
    return (_with_leading_lines(nodes[0], leading), *nodes[1:])


def _code(module: cst.Module, nodes: Sequence[Statement]) -> str:
    return "".join(module.code_for_node(node) for node in nodes)


def _line_count(module: cst.Module, nodes: Sequence[Statement]) -> int:
    """Lines of a definition, from its first decorator or keyword to its last line."""
    return _code(module, _with_first_leading_lines(nodes, ())).rstrip("\r\n").count("\n") + 1


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


# --- where new definitions go, and with how many blank lines ------------------------------


def _main_block_index(body: Sequence[Statement]) -> int:
    """Where appended definitions go: before a trailing `if __name__ == "__main__":`."""
    if body and _is_main_guard(body[-1]):
        return len(body) - 1
    return len(body)


def _is_main_guard(statement: Statement) -> bool:
    return isinstance(statement, cst.If) and is_main_test(statement.test)


def _kind(statement: Statement) -> str:
    return "definition" if isinstance(statement, cst.FunctionDef | cst.ClassDef) else "other"


def _blank_lines_between(previous: str | None, new: str) -> int:
    """PEP 8: two blank lines around a top-level def or class; one before a constant,
    none between the constants of one cell. `previous` is the kind of the statement
    above ("definition", "other", "cell constant"; None: nothing is above)."""
    if previous is None:
        return 0
    if "definition" in (previous, new):
        return 2
    return 0 if previous == "cell constant" else 1


def _with_blank_lines_above(statement: Statement, previous: Statement) -> Statement:
    """`statement` with at least PEP 8's blank lines after `previous` (the last appended)."""
    wanted = _blank_lines_between(_kind(previous), _kind(statement))
    leading = _leading_lines(statement)
    blanks = 0
    while blanks < len(leading) and leading[blanks].comment is None:
        blanks += 1
    if blanks >= wanted:
        return statement
    return _with_leading_lines(statement, (cst.EmptyLine(),) * (wanted - blanks) + leading)


def _shadowing(
    name: str, bindings: dict[str, TopLevelBinding], target_text: str
) -> Shadowing | None:
    """Whether a new definition `name` would rebind a name the target binds otherwise."""
    binding = bindings.get(name)
    if binding is not None:
        line = line_of_binding(target_text, name)
        where = f" (line {line})" if line is not None else ""
        how = "imported" if binding.kind == "import" else "bound"
        return Shadowing(name, f"{how} by `{binding.statement}`{where}")
    if name in _BUILTINS:
        return Shadowing(name, "a builtin")
    return None


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
    cell_imports: Sequence[cst.Import | cst.ImportFrom],
    present: set[ImportKey],
    bindings: dict[str, TopLevelBinding],
    module_name: str | None,
) -> tuple[list[cst.Import | cst.ImportFrom], list[str]]:
    """The cell's imports, reduced to the names the target does not import yet; and the
    imports not copied because the target binds those names itself, or imports from the
    target module itself."""
    seen = set(present)
    missing: list[cst.Import | cst.ImportFrom] = []
    not_copied: list[str] = []
    for statement in cell_imports:
        keys = _alias_keys(statement)
        wanted: list[tuple[ImportKey, cst.ImportAlias | None]] = []
        for key, alias in keys:
            if key in seen:
                continue
            seen.add(key)
            if _from_itself(key, module_name) or _bound_name(key) in bindings:
                not_copied.append(_import_code(statement, alias))
                continue
            wanted.append((key, alias))
        if not wanted:
            continue
        base = statement.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        if len(wanted) == len(keys):
            missing.append(base)
            continue
        aliases = [alias for _, alias in wanted if alias is not None]
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        missing.append(base.with_changes(names=aliases))
    return missing, not_copied


def _from_itself(key: ImportKey, module_name: str | None) -> bool:
    kind, module, _, _ = key
    return kind == "from" and module_name is not None and module == module_name


def _bound_name(key: ImportKey) -> str:
    """The name an import binds: `import a.b` binds `a`; `import a as b` and `from a
    import x as b` bind `b`; a star import binds nothing known ("")."""
    kind, module, name, asname = key
    if asname:
        return asname
    if kind == "import":
        return module.split(".")[0]
    return "" if name == "*" else name


def _import_code(statement: cst.Import | cst.ImportFrom, alias: cst.ImportAlias | None) -> str:
    """`statement` reduced to one of its names, as code."""
    if alias is None:
        reduced = statement
    else:
        alias = alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        reduced = statement.with_changes(names=[alias], semicolon=cst.MaybeSentinel.DEFAULT)
        if isinstance(reduced, cst.ImportFrom):
            reduced = reduced.with_changes(lpar=None, rpar=None)
    return _EMPTY.code_for_node(reduced).strip()
