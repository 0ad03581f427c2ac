"""Bounded summaries of the live namespace, made inside the kernel process.

The front end shows every variable next to the cell that changed it, so this runs after
*every* cell. It therefore must never be slow, never hang and never have side effects,
whatever objects the user created: a ``__repr__`` that sleeps, raises, or returns ten
megabytes; a dict of a million items; a DataFrame with thousands of columns.

How the work is bounded (``bounds.py``, ``values.py``):

- Builtin scalars and containers are described without calling their ``repr`` on the
  whole object (a few items, each capped), so their cost does not grow with their size.
- Anything else runs under a per-object time limit (``signal.setitimer``, main thread
  only); the previous SIGALRM handler and timer are restored afterwards.
- Arrays and DataFrames are recognised by duck typing (``shape``, ``dtype``,
  ``columns``): numpy and pandas are never imported, and a DataFrame is never repr'd.
  When the kernel has numpy already, its arrays are printed with their edge items only.
- Arrays on an accelerator are described from metadata alone (``devices.py``): reading
  a value would wait for the device, where no time limit can stop it.
- At most ``MAX_NAMES`` names are summarised and the whole pass has a time budget.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
import time
import types
import zlib
from collections import deque
from typing import Any

from . import bounds, devices, values

#: The hidden name under which the summary function lives in the user namespace.
SUMMARY_FUNCTION_NAME = "_pairrepl_namespace_summary"

MAX_NAMES = 2000
PER_OBJECT_SECONDS = 0.05
#: ``describe``: one object, shown in full to the human or the model, still bounded.
DESCRIBE_SECONDS = 0.2
DESCRIBE_FUNCTION_NAME = "_pairrepl_describe"
TOTAL_SECONDS = 0.5

_NOT_INSPECTED = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
)


def summarise_namespace(
    user_ns: dict[str, Any], hidden: dict[str, Any], max_names: int = MAX_NAMES
) -> dict[str, Any]:
    """The summary payload (see ``pairrepl.core.namespace.NamespaceSummary.from_payload``)."""
    names: list[tuple[str, Any]] = []
    truncated = False
    for name, value in list(user_ns.items()):
        if not _is_user_name(name, value, hidden):
            continue
        if len(names) >= max_names:
            truncated = True
            break
        names.append((name, value))

    can_interrupt = bounds.can_use_signals()
    limiter = bounds.Limiter(can_interrupt)
    deadline = time.monotonic() + TOTAL_SECONDS
    variables = []
    with bounds.quiet_and_bounded(can_interrupt), _short_array_reprs():
        for name, value in names:
            within_budget = time.monotonic() < deadline
            variables.append(_summarise(name, value, limiter, within_budget))
    return {"variables": variables, "truncated": truncated, "error": None}


def _short_array_reprs() -> contextlib.AbstractContextManager[Any]:
    """numpy prints every element of an array of up to 1,000 before the summary cuts the
    text to ``REPR_CHARS``: ask it for the first and last few only. That was most of the
    time of a summary of many small arrays (issue 9), and the cut text now shows both
    ends. numpy is used only if the kernel imported it; its options are restored after."""
    numpy: Any = sys.modules.get("numpy")  # a module mypy cannot see, or None
    try:
        options: contextlib.AbstractContextManager[Any] = numpy.printoptions(
            threshold=6, edgeitems=3
        )
    except Exception:  # no numpy, or one without printoptions
        return contextlib.nullcontext()
    return options


def _is_user_name(name: str, value: Any, hidden: dict[str, Any]) -> bool:
    """What ``%who`` shows: no underscore names, no IPython names unless the user rebound them."""
    if not isinstance(name, str) or name.startswith("_"):
        return False
    return not (name in hidden and hidden[name] is value)


def _summarise(
    name: str, value: Any, limiter: bounds.Limiter, within_budget: bool
) -> dict[str, Any]:
    if values.looks_secret(name):
        return {
            "name": name,
            "type_name": values.type_name(value),
            "size": None,
            "dtype": None,
            "repr": values.REDACTED,
            "identity": id(value),
            "fingerprint": None,
        }
    entry: dict[str, Any] = {
        "name": name,
        "type_name": values.type_name(value),
        "size": None,
        "dtype": None,
        "repr": "",
        "identity": id(value),
        "fingerprint": None,
    }
    if within_budget and limiter.can_interrupt:
        try:
            limiter.run(lambda: _fill(entry, value, safe=False), PER_OBJECT_SECONDS)
        except bounds.TimeLimitExceeded:
            entry["repr"] = entry["repr"] or "<repr timed out>"
    elif _is_builtin_data(value):
        # No time limit left (or none possible): builtins only, their items by type name.
        _fill(entry, value, safe=True)
    else:
        reason = "time budget spent" if not within_budget else "no time limit available"
        entry["repr"] = "<not summarised: " + reason + ">"
    return entry


def _is_builtin_data(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind in values.SCALARS or kind in values.SIZED_BUILTINS


def _fill(entry: dict[str, Any], value: Any, safe: bool) -> None:
    """Size, dtype, fingerprint and repr, each step failing on its own.

    ``safe`` means no user code may run: only builtin types are looked into.
    """
    shape = None
    if type(value) in values.SIZED_BUILTINS:
        entry["size"] = str(len(value))
        entry["fingerprint"] = "len=" + entry["size"] + _digest_suffix(value)
    elif not safe and not isinstance(value, _NOT_INSPECTED):
        shape = values.shape_of(value)
        if shape is not None:
            entry["size"] = str(shape) if shape else None
            entry["fingerprint"] = "shape=" + str(shape)
            entry["dtype"] = values.dtype_of(value)
            on_device = devices.on_accelerator(value)
            if on_device is not None:  # metadata only: a value read waits for the device
                entry["repr"] = values.device_repr(value, on_device)
                return
        else:
            length = _len_of(value)
            if length is not None:
                entry["size"] = str(length)
                entry["fingerprint"] = "len=" + str(length)
            else:
                attributes = _attribute_count(value)
                if attributes is not None:
                    entry["fingerprint"] = "attrs=" + str(attributes) + _attributes_digest(value)
    if shape is not None and len(shape) == 2 and values.has_attribute(value, "columns"):
        entry["repr"] = values.cap(values.frame_repr(value, shape), values.SUMMARY_LIMITS)
    else:
        shown = value if safe else values.without_secret_rows(value)
        limits = values.SUMMARY_LIMITS
        entry["repr"] = values.cap(values.short_repr(shown, limits.depth, safe, limits), limits)


def _len_of(value: Any) -> int | None:
    try:
        if type(value) in values.SIZED_BUILTINS or hasattr(type(value), "__len__"):
            return len(value)
    except Exception:
        pass
    return None


def _attribute_count(value: Any) -> int | None:
    """Instances: the number of attributes, so ``obj.new = 1`` shows as a change."""
    try:
        attributes = object.__getattribute__(value, "__dict__")
        return len(attributes) if isinstance(attributes, dict) else None
    except Exception:
        return None


_DIGEST_ITEMS = 256
_DIGEST_CHARS = 200
_DIGEST_CONTAINERS = (list, tuple, dict, set, frozenset, deque)


def _digest_suffix(value: Any) -> str:
    """`` #1a2b3c4d``: a checksum of a small container of plain scalars, so that an
    in-place change that keeps the length (``d["a"] = 2``, ``xs[0] = 5``) still shows as
    a mutation. Empty when it would not be cheap (large, nested, or not plain data),
    then only the length tells."""
    if type(value) not in _DIGEST_CONTAINERS or len(value) > _DIGEST_ITEMS:
        return ""
    parts = itertools.chain.from_iterable(value.items()) if type(value) is dict else value
    if not all(_plain_scalar(part) for part in parts):
        return ""
    return " #" + format(zlib.crc32(repr(value).encode("utf-8", "backslashreplace")), "08x")


def _attributes_digest(value: Any) -> str:
    """The same checksum over an instance's ``__dict__`` (``obj.count = 2``)."""
    try:
        attributes = object.__getattribute__(value, "__dict__")
    except Exception:
        return ""
    return _digest_suffix(attributes) if type(attributes) is dict else ""


