"""Which names code needs from elsewhere, and which names a cell binds.

Promoted code must import in a fresh interpreter. A definition promoted from one cell
often uses names another cell of the session bound: an import (`import numpy as np`)
or a helper. `unresolved_names` finds what a module reads but binds nowhere, and
`names_needed` (`names_needed_by`) what of that the code promoted from a cell (or a
test made of it) reads;
`top_level_bindings` says, for an earlier cell, how it bound each name, so the session
can pass that cell's import line to `plan_promotion(extra_imports=...)`, or tell the
user which definition to promote first.

Built on libcst's `ScopeProvider`, with what it does not model (libcst 1.x) handled
here: match-pattern captures are bindings (libcst records them as reads) and the keyword
names of class patterns (`Point(x=...)`) are no names at all; a walrus target inside a
comprehension binds in the enclosing scope; a `global x` declaration reads the module's
`x`; annotations Python never evaluates are not reads (string annotations, every
annotation under `from __future__ import annotations`, annotations of local variables).
"""

from __future__ import annotations

import ast
import re
import symtable
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    Assignment,
    ClassScope,
    CodePosition,
    ComprehensionScope,
    FunctionScope,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from pairrepl.promote.plan import parse_text, promoted_part

#: Names every module has at run time without binding them.
MODULE_ATTRIBUTES = frozenset(
    {
        "__annotations__",
        "__builtins__",
        "__cached__",
        "__doc__",
        "__file__",
        "__loader__",
        "__name__",
        "__package__",
        "__path__",
        "__spec__",
    }
)
#: Names a class body has without binding them.
CLASS_BODY_NAMES = frozenset({"__module__", "__qualname__"})

_EMPTY = cst.Module(body=[])


@dataclass(frozen=True)
class Binding:
    """How a cell bound a name at its top level.

    `kind` is "import" (then `import_line` is the import statement reduced to that one
    name, e.g. `"import numpy as np"`, ready for `plan_promotion(extra_imports=...)`)
    or "definition" (def, class, any assignment; `import_line` is "").
    """

    kind: Literal["import", "definition"]
    import_line: str = ""


def unresolved_names(module_text: str) -> tuple[str, ...]:
    """Sorted names `module_text` reads that nothing visible binds.

    A read anywhere counts: module level, function bodies, default values, decorators,
    base classes, evaluated annotations, code under `if TYPE_CHECKING:`, `global x`
    declarations. A name is resolved when the scope of the read, an enclosing function
    scope or the module binds it (anywhere in that scope, before or after the read), or
    it is a builtin or a module attribute such as `__file__`. Class bodies are not
    visible from the methods and comprehensions inside them, as in Python.
    Returns () when the module has a star import (what it binds cannot be known).
    Raises `PromotionRefused` if the text does not parse.
    """
    reads = outside_reads(parse_text(module_text, "the module"))
    return () if reads is None else tuple(sorted(reads))


def names_needed(cell_code: str, module_text: str) -> tuple[str, ...]:
    """Sorted names that what promotion takes from `cell_code` reads and that neither
    it nor `module_text` (the module it goes into, as it is now) binds: the names of
    `unresolved_names` of the merged module that the promoted code reads, found faster.
    """
    return names_needed_by(promoted_part(cell_code), module_text)


def names_needed_by(part: cst.Module, module_text: str) -> tuple[str, ...]:
    """Sorted names that `part` (code about to go into a module) reads and that neither
    it nor `module_text` binds.

    Resolving scopes with libcst costs about ten parses of the text (five seconds for a
    5,000-line module, issue 9), so only `part` is resolved that way; whether the module
    binds a name at its top level is Python's own symbol table. A module the compiler
    rejects is resolved in full, as `unresolved_names` does.
    """
    reads = outside_reads(part)
    if not reads:  # nothing read from outside, or a star import in the part
        return ()
    try:
        bound = _module_level_names(module_text)
    except (SyntaxError, ValueError):
        unresolved = set(unresolved_names(module_text + "\n" + part.code))
        return tuple(sorted(name for name in reads if name in unresolved))
    if bound is None:
        return ()
    return tuple(sorted(name for name in reads if name not in bound))


