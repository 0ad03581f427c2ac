"""Python's cyclic garbage collector, paused while a long record is read.

A resume folds a long ledger into hundreds of thousands of objects that the transcript
keeps, and a report reads as many provenance records: the collector's passes over them
find nothing, yet they took about half of the time of a 100,000-event resume (issue 9,
docs/benchmarks.md). Events and records hold no reference cycles, so nothing is left
waiting for the collector; reference counting still frees everything else at once.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cyclic_gc_paused(*, collect_after: bool = True) -> Iterator[None]:
    """Pause the collector for the block; nothing else may run meanwhile (no awaits).

    With ``collect_after``, one full collection at the end takes in the new objects now,
    before anything is on screen; else the collector's first pass over them came a
    moment later, in the middle of the human's first key press (tests/tui/test_scale.py
    saw +120 ms). A command that prints and exits has no use for it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if collect_after:
                gc.collect()
