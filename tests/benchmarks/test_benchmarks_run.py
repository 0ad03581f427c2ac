"""The benchmarks stay runnable: a quick pass of each, checking it prints its ratio.

Speed is measured by the benchmarks themselves (see docs/benchmarks.md), never asserted
here: a timed test on a shared machine fails for the wrong reasons.
"""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_roundtrip_benchmark_runs_and_prints_a_ratio() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "roundtrip.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio (median)" in result.stdout
    assert "printed lines" in result.stdout


def test_server_roundtrip_benchmark_runs_and_prints_ratios() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "server_roundtrip.py"), "--iterations", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ratio (median)") == 5
    assert "server+nodelay" in result.stdout
