"""Promotion into a 5,000-line module, against a libcst parse of that module.

The project holds ``src/shop/big.py``: 5,000 lines of functions and classes with
docstrings and comments. A resumed session (on a kernel stub) holds a cell that ran
without error and defines a new function that uses the module's own function and an
import from an earlier cell.
Then, interleaved:

- measured: the two waits of a promotion. ``Session.draft_promotion`` is what the human
  waits for before the diff shows; ``Session.promote_draft`` of that draft is what they
  wait for after confirming it (the hash-checked atomic write, the import in a fresh
  interpreter, the ledger and provenance records). The file is put back after each;
- baseline: ``libcst.parse_module`` of the module's text.

Bar: ≤ 1.5× the parse, for each wait (medians). Their sum is printed too.

Run:  python benchmarks/promotion.py [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import libcst
from _common import Figure, median, ms, parse_arguments, report
from _stubs import InstantKernel, record

from pairrepl.core.cells import Origin
from pairrepl.core.events import CellFinished, CellSubmitted, KernelStarted, SessionStarted
from pairrepl.core.execution import ExecutionStatus
from pairrepl.ledger import Ledger
from pairrepl.session import Session

SESSION_ID = "bench0promote"
TARGET = "src/shop/big.py"

HEADER = '''\
"""Prices, stock and orders of the shop (a big module, as they grow)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

TAX_RATE = 0.2
'''

BLOCK = '''

def price_with_tax_{n}(price: float, quantity: int = 1) -> float:
    """The price of ``quantity`` items of kind {n}, tax included, rounded to cents."""
    # Kind {n} is taxed like every other kind; rounding happens once, at the end.
    total = price * quantity * (1 + TAX_RATE)
    if total < 0:
        raise ValueError(f"negative price for kind {n}: {{price}}")
    return round(total, 2)


@dataclasses.dataclass
class Stock{n}:
    """How many items of kind {n} are on the shelf and in the back."""

    shelf: int = 0
    back: int = 0

    def total(self) -> int:
        return self.shelf + self.back

    def restock(self, items: Iterable[int]) -> None:
        for count in items:
            self.back += max(count, 0)
        self.shelf, self.back = self.shelf + self.back // 2, self.back - self.back // 2
'''

CELL = '''\
def order_value(prices, quantities):
    """The value of an order, tax included."""
    values = [price_with_tax_1(p, q) for p, q in zip(prices, quantities)]
    return round(sum(values) + statistics.fmean(values) * 0.01, 2)
'''
EARLIER_CELL = "import statistics\nfrom decimal import Decimal\n"


def module_text(lines: int) -> str:
    blocks, n = [HEADER], 0
    while sum(block.count("\n") for block in blocks) < lines:
        n += 1
        blocks.append(BLOCK.format(n=n))
    return "".join(blocks)


def write_project(root: Path, lines: int) -> str:
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    package = root / "src" / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    text = module_text(lines)
    (root / TARGET).write_text(text)
    record(
        root,
        SESSION_ID,
        [
            SessionStarted(str(root)),
            KernelStarted("an earlier kernel"),
            CellSubmitted("earlier", EARLIER_CELL, Origin.HUMAN),
            CellFinished("earlier", 1, ExecutionStatus.OK, 0.01),
            CellSubmitted("cell", CELL, Origin.HUMAN),
            CellFinished("cell", 2, ExecutionStatus.OK, 0.01),
        ],
    )
    return text


def parse_time(text: str) -> float:
    started = time.perf_counter()
    libcst.parse_module(text)
    return time.perf_counter() - started


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    lines, rounds = (500, 3) if arguments.quick else (5_000, 9)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory).resolve()
        text = write_project(root, lines)
        ledger = Ledger.open(root)
        session = await Session.resume(root, InstantKernel(), ledger, SESSION_ID)  # type: ignore[arg-type]
        try:
            parse_time(text)  # warm up libcst's parser and our imports
            session.draft_promotion("cell", target=TARGET)
            parses, drafts, promotions = [], [], []
            for _ in range(rounds):
                parses.append(parse_time(text))
                started = time.perf_counter()
                draft = session.draft_promotion("cell", target=TARGET)
                drafts.append(time.perf_counter() - started)
                assert draft.blocked is None, draft.blocked
                started = time.perf_counter()
                promotion = await session.promote_draft(draft, None)
                promotions.append(time.perf_counter() - started)
                assert promotion.changed
                (root / TARGET).write_text(text)  # back as it was, for the next round
        finally:
            await session.close()
            ledger.close()
    details = [
        f"the draft added {', '.join(draft.symbols)} and the imports {draft.imports_from_session}"
    ]
    what = f"into a {text.count(chr(10)):,}-line module"
    figures = two_waits(
        parses,
        drafts,
        promotions,
        draft_name=f"promotion draft (the diff shown) {what}",
        write_name=f"promotion of the draft shown (write, import check, records) {what}",
        baseline_name="libcst parse of the module",
        details=details,
    )
    report(figures, arguments.json)


def two_waits(
    parses: list[float],
    drafts: list[float],
    writes: list[float],
    *,
    draft_name: str,
    write_name: str,
    baseline_name: str,
    details: list[str],
) -> list[Figure]:
    """The figures of a promotion's two waits, each against the parse (bar ≤ 1.5×)."""
    parse, draft_time, write_time = median(parses), median(drafts), median(writes)
    rounds = [
        f"{len(parses)} interleaved rounds; parse {', '.join(ms(s) for s in parses)}",
        f"draft {', '.join(ms(s) for s in drafts)}",
        f"write of the draft {', '.join(ms(s) for s in writes)}",
        "both waits (median of the sums): "
        + ms(median([d + w for d, w in zip(drafts, writes, strict=True)])),
    ]
    return [
        Figure(
            name=draft_name,
            measured=draft_time,
            unit="s",
            baseline=parse,
            baseline_name=baseline_name,
            bar="≤ 1.5×",
            met=draft_time <= 1.5 * parse,
            details=rounds + details,
        ),
        Figure(
            name=write_name,
            measured=write_time,
            unit="s",
            baseline=parse,
            baseline_name=baseline_name,
            bar="≤ 1.5×",
            met=write_time <= 1.5 * parse,
        ),
    ]


if __name__ == "__main__":
    asyncio.run(main())