# Every star import has this in its text (a match may also be in a string or a comment:
# then the syntax tree decides).
_MAYBE_STAR_IMPORT = re.compile(r"\bimport[\s\\]*\*")


def _module_level_names(module_text: str) -> set[str] | None:
    """The names a module binds at its top level, as Python's `symtable` sees them; None
    when it has a star import (what that binds cannot be known).

    A name the module table holds without binding or reading it at the top level is
    there because a function declares it `global` or a comprehension binds it with a
    walrus: both bind the module's name, so it counts as bound (a `global x` that only
    reads `x` too: the fresh-interpreter import check still catches that rare case).
    """
    if _MAYBE_STAR_IMPORT.search(module_text):
        for node in ast.walk(ast.parse(module_text)):
            if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
                return None
    table = symtable.symtable(module_text, "<module>", "exec")
    return {
        symbol.get_name()
        for symbol in table.get_symbols()
        if symbol.is_assigned()
        or symbol.is_imported()
        or symbol.is_namespace()
        or not symbol.is_referenced()
    }


def outside_reads(module: cst.Module) -> tuple[str, ...] | None:
    """The names `module` reads and does not bind, each once, in order of first read.

    None when the module has a star import. (The order gives a cell's "first" name.)
    """
    wrapper = MetadataWrapper(module)
    scopes = wrapper.resolve(ScopeProvider)
    positions = wrapper.resolve(PositionProvider)
    facts = _Facts()
    wrapper.module.visit(facts)
    if facts.star_import:
        return None
    module_scope = scopes[wrapper.module]
    assert module_scope is not None

    extra = _extra_bindings(facts, scopes)
    evaluated_never = {
        id(name)
        for annotated in facts.annotated
        if isinstance(scopes.get(annotated), FunctionScope)
        for name in _names_in(annotated.annotation)
    }
    found: list[tuple[CodePosition, str]] = []
    for scope in {scope for scope in scopes.values() if scope is not None}:
        for access in scope.accesses:
            node = access.node
            if isinstance(node, cst.BaseString) or id(node) in facts.not_reads:
                continue  # a string annotation: Python never evaluates it
            if access.is_annotation and (facts.future_annotations or id(node) in evaluated_never):
                continue
            name = (get_full_name_for_node(node) or "").split(".")[0]
            if name and not _is_bound(name, access.scope, extra):
                found.append((positions[node].start, name))
    for declared in facts.global_names:
        if not _is_bound(declared.value, module_scope, extra):
            found.append((positions[declared].start, declared.value))
    found.sort(key=lambda item: (item[0].line, item[0].column))
    return tuple(dict.fromkeys(name for _, name in found))


def top_level_bindings(code: str) -> dict[str, Binding]:
    """Each name `code` (a cell) binds in its module scope -> how it was bound.

    Bindings inside top-level `if` / `for` / `with` / `try` count (they bind module
    names); names a function binds through `global` do not (they exist only once it
    is called). A name bound several times: the last binding in the text wins, as it
    did when the cell ran. `import os.path` binds `os` (-> "import os.path"); a star
    import binds nothing known. In insertion order of the winning bindings' positions.
    Raises `PromotionRefused` if the code does not parse.
    """
    wrapper = MetadataWrapper(parse_text(code, "the cell"))
    scopes = wrapper.resolve(ScopeProvider)
    positions = wrapper.resolve(PositionProvider)
    module_scope = scopes[wrapper.module]
    assert module_scope is not None
    found: list[tuple[CodePosition, str, Binding]] = []
    for assignment in module_scope.assignments:
        if "." in assignment.name or not isinstance(assignment, Assignment):
            continue
        node = assignment.node
        if scopes.get(node) is not module_scope:
            continue
        binding = Binding("definition")
        if isinstance(assignment, ImportAssignment) and isinstance(
            node, cst.Import | cst.ImportFrom
        ):
            binding = Binding("import", _import_line_for(node, assignment.as_name))
        found.append((positions[node].start, assignment.name, binding))
    facts = _Facts()
    wrapper.module.visit(facts)
    for scope, name_node in _extra_binding_nodes(facts, scopes):
        if scope is module_scope:
            found.append((positions[name_node].start, name_node.value, Binding("definition")))
    found.sort(key=lambda item: (item[0].line, item[0].column))
    bindings: dict[str, Binding] = {}
    for _, name, binding in found:
        bindings.pop(name, None)
        bindings[name] = binding
    return bindings