def _plain_scalar(value: Any) -> bool:
    kind = type(value)
    if kind in (str, bytes):
        return len(value) <= _DIGEST_CHARS
    if kind is int:
        bits: int = value.bit_length()  # value is exactly an int here
        return bits <= 256
    return kind in values.SCALARS


def describe_value(user_ns: dict[str, Any], hidden: dict[str, Any], name: str) -> str | None:
    """A fuller text view of one object (``$name`` in a request to the AI), bounded like
    the summary: at most ``VIEW_CHARS`` characters and ``DESCRIBE_SECONDS`` of work.
    None when the name does not exist (or is not a user name)."""
    if not isinstance(name, str) or not name.isidentifier() or name not in user_ns:
        return None
    value = user_ns[name]
    if not _is_user_name(name, value, hidden):
        return None
    if values.looks_secret(name):
        return f"{name}: {values.type_name(value)}  {values.REDACTED} (its name looks secret)"
    can_interrupt = bounds.can_use_signals()
    limiter = bounds.Limiter(can_interrupt)
    limits = values.VIEW_LIMITS
    with bounds.quiet_and_bounded(can_interrupt):
        entry = _summarise(name, value, limiter, within_budget=True)
        if can_interrupt:
            try:
                view = limiter.run(lambda: _view(value), DESCRIBE_SECONDS)
            except bounds.TimeLimitExceeded:
                view = "<view timed out>"
        else:
            view = values.short_repr(value, limits.depth, True, limits)
    header = f"{name}: {entry['type_name']}"
    for key in ("size", "dtype"):
        if entry.get(key):
            header += f"  {key}={entry[key]}"
    return values.cap(header + "\n" + view, limits)


