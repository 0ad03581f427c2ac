"""A cell of asserts promoted as a test into a 7,000-line test module, against a libcst
parse of that test module (issue 16 item 9).

The project is `promotion.py`'s (``src/shop/big.py``, 5,000 lines) plus
``tests/test_big.py``: about 7,000 lines of unittest classes shaped like more-itertools'
``tests/test_more.py`` (a class per function under test, methods of ``assertEqual``
calls, comprehensions, ``with self.assertRaises``). A resumed session (on a kernel stub)
promoted ``order_value`` into the module, then ran a cell of three asserts about it and
the module's own functions. Then, interleaved:

- measured: the two waits of a test promotion. ``Session.draft_promotion(as_test=True)``
  (finding the module under test and the test file, what the test needs, the plan and
  the diff), and ``Session.promote_draft`` of that draft (the hash-checked atomic write,
  running the test module in a fresh interpreter, the records). The file is put back
  after each;
- baseline: ``libcst.parse_module`` of the test module's text.

Bar: ≤ 1.5× the parse, for each wait (medians). It took 16 s on the real
``tests/test_more.py`` when names were resolved over the whole test file.

Run:  python benchmarks/promotion_as_test.py [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from _common import parse_arguments, report
from _stubs import InstantKernel, record
from promotion import CELL, SESSION_ID, TARGET, parse_time, two_waits, write_project

from pairrepl.core.cells import Origin
from pairrepl.core.events import CellFinished, CellSubmitted, PromotionWritten
from pairrepl.core.execution import ExecutionStatus
from pairrepl.ledger import Ledger
from pairrepl.session import Session

TEST_FILE = "tests/test_big.py"

TEST_HEADER = '''\
"""Tests of shop.big, a class per function (as the big projects lay them out)."""

from unittest import TestCase

from shop import big
from shop.big import TAX_RATE
'''

TEST_BLOCK = '''

class PriceWithTax{n}Tests(TestCase):
    """price_with_tax_{n} and Stock{n}."""

    def test_basic(self):
        self.assertEqual(big.price_with_tax_{n}(10.0), round(12.0, 2))
        self.assertEqual(big.price_with_tax_{n}(10.0, 2), round(24.0, 2))

    def test_negative(self):
        with self.assertRaises(ValueError):
            big.price_with_tax_{n}(-1.0)

    def test_stock(self):
        stock = big.Stock{n}(shelf=1, back=2)
        stock.restock([3, -1])
        self.assertEqual(stock.total(), 6)
        expected = [i * (1 + TAX_RATE) for i in range({n} % 7)]
        self.assertEqual([i * (1 + TAX_RATE) for i in range({n} % 7)], expected)
'''

ASSERTS = (
    "assert order_value([10.0], [1]) > 0\n"
    "assert price_with_tax_1(10.0) == 12.0\n"
    "assert Stock2(shelf=1).total() == 1\n"
)


def test_module_text(lines: int) -> str:
    blocks, n = [TEST_HEADER], 0
    while sum(block.count("\n") for block in blocks) < lines:
        n += 1
        blocks.append(TEST_BLOCK.format(n=n))
    return "".join(blocks)


def write_test_project(root: Path, module_lines: int, test_lines: int) -> str:
    module = write_project(root, module_lines)
    promoted = module + "\n\n" + CELL
    (root / TARGET).write_text(promoted)
    text = test_module_text(test_lines)
    (root / "tests").mkdir()
    (root / TEST_FILE).write_text(text)
    record(
        root,
        SESSION_ID,
        [
            PromotionWritten(
                "earlier0promo", "cell", TARGET, module, promoted, ("order_value",), Origin.HUMAN
            ),
            CellSubmitted("asserts", ASSERTS, Origin.HUMAN),
            CellFinished("asserts", 3, ExecutionStatus.OK, 0.01),
        ],
    )
    return text


async def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    module_lines, test_lines, rounds = (500, 700, 3) if arguments.quick else (5_000, 7_000, 9)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory).resolve()
        text = write_test_project(root, module_lines, test_lines)
        ledger = Ledger.open(root)
        session = await Session.resume(root, InstantKernel(), ledger, SESSION_ID)  # type: ignore[arg-type]
        try:
            parse_time(text)  # warm up libcst's parser and our imports
            session.draft_promotion("asserts", as_test=True)
            parses, drafts, promotions = [], [], []
            for _ in range(rounds):
                parses.append(parse_time(text))
                started = time.perf_counter()
                draft = session.draft_promotion("asserts", as_test=True)
                drafts.append(time.perf_counter() - started)
                assert draft.refusal is None, draft.refusal
                assert draft.target == TEST_FILE, draft.target
                started = time.perf_counter()
                await session.promote_draft(draft, None)
                promotions.append(time.perf_counter() - started)
                (root / TEST_FILE).write_text(text)  # back as it was, for the next round
        finally:
            await session.close()
            ledger.close()
    what = f"into a {text.count(chr(10)):,}-line test module"
    figures = two_waits(
        parses,
        drafts,
        promotions,
        draft_name=f"test promotion draft (the diff shown) {what}",
        write_name=(
            f"test promotion of the draft shown (write, the test module run in a fresh "
            f"interpreter, records) {what}"
        ),
        baseline_name="libcst parse of the test module",
        details=[f"the test imports {', '.join(draft.plan.imports_added)}"],
    )
    report(figures, arguments.json)


if __name__ == "__main__":
    asyncio.run(main())
