"""Property: promotion touches only what it must, and undo restores the exact bytes;
each symbol found in a module is exactly its statement's lines.

Modules are built from a few generated functions, constants and comments; cells define
one function whose name may or may not exist in the module, maybe with an import and an
exploratory statement.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Sequence
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairrepl.core.cells import code_hash
from pairrepl.promote import (
    plan_promotion,
    read_target,
    top_level_symbols,
    undo_text,
    write_module_text,
    write_promotion,
)

FUNCTION_NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta"])
CONSTANT_NAMES = st.sampled_from(["LIMIT", "NAME", "RATE"])
IMPORTS = st.sampled_from(["import os", "import json", "from math import pi", "import os as o"])
BLANKS = st.integers(min_value=0, max_value=2).map(lambda n: "\n" * n)
WORDS = st.text(alphabet="abcxyz _-", max_size=12)


@st.composite
def functions(draw: st.DrawFn, name: str | None = None) -> str:
    name = name or draw(FUNCTION_NAMES)
    value = draw(st.integers(min_value=0, max_value=99))
    comment = draw(st.sampled_from(["", "  # note", "\n    # inside"]))
    return f"def {name}(x):{comment}\n    return x + {value}\n"


@st.composite
def constants(draw: st.DrawFn) -> str:
    return f"{draw(CONSTANT_NAMES)} = {draw(st.integers(min_value=0, max_value=9))}\n"


@st.composite
def comments(draw: st.DrawFn) -> str:
    return f"# {draw(WORDS)}\n"


@st.composite
def modules(draw: st.DrawFn) -> str:
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append(draw(IMPORTS) + "\n")
    for chunk in draw(st.lists(st.one_of(functions(), constants(), comments()), max_size=6)):
        parts.append(draw(BLANKS) + chunk)
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.rstrip("\n")
    return text


@st.composite
def cells(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(FUNCTION_NAMES)
    parts = []
    if draw(st.booleans()):
        parts.append(draw(IMPORTS) + "\n")
    parts.append(draw(functions(name)))
    if draw(st.booleans()):
        parts.append(f"print({name}(1))\n")
    return "".join(parts), name


def statement_codes(module: cst.Module) -> list[str]:
    return [module.code_for_node(statement) for statement in module.body]


def lines_code(lines: Sequence[cst.EmptyLine]) -> str:
    return cst.Module(body=[], header=lines).code


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(any(needle == item for item in remaining) for needle in needles)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=modules(), cell_and_name=cells())
def test_promotion_keeps_every_untouched_top_level_node(
    before: str, cell_and_name: tuple[str, str]
) -> None:
    cell, name = cell_and_name
    plan = plan_promotion(cell, before)
    original = cst.parse_module(before)
    promoted = cst.parse_module(plan.new_text)

    defined_at = [
        index
        for index, statement in enumerate(original.body)
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name
    ]
    replaced = defined_at[-1] if defined_at else None
    untouched = [code for index, code in enumerate(statement_codes(original)) if index != replaced]
    new_codes = statement_codes(promoted)

    assert is_subsequence(untouched, new_codes)
    assert len(new_codes) == (
        len(original.body) + len(plan.definitions_added) + len(plan.imports_added)
    )
    assert lines_code(promoted.header) == lines_code(original.header)
    assert lines_code(promoted.footer) == lines_code(original.footer)
    cell_function = next(s for s in cst.parse_module(cell).body if isinstance(s, cst.FunctionDef))
    promoted_function = [
        s for s in promoted.body if isinstance(s, cst.FunctionDef) and s.name.value == name
    ][-1]
    assert promoted.code_for_node(promoted_function.body) == promoted.code_for_node(
        cell_function.body
    )
    if replaced is None:
        assert plan.definitions_added == (name,)
    # promoting again changes nothing
    assert not plan_promotion(cell, plan.new_text).has_changes


@settings(max_examples=60, deadline=None)
@given(before=modules(), cell_and_name=cells(), exists=st.booleans())
def test_promote_then_undo_restores_the_original_bytes(
    before: str, cell_and_name: tuple[str, str], exists: bool
) -> None:
    cell, _ = cell_and_name
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "pkg" / "mod.py"
        if exists:
            path.parent.mkdir()
            path.write_bytes(before.encode())
        else:
            before = ""
        plan = plan_promotion(cell, read_target(root, "pkg/mod.py"))
        write_promotion(root, "pkg/mod.py", plan, code_hash(before))
        current = read_target(root, "pkg/mod.py")
        assert current == plan.new_text
        reverted = undo_text(plan.original_text, plan.new_text, current)
        write_module_text(root, "pkg/mod.py", reverted, code_hash(current))
        assert path.read_bytes() == before.encode()


@settings(max_examples=100, deadline=None)
@given(text=modules())
def test_each_symbol_is_exactly_its_statement_without_the_lines_above(text: str) -> None:
    module = cst.parse_module(text)
    expected = [
        module.code_for_node(statement.with_changes(leading_lines=()))
        for statement in module.body
        if isinstance(statement, cst.FunctionDef | cst.SimpleStatementLine)
    ]
    if expected and not module.has_trailing_newline and not module.footer:
        expected[-1] = expected[-1].rstrip("\n")  # the file's last line has no newline
    symbols = top_level_symbols(text)
    assert [symbol.text for symbol in symbols] == expected
    spans = [(symbol.first_line, symbol.last_line) for symbol in symbols]
    assert all(end < start for (_, end), (start, _) in itertools.pairwise(spans))
