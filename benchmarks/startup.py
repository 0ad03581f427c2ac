"""App start to first input accepted, against a kernel started alone.

Both are child processes, launched in turn, and timed from the launch:

- measured: ``pairrepl PROJECT`` (``benchmarks/_start_app.py``: the real command, headless,
  driven by Textual's auto-pilot) until its session is open: the kernel started, the
  namespace inspector loaded, the input takes a cell and runs it. Also shown: when the
  input first showed a key, and when the first cell (``1+1``) had its result;
- baseline: ``benchmarks/_start_kernel.py``: Python, jupyter_client and a kernel started
  with this interpreter's ipykernel, until ``wait_for_ready``.

Bar: ≤ +300 ms over the kernel alone (medians).

Run:  python benchmarks/startup.py [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Figure, median, ms, parse_arguments, report

HERE = Path(__file__).resolve().parent


def launch(script: str, project: Path) -> tuple[float, dict[str, float]]:
    started = time.time()
    done = subprocess.run(
        [sys.executable, str(HERE / script), str(project)],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    stamps = json.loads(done.stdout.strip().splitlines()[-1])
    return started, stamps


def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    rounds = 1 if arguments.quick else 7
    kernel, opened, first_key, first_result = [], [], [], []
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        (project / "pyproject.toml").write_text('[project]\nname = "bench"\n')
        launch("_start_kernel.py", project)  # warm the file cache for both
        for _ in range(rounds):
            started, stamps = launch("_start_kernel.py", project)
            kernel.append(stamps["ready"] - started)
            started, stamps = launch("_start_app.py", project)
            opened.append(stamps["session_open"] - started)
            first_key.append(stamps["first_key"] - started)
            first_result.append(stamps["first_result"] - started)
    measured, baseline = median(opened), median(kernel)
    figure = Figure(
        name="app start to first input accepted (session open)",
        measured=measured,
        unit="s",
        baseline=baseline,
        baseline_name="kernel start alone",
        bar="≤ +300 ms",
        met=measured - baseline <= 0.300,
        details=[
            f"{rounds} rounds, launched in turn; extra over the kernel: {ms(measured - baseline)}",
            f"app: {', '.join(ms(s) for s in opened)}; kernel: {', '.join(ms(s) for s in kernel)}",
            f"first key shown in the input {ms(median(first_key))};"
            f" first cell's result {ms(median(first_result))}",
        ],
    )
    report([figure], arguments.json)


if __name__ == "__main__":
    main()