# --- internals -----------------------------------------------------------------------

Scopes = Mapping[cst.CSTNode, Scope | None]


class _Facts(cst.CSTVisitor):
    """One pass over the tree for what the scope analysis does not tell."""

    def __init__(self) -> None:
        super().__init__()
        self.star_import = False
        self.future_annotations = False
        self.not_reads: set[int] = set()  # ids of Name nodes libcst records as reads wrongly
        self.captures: list[cst.Name] = []  # match-pattern captures
        self.walruses: list[cst.NamedExpr] = []
        self.global_names: list[cst.Name] = []
        self.annotated: list[cst.AnnAssign] = []

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.star_import = True
        elif (
            node.module is not None
            and get_full_name_for_node(node.module) == "__future__"
            and any(alias.evaluated_name == "annotations" for alias in node.names)
        ):
            self.future_annotations = True

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._capture(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._capture(node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        self._capture(node.rest)

    def visit_MatchKeywordElement(self, node: cst.MatchKeywordElement) -> None:
        self.not_reads.add(id(node.key))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.walruses.append(node)

    def visit_Global(self, node: cst.Global) -> None:
        self.global_names.extend(item.name for item in node.names)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.annotated.append(node)

    def _capture(self, name: cst.Name | None) -> None:
        if name is not None:
            self.captures.append(name)
            self.not_reads.add(id(name))


def _extra_binding_nodes(facts: _Facts, scopes: Scopes) -> Iterable[tuple[Scope, cst.Name]]:
    """(scope, name) for the bindings libcst misses: match captures, comprehension walruses."""
    for name in facts.captures:
        scope = scopes.get(name)
        if scope is not None:
            yield scope, name
    for walrus in facts.walruses:
        walrus_scope = scopes.get(walrus)
        if not isinstance(walrus.target, cst.Name) or not isinstance(
            walrus_scope, ComprehensionScope
        ):
            continue  # libcst records a walrus outside comprehensions itself
        target_scope: Scope = walrus_scope
        while isinstance(target_scope, ComprehensionScope):
            target_scope = target_scope.parent
        yield target_scope, walrus.target


def _extra_bindings(facts: _Facts, scopes: Scopes) -> dict[Scope, set[str]]:
    extra: dict[Scope, set[str]] = {}
    for scope, name in _extra_binding_nodes(facts, scopes):
        extra.setdefault(scope, set()).add(name.value)
    return extra


def _is_bound(name: str, scope: Scope, extra: dict[Scope, set[str]]) -> bool:
    """Whether a read of `name` in `scope` finds a binding, as Python would look it up."""
    if name in scope or name in MODULE_ATTRIBUTES:
        return True
    if isinstance(scope, ClassScope) and name in CLASS_BODY_NAMES:
        return True
    current = scope
    while True:
        visible = current is scope or not isinstance(current, ClassScope)
        if visible and name in extra.get(current, ()):
            return True
        if current.parent is current:
            return False
        current = current.parent


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    class Names(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[cst.Name] = []

        def visit_Name(self, name: cst.Name) -> None:
            self.found.append(name)

    names = Names()
    node.visit(names)
    return names.found


def _import_line_for(statement: cst.Import | cst.ImportFrom, as_name: cst.CSTNode) -> str:
    """`statement` reduced to the one alias whose bound name is `as_name`."""
    names = statement.names
    assert not isinstance(names, cst.ImportStar)  # a star import binds no named assignment
    alias = next(
        alias
        for alias in reversed(names)
        if (alias.asname.name if alias.asname else alias.name) is as_name
    )
    alias = alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    reduced: cst.Import | cst.ImportFrom
    if isinstance(statement, cst.Import):
        reduced = cst.Import(names=[alias])
    else:
        reduced = statement.with_changes(
            names=[alias], lpar=None, rpar=None, semicolon=cst.MaybeSentinel.DEFAULT
        )
    return _EMPTY.code_for_node(reduced).strip()
