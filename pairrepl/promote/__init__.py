"""Promotion: cells that ran become definitions in the project's modules.

`plan_promotion` (pure) says what a cell contributes and the module's new text;
`write_promotion` writes it safely or refuses; `undo_text` reverts exactly or refuses.
libcst is used here and nowhere else in the project.
"""

from pairrepl.promote.errors import PromotionRefused
from pairrepl.promote.plan import CONSTANT_NAME, PromotionPlan, plan_promotion
from pairrepl.promote.undo import undo_text
from pairrepl.promote.write import (
    read_target,
    resolve_target,
    write_module_text,
    write_promotion,
)

__all__ = [
    "CONSTANT_NAME",
    "PromotionPlan",
    "PromotionRefused",
    "plan_promotion",
    "read_target",
    "resolve_target",
    "undo_text",
    "write_module_text",
    "write_promotion",
]
