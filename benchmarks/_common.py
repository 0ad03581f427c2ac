"""What every benchmark shares: its command line, how it reports a figure, small stats.

Each benchmark measures one figure of docs/benchmarks.md against a baseline taken in the
same run (interleaved where it can be), because on a shared machine only a ratio holds.
It prints each figure as a readable line with its ratio and whether the bar is met, and,
when ``--json FILE`` is given, writes the figures there for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The benchmarks import ``tests.agent.fake_llm_server`` (the fake model server), so the
# repository root must be importable however a benchmark is started.
REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@dataclass
class Figure:
    """One row of the results table.

    ``measured`` and ``baseline`` are in ``unit``; ``ratio`` is measured / baseline when
    there is a baseline; ``met`` says whether ``bar`` (in words) holds.
    """

    name: str
    measured: float
    unit: str
    bar: str
    met: bool
    baseline: float | None = None
    baseline_name: str = "—"
    details: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.measured / self.baseline

    def lines(self) -> list[str]:
        baseline = (
            f"{self.baseline_name} {format_value(self.baseline, self.unit)}"
            if self.baseline is not None
            else "no baseline"
        )
        ratio = f"ratio {self.ratio:.2f}" if self.ratio is not None else "ratio n/a"
        verdict = "bar met" if self.met else "BAR MISSED"
        head = (
            f"[{verdict}] {self.name}: {format_value(self.measured, self.unit)}"
            f" vs {baseline}; {ratio}; bar {self.bar}"
        )
        return [head, *(f"    {detail}" for detail in self.details)]


RESUME_BASELINE = "plain sqlite3 fetch + json.loads of the same rows"


def resume_figure(events: int, measured: float, baseline: float, details: list[str]) -> Figure:
    """The resume bar of docs/benchmarks.md: under a second and at most twice reading
    the same rows (fetched and parsed) with plain sqlite3."""
    return Figure(
        name=f"resume of a {events:,}-event session",
        measured=measured,
        unit="s",
        baseline=baseline,
        baseline_name=RESUME_BASELINE,
        bar="< 1 s and ≤ 2×",
        met=measured < 1.0 and measured <= 2 * baseline,
        details=details,
    )


def rss_mib() -> float:
    """This process's resident memory (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def format_value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if unit == "tokens":
        return f"{value:,.0f} tokens"
    return f"{value:g} {unit}"


def parse_arguments(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def report(figures: Sequence[Figure], json_path: Path | None) -> None:
    for figure in figures:
        print("\n".join(figure.lines()), flush=True)
    if json_path is not None:
        rows = [{**asdict(figure), "ratio": figure.ratio} for figure in figures]
        json_path.write_text(json.dumps(rows, indent=2))


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile (the largest sample when there are few)."""
    if len(samples) < 20:
        return max(samples)
    return statistics.quantiles(samples, n=20)[18]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"
