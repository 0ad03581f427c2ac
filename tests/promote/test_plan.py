"""plan_promotion: before/after texts, in the manner of libcst's CodemodTest."""

from __future__ import annotations

from textwrap import dedent

import pytest

from pairrepl.promote import PromotionRefused, plan_promotion


def check(cell: str, before: str, after: str) -> None:
    plan = plan_promotion(dedent(cell), dedent(before))
    assert plan.new_text == dedent(after)


def test_replacing_a_function_keeps_everything_else_byte_identical() -> None:
    before = dedent(
        '''\
        """Tools."""
        import os  # the os


        # helper that stays
        def keep(a):   # odd   spacing stays
            return a


        # the comment above f stays
        @decorator
        def f(x):
            # old body
            return x

        def other( ):
            pass
        '''
    )
    plan = plan_promotion("def f(x):\n    return x * 2\n", before)
    assert plan.definitions_replaced == ("f",)
    assert plan.definitions_added == ()
    assert plan.new_text == before.replace(
        "@decorator\ndef f(x):\n    # old body\n    return x\n",
        "def f(x):\n    return x * 2\n",
    )


def test_a_new_definition_is_appended_before_the_trailing_comments() -> None:
    check(
        "class Point:\n    x: int\n",
        """\
        X = 1
        # end of file
        """,
        """\
        X = 1


        class Point:
            x: int
        # end of file
        """,
    )


def test_constants_are_upper_case_or_annotated_names() -> None:
    plan = plan_promotion(
        "LIMIT = 10\n_PRIVATE_MAX = 2\nretries: int = 3\nlimit = 4\n__all__ = ['x']\na = B = 1\n",
        "",
    )
    assert plan.definitions_added == ("LIMIT", "_PRIVATE_MAX", "retries")
    assert plan.statements_skipped == ("limit = 4", "__all__ = ['x']", "a = B = 1")
    assert plan.new_text == "LIMIT = 10\n_PRIVATE_MAX = 2\nretries: int = 3\n"


def test_a_constant_is_replaced_in_place_with_its_comment() -> None:
    check(
        "LIMIT = 5  # raised\n",
        """\
        import os

        # how many
        LIMIT = 3
        OTHER = 1
        """,
        """\
        import os

        # how many
        LIMIT = 5  # raised
        OTHER = 1
        """,
    )


def test_exploratory_statements_are_skipped_and_listed() -> None:
    cell = dedent(
        """\
        import pandas as pd
        df = pd.read_csv("x.csv")
        df.head()
        print(df.shape)
        for row in df.itertuples():
            pass
        def clean(frame):
            return frame.dropna()
        clean(df); SIZE = 3
        """
    )
    plan = plan_promotion(cell, "")
    assert plan.definitions_added == ("clean", "SIZE")
    assert plan.imports_added == ("import pandas as pd",)
    assert plan.statements_skipped == (
        'df = pd.read_csv("x.csv")',
        "df.head()",
        "print(df.shape)",
        "for row in df.itertuples():\n    pass",
        "clean(df)",
    )
    assert plan.new_text == (
        "import pandas as pd\n\n\ndef clean(frame):\n    return frame.dropna()\n\n\nSIZE = 3\n"
    )


def test_imports_are_merged_into_the_import_block_without_duplicates() -> None:
    # the block runs over blank lines between groups; new lines go at its end
    check(
        """\
        import os
        import sys, json
        import numpy as np
        from a import b, c
        from a import b
        from .local import thing
        def f():
            return 1
        """,
        """\
        \"\"\"Doc.\"\"\"

        import os
        from a import b

        import numpy as np
        X = 1
        """,
        """\
        \"\"\"Doc.\"\"\"

        import os
        from a import b

        import numpy as np
        import sys, json
        from a import c
        from .local import thing
        X = 1


        def f():
            return 1
        """,
    )


def test_imports_go_after_the_docstring_when_the_file_has_none() -> None:
    check(
        "import os\nPATH = os.sep\n",
        '''\
        """Doc."""
        X = 1
        ''',
        '''\
        """Doc."""

        import os
        X = 1

        PATH = os.sep
        ''',
    )


