"""``pairrepl report`` over 100,000 provenance records and a 100,000-event ledger, and
``pairrepl check`` on this project, each against the least work that reads the same data.

The report's project: 200 modules of 50 functions each, every function promoted ten
times over two years by five people (100,000 records, each as the promoter writes it:
the text, two runs as evidence, the request, the review, the explanation of AI code);
one function in twenty was edited by hand since, so blame diffs it. The ledger is the
resume benchmark's 100,000-event session. Two figures, each interleaved with its
baseline (`json.loads` of every provenance line, plus a plain sqlite3 fetch and
`json.loads` of the ledger rows of the kinds the report reads):

- warm (the timed run the bar is for): the report cache as the previous report left it,
  after 10 records were appended to provenance (ten functions of one module promoted
  again) and a new 100-event session to the ledger: `project_understanding` (which
  reads only those, and blames that module again) and the terminal tables;
- cold: the first report, with no cache: everything is read and the cache derived.

The check: a git repository holding a copy of pairrepl's own modules, every top-level
symbol of them recorded in provenance, and thresholds in its pyproject.toml. Measured:
``pairrepl check`` as CI runs it (a new process, no cache: check never uses one);
baseline: ``git blame`` of each of those files, one after the other.

Bars: the report < 1 s (warm; the cold figure is recorded against the same bar, which
it does not meet: it reads all 150 MB); the check < 2 s.

Run:  python benchmarks/report.py [--quick]
"""

from __future__ import annotations

import gc
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import REPO_ROOT, Figure, load_average, median, ms, parse_arguments, report
from _stubs import record
from resume import session_events

from pairrepl import promote
from pairrepl.cli.understanding import report_text
from pairrepl.core.cells import Origin
from pairrepl.core.provenance import Evidence, PromotionFacts, record_for
from pairrepl.core.review import REVIEW_EVENT_KINDS, Review
from pairrepl.ledger import ProvenanceLog
from pairrepl.ledger.report_cache import CACHE_NAME
from pairrepl.session.understanding import project_understanding

START = 1_735_689_600.0  # 2025-01-01 UTC
WEEK = 7 * 86_400.0
PEOPLE = [f"Person {n} <person{n}@example.org>" for n in range(5)]
ORIGINS = [Origin.AI, Origin.AI, Origin.AI_EDITED, Origin.HUMAN, Origin.HUMAN]

FUNCTION = '''def price_{module}_{n}(price, quantity=1):
    """The price of {{quantity}} items of kind {n}, tax included."""
    total = price * quantity * 1.2
    return round(total, 2)
'''


def write_project(root: Path, modules: int, functions: int, promotions: int) -> int:
    """The modules, and `promotions` provenance records per function; how many records."""
    log = ProvenanceLog(root)
    (root / "shop").mkdir(parents=True)
    written = 0
    for module in range(modules):
        texts = [FUNCTION.format(module=module, n=n) for n in range(functions)]
        text = "\n\n".join(texts)
        symbols = promote.top_level_symbols(text)
        file = f"shop/prices_{module}.py"
        records = []
        for time_step in range(promotions):
            for n, symbol in enumerate(symbols):
                serial = (module * functions + n) * promotions + time_step
                records.append(record_for(symbol, file, _facts(serial, time_step, symbol.text)))
        log.append(records)
        written += len(records)
        for n in range(0, functions, 20):  # one in twenty edited by hand since
            text = text.replace(f"kind {n}, tax", f"kind {n} (edited), tax", 1)
        (root / file).write_text(text)
    return written


def _facts(serial: int, time_step: int, code: str) -> PromotionFacts:
    when = START + time_step * 10 * WEEK + serial % 1000
    origin = ORIGINS[serial % len(ORIGINS)]
    proposal = f"prop{serial:08d}" if origin is not Origin.HUMAN else None
    review = None
    if proposal is not None:
        review = Review(
            proposal, f"sess{serial % 97:04d}", when - 90, when - 30, when - 80, when - 60
        )
    return PromotionFacts(
        promotion_id=f"prom{serial:08d}",
        origin=origin,
        session_id=f"sess{serial % 97:04d}",
        time=when,
        model="claude-sonnet-4-5" if proposal else None,
        request="a price function with tax for this kind of item" if proposal else None,
        request_id=f"req{serial:08d}" if proposal else None,
        proposal_id=proposal,
        explanation="adds the tax to the price of the items" if origin is Origin.AI else None,
        evidence=(
            Evidence(f"cell{serial:08d}", 3, "a" * 64, "b" * 64, code),
            Evidence(f"cell{serial + 1:08d}", 4, "c" * 64, "d" * 64, "price(10.0, 3)"),
        ),
        person=PEOPLE[serial % len(PEOPLE)],
        rationale="Multiply by the quantity and the tax rate, then round." if proposal else None,
        review=review,
    )


def report_once(root: Path, cache: str) -> float:
    """Seconds of one report; `cache` is how the report cache must have served it."""
    started = time.perf_counter()
    result, gathered = project_understanding(root)
    assert report_text(result, ledger=gathered.ledger)
    elapsed = time.perf_counter() - started
    assert gathered.cache.startswith(cache), gathered.cache
    return elapsed


def cold_report(root: Path) -> float:
    (root / ".pairrepl" / CACHE_NAME).unlink(missing_ok=True)
    return report_once(root, "derived again: no report was cached")


