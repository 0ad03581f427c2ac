"""The namespace summary, made inside a real kernel by pairrepl_kernel and read by the adapter."""

from __future__ import annotations

import time

import pytest

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceSummary, VariableSummary
from pairrepl.kernel import KernelBackend

from .conftest import RecordingSink

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def run(kernel: KernelBackend, code: str) -> NamespaceSummary:
    reply = await kernel.execute(code, RecordingSink())
    assert reply.status is ExecutionStatus.OK, code
    assert reply.namespace is not None
    return reply.namespace


async def variable(kernel: KernelBackend, name: str) -> VariableSummary:
    summary = await kernel.namespace()
    assert summary.error is None, summary.error
    return summary.by_name()[name]


async def test_execute_reply_carries_the_summary(shared_kernel: KernelBackend) -> None:
    summary = await run(shared_kernel, "answer = 42")
    assert summary.error is None
    assert summary.by_name()["answer"] == VariableSummary(
        name="answer", type_name="int", repr="42", identity=summary.by_name()["answer"].identity
    )


async def test_int_function_and_a_million_item_dict(shared_kernel: KernelBackend) -> None:
    await run(
        shared_kernel, "big = {i: i for i in range(1_000_000)}\ndef greet(who):\n    return who"
    )
    started = time.monotonic()
    summary = await shared_kernel.namespace()
    assert time.monotonic() - started < 0.5
    big = summary.by_name()["big"]
    assert (big.type_name, big.size, big.fingerprint) == ("dict", "1000000", "len=1000000")
    assert big.repr.startswith("{0: 0, 1: 1")
    assert len(big.repr) <= 80
    greet = summary.by_name()["greet"]
    assert greet.type_name == "function" and "greet" in greet.repr


async def test_a_hanging_repr_is_cut_off_and_the_next_cell_runs_normally(
    shared_kernel: KernelBackend,
) -> None:
    await run(
        shared_kernel,
        "import time\nclass Sleepy:\n    def __repr__(self):\n        time.sleep(60)\n"
        "sleepy = Sleepy()",
    )
    started = time.monotonic()
    sleepy = await variable(shared_kernel, "sleepy")
    assert time.monotonic() - started < 0.5
    assert sleepy.repr == "<repr timed out>"
    # No alarm left armed: a cell that sleeps longer than the limit is not cut short.
    sink = RecordingSink()
    reply = await shared_kernel.execute("time.sleep(0.3); print('slept')", sink)
    assert reply.status is ExecutionStatus.OK and sink.stdout() == "slept\n"
    await run(shared_kernel, "del sleepy")


async def test_a_raising_repr_and_a_ten_megabyte_repr(shared_kernel: KernelBackend) -> None:
    await run(
        shared_kernel,
        "class Broken:\n    def __repr__(self):\n        raise ValueError('no')\n"
        "class Huge:\n    def __repr__(self):\n        return 'h' * 10_000_000\n"
        "broken, huge = Broken(), Huge()",
    )
    started = time.monotonic()
    summary = await shared_kernel.namespace()
    assert time.monotonic() - started < 0.5
    assert summary.by_name()["broken"].repr == "<repr failed: ValueError>"
    assert summary.by_name()["huge"].repr == "h" * 79 + "…"


async def test_a_wide_dataframe_is_recognised_without_its_repr(
    shared_kernel: KernelBackend,
) -> None:
    await run(
        shared_kernel,
        "class FakeFrame:\n"
        "    shape = (3, 2000)\n"
        "    columns = [f'col{i}' for i in range(2000)]\n"
        "    def __repr__(self):\n        raise AssertionError('full repr called')\n"
        "class FakeArray:\n    shape = (10, 4)\n    dtype = 'float64'\n"
        "frame, array = FakeFrame(), FakeArray()",
    )
    frame = await variable(shared_kernel, "frame")
    assert frame.size == "(3, 2000)"
    assert frame.repr.startswith("3 rows × 2000 columns: col0, col1")
    array = await variable(shared_kernel, "array")
    assert (array.size, array.dtype, array.fingerprint) == ("(10, 4)", "float64", "shape=(10, 4)")