def test_an_aliased_import_is_not_the_same_import() -> None:
    plan = plan_promotion("import numpy as np\n", "import numpy\n")
    assert plan.imports_added == ("import numpy as np",)


def test_promoting_the_same_cell_twice_changes_nothing_the_second_time() -> None:
    cell = dedent(
        """\
        import os
        from a import b
        # a comment for g
        def g():
            return os.sep
        LIMIT = 2
        print(g())
        """
    )
    first = plan_promotion(cell, "import sys\n\n\ndef f():\n    pass\n")
    assert first.has_changes
    second = plan_promotion(cell, first.new_text)
    assert not second.has_changes
    assert second.new_text == first.new_text
    assert second.diff == ""
    assert second.definitions_added == second.definitions_replaced == ()
    assert second.definitions_unchanged == ("g", "LIMIT")
    assert second.imports_added == ()


def test_the_last_definition_of_a_name_in_the_cell_wins() -> None:
    plan = plan_promotion("def f():\n    return 1\ndef f():\n    return 2\n", "")
    assert plan.new_text == "def f():\n    return 2\n"


def test_the_diff_is_unified_and_names_the_target() -> None:
    plan = plan_promotion("X = 2\n", "X = 1\n", target_name="pkg/mod.py")
    assert plan.diff == (
        "# replaces `X` (1 line → 1)\n"
        "--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -1 +1 @@\n-X = 1\n+X = 2\n"
    )


def test_a_target_without_a_final_newline_gets_one_only_when_appended_to() -> None:
    assert plan_promotion("Y = 2\n", "X = 1").new_text == "X = 1\n\nY = 2\n"
    assert plan_promotion("X = 2\n", "X = 1").new_text == "X = 2"


def test_crlf_files_keep_their_line_endings() -> None:
    plan = plan_promotion("def g():\n    return 1\n", "X = 1\r\n")
    assert plan.new_text == "X = 1\r\n\r\n\r\ndef g():\r\n    return 1\r\n"


def test_a_cell_or_target_that_does_not_parse_is_refused() -> None:
    with pytest.raises(PromotionRefused, match="the cell is not valid Python"):
        plan_promotion("%timeit f()\n", "")
    with pytest.raises(PromotionRefused, match=r"mod\.py is not valid Python"):
        plan_promotion("X = 1\n", "def (:\n", target_name="mod.py")


def test_extra_imports_merge_like_the_cells_own_without_duplicates() -> None:
    plan = plan_promotion(
        "import os\ndef f(a):\n    return np.array(a), os.sep, b\n",
        '"""Doc."""\nimport numpy as np\n',
        extra_imports=["import numpy as np", "import os", "from a import b, c", "from a import b"],
    )
    # extras come first, as imports of earlier cells would; the cell's `import os` is a dup
    assert plan.imports_added == ("import os", "from a import b, c")
    assert plan.new_text == (
        '"""Doc."""\nimport numpy as np\nimport os\nfrom a import b, c\n\n\n'
        "def f(a):\n    return np.array(a), os.sep, b\n"
    )
    again = plan_promotion(
        "def f(a):\n    return np.array(a), os.sep, b\n",
        plan.new_text,
        extra_imports=["import os", "from a import b"],
    )
    assert not again.has_changes


def test_an_extra_import_that_is_not_an_import_is_refused() -> None:
    with pytest.raises(PromotionRefused, match="not an import statement"):
        plan_promotion("X = 1\n", "", extra_imports=["import os\nprint(os)"])
    with pytest.raises(PromotionRefused, match="not valid Python"):
        plan_promotion("X = 1\n", "", extra_imports=["import"])


def test_new_definitions_go_where_the_user_chooses() -> None:
    target = "import os\n\n\ndef first():\n    pass\n\n\ndef last():\n    pass\n"
    plan = plan_promotion("import re\ndef middle():\n    return 2\n", target, place_after="first")
    assert plan.new_text == (
        "import os\nimport re\n\n\ndef first():\n    pass\n\n\ndef middle():\n    return 2\n"
        "\n\ndef last():\n    pass\n"
    )
    with pytest.raises(PromotionRefused, match="no 'nowhere'"):
        plan_promotion("def middle():\n    return 2\n", target, place_after="nowhere")
