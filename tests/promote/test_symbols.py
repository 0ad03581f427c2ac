"""top_level_symbols: spans and texts are the exact lines each symbol occupies."""

from __future__ import annotations

from textwrap import dedent

import pytest

from pairrepl.promote import PromotionRefused, Symbol, top_level_symbols

MODULE = dedent(
    '''\
    """Doc."""
    import os  # the os
    from a import (
        b,
    )

    # above the decorator: not part of f

    @decorator  # on the decorator
    @other(
        1,
    )
    def f(x):
        return x  # last line of f
    # after f


    class Point:
        x: int

        # trailing, indented: belongs to Point (as libcst, and promotion, read it)
    LIMIT = 3; import sys
    lower = 4
    retries: int = 3
    if True:
        INSIDE = 1
    '''
)


def test_spans_start_at_the_first_decorator_and_end_on_the_last_line() -> None:
    symbols = top_level_symbols(MODULE)
    assert [(s.name, s.kind, s.first_line, s.last_line) for s in symbols] == [
        ("import os", "import", 2, 2),
        ("from a import (\n    b,\n)", "import", 3, 5),
        ("f", "function", 9, 14),
        ("Point", "class", 18, 21),
        ("LIMIT", "constant", 22, 22),
        ("import sys", "import", 22, 22),
        ("retries", "constant", 24, 24),
    ]
    by_name = {s.name: s for s in symbols}
    assert by_name["f"].text == (
        "@decorator  # on the decorator\n@other(\n    1,\n)\ndef f(x):\n"
        "    return x  # last line of f\n"
    )
    assert by_name["import os"].text == "import os  # the os\n"
    assert by_name["LIMIT"].text == by_name["import sys"].text == "LIMIT = 3; import sys\n"
    lines = MODULE.splitlines(keepends=True)
    for symbol in symbols:
        assert symbol.text == "".join(lines[symbol.first_line - 1 : symbol.last_line])


def test_crlf_a_missing_final_newline_and_form_feeds_keep_exact_texts() -> None:
    text = "\x0c\r\nimport os\r\n\r\nasync def g():\r\n    pass\r\nX = 1"
    assert top_level_symbols(text) == (
        Symbol("import os", "import", 2, 2, "import os\r\n"),
        Symbol("g", "function", 4, 5, "async def g():\r\n    pass\r\n"),
        Symbol("X", "constant", 6, 6, "X = 1"),
    )


def test_a_module_that_does_not_parse_is_refused() -> None:
    with pytest.raises(PromotionRefused, match="not valid Python"):
        top_level_symbols("def (:\n")
