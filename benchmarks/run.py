"""Run every benchmark of docs/benchmarks.md and print the table of results.

Each benchmark runs in its own process (so one's memory, kernels and event loop never
touch another's), prints its own lines as it goes, and hands its figures back as JSON.
The table at the end has one row per figure: its baseline from the same run, the
measured value, the ratio, the bar and whether it is met.

Run:  python benchmarks/run.py            (full: takes several minutes)
      python benchmarks/run.py --quick    (small sizes: a smoke test)
      python benchmarks/run.py resume namespace    (only these)

Exits 1 if a benchmark failed to run; a missed bar is reported, not an error (add
``--strict`` to exit 1 on a missed bar too).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import format_value, load_average

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    "roundtrip",
    "tui_streaming",
    "tui_big_value",
    "namespace",
    "device_arrays",
    "context",
    "resume",
    "tui_keys",
    "startup",
    "promotion",
    "promotion_as_test",
    "first_token",
    "report",
)


def run(name: str, quick: bool, folder: Path) -> list[dict[str, object]] | None:
    output = folder / f"{name}.json"
    command = [sys.executable, str(HERE / f"{name}.py"), "--json", str(output)]
    if quick:
        command.append("--quick")
    print(f"== {name}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, stdin=subprocess.DEVNULL)
    print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    if done.returncode != 0 or not output.exists():
        print(f"!! {name} failed (exit {done.returncode})", flush=True)
        return None
    rows: list[dict[str, object]] = json.loads(output.read_text())
    return rows


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| figure | baseline (same run) | measured | ratio | bar | met? |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        unit = str(row["unit"])
        baseline = row["baseline"]
        baseline_text = (
            f"{row['baseline_name']}: {format_value(float(baseline), unit)}"  # type: ignore[arg-type]
            if baseline is not None
            else str(row["baseline_name"])
        )
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        lines.append(
            f"| {row['name']} | {baseline_text} | {format_value(float(row['measured']), unit)}"  # type: ignore[arg-type]
            f" | {ratio} | {row['bar']} | {'yes' if row['met'] else '**no**'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"only these, of {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--strict", action="store_true", help="exit 1 on a missed bar")
    arguments = parser.parse_args()
    names = arguments.names or list(BENCHMARKS)
    print(f"{'quick' if arguments.quick else 'full'} run; {load_average()}", flush=True)
    rows: list[dict[str, object]] = []
    failed = []
    with tempfile.TemporaryDirectory() as directory:
        for name in names:
            result = run(name, arguments.quick, Path(directory))
            if result is None:
                failed.append(name)
            else:
                rows += result
    print(f"\n{load_average()} at the end\n")
    print(table(rows))
    missed = [str(row["name"]) for row in rows if not row["met"]]
    print(f"\n{len(rows) - len(missed)} of {len(rows)} bars met.")
    if failed:
        print(f"Failed to run: {', '.join(failed)}")
        return 1
    return 1 if arguments.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
