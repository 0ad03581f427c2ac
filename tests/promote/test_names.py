"""unresolved_names and top_level_bindings: what code needs, and how a cell bound it."""

from __future__ import annotations

from textwrap import dedent

import pytest

from pairrepl.promote import (
    Binding,
    PromotionRefused,
    names_needed,
    top_level_bindings,
    unresolved_names,
)


def test_reads_in_every_scope_are_found_and_bindings_in_reach_resolve_them() -> None:
    module = dedent(
        """\
        import os.path
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            Alias = TypeOnly


        @decorate
        def f(a=DEFAULT, *, b: ParamType = 1) -> ReturnType:
            global counter, declared_only
            counter = 1
            print(later, os.sep, __file__, __name__, len)
            later = 2
            local: NeverEvaluated = 3

            def closure():
                return a + later + from_nowhere

            return [i + j for i in items], (lambda v: v + lam_free)


        class C(Base, metaclass=Meta):
            attr = 1
            first = [x for x in attr]  # the first iterable is evaluated in the class
            other = [attr for _ in range(3)]  # class names are not visible in here
            here = __module__, __qualname__

            def method(self) -> "ForwardRef":
                return attr, self


        [found := n for n in range(2)]
        print(found)
        match point:
            case Point(x=px) as pt:
                print(px, pt)
            case {"k": 1, **rest}:
                print(rest)
            case [head, *tail]:
                print(head, tail)
        try:
            pass
        except Problem as error:
            print(error)
        del gone
        """
    )
    assert unresolved_names(module) == (
        "Base",
        "DEFAULT",
        "Meta",
        "ParamType",
        "Point",
        "Problem",
        "ReturnType",
        "TypeOnly",
        "attr",
        "declared_only",
        "decorate",
        "from_nowhere",
        "gone",
        "items",
        "j",
        "lam_free",
        "point",
    )


def test_unevaluated_annotations_are_not_reads() -> None:
    module = "from __future__ import annotations\ndef f(x: Frame) -> Out:\n    return x\n"
    assert unresolved_names(module) == ()
    assert unresolved_names(module.split("\n", 1)[1]) == ("Frame", "Out")


def test_a_star_import_means_nothing_can_be_known() -> None:
    assert unresolved_names("from pandas import *\nprint(DataFrame, anything)\n") == ()


def test_bindings_say_which_import_line_binds_each_name() -> None:
    cell = dedent(
        """\
        import numpy as np, os
        from a import (b,
            c as see)
        from . import sibling
        import xml.etree.ElementTree
        import json; json = None
        from pandas import *
        for i in range(3):
            square = i * i
        def helper():
            global made_by_call
            made_by_call = 1
        [seen := k for k in range(2)]
        class Box:
            inner = 1
        """
    )
    assert top_level_bindings(cell) == {
        "np": Binding("import", "import numpy as np"),
        "os": Binding("import", "import os"),
        "b": Binding("import", "from a import b"),
        "see": Binding("import", "from a import c as see"),
        "sibling": Binding("import", "from . import sibling"),
        "xml": Binding("import", "import xml.etree.ElementTree"),
        "json": Binding("definition"),  # the last binding wins, as when the cell ran
        "i": Binding("definition"),
        "square": Binding("definition"),
        "helper": Binding("definition"),
        "seen": Binding("definition"),
        "Box": Binding("definition"),
    }


def test_code_that_does_not_parse_is_refused() -> None:
    with pytest.raises(PromotionRefused):
        unresolved_names("%timeit f()\n")
    with pytest.raises(PromotionRefused):
        top_level_bindings("def (:\n")


@pytest.mark.parametrize(
    ("cell", "module", "needed"),
    [
        # read in the promoted function, bound nowhere / by the module / by the cell
        (
            "def f():\n    return np.pi + helper() + g()\n\ndef g():\n    return 1\n",
            "",
            ("helper", "np"),
        ),
        (
            "import numpy as np\ndef f():\n    return np.pi + helper()\n",
            "def helper():\n    return 2\n",
            (),
        ),
        # bound at the module's top level in every way Python binds a name there
        (
            "def f():\n    return a + b + c + d + e + w\n",
            "a = 1\nfor b in ():\n    pass\nwith x() as c:\n    pass\ntry:\n    pass\nexcept E as d:\n    pass\nimport e\n[w := 1 for _ in ()]\n",
            (),
        ),
        (
            "def f():\n    return counter\n",
            "def bump():\n    global counter\n    counter = 1\n",
            (),
        ),
        # bound only inside another function: not at the module's top level
        ("def f():\n    return inner\n", "def other():\n    inner = 1\n", ("inner",)),
        # a star import binds what cannot be known; left-behind statements do not count
        ("def f():\n    return anything\n", "from os.path import *\n", ()),
        ("def f():\n    return anything\n", "'''import *'''\n", ("anything",)),
        ("def f():\n    return 1\nprint(unbound_here)\n", "", ()),
    ],
)
def test_names_needed_are_what_the_promoted_code_reads_and_the_module_never_binds(
    cell: str, module: str, needed: tuple[str, ...]
) -> None:
    assert names_needed(cell, module) == needed


def test_names_needed_agree_with_unresolved_names_where_the_module_does_not_compile() -> None:
    # libcst parses a duplicate argument; Python's symbol table refuses it.
    module = "def g(x, x):\n    pass\n"
    cell = "def f():\n    return helper\n"
    assert names_needed(cell, module) == ("helper",)