def _view(value: Any) -> str:
    if isinstance(value, (types.FunctionType, types.MethodType, type)):
        return _code_view(value)
    if isinstance(value, types.ModuleType):
        return repr(value) + "\n" + _doc_head(value)
    shape = values.shape_of(value)
    if shape is not None and len(shape) == 2 and values.has_attribute(value, "columns"):
        return _frame_view(value, shape)
    return values.short_repr(
        values.without_secret_rows(value), values.VIEW_LIMITS.depth, False, values.VIEW_LIMITS
    )


def _code_view(value: Any) -> str:
    """Functions and classes: signature, docstring, and the source when it is known
    (IPython keeps each cell's source, so functions defined in the session have one)."""
    import inspect

    lines = []
    try:
        lines.append(value.__qualname__ + str(inspect.signature(value)))
    except (TypeError, ValueError):
        lines.append(repr(value))
    try:
        lines.append(inspect.getsource(value))
    except (OSError, TypeError):
        lines.append(_doc_head(value))
    return "\n".join(line for line in lines if line)


def _doc_head(value: Any) -> str:
    doc = getattr(value, "__doc__", None)
    return "\n".join(doc.strip().splitlines()[:10]) if isinstance(doc, str) else ""


def _frame_view(value: Any, shape: tuple[int, ...]) -> str:
    """A DataFrame: its columns with dtypes, then its first rows."""
    columns: list[str] = []
    try:
        for column, dtype in itertools.islice(value.dtypes.items(), 30):
            columns.append(f"{column} ({dtype})")
    except Exception:
        columns = [str(column) for column in itertools.islice(iter(value.columns), 30)]
    more = f", … (+{shape[1] - len(columns)} more)" if shape[1] > len(columns) else ""
    text = f"{shape[0]} rows × {shape[1]} columns\ncolumns: " + ", ".join(columns) + more
    try:
        text += "\n" + repr(values.redacted_rows(value.head(5)))
    except Exception as error:
        text += f"\n<head() failed: {type(error).__name__}>"
    return text


def install(ip: Any) -> None:
    """Put the summary function into the user namespace, hidden from ``%who`` and itself."""

    def namespace_summary() -> str:
        """JSON text: the adapter reads it back from the user expression's text/plain."""
        payload = summarise_namespace(ip.user_ns, ip.user_ns_hidden)
        return json.dumps(payload)

    def describe(name: str) -> str:
        """JSON text (a string, or null when there is no such name)."""
        return json.dumps(describe_value(ip.user_ns, ip.user_ns_hidden, name))

    for hidden_name, function in (
        (SUMMARY_FUNCTION_NAME, namespace_summary),
        (DESCRIBE_FUNCTION_NAME, describe),
    ):
        ip.user_ns[hidden_name] = function
        ip.user_ns_hidden[hidden_name] = function


def uninstall(ip: Any) -> None:
    for hidden_name in (SUMMARY_FUNCTION_NAME, DESCRIBE_FUNCTION_NAME):
        ip.user_ns.pop(hidden_name, None)
        ip.user_ns_hidden.pop(hidden_name, None)