class Appender:
    """Before each warm report: ten functions of one module promoted again (newer than
    every record), and a new 100-event session in the ledger."""

    def __init__(self, root: Path) -> None:
        self.root, self.rounds = root, 0

    def __call__(self) -> None:
        self.rounds += 1
        file = f"shop/prices_{self.rounds}.py"
        symbols = promote.top_level_symbols((self.root / file).read_text())[:10]
        serial = 10_000_000 + self.rounds * 100
        records = [
            record_for(symbol, file, _facts(serial + n, 10 + self.rounds, symbol.text))
            for n, symbol in enumerate(symbols)
        ]
        ProvenanceLog(self.root).append(records)
        record(self.root, f"bench{self.rounds:04d}more", session_events(100))


def warm_report(root: Path, append: Appender) -> float:
    append()
    return report_once(root, "extended")


def plain_read(root: Path) -> float:
    """json.loads of every provenance line, and the report's kinds of ledger rows."""
    started = time.perf_counter()
    lines = (root / ".pairrepl" / "provenance.jsonl").read_text().splitlines()
    payloads = [json.loads(line) for line in lines]
    db = sqlite3.connect(root / ".pairrepl" / "ledger.sqlite3")
    kinds = sorted(REVIEW_EVENT_KINDS)
    rows = db.execute(
        f"SELECT session_id, seq, at, kind, version, payload FROM events WHERE kind IN "
        f"({', '.join('?' * len(kinds))}) ORDER BY session_id, seq",
        kinds,
    ).fetchall()
    events = [json.loads(row[5]) for row in rows]
    elapsed = time.perf_counter() - started
    db.close()
    assert payloads and events
    return elapsed


CHECK_TABLE = """
[tool.pairrepl.check]
max_ai_verbatim_share = 0.9
min_explained_share = 0.5
max_rubber_stamp_rate = 0.9
min_people_per_module = 1
"""


def write_this_project(root: Path) -> list[str]:
    """A git repository with a copy of pairrepl's modules, each symbol in provenance."""
    files = sorted(
        p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "pairrepl").rglob("*.py")
    )
    records = []
    for serial, file in enumerate(files):
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / file, root / file)
        for symbol in promote.top_level_symbols((root / file).read_text()):
            records.append(record_for(symbol, file, _facts(serial, 0, symbol.text)))
    ProvenanceLog(root).append(records)
    (root / "pyproject.toml").write_text('[project]\nname = "copy"\n' + CHECK_TABLE)
    identity = ["-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "copy"]):
        subprocess.run(["git", "-C", str(root), *identity, *args], check=True)
    return files


def check_once(root: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pairrepl", "check", "--project", str(root)],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr
    return elapsed


def blame_each(root: Path, files: list[str]) -> float:
    started = time.perf_counter()
    for file in files:
        subprocess.run(
            ["git", "-C", str(root), "blame", "--line-porcelain", "--", file],
            capture_output=True,
            check=True,
        )
    return time.perf_counter() - started


def interleaved(
    rounds: int, ours: Callable[[], float], theirs: Callable[[], float]
) -> tuple[list[float], list[float]]:
    measured, baseline = [], []
    for _ in range(rounds):
        baseline.append(theirs())
        measured.append(ours())
    return measured, baseline


def figure(
    name: str,
    bar: str,
    limit: float,
    baseline_name: str,
    runs: tuple[list[float], list[float]],
    *details: str,
) -> Figure:
    ours, theirs = runs
    return Figure(
        name=name,
        measured=median(ours),
        unit="s",
        baseline=median(theirs),
        baseline_name=baseline_name,
        bar=bar,
        met=median(ours) < limit,
        details=[
            f"{len(ours)} interleaved rounds: {', '.join(ms(s) for s in ours)}; baseline: {', '.join(ms(s) for s in theirs)}",
            *details,
        ],
    )


def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    modules, events = (20, 10_000) if arguments.quick else (200, 100_000)
    rounds, cold_rounds = (2, 1) if arguments.quick else (5, 3)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "big"
        started = time.perf_counter()
        records = write_project(root, modules, 50, 10)
        written = record(root, "bench0report", session_events(events))
        print(
            f"   project: {records:,} records, {written:,} events ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        gc.collect()
        plain_read(root)  # warm the page cache
        size = f"{records:,} provenance records and a {written:,}-event ledger"
        baseline = "json.loads of the provenance lines + sqlite3 fetch of the ledger rows read"
        cold_figure = figure(
            f"report, cold (the first: no cache yet) over {size}",
            "< 1 s (not for a first report)",
            1.0,
            baseline,
            interleaved(cold_rounds, lambda: cold_report(root), lambda: plain_read(root)),
            load_average(),
        )
        append = Appender(root)
        warm_figure = figure(
            f"report, warm (the cache, 10 records and 100 events appended since) over {size}",
            "< 1 s",
            1.0,
            baseline,
            interleaved(rounds, lambda: warm_report(root, append), lambda: plain_read(root)),
            load_average(),
        )
        this = Path(directory) / "this"
        files = write_this_project(this)
        check_once(this)  # warm
        check_figure = figure(
            f"check on this project ({len(files)} modules, every symbol in provenance)",
            "< 2 s",
            2.0,
            "git blame of each file, one after the other",
            interleaved(rounds, lambda: check_once(this), lambda: blame_each(this, files)),
            load_average(),
        )
    report([warm_figure, cold_figure, check_figure], arguments.json)


if __name__ == "__main__":
    main()
