"""Blame without parsing gives what blame with the parsed symbols gives, on modules no
one here wrote: the standard library's and installed packages' own source files, each
symbol recorded as it stands, then with one function edited by hand."""

import sysconfig
from pathlib import Path

from pairrepl import promote
from pairrepl.core.cells import Origin
from pairrepl.core.provenance import (
    PromotionFacts,
    ProvenanceRecord,
    Symbol,
    blame,
    blame_in_place,
    record_for,
)
from pairrepl.promote.errors import PromotionRefused

FACTS = PromotionFacts("p1", Origin.AI, "s1", 1.0)


def real_modules(limit: int) -> list[Path]:
    folders = [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    found: list[Path] = []
    for folder in folders:
        found += sorted(folder.glob("*.py"))[: limit // 2]
        found += sorted(folder.glob("*/*.py"))[: limit // 2]
    return found


def recorded(text: str) -> tuple[tuple[Symbol, ...], list[ProvenanceRecord]]:
    symbols = promote.top_level_symbols(text)
    return symbols, [record_for(symbol, "m.py", FACTS) for symbol in symbols]


def test_blame_in_place_agrees_with_blame_on_real_modules() -> None:
    compared = in_place = refused = edited_ones = 0
    for path in real_modules(200):
        try:
            text = path.read_text(encoding="utf-8")
            symbols, records = recorded(text)
        except (UnicodeDecodeError, PromotionRefused):
            continue
        compared += 1
        fast = blame_in_place(text, records)
        if fast is None:
            refused += 1
        else:
            in_place += 1
            assert fast == blame(text, symbols, records), path
        functions = [s for s in symbols if s.kind == "function" and s.text.count("\n") > 2]
        if functions:  # one function edited by hand since: never blamed in place
            edited_ones += 1
            body = functions[0].text.splitlines(keepends=True)
            body[1] = "    pass  # edited\n" + body[1]
            edited = text.replace(functions[0].text, "".join(body), 1)
            assert blame_in_place(edited, records) is None, path
    print(f"{compared} modules: {in_place} blamed in place, {refused} left to the parser;")
    print(f"{edited_ones} with a function edited by hand, none blamed in place")
    assert compared > 100 and in_place > compared // 2


def test_a_symbol_that_grew_or_got_a_decorator_is_left_to_the_parser() -> None:
    text = "def f(x):\n    return x\n\n\nLIMIT = 3\n"
    symbols, records = recorded(text)
    assert blame_in_place(text, records) == blame(text, symbols, records)
    grown = text.replace("    return x\n", "    return x\n\n    print('unreachable')\n")
    assert blame_in_place(grown, records) is None
    assert blame_in_place("@cache\n" + text, records) is None
    assert blame_in_place(text + "\n\nLIMIT = 3\n", records) is None  # twice: which one?
