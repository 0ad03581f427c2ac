"""Asking ``pairrepl_kernel``'s inspector, completion and ``obj?`` about live objects.

Each question is a *user expression* in a silent request (no ``Out``, ``In``, history or
execution count) that calls a hidden function with one JSON string argument, made here
with ``json.dumps`` and passed as a string literal (never as code built from the human's
input). The answer is JSON text, read back like the namespace summary: its
``text/plain`` is a Python string literal, read with ``ast.literal_eval``.

When the inspector cannot be loaded in the kernel (an existing kernel where neither the
package nor the source can install it), completion and help fall back to the plain
Jupyter messages (``complete_request``, ``inspect_request``): unbounded inside the
kernel, but better than nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pairrepl.core.inspection import Completions, HelpText, Inspection, ObjectPath
from pairrepl.kernel.summary import json_value
from pairrepl_kernel import inspector as kernel_inspector


def inspect_expression(
    path: ObjectPath, offset: int, items_only: bool, read_values: bool = False
) -> str:
    request = json.dumps(
        {
            "path": path.to_payload(),
            "offset": offset,
            "items_only": items_only,
            "read_values": read_values,
        }
    )
    return f"{kernel_inspector.INSPECT_FUNCTION_NAME}({request!r})"


def complete_expression(code: str, cursor: int) -> str:
    request = json.dumps({"code": code, "cursor": cursor})
    return f"{kernel_inspector.COMPLETE_FUNCTION_NAME}({request!r})"


def help_expression(code: str, cursor: int, detail: int) -> str:
    request = json.dumps({"code": code, "cursor": cursor, "detail": detail})
    return f"{kernel_inspector.HELP_FUNCTION_NAME}({request!r})"


def decode(result: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A user-expression result → the JSON object it carries; a failure becomes
    ``{"error": why}`` (never raises)."""
    if not result:
        return {"error": "the kernel gave no answer"}
    if result.get("status") != "ok":
        return {"error": f"the kernel failed: {result.get('ename')}: {result.get('evalue')}"}
    try:
        payload = json_value(result.get("data") or {})
    except (ValueError, TypeError, SyntaxError, KeyError, RecursionError) as error:
        return {"error": f"unreadable answer from the kernel: {error!r}"}
    if not isinstance(payload, Mapping):
        return {"error": "unreadable answer from the kernel: not a JSON object"}
    return payload


def inspection(path: ObjectPath, result: Mapping[str, Any] | None) -> Inspection:
    return Inspection.from_payload(path, decode(result))


def completions(result: Mapping[str, Any] | None, cursor: int) -> Completions:
    return Completions.from_payload(decode(result), cursor)


def help_text(name: str, result: Mapping[str, Any] | None) -> HelpText:
    payload = decode(result)
    return HelpText.from_payload({"name": name, **payload})


def completions_from_reply(content: Mapping[str, Any], cursor: int) -> Completions:
    """A ``complete_reply`` (the fallback) → completions."""
    if content.get("status") != "ok":
        return Completions(start=cursor, end=cursor, error="the kernel could not complete")
    return Completions.from_payload(content, cursor)


def help_from_reply(name: str, content: Mapping[str, Any]) -> HelpText:
    """An ``inspect_reply`` (the fallback) → help text."""
    if content.get("status") != "ok":
        return HelpText(name, error="the kernel could not inspect it")
    if not content.get("found"):
        return HelpText(name, f"Object `{name}` not found.")
    text = str((content.get("data") or {}).get("text/plain", ""))
    return HelpText(name, kernel_inspector.strip_ansi(text), found=True)
