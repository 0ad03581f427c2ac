"""What promotion writes into real modules, as issue 16 reproduced it: rich (a dependency),
more-itertools, attrs and click (test dependencies). Their files are read where they are
installed and never written; what they should become is said by their own text."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from pairrepl.promote import (
    new_target_trouble,
    plan_promotion,
    plan_test_promotion,
    test_file_for,
    top_level_symbols,
)


def source_of(module: str) -> str:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin).read_text(encoding="utf-8")


def own_source(text: str, name: str) -> str:
    """A top-level definition's text as the module holds it (decorators included)."""
    (symbol,) = [s for s in top_level_symbols(text) if s.name == name and s.kind != "import"]
    return symbol.text


def test_imports_the_target_already_binds_are_not_copied_nor_the_module_into_itself() -> None:
    text = source_of("rich.text")  # defines Text; imports Segment with `from .segment`
    plan = plan_promotion(
        "from rich.text import Text\nfrom rich.segment import Segment\nimport json\n\n"
        "def text_to_json(text):\n    return json.dumps({'plain': text.plain})\n",
        text,
        target_name="rich/text.py",
        module_name="rich.text",
    )
    assert plan.imports_added == ("import json",)
    assert plan.imports_not_copied == (
        "from rich.text import Text",
        "from rich.segment import Segment",
    )
    # rich/text.py imports Console only under `if TYPE_CHECKING:` and in its main block:
    # neither binds it when the module is imported, so the cell's import is needed
    plan = plan_promotion(
        "from rich.console import Console\n\ndef show(text):\n    Console().print(text)\n",
        text,
        module_name="rich.text",
    )
    assert plan.imports_added == ("from rich.console import Console",)
    more = source_of("more_itertools.more")
    for cell in (
        "from more_itertools.more import _marker\n\n"
        "def first_or(iterable, default=_marker):\n    return next(iter(iterable), default)\n",
        "from more_itertools import ilen\n\ndef count_all(items):\n    return ilen(items)\n",
    ):
        plan = plan_promotion(
            cell, more, target_name="more_itertools/more.py", module_name="more_itertools.more"
        )
        assert plan.imports_added == ()
        assert "import" not in "".join(
            line for line in plan.diff.splitlines(keepends=True) if line.startswith("+")
        )


def test_a_replacement_says_how_many_lines_become_how_many() -> None:
    more = source_of("more_itertools.more")
    lines = len(own_source(more, "argmax").splitlines())
    plan = plan_promotion(
        "def argmax(iterable):\n    return max(range(len(iterable)), key=iterable.__getitem__)\n",
        more,
    )
    assert plan.definitions_replaced == ("argmax",)
    assert [str(replacement) for replacement in plan.replacements] == [
        f"`argmax` ({lines} lines → 2)"
    ]
    assert plan.diff.startswith(f"# replaces `argmax` ({lines} lines → 2)\n--- ")


def test_a_new_definition_that_would_rebind_an_import_or_a_builtin_is_named() -> None:
    more = source_of("more_itertools.more")
    line = next(
        alias.lineno
        for node in ast.parse(more).body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name == "chain"
    )
    plan = plan_promotion("def chain(*its):\n    pass\n\ndef filter(x):\n    pass\n", more)
    assert plan.definitions_added == ("chain", "filter")
    assert [str(clash) for clash in plan.shadowed] == [
        f"`chain`: imported by `from itertools import chain` (line {line})",
        "`filter`: a builtin",
    ]


