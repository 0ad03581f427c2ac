"""Jupyter messages → pairrepl's core values. Pure functions, no I/O.

Kept apart from the routing so the mapping (which message is which output, which reply
is which status) can be read and tested on its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pairrepl.core.execution import ExecutionStatus, KernelState
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, Output, ResultOutput, StreamOutput

Message = dict[str, Any]

_KERNEL_STATES = {
    "busy": KernelState.BUSY,
    "idle": KernelState.IDLE,
    "starting": KernelState.STARTING,
}


def parent_id(message: Mapping[str, Any]) -> str | None:
    """The msg_id of the request this message answers (every routing decision uses it)."""
    parent = message.get("parent_header") or {}
    msg_id = parent.get("msg_id")
    return msg_id if isinstance(msg_id, str) else None


def parent_type(message: Mapping[str, Any]) -> str | None:
    parent = message.get("parent_header") or {}
    msg_type = parent.get("msg_type")
    return msg_type if isinstance(msg_type, str) else None


def message_type(message: Mapping[str, Any]) -> str:
    return str((message.get("header") or {}).get("msg_type") or message.get("msg_type") or "")


def kernel_state(message: Mapping[str, Any]) -> KernelState | None:
    """The state an iopub ``status`` message announces, if it is one."""
    if message_type(message) != "status":
        return None
    return _KERNEL_STATES.get(str(message.get("content", {}).get("execution_state")))


def output_from_iopub(message: Mapping[str, Any]) -> Output | None:
    """The core output an iopub message carries, or None for the ones that carry none.

    ``clear_output`` is ignored for now: the transcript only appends, so a progress bar
    that redraws itself shows every frame (capped by the session like any output).
    """
    kind = message_type(message)
    content = message.get("content") or {}
    if kind == "stream":
        text = str(content.get("text", ""))
        if content.get("name") == "stderr":
            return StreamOutput(name="stderr", text=text)
        return StreamOutput(name="stdout", text=text)
    if kind == "execute_result":
        return ResultOutput(
            data=_bundle(content.get("data")), execution_count=content.get("execution_count")
        )
    if kind in ("display_data", "update_display_data"):
        return DisplayOutput(data=_bundle(content.get("data")))
    if kind == "error":
        return ErrorOutput(
            ename=str(content.get("ename", "")),
            evalue=str(content.get("evalue", "")),
            traceback=tuple(str(line) for line in content.get("traceback") or ()),
        )
    return None


def _bundle(data: Any) -> dict[str, str]:
    """A mime bundle with text values. Binary types are already base64 text; JSON types
    (application/json, widget views) arrive as objects and are kept as JSON text."""
    if not isinstance(data, Mapping):
        return {}
    bundle: dict[str, str] = {}
    for mime, value in data.items():
        if isinstance(value, str):
            bundle[str(mime)] = value
        elif isinstance(value, list) and all(isinstance(part, str) for part in value):
            bundle[str(mime)] = "".join(value)  # nbformat's multiline strings
        else:
            bundle[str(mime)] = json.dumps(value)
    return bundle


def status_from_reply(content: Mapping[str, Any]) -> ExecutionStatus:
    """execute_reply status → ExecutionStatus; a KeyboardInterrupt is an interruption."""
    status = content.get("status")
    if status == "ok":
        return ExecutionStatus.OK
    if status == "aborted":
        return ExecutionStatus.ABORTED
    if content.get("ename") == "KeyboardInterrupt":
        return ExecutionStatus.INTERRUPTED
    return ExecutionStatus.ERROR
