"""Namespace summary of 300 arrays on an accelerator and a model: from metadata only.

The namespace holds 300 fake CUDA tensors of 1000×1000 (``tests/kernel/device_arrays.py``:
shaped like torch's where pairrepl looks; each value access counted, and waiting 0.5 s
where no SIGALRM reaches while its device is busy, as after a cell that queued GPU work)
and a model-like object with eight layers of parameters on the device. Interleaved,
in this process (the summary is what the kernel runs after every cell):

- measured: ``summarise_namespace`` of that namespace;
- baseline: ``summarise_namespace`` of 301 floats: the least a summary of as many names
  costs.

Bar: < 20 ms (median), and not one value read.

Run:  python benchmarks/device_arrays.py [--quick]
"""

from __future__ import annotations

import time

from _common import Figure, median, ms, p95, parse_arguments, report

from pairrepl_kernel.namespace import summarise_namespace
from tests.kernel.device_arrays import CudaTensor, Fake, Model


def timed(namespace: dict[str, object]) -> float:
    started = time.perf_counter()
    summarise_namespace(namespace, {})
    return time.perf_counter() - started


def main() -> None:
    arguments = parse_arguments(__doc__.splitlines()[0])
    rounds = 5 if arguments.quick else 30
    on_device: dict[str, object] = {f"t{i}": CudaTensor((1000, 1000)) for i in range(300)}
    on_device["model"] = Model(layers=8)
    floats: dict[str, object] = {f"x{i}": i * 0.5 for i in range(301)}
    Fake.busy, Fake.reads = True, 0
    measured, baseline = [], []
    for _ in range(rounds):
        measured.append(timed(on_device))
        baseline.append(timed(floats))
    summary = median(measured)
    figure = Figure(
        "namespace summary of 300 arrays on an accelerator and a model",
        summary,
        "s",
        "< 20 ms, no value read",
        summary < 0.020 and Fake.reads == 0,
        baseline=median(baseline),
        baseline_name="301 floats",
        details=[
            f"p95 {ms(p95(measured))} (baseline p95 {ms(p95(baseline))}); {rounds} rounds",
            f"values read: {Fake.reads}",
        ],
    )
    report([figure], arguments.json)


if __name__ == "__main__":
    main()
