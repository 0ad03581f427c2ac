"""plan_test_promotion and its helpers: a cell of asserts becomes a pytest test."""

from __future__ import annotations

from textwrap import dedent

import pytest

from pairrepl.promote import (
    PromotionRefused,
    default_test_name,
    module_name_for,
    plan_test_promotion,
    test_target_for,
)

CELL = dedent(
    '''\
    import json
    # load the sample; import os is only for the path
    rows = load(SAMPLE); import os

    for row in rows:
        assert row, json.dumps(row)
    expected = """
    a
    """
    assert len(rows) == count(expected)  # three
    '''
)
MODULE_NAMES = ("count", "load", "unused", "SAMPLE")


def plan(target: str) -> str:
    return plan_test_promotion(
        CELL,
        target,
        test_name="test_load",
        module_name="pkg.mod",
        module_names=MODULE_NAMES,
    ).new_text


def test_a_cell_becomes_a_test_in_a_new_file() -> None:
    assert plan("") == dedent(
        '''\
        import json
        import os
        from pkg.mod import SAMPLE, count, load


        def test_load():
            # load the sample; import os is only for the path
            rows = load(SAMPLE)

            for row in rows:
                assert row, json.dumps(row)
            expected = """
        a
        """
            assert len(rows) == count(expected)  # three
        '''
    )


def test_an_existing_test_is_replaced_in_place_and_the_rest_stays_byte_identical() -> None:
    before = dedent(
        """\
        \"\"\"Tests.\"\"\"
        import os
        from pkg.mod import load  # already here


        # the old one
        def test_load():
            assert load(1) is None


        def test_other():   # odd   spacing stays
            assert True
        """
    )
    first = plan_test_promotion(
        CELL,
        before,
        test_name="test_load",
        module_name="pkg.mod",
        module_names=MODULE_NAMES,
        target_name="tests/test_mod.py",
    )
    assert first.definitions_replaced == ("test_load",)
    assert first.imports_added == ("import json", "from pkg.mod import SAMPLE, count")
    assert first.diff.startswith("# replaces `test_load` (2 lines → 10)\n--- a/tests/test_mod.py\n")
    head, tail = before.split("def test_load():\n    assert load(1) is None\n")
    assert first.new_text.startswith(
        head.replace(
            "# already here\n", "# already here\nimport json\nfrom pkg.mod import SAMPLE, count\n"
        )
    )
    assert first.new_text.endswith(tail)
    again = plan(first.new_text)
    assert again == first.new_text


def test_a_new_test_is_appended() -> None:
    plan_ = plan_test_promotion(
        "assert f(2) == 4\n",
        "def test_g():\n    pass\n",
        test_name="test_f",
        module_name="mod",
        module_names=["f", "g"],
    )
    assert plan_.definitions_added == ("test_f",)
    assert plan_.new_text == (
        "from mod import f\ndef test_g():\n    pass\n\n\ndef test_f():\n    assert f(2) == 4\n"
    )


def test_a_cell_without_an_assert_is_refused() -> None:
    with pytest.raises(PromotionRefused, match="at least one assert"):
        plan_test_promotion(
            "import os\nprint(f(2))\n", "", test_name="test_f", module_name="m", module_names=["f"]
        )
    with pytest.raises(PromotionRefused, match="not a valid test function name"):
        plan_test_promotion("assert 1\n", "", test_name="test f", module_name="m", module_names=[])


def test_names_the_cell_binds_itself_are_not_imported_from_the_module() -> None:
    cell = "from elsewhere import load\ndef count(x):\n    return 1\nassert count(load()) == 1\n"
    plan_ = plan_test_promotion(
        cell, "", test_name="test_x", module_name="pkg.mod", module_names=["load", "count"]
    )
    assert plan_.imports_added == ("from elsewhere import load",)
    assert default_test_name(cell, ["load", "count"]) == "test_load"
    assert default_test_name("x = 1\nassert x\n", ["load"]) == "test_cell"
    assert default_test_name("assert g(f(1))\n", ["f", "g"]) == "test_g"


def test_module_names_and_test_targets() -> None:
    assert module_name_for("src/pkg/mod.py") == "pkg.mod"
    assert module_name_for("pkg/__init__.py") == "pkg"
    assert module_name_for("src/pkg/__init__.py") == "pkg"
    assert module_name_for("mod.py") == "mod"
    assert module_name_for("./src.py") == "src"
    assert module_name_for("pkg\\sub\\mod.py") == "pkg.sub.mod"
    for bad in ("my-scripts/x.py", "/abs/mod.py", "../mod.py", "mod.txt", "__init__.py"):
        with pytest.raises(PromotionRefused):
            module_name_for(bad)
    assert test_target_for("pkg.mod") == "tests/test_mod.py"
    assert test_target_for("mod") == "tests/test_mod.py"
