"""Is this input a complete cell? Decided here, in our process, the way IPython decides.

Enter in the prompt asks this on every key press that could submit. Asking the kernel
(``is_complete_request``) would wait behind a running cell on the shell channel, so we
use IPython's own ``TransformerManager`` locally: same answer (magics, ``?`` help and
line continuations included), no round trip.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _transformer() -> Any:
    """IPython's, made at the first question: importing IPython takes a few tens of ms
    that ``pairrepl`` would otherwise spend before it launches the kernel."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()  # type: ignore[no-untyped-call]


def check_complete(code: str) -> str:
    """``"complete"``, ``"incomplete"`` or ``"invalid"``."""
    status, _indent = _transformer().check_complete(code)
    return status if status in ("complete", "incomplete", "invalid") else "invalid"
