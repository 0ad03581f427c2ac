"""Getting a ``NamespaceSummary`` and the other answers of ``pairrepl_kernel`` out of the kernel.

The summary is built inside the kernel by ``pairrepl_kernel`` and travels back as a
*user expression*: ipykernel evaluates it right after a successful cell, in the same
round trip as the execute_reply. It returns a JSON string, so its ``text/plain`` form is
a Python string literal; we read that with ``ast.literal_eval`` (never ``eval``) and then
``json.loads`` it.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from pairrepl.core.namespace import NamespaceSummary, VariableSummary
from pairrepl_kernel import namespace as kernel_namespace
from pairrepl_kernel import promoted as kernel_promoted

#: The key of our entry in an execute request's ``user_expressions``.
EXPRESSION_KEY = "pairrepl_namespace"
#: What the kernel evaluates to build the summary.
SUMMARY_EXPRESSION = f"{kernel_namespace.SUMMARY_FUNCTION_NAME}()"

NOT_LOADED = (
    "pairrepl's namespace inspector is not loaded in this kernel. Install pairrepl-kernel in "
    "the kernel's environment (pip install pairrepl-kernel), or run `%load_ext "
    "pairrepl_kernel` in the kernel, then refresh."
)

_VARIABLE_FIELDS = frozenset(field.name for field in dataclasses.fields(VariableSummary))


def describe_expression(name: str) -> str:
    """The expression for ``describe``; ``name`` must be an identifier (checked by the
    caller, and passed as a string literal, never as code)."""
    return f"{kernel_namespace.DESCRIBE_FUNCTION_NAME}({name!r})"


def decode_view(result: Mapping[str, Any] | None) -> str | None:
    """A ``describe`` result → its text, or None (no such name, or no inspector)."""
    if not result or result.get("status") != "ok":
        return None
    try:
        view = json_value(result.get("data") or {})
    except (ValueError, TypeError, SyntaxError, KeyError):
        return None
    return view if isinstance(view, str) else None


def reload_expression(module_name: str, names: list[str], search_paths: list[str]) -> str:
    """The expression for ``reload_module``; every argument goes in as a literal."""
    function = kernel_promoted.RELOAD_FUNCTION_NAME
    return f"{function}({module_name!r}, {names!r}, {search_paths!r})"


def decode_json(result: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """A user expression that returned JSON text → the object; None if it failed."""
    if not result or result.get("status") != "ok":
        return None
    try:
        return _payload(result.get("data") or {})
    except (ValueError, TypeError, SyntaxError, KeyError):
        return None


def user_expressions() -> dict[str, str]:
    return {EXPRESSION_KEY: SUMMARY_EXPRESSION}


def is_not_loaded(result: Mapping[str, Any] | None) -> bool:
    """The expression failed because the summary function is missing."""
    return bool(result) and result.get("status") == "error" and result.get("ename") == "NameError"  # type: ignore[union-attr]


def decode_summary(result: Mapping[str, Any] | None) -> NamespaceSummary:
    """One user-expression result → a summary. Never raises: problems become ``error``."""
    if not result:
        return NamespaceSummary(error="the kernel returned no namespace summary")
    if result.get("status") != "ok":
        if is_not_loaded(result):
            return NamespaceSummary(error=NOT_LOADED)
        return NamespaceSummary(
            error=f"the namespace summary failed in the kernel: "
            f"{result.get('ename')}: {result.get('evalue')}"
        )
    try:
        return _summary_from_payload(_payload(result.get("data") or {}))
    except (ValueError, TypeError, SyntaxError, KeyError) as error:
        return NamespaceSummary(error=f"unreadable namespace summary from the kernel: {error!r}")


def json_value(data: Mapping[str, Any]) -> Any:
    """What a pairrepl_kernel function returned as JSON text, from its user expression's
    mime bundle (the text/plain repr of that string). Raises ValueError, TypeError,
    SyntaxError or KeyError when the bundle holds no such text."""
    as_json = data.get("application/json")
    if isinstance(as_json, Mapping):
        return as_json
    literal = ast.literal_eval(str(data["text/plain"]))
    if not isinstance(literal, str):
        raise TypeError(f"expected a JSON string, got {type(literal).__name__}")
    return json.loads(literal)


def _payload(data: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = json_value(data)
    if not isinstance(payload, Mapping):
        raise TypeError(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def _summary_from_payload(payload: Mapping[str, Any]) -> NamespaceSummary:
    """Tolerates fields a newer inspector adds (an injected copy may be older or newer)."""
    variables = [
        {key: value for key, value in item.items() if key in _VARIABLE_FIELDS}
        for item in payload.get("variables", ())
        if isinstance(item, Mapping)
    ]
    return NamespaceSummary.from_payload({**payload, "variables": variables})
