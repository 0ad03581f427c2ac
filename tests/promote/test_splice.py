"""Property: a module's text with statements inserted or replaced, spliced from the
original text, is exactly what libcst generates for the whole edited module (where
libcst gives back the text it parsed: at the end of a file it can drop a blank line,
which splicing keeps)."""

from __future__ import annotations

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st

from pairrepl.promote.splice import Edit, apply_edits, boundary_offsets, statement_offsets

PIECES = st.sampled_from(
    [
        "import os\n",
        "X = 1; Y = 2\n",
        "# a comment\n",
        "\n",
        "   \n",  # a blank line with spaces
        "@decorate\n# between decorators\n@other(1)\ndef f(a,\n      b):\n    return a\n",
        "class C:\n    x = 1\n    # indented, after the body\n",
        "if X:\n    pass\nelif Y:\n    pass\nelse:  # trailing\n    pass\n",
        "try:\n    import json\nexcept ImportError:\n    json = None\n",
        "value = (1 +\n         2)\n",
        '"""A docstring\nover lines."""\n',
        "def g(): return 1\n",
        "\f# after a form feed\n",
    ]
)
NEW = [cst.parse_statement("def added():\n    return 0\n"), cst.parse_statement("Z = 3\n")]


@st.composite
def modules(draw: st.DrawFn) -> str:
    text = "".join(draw(st.lists(PIECES, min_size=1, max_size=10)))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


def codegen(target: cst.Module, edits: list[Edit]) -> str:
    """What libcst writes for the edited module (the slow way splicing replaces)."""
    body: list[cst.BaseStatement] = []
    index = 0
    for edit in sorted(edits, key=lambda edit: (edit.start, edit.end)):
        body.extend(target.body[index : edit.start])
        body.extend(edit.nodes)
        index = max(index, edit.end)
    body.extend(target.body[index:])
    return target.with_changes(body=body).code


@settings(max_examples=300, deadline=None)
@given(text=modules(), data=st.data())
def test_spliced_text_is_libcsts_text_of_the_edited_module(text: str, data: st.DataObject) -> None:
    target = cst.parse_module(text)
    if not target.body:
        return
    if target.code != text:  # libcst drops a blank line above a last line of spaces:
        assert apply_edits(target, text, []) == text  # splicing keeps every byte
        return
    size = len(target.body)
    at = data.draw(st.integers(min_value=0, max_value=size))
    edits = [Edit(at, at, (data.draw(st.sampled_from(NEW)),))]
    if data.draw(st.booleans()):
        replaced = data.draw(st.integers(min_value=0, max_value=size - 1))
        if replaced != at:
            edits.append(Edit(replaced, replaced + 1, (NEW[1],)))
    every = statement_offsets(target, text)  # by Python's parser
    assert every is not None
    assert boundary_offsets(target, text, set(range(size + 1))) == dict(enumerate(every))
    assert apply_edits(target, text, edits) == codegen(target, edits)