async def test_in_place_mutation_changes_the_fingerprint_not_the_identity(
    shared_kernel: KernelBackend,
) -> None:
    before = (await run(shared_kernel, "items = [1]")).by_name()["items"]
    after = (await run(shared_kernel, "items.append(2)")).by_name()["items"]
    assert before.identity == after.identity
    assert before.fingerprint is not None and before.fingerprint.startswith("len=1 #")
    assert after.fingerprint is not None and after.fingerprint.startswith("len=2 #")
    # Same length, other content: the checksum of a small container still tells.
    again = (await run(shared_kernel, "items[0] = 5")).by_name()["items"]
    assert again.identity == after.identity and again.fingerprint != after.fingerprint


async def test_ipython_names_are_hidden_unless_rebound(shared_kernel: KernelBackend) -> None:
    names = (await run(shared_kernel, "1")).by_name()
    for hidden in ("In", "Out", "get_ipython", "exit", "quit", "_", "_i", "_oh"):
        assert hidden not in names
    assert not any(name.startswith("_") for name in names)
    assert "open" in (await run(shared_kernel, "open = 'mine'")).by_name()
    await run(shared_kernel, "del open")


async def test_the_number_of_names_is_capped(shared_kernel: KernelBackend) -> None:
    summary = await run(shared_kernel, "globals().update({f'v{i}': i for i in range(2100)})")
    assert summary.truncated
    assert len(summary.variables) == 2000
    summary = await run(shared_kernel, "for i in range(2100): del globals()[f'v{i}']")
    assert not summary.truncated


async def test_summary_leaves_in_out_history_and_count_alone(shared_kernel: KernelBackend) -> None:
    await run(shared_kernel, "'marker'")
    await run(
        shared_kernel,
        "ip = get_ipython()\n"
        "snap = (len(In), len(Out), ip.execution_count, _, "
        "len(ip.history_manager.input_hist_raw))",
    )
    for _ in range(3):
        assert (await shared_kernel.namespace()).error is None
    sink = RecordingSink()
    await shared_kernel.execute(
        "(len(In) - snap[0], len(Out) - snap[1], ip.execution_count - snap[2], _ == snap[3],"
        " len(ip.history_manager.input_hist_raw) - snap[4])",
        sink,
    )
    # Only this checking cell itself counts: one input, one execution, no output yet.
    assert sink.outputs[-1].text == "(1, 0, 1, True, 1)"


async def test_summary_survives_reset(shared_kernel: KernelBackend) -> None:
    summary = await run(shared_kernel, "%reset -f")
    assert summary.error is None
    assert (await run(shared_kernel, "fresh = 1")).by_name().keys() == {"fresh"}


async def test_describe_gives_a_fuller_bounded_view(shared_kernel: KernelBackend) -> None:
    await run(
        shared_kernel,
        "def area(width: float, height: float) -> float:\n"
        "    '''Rectangle area.'''\n"
        "    return width * height\n"
        "numbers = list(range(100_000))",
    )
    area = await shared_kernel.describe("area")
    assert area is not None
    assert area.startswith("area: function")
    assert "def area(width: float, height: float) -> float:" in area  # the cell's source
    numbers = await shared_kernel.describe("numbers")
    assert numbers is not None and numbers.startswith("numbers: list  size=100000")
    assert "49, …]" in numbers and len(numbers) <= 2000


async def test_describe_of_unknown_or_odd_names_is_none(shared_kernel: KernelBackend) -> None:
    assert await shared_kernel.describe("no_such_name") is None
    assert await shared_kernel.describe("__import__('os').getcwd()") is None
    assert await shared_kernel.describe("In") is None  # IPython's, not the user's


async def test_describe_is_bounded_for_a_hanging_repr(shared_kernel: KernelBackend) -> None:
    await run(
        shared_kernel,
        "import time\nclass Stuck:\n    def __repr__(self):\n        time.sleep(60)\n"
        "stuck = Stuck()",
    )
    started = time.monotonic()
    view = await shared_kernel.describe("stuck")
    assert time.monotonic() - started < 1.0
    assert view == "stuck: Stuck\n<view timed out>"
    await run(shared_kernel, "del stuck")
