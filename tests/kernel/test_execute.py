"""Executing cells through a real kernel: outputs, routing, statuses, stdin, interrupts.

The contract of every ``KernelBackend``: each test runs against a local kernel and a
kernel on a Jupyter Server (``shared_kernel`` is parametrized), except the few marked
``LOCAL_ONLY``. All tests here share one kernel of each kind (none kills or restarts it).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from jupyter_client.asynchronous.client import AsyncKernelClient

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, ResultOutput, StreamOutput
from pairrepl.kernel import KernelBackend, KernelUnavailable, LocalKernel
from pairrepl.kernel.channels import ZmqChannels
from pairrepl.kernel.router import MessageRouter

from .conftest import RecordingSink, StateLog, wait_until

pytestmark = pytest.mark.asyncio(loop_scope="module")

#: For what only a local kernel has (its connection file).
LOCAL_ONLY = pytest.mark.parametrize("shared_kernel", ["local"], indirect=True)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


async def test_outputs_arrive_in_order_with_result_and_count(shared_kernel: KernelBackend) -> None:
    sink = RecordingSink()
    reply = await shared_kernel.execute(
        "print('a')\nimport sys; print('b', file=sys.stderr)\n6*7", sink
    )
    assert reply.status is ExecutionStatus.OK
    assert sink.outputs[0] == StreamOutput("stdout", "a\n")
    assert sink.outputs[1] == StreamOutput("stderr", "b\n")
    result = sink.outputs[-1]
    assert isinstance(result, ResultOutput)
    assert result.text == "42"
    assert result.execution_count == reply.execution_count is not None


async def test_execute_returns_after_the_outputs_even_when_the_reply_overtakes_them(
    shared_kernel: KernelBackend,
) -> None:
    # A big last output travels on iopub while the tiny reply races it on shell.
    code = "print('x' * 4_000_000)\nprint('END')"
    for _ in range(3):
        sink = RecordingSink()
        reply = await shared_kernel.execute(code, sink)
        assert reply.status is ExecutionStatus.OK
        assert sink.stdout().endswith("END\n")


async def test_display_without_text_plain_keeps_the_bundle_and_base64(
    shared_kernel: KernelBackend,
) -> None:
    sink = RecordingSink()
    code = f"from IPython.display import display\ndisplay({{'image/png': {PNG!r}}}, raw=True)"
    await shared_kernel.execute(code, sink)
    assert sink.outputs == [DisplayOutput(data={"image/png": PNG})]


async def test_error_gives_error_output_with_traceback_and_a_namespace(
    shared_kernel: KernelBackend,
) -> None:
    sink = RecordingSink()
    reply = await shared_kernel.execute("bound_before_error = 1\nraise ValueError('boom')", sink)
    assert reply.status is ExecutionStatus.ERROR
    errors = [o for o in sink.outputs if isinstance(o, ErrorOutput)]
    assert errors[0].ename == "ValueError" and errors[0].evalue == "boom"
    assert any("boom" in line for line in errors[0].traceback)
    assert reply.namespace is not None
    assert "bound_before_error" in reply.namespace.by_name()


async def test_late_output_after_idle_reaches_the_same_sink(shared_kernel: KernelBackend) -> None:
    sink = RecordingSink()
    code = (
        "import asyncio, threading\n"
        "threading.Timer(0.3, lambda: print('late from thread')).start()\n"
        "handle = asyncio.get_running_loop().call_later(0.3, print, 'late from loop')\n"
    )
    reply = await shared_kernel.execute(code, sink)
    assert reply.status is ExecutionStatus.OK
    assert sink.outputs == []
    await wait_until(lambda: "late from thread" in sink.stdout(), timeout=5)
    await wait_until(lambda: "late from loop" in sink.stdout(), timeout=5)


async def test_a_thread_prints_under_the_cell_that_started_it(shared_kernel: KernelBackend) -> None:
    """Even when it prints after the next cell ran (ipykernel alone would label it with
    the latest request)."""
    starter, next_cell = RecordingSink(), RecordingSink()
    await shared_kernel.execute(
        "import threading, time\n"
        "from IPython.display import display\n"
        "def later():\n"
        "    time.sleep(0.5)\n"
        "    print('from the thread', flush=True)\n"
        "    display({'text/plain': 'shown by the thread'}, raw=True)\n"
        "threading.Thread(target=later).start()",
        starter,
    )
    await shared_kernel.execute("pass", next_cell)
    await wait_until(lambda: len(starter.outputs) == 2, timeout=5)
    assert starter.stdout() == "from the thread\n"
    assert starter.outputs[1] == DisplayOutput(data={"text/plain": "shown by the thread"})
    assert next_cell.outputs == []


async def test_pool_workers_print_under_the_cell_that_submitted(
    shared_kernel: KernelBackend,
) -> None:
    first, second = RecordingSink(), RecordingSink()
    await shared_kernel.execute(
        "from concurrent.futures import ThreadPoolExecutor\n"
        "pool = ThreadPoolExecutor(1)\n"
        "pool.submit(print, 'first').result()",
        first,
    )
    await shared_kernel.execute("pool.submit(print, 'second').result(); pool.shutdown()", second)
    assert first.stdout() == "first\n"
    assert second.stdout() == "second\n"


async def test_concurrent_cells_outputs_are_routed_by_parent(shared_kernel: KernelBackend) -> None:
    sinks = [RecordingSink() for _ in range(4)]
    replies = await asyncio.gather(
        *(
            shared_kernel.execute(f"for _ in range(50): print('cell{i}')", sink)
            for i, sink in enumerate(sinks)
        )
    )
    assert all(r.status is ExecutionStatus.OK for r in replies)
    for i, sink in enumerate(sinks):
        assert sink.stdout() == f"cell{i}\n" * 50


async def test_cell_queued_behind_a_failing_cell_is_aborted(shared_kernel: KernelBackend) -> None:
    failing = asyncio.create_task(
        shared_kernel.execute("import time; time.sleep(0.3); 1/0", RecordingSink())
    )
    await asyncio.sleep(0.05)
    queued = await shared_kernel.execute("print('never')", RecordingSink())
    assert (await failing).status is ExecutionStatus.ERROR
    assert queued.status is ExecutionStatus.ABORTED
    assert queued.namespace is None


async def test_input_goes_to_the_sink_and_back(shared_kernel: KernelBackend) -> None:
    sink = RecordingSink(answers=["Ada", "s3cret"])
    code = "import getpass\nname = input('name? ')\npw = getpass.getpass('pw: ')\n(name, len(pw))"
    reply = await shared_kernel.execute(code, sink)
    assert reply.status is ExecutionStatus.OK
    assert sink.prompts == [("name? ", False), ("pw: ", True)]
    assert sink.outputs[-1].text == "('Ada', 6)"


async def test_a_failing_input_sink_answers_an_empty_line(shared_kernel: KernelBackend) -> None:
    sink = RecordingSink(answers=[])  # pop from an empty list raises
    reply = await asyncio.wait_for(shared_kernel.execute("repr(input('? '))", sink), 10)
    assert reply.status is ExecutionStatus.OK
    assert sink.outputs[-1].text == "\"''\""


async def test_interrupt_stops_an_endless_loop_and_the_kernel_stays_usable(
    shared_kernel: KernelBackend,
) -> None:
    states = StateLog()
    shared_kernel.watch(states)
    running = asyncio.create_task(shared_kernel.execute("while True: pass", RecordingSink()))
    await states.wait_for(KernelState.BUSY, timeout=5)
    await asyncio.sleep(0.2)
    await shared_kernel.interrupt()
    reply = await asyncio.wait_for(running, 10)
    assert reply.status is ExecutionStatus.INTERRUPTED
    after = await shared_kernel.execute("1 + 1", RecordingSink())
    assert after.status is ExecutionStatus.OK


async def test_busy_and_idle_are_reported(shared_kernel: KernelBackend) -> None:
    states = StateLog()
    shared_kernel.watch(states)
    states.states.clear()
    await shared_kernel.execute("import time; time.sleep(0.1)", RecordingSink())
    assert states.states[:2] == [KernelState.BUSY, KernelState.IDLE]


async def test_is_complete_answers_at_once_while_a_cell_runs(shared_kernel: KernelBackend) -> None:
    running = asyncio.create_task(
        shared_kernel.execute("import time; time.sleep(1.5)", RecordingSink())
    )
    await asyncio.sleep(0.2)
    started = time.monotonic()
    assert shared_kernel.is_complete("for i in range(3):") == "incomplete"
    assert shared_kernel.is_complete("x = 1") == "complete"
    assert shared_kernel.is_complete("x = )") == "invalid"
    assert shared_kernel.is_complete("%timeit 1") == "complete"
    assert time.monotonic() - started < 0.2
    assert not running.done()
    await running


async def test_a_million_lines_flow_through(shared_kernel: KernelBackend) -> None:
    class CountingSink(RecordingSink):
        lines = 0
        messages = 0

        def output(self, output: object) -> None:
            assert isinstance(output, StreamOutput)
            self.lines += output.text.count("\n")
            self.messages += 1

    sink = CountingSink()
    code = (
        "import sys\n"
        "for start in range(0, 1_000_000, 1000):\n"
        "    sys.stdout.write(''.join(f'{i}\\n' for i in range(start, start + 1000)))\n"
    )
    started = time.monotonic()
    reply = await shared_kernel.execute(code, sink)
    assert reply.status is ExecutionStatus.OK
    assert sink.lines == 1_000_000
    assert time.monotonic() - started < 20


async def test_execute_before_start_raises_kernel_unavailable(tmp_path: Path) -> None:
    kernel = LocalKernel(tmp_path, tmp_path / "kernel.log", withheld_variables=())
    with pytest.raises(KernelUnavailable):
        await kernel.execute("1", RecordingSink())
    assert (await kernel.namespace()).error


@LOCAL_ONLY
async def test_a_lost_execute_reply_does_not_hang(shared_kernel: KernelBackend) -> None:
    """The reply goes to another client's socket, so our router sees the outputs and the
    idle but never the reply: it must finish from what iopub showed."""
    assert shared_kernel.connection_file is not None
    ours, sender = AsyncKernelClient(), AsyncKernelClient()
    for client in (ours, sender):
        client.load_connection_file(str(shared_kernel.connection_file))
        client.start_channels(hb=False, control=False)
    router = MessageRouter(ZmqChannels(ours), on_state=lambda state: None)
    router.start()
    router.reply_give_up_seconds = 1.0
    try:
        await asyncio.sleep(0.3)  # let our iopub subscription connect
        content = {"code": "print('elsewhere')\n1/0", "silent": False, "store_history": True}
        message = sender.session.msg("execute_request", content)
        sink = RecordingSink()
        request = router.expect(message, sink, silent=False)
        sender.shell_channel.send(message)
        outcome = await asyncio.wait_for(router.wait(request), 10)
        assert outcome.reply is not None
        assert outcome.reply["status"] == "error" and outcome.reply["ename"] == "ZeroDivisionError"
        assert isinstance(outcome.reply["execution_count"], int)
        assert sink.stdout() == "elsewhere\n"
    finally:
        await router.close(running=ExecutionStatus.DIED, queued=ExecutionStatus.ABORTED)
        for client in (ours, sender):
            client.stop_channels()


async def test_when_the_kernel_ends_the_oldest_pending_request_was_running() -> None:
    """Even if none of its iopub messages got out (``os._exit`` right away)."""
    client = AsyncKernelClient()  # ending requests needs no connection
    router = MessageRouter(ZmqChannels(client), on_state=lambda state: None)
    running, queued = (
        router.expect(client.session.msg("execute_request", {}), RecordingSink(), silent=False)
        for _ in range(2)
    )
    router.end_pending(running=ExecutionStatus.DIED, queued=ExecutionStatus.ABORTED)
    assert running.finished.result().ended is ExecutionStatus.DIED
    assert queued.finished.result().ended is ExecutionStatus.ABORTED
