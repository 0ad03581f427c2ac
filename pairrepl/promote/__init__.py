"""Promotion: cells that ran become definitions in the project's modules.

`plan_promotion` (pure) says what a cell contributes and the module's new text;
`plan_test_promotion` does the same for a cell of asserts, as a pytest test;
`write_promotion` writes it safely or refuses; `undo_text` reverts exactly or refuses.
`top_level_symbols` finds each symbol's lines in a module (for provenance and blame);
`unresolved_names` and `top_level_bindings` find what promoted code needs from other
cells. libcst is used here and nowhere else in the project.

The names below load lazily (PEP 562): libcst takes about half a second to import, and
the app should not pay for it before the first promotion. `from pairrepl.promote import
X` and `promote.X` load what `X` needs when it is first asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pairrepl.core.provenance import Symbol
    from pairrepl.promote.errors import PromotionRefused
    from pairrepl.promote.names import Binding, names_needed, top_level_bindings, unresolved_names
    from pairrepl.promote.paths import (
        module_name_for,
        new_target_trouble,
        test_file_for,
        test_target_for,
    )
    from pairrepl.promote.plan import PromotionPlan, Replacement, Shadowing, plan_promotion
    from pairrepl.promote.symbols import CONSTANT_NAME, top_level_symbols
    from pairrepl.promote.testplan import (
        default_test_name,
        names_the_test_needs,
        plan_test_promotion,
    )
    from pairrepl.promote.undo import undo_text
    from pairrepl.promote.write import (
        missing_folders,
        read_target,
        remove_created,
        resolve_target,
        write_module_text,
        write_promotion,
    )

_HOMES = {
    "Binding": "pairrepl.promote.names",
    "CONSTANT_NAME": "pairrepl.promote.symbols",
    "PromotionPlan": "pairrepl.promote.plan",
    "PromotionRefused": "pairrepl.promote.errors",
    "Replacement": "pairrepl.promote.plan",
    "Shadowing": "pairrepl.promote.plan",
    "Symbol": "pairrepl.core.provenance",
    "default_test_name": "pairrepl.promote.testplan",
    "module_name_for": "pairrepl.promote.paths",
    "new_target_trouble": "pairrepl.promote.paths",
    "test_file_for": "pairrepl.promote.paths",
    "names_needed": "pairrepl.promote.names",
    "names_the_test_needs": "pairrepl.promote.testplan",
    "plan_promotion": "pairrepl.promote.plan",
    "plan_test_promotion": "pairrepl.promote.testplan",
    "missing_folders": "pairrepl.promote.write",
    "read_target": "pairrepl.promote.write",
    "remove_created": "pairrepl.promote.write",
    "resolve_target": "pairrepl.promote.write",
    "test_target_for": "pairrepl.promote.paths",
    "top_level_bindings": "pairrepl.promote.names",
    "top_level_symbols": "pairrepl.promote.symbols",
    "undo_text": "pairrepl.promote.undo",
    "unresolved_names": "pairrepl.promote.names",
    "write_module_text": "pairrepl.promote.write",
    "write_promotion": "pairrepl.promote.write",
}

__all__ = [
    "CONSTANT_NAME",
    "Binding",
    "PromotionPlan",
    "PromotionRefused",
    "Replacement",
    "Shadowing",
    "Symbol",
    "default_test_name",
    "missing_folders",
    "module_name_for",
    "names_needed",
    "names_the_test_needs",
    "new_target_trouble",
    "plan_promotion",
    "plan_test_promotion",
    "read_target",
    "remove_created",
    "resolve_target",
    "test_file_for",
    "test_target_for",
    "top_level_bindings",
    "top_level_symbols",
    "undo_text",
    "unresolved_names",
    "write_module_text",
    "write_promotion",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value
