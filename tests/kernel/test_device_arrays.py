"""Arrays on an accelerator are summarised from metadata only: no value is read (no
repr, no element, no statistic) in the namespace summary, the namespace diff, the AI's
``$name`` view or the inspector's first view; the inspector reads statistics and a
corner only when the human asks, and only when the device reports idle.

The fakes (``device_arrays.py``) count every value access and, while their device is
busy, wait where no SIGALRM reaches, as a CUDA tensor's repr does after a cell that
queued GPU work. In this process first, then in a real kernel behind each backend."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.inspection import ObjectPath
from pairrepl.core.namespace import NamespaceDiff, NamespaceSummary
from pairrepl.kernel import KernelBackend
from pairrepl_kernel.inspector import inspect_path
from pairrepl_kernel.namespace import describe_value, summarise_namespace

from . import device_arrays
from .conftest import RecordingSink
from .device_arrays import CpuTensor, CudaTensor, CupyArray, Fake, JaxArray, Model


@pytest.fixture(autouse=True)
def busy_device() -> Iterator[None]:
    Fake.reads, Fake.ready_checks, Fake.busy, CpuTensor.host_reads = 0, 0, True, 0
    yield
    Fake.busy = True


def a_gpu_session() -> dict[str, object]:
    return {
        "weights": CudaTensor((8192, 8192), "torch.bfloat16", 2),
        "embeddings": JaxArray((1000, 64), "float32"),
        "pixels": CupyArray((3, 224, 224), "uint8", 1),
        "batch": [CudaTensor((32, 128)), CudaTensor((32,))],
        "state": OrderedDict(weight=CudaTensor((10, 10)), bias=CudaTensor((10,))),
        "model": Model(),
        "on_host": CpuTensor((2, 2)),
    }


def summary_of(namespace: dict[str, object]) -> dict[str, dict[str, object]]:
    payload = summarise_namespace(namespace, {})
    return {entry["name"]: entry for entry in payload["variables"]}


def test_the_summary_shows_device_arrays_from_metadata_and_reads_nothing() -> None:
    namespace = a_gpu_session()
    summary = summary_of(namespace)
    assert Fake.reads == 0
    weights = summary["weights"]
    assert (weights["size"], weights["dtype"]) == ("(8192, 8192)", "torch.bfloat16")
    assert weights["repr"] == "<CudaTensor on cuda:0 · 128.0 MB · values not read>"
    assert weights["fingerprint"] == "shape=(8192, 8192)"
    assert "on gpu:1" in str(summary["embeddings"]["repr"])
    assert "on cuda:0 · 147.0 KB" in str(summary["pixels"]["repr"])
    assert str(summary["batch"]["repr"]).startswith("[<CudaTensor on cuda:0 · 16.0 KB")
    assert str(summary["state"]["repr"]).startswith("OrderedDict({'weight': <CudaTensor on")
    assert summary["model"]["repr"] == "Model(8 layers of Linear(1024, 1024))"
    # an array on the host is not one: its values are cheap, and shown
    assert summary["on_host"]["repr"] == "tensor(<(2, 2) values>)"
    assert CpuTensor.host_reads == 1


def test_a_cell_that_changes_a_device_array_shows_in_the_diff_without_a_read() -> None:
    namespace = a_gpu_session()
    before = NamespaceSummary.from_payload(summarise_namespace(namespace, {}))
    namespace["weights"] = CudaTensor((4096, 8192), "torch.bfloat16", 2)
    after = NamespaceSummary.from_payload(summarise_namespace(namespace, {}))
    diff = NamespaceDiff.between(before, after)
    assert [change.name for change in diff.changed] == ["weights"]
    assert Fake.reads == 0


def test_the_ais_view_of_a_device_array_reads_nothing() -> None:
    view = describe_value(a_gpu_session(), {}, "weights")
    assert view is not None and Fake.reads == 0
    assert "size=(8192, 8192)" in view and "dtype=torch.bfloat16" in view
    assert "on cuda:0 · 128.0 MB · values not read" in view


def shell(namespace: dict[str, object]) -> SimpleNamespace:
    return SimpleNamespace(user_ns=namespace, user_ns_hidden={})


def sections(payload: dict[str, object]) -> dict[str, str]:
    return {title: text for title, text in payload["sections"]}  # type: ignore[attr-defined]


def test_the_inspectors_first_view_reads_nothing() -> None:
    payload = inspect_path(shell(a_gpu_session()), [["name", "weights"]])
    assert Fake.reads == 0 and Fake.ready_checks == 0
    assert payload["kind"] == "array" and payload["size"] == "128.0 MB"
    assert payload["items_total"] is None  # no rows listed: an index is a device op
    found = sections(payload)
    assert found["shape"] == "(8192, 8192)  dtype torch.bfloat16"
    assert found["device"] == "cuda:0, 128.0 MB"
    assert found["values"].startswith("not read (reading one waits for all the work queued")


def test_values_are_read_on_request_only_when_the_device_is_idle() -> None:
    namespace = {"embeddings": JaxArray((1000, 64), "float32")}
    busy = inspect_path(shell(namespace), [["name", "embeddings"]], read_values=True)
    assert sections(busy)["values"].startswith("device busy, ask again")
    assert Fake.reads == 0 and Fake.ready_checks == 1
    Fake.busy = False
    idle = inspect_path(shell(namespace), [["name", "embeddings"]], read_values=True)
    assert sections(idle)["statistics"] == "min 0.5  max 0.5  mean 0.5"
    assert "values" in sections(idle) and Fake.reads > 0


def test_a_device_that_cannot_say_whether_it_is_idle_is_not_read() -> None:
    payload = inspect_path(shell(a_gpu_session()), [["name", "pixels"]], read_values=True)
    assert sections(payload)["values"] == "not read: cannot tell whether cuda:0 is idle"
    assert Fake.reads == 0


@pytest.mark.asyncio(loop_scope="module")  # the module's shared kernels live on its loop
async def test_in_a_real_kernel_no_value_is_read(shared_kernel: KernelBackend) -> None:
    """The summary on the execute reply, the AI's view and the inspector's first view,
    through each backend; then the kernel's own count of reads."""
    source = Path(device_arrays.__file__).read_text()
    assert (await shared_kernel.execute(source, RecordingSink())).status is ExecutionStatus.OK
    reply = await shared_kernel.execute(
        "weights = CudaTensor((8192, 8192), 'torch.bfloat16', 2)\nmodel = Model()",
        RecordingSink(),
    )
    assert reply.namespace is not None
    shown = reply.namespace.by_name()["weights"]
    assert shown.repr == "<CudaTensor on cuda:0 · 128.0 MB · values not read>"
    view = await shared_kernel.describe("weights")
    assert view is not None and "values not read" in view
    inspection = await shared_kernel.inspect(ObjectPath.name("weights"))
    assert inspection.error is None and inspection.size == "128.0 MB"
    sink = RecordingSink()
    await shared_kernel.execute("print(Fake.reads)", sink)
    assert sink.stdout() == "0\n"