def test_overload_stubs_go_with_their_implementation() -> None:
    text = source_of("rich.repr")  # rich_repr: two @overload stubs, then the function
    source = own_source(text, "rich_repr")
    stubs_and_function = text[text.index("@overload\ndef rich_repr") :]
    stubs_and_function = stubs_and_function[: stubs_and_function.index(source) + len(source)]
    cell = "from typing import overload\n" + stubs_and_function

    assert not plan_promotion(cell, text).has_changes  # its own text: nothing changes
    fresh = plan_promotion(cell, "")
    assert fresh.new_text.count("@overload\ndef rich_repr") == 2
    edited = plan_promotion(cell.replace("return auto(cls)", "return auto(cls)  # edited"), text)
    assert edited.definitions_replaced == ("rich_repr",)
    assert edited.new_text.count("def rich_repr(") == 3  # stubs stay, not duplicated
    assert edited.new_text == text.replace("return auto(cls)", "return auto(cls)  # edited")


def test_a_crlf_file_gets_crlf_everywhere_docstrings_included() -> None:
    text = source_of("rich.text").replace("\n", "\r\n")
    cell = 'def text_to_json(text):\n    """The text as JSON.\n\n    Plain only.\n    """\n    return text.plain\n'
    plan = plan_promotion(cell, text)
    assert plan.new_text.count("\n") == plan.new_text.count("\r\n")
    assert '"""The text as JSON.\r\n\r\n    Plain only.\r\n    """' in plan.new_text


def test_new_definitions_go_before_a_trailing_main_block_with_pep8_blank_lines() -> None:
    text = source_of("rich.box")  # ends with `if __name__ == "__main__":`
    main = text.index('\n\nif __name__ == "__main__":')  # after the line before it
    plan = plan_promotion("def heavy(box):\n    return box\nLIMIT = 3\n", text)
    added = "\n\ndef heavy(box):\n    return box\n\n\nLIMIT = 3\n"
    assert plan.new_text == text[:main] + added + text[main:]


def test_a_test_file_follows_the_projects_layout(tmp_path: Path) -> None:
    make = source_of("attr._make")
    (tmp_path / "src" / "attr").mkdir(parents=True)
    (tmp_path / "src" / "attr" / "_make.py").write_text(make)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_make.py").write_text("")
    assert test_file_for(tmp_path, "src/attr/_make.py") == "tests/test_make.py"
    assert test_file_for(tmp_path, "src/attr/filters.py") == "tests/test_filters.py"
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["checks"]\n')
    assert test_file_for(tmp_path, "src/attr/filters.py") == "checks/test_filters.py"

    plan = plan_test_promotion(
        "assert fields(C)\n",
        "",
        test_name="test_fields",
        module_name="attr._make",
        module_names=[s.name for s in top_level_symbols(make)],
    )
    assert plan.new_text.startswith("from attr._make import fields\n")


@pytest.mark.parametrize(
    ("target", "trouble"),
    [
        ("json.py", "json is a standard-library module"),
        ("click.py", "click is an installed module"),
        ("email/helpers.py", "email is a standard-library module"),
        ("h\u0435lpers.py", "U+0435 CYRILLIC SMALL LETTER IE"),
        ("\uff48elpers.py", "U+FF48 FULLWIDTH LATIN SMALL LETTER H"),
        ("he\u0301lpers.py", "U+0301 COMBINING ACUTE ACCENT"),
        ("helpers.py", None),
        ("\u043f\u043e\u043c\u043e\u0449\u044c.py", None),  # one script, no mix: fine
    ],
)
def test_new_file_names_that_hide_a_module_or_look_like_another(
    tmp_path: Path, target: str, trouble: str | None
) -> None:
    found = new_target_trouble(tmp_path, target)
    assert (found is None) if trouble is None else (found is not None and trouble in found)


def test_an_existing_file_is_never_judged_by_its_name(tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text("")
    assert new_target_trouble(tmp_path, "json.py") is None
    assert new_target_trouble(tmp_path, "tests/json_cases.py", as_test=True) is None


def test_a_module_of_another_project_on_sys_path_is_not_an_installed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"  # a kernel that promoted there has it on sys.path
    other.mkdir()
    (other / "calc.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(other))
    project = tmp_path / "project"
    project.mkdir()
    assert new_target_trouble(project, "calc.py") is None
