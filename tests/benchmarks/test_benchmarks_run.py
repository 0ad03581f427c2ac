"""The benchmarks stay runnable: one quick pass of all of them, each reporting its ratio.

Speed is measured by the benchmarks themselves (see docs/benchmarks.md), never asserted
here: a timed test on a shared machine fails for the wrong reasons.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

pytest.importorskip("numpy", reason="the benchmarks need the bench extra")
pytest.importorskip("pandas", reason="the benchmarks need the bench extra")


@pytest.mark.timeout(600)
def test_every_benchmark_runs_quick_and_reports_its_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "| figure | baseline (same run) |" in result.stdout
    assert "ratio 0." in result.stdout or "ratio 1." in result.stdout
    assert "bars met." in result.stdout


@pytest.mark.timeout(300)
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
