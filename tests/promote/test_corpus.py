"""Promotion over real modules of installed packages, on copies in a temporary project.

For each module: (a) a new function promoted into it: the diff only adds lines; (b) every
top-level function and class promoted as its own current source: nothing would change;
(c) undo of (a) restores the identical bytes; (d) a CRLF copy stays CRLF, docstrings
included. The modules are those issue 16 was reproduced on (more-itertools, rich, click,
attrs: test dependencies) and a deterministic sample of the rest of those packages and of
pairrepl's own dependencies. It prints what it covered and the slowest promotion.
"""

from __future__ import annotations

import hashlib
import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pairrepl.core.cells import code_hash
from pairrepl.promote import (
    PromotionRefused,
    plan_promotion,
    read_target,
    top_level_symbols,
    undo_text,
    write_module_text,
    write_promotion,
)

PACKAGES = ("more_itertools", "rich", "click", "attr", "jupyter_client", "nbformat", "tornado")
NAMED = (  # issue 16's modules, always in
    "more_itertools/more.py",
    "rich/text.py",
    "rich/box.py",
    "rich/repr.py",
    "click/core.py",
    "attr/_make.py",
)
SAMPLE_ONE_IN = 4  # of the other modules, by a stable hash of their path
MAX_SAMPLED = 24

PROBE = '''\
def pairrepl_corpus_probe(items):
    """A function no module has.

    Its docstring spans lines, so a CRLF file shows whether they got CRLF too.
    """
    return [item for item in items if item]
'''


def corpus() -> list[tuple[str, Path]]:
    """(path relative to site-packages, file) for the modules tried, in a stable order."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(folder.rglob("*.py")):
            if "test" in path.relative_to(folder.parent).parts[1:-1]:
                continue  # a package's own tests are not what gets promoted into
            found[path.relative_to(folder.parent).as_posix()] = path
    named = [(name, found[name]) for name in NAMED if name in found]
    others = [
        (name, path)
        for name, path in found.items()
        if name not in NAMED
        and int(hashlib.sha256(name.encode()).hexdigest(), 16) % SAMPLE_ONE_IN == 0
    ]
    return named + others[:MAX_SAMPLED]


@dataclass
class Coverage:
    modules: int = 0
    definitions: int = 0
    skipped: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def timed(self, name: str, started: float) -> None:
        self.slowest = max(self.slowest, (time.perf_counter() - started, name))


@pytest.mark.timeout(300)  # about 15 s on a quiet machine; the suite runs on a busy one
def test_promotion_over_real_modules(tmp_path: Path) -> None:
    modules = corpus()
    assert {name for name, _ in modules} >= set(NAMED)
    coverage = Coverage()
    for name, source in modules:
        text = source.read_bytes().decode("utf-8")
        if "\r" in text or not text.endswith("\n"):
            coverage.skipped.append(f"{name} (line endings)")
            continue
        try:
            compile(text, name, "exec", dont_inherit=True)
        except SyntaxError:
            coverage.skipped.append(f"{name} (this Python cannot compile it)")
            continue
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode())
        coverage.modules += 1
        coverage.definitions += check_module(tmp_path, name, text, coverage)
    print(
        f"\npromotion corpus: {coverage.modules} modules of {len(PACKAGES)} packages, "
        f"{coverage.definitions} definitions; slowest promotion {coverage.slowest[0]:.2f} s "
        f"({coverage.slowest[1]}); skipped {len(coverage.skipped)}: {coverage.skipped}"
    )
    assert coverage.modules >= len(NAMED) + 10


def check_module(root: Path, name: str, text: str, coverage: Coverage) -> int:
    # (a) a new function: the diff only adds lines, before a closing main block if any
    started = time.perf_counter()
    plan = plan_promotion(PROBE, text, target_name=name)
    coverage.timed(name, started)
    removed = [
        line
        for line in plan.diff.splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    assert plan.definitions_added == ("pairrepl_corpus_probe",), name
    assert removed == [], (name, removed)
    compile(plan.new_text, name, "exec", dont_inherit=True)

    # (c) written, then undone: the same bytes
    write_promotion(root, name, plan, code_hash(text))
    current = read_target(root, name)
    write_module_text(root, name, undo_text(text, plan.new_text, current), code_hash(current))
    assert (root / name).read_bytes() == text.encode(), name

    # (b) every top-level function and class, as it stands: nothing would change
    definitions = [s for s in top_level_symbols(text) if s.kind in ("function", "class")]
    if definitions:
        cell = "\n\n".join(symbol.text for symbol in definitions) + "\n"
        started = time.perf_counter()
        try:
            same = plan_promotion(cell, text, target_name=name)
        except PromotionRefused as refused:  # a definition that only parses in place
            pytest.fail(f"{name}: {refused}")
        coverage.timed(name, started)
        assert not same.has_changes, (name, same.diff[:2000])
        assert set(same.definitions_unchanged) == {s.name for s in definitions}, name

    # (d) a CRLF copy stays CRLF
    crlf = text.replace("\n", "\r\n")
    (root / name).write_bytes(crlf.encode())
    plan = plan_promotion(PROBE, crlf, target_name=name)
    write_promotion(root, name, plan, code_hash(crlf))
    written = (root / name).read_bytes()
    assert written.count(b"\n") == written.count(b"\r\n"), name
    assert b"spans lines, so a CRLF file" in written, name
    return len(definitions) + 1
