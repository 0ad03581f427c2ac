"""The pure mapping from Jupyter messages to core outputs and statuses."""

from __future__ import annotations

from typing import Any

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, ResultOutput, StreamOutput
from pairrepl.kernel.messages import (
    kernel_state,
    output_from_iopub,
    parent_id,
    status_from_reply,
)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def message(msg_type: str, content: dict[str, Any], parent: str = "p1") -> dict[str, Any]:
    return {
        "header": {"msg_type": msg_type, "msg_id": "m"},
        "parent_header": {"msg_id": parent, "msg_type": "execute_request"},
        "content": content,
    }


def test_stream_becomes_stream_output() -> None:
    out = output_from_iopub(message("stream", {"name": "stderr", "text": "oops\n"}))
    assert out == StreamOutput(name="stderr", text="oops\n")


def test_execute_result_keeps_execution_count() -> None:
    out = output_from_iopub(
        message("execute_result", {"data": {"text/plain": "2"}, "execution_count": 7})
    )
    assert out == ResultOutput(data={"text/plain": "2"}, execution_count=7)


def test_display_without_text_plain_keeps_bundle_and_binary_stays_base64() -> None:
    out = output_from_iopub(message("display_data", {"data": {"image/png": PNG}}))
    assert isinstance(out, DisplayOutput)
    assert out.data == {"image/png": PNG}
    assert "image/png" in out.text  # core's fallback text


def test_update_display_data_is_a_display_and_json_is_kept_as_text() -> None:
    out = output_from_iopub(
        message("update_display_data", {"data": {"application/json": {"a": 1}}})
    )
    assert out == DisplayOutput(data={"application/json": '{"a": 1}'})


def test_error_keeps_traceback_lines() -> None:
    out = output_from_iopub(
        message("error", {"ename": "ValueError", "evalue": "bad", "traceback": ["l1", "l2"]})
    )
    assert out == ErrorOutput(ename="ValueError", evalue="bad", traceback=("l1", "l2"))


def test_messages_without_output() -> None:
    for kind in ("status", "execute_input", "clear_output", "comm_open"):
        assert output_from_iopub(message(kind, {})) is None


def test_status_and_parent() -> None:
    busy = message("status", {"execution_state": "busy"}, parent="abc")
    assert kernel_state(busy) is KernelState.BUSY
    assert parent_id(busy) == "abc"
    assert kernel_state(message("stream", {})) is None
    assert parent_id({"parent_header": {}}) is None


def test_reply_status_mapping() -> None:
    assert status_from_reply({"status": "ok"}) is ExecutionStatus.OK
    assert status_from_reply({"status": "error", "ename": "ValueError"}) is ExecutionStatus.ERROR
    assert (
        status_from_reply({"status": "error", "ename": "KeyboardInterrupt"})
        is ExecutionStatus.INTERRUPTED
    )
    assert status_from_reply({"status": "aborted"}) is ExecutionStatus.ABORTED
