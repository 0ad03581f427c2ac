"""Bounded summaries of the live namespace, made inside the kernel process.

The front end shows every variable next to the cell that changed it, so this runs after
*every* cell. It therefore must never be slow, never hang and never have side effects,
whatever objects the user created: a ``__repr__`` that sleeps, raises, or returns ten
megabytes; a dict of a million items; a DataFrame with thousands of columns.

How the work is bounded:

- Builtin scalars and containers are described without calling their ``repr`` on the
  whole object (a few items, each capped), so their cost does not grow with their size.
- Anything else runs under a per-object time limit (``signal.setitimer``, main thread
  only); the previous SIGALRM handler and timer are restored afterwards.
- Arrays and DataFrames are recognised by duck typing (``shape``, ``dtype``,
  ``columns``): numpy and pandas are never imported, and a DataFrame is never repr'd.
  When the kernel has numpy already, its arrays are printed with their edge items only.
- At most ``MAX_NAMES`` names are summarised and the whole pass has a time budget.

This module is deliberately self-contained (stdlib only, no relative imports, no
dataclasses): the adapter can send its source to a kernel where pairrepl is not
installed and exec it there.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import signal
import sys
import threading
import time
import types
import zlib
from collections import deque
from collections.abc import Callable
from typing import Any

#: The hidden name under which the summary function lives in the user namespace.
SUMMARY_FUNCTION_NAME = "_pairrepl_namespace_summary"

MAX_NAMES = 2000
REPR_CHARS = 80
PER_OBJECT_SECONDS = 0.05
#: ``describe``: one object, shown in full to the human or the model, still bounded.
VIEW_CHARS = 2000
DESCRIBE_SECONDS = 0.2
DESCRIBE_FUNCTION_NAME = "_pairrepl_describe"
TOTAL_SECONDS = 0.5
_RETRY_ALARM_SECONDS = 0.01  # the alarm repeats, so a repr that swallows it once still stops

_SIZED_BUILTINS = (str, bytes, bytearray, list, tuple, dict, set, frozenset, range, deque)
_SCALARS = (bool, float, complex, type(None))
_SEQUENCE_BRACKETS: dict[type, tuple[str, str]] = {
    list: ("[", "]"),
    tuple: ("(", ")"),
    set: ("{", "}"),
    frozenset: ("{", "}"),
    deque: ("[", "]"),
}
_NOT_INSPECTED = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
)
_WHITESPACE_RUN = re.compile(r"\s*\n\s*")


class _Limits:
    """How much of a value a repr shows: characters, items per container, nesting."""

    __slots__ = ("chars", "depth", "dict_items", "one_line", "sequence_items")

    def __init__(
        self, chars: int, dict_items: int, sequence_items: int, depth: int, one_line: bool
    ) -> None:
        self.chars = chars
        self.dict_items = dict_items
        self.sequence_items = sequence_items
        self.depth = depth
        self.one_line = one_line


_SUMMARY = _Limits(REPR_CHARS, dict_items=4, sequence_items=6, depth=2, one_line=True)
_VIEW = _Limits(VIEW_CHARS, dict_items=50, sequence_items=50, depth=3, one_line=False)


class _TimeLimitExceeded(BaseException):
    """Raised by SIGALRM. A BaseException, so ``except Exception`` in user code lets it by."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _TimeLimitExceeded()


class _Discard:
    """A stdout/stderr stand-in: a ``__repr__`` that prints must not leak into the cell."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class _Limiter:
    """Runs one object's inspection under a wall-clock limit, when signals allow it."""

    def __init__(self, can_interrupt: bool) -> None:
        self.can_interrupt = can_interrupt

    def run(self, work: Callable[[], None], seconds: float = PER_OBJECT_SECONDS) -> None:
        if not self.can_interrupt:
            work()
            return
        signal.setitimer(signal.ITIMER_REAL, seconds, _RETRY_ALARM_SECONDS)
        try:
            work()
        finally:
            _disarm_timer()


def _disarm_timer() -> None:
    # An alarm already delivered can still raise here; keep trying until it is off.
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        except _TimeLimitExceeded:
            continue


@contextlib.contextmanager
def _alarm_installed() -> Any:
    """Install our SIGALRM handler; restore the user's handler and remaining timer after."""
    previous_handler = signal.getsignal(signal.SIGALRM)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, 0)
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        yield
    finally:
        _disarm_timer()
        signal.signal(
            signal.SIGALRM, previous_handler if previous_handler is not None else signal.SIG_DFL
        )
        if previous_delay > 0:
            remaining = max(previous_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


def _can_use_signals() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


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

    can_interrupt = _can_use_signals()
    limiter = _Limiter(can_interrupt)
    deadline = time.monotonic() + TOTAL_SECONDS
    variables = []
    sink = _Discard()
    with contextlib.ExitStack() as stack:
        if can_interrupt:
            stack.enter_context(_alarm_installed())
        stack.enter_context(contextlib.redirect_stdout(sink))
        stack.enter_context(contextlib.redirect_stderr(sink))
        stack.enter_context(_short_array_reprs())
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


# Names whose values must never leave the kernel in a summary or a view (invariant
# CONTEXT-IS-BOUNDED-AND-CLEAN): the summary feeds the screen, the ledger and the AI's
# context alike. The same rule as pairrepl.agent.redaction.looks_secret, which this
# module may not import; tests/agent/test_agent_redaction.py checks that they agree.
_STRONG_WORDS = ("password", "passwd", "passphrase", "secret", "credential", "apikey")
# fmt: off
_DATA_KEYS = {
    "sort", "group", "groupby", "primary", "foreign", "partition", "join", "lookup",
    "cache", "dict", "index", "hash", "merge", "row", "column", "col", "map", "hot",
    "short", "composite", "natural", "object", "next", "last", "first", "min", "max",
    "match"
}
# fmt: on
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
REDACTED = "<redacted>"


def looks_secret(name: str) -> bool:
    """``api_key``, ``GITHUB_TOKEN``, ``clientSecret``; not ``key``, ``KeyError``, ``sort_key``."""
    lowered = name.lower()
    if any(word in lowered for word in _STRONG_WORDS):
        return True
    words = [word for word in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if word]
    if not words:
        return False
    if words[-1].endswith("token") or words[-1] in ("auth", "authorization"):
        return True
    return len(words) >= 2 and words[-1] == "key" and words[-2] not in _DATA_KEYS


def _summarise(name: str, value: Any, limiter: _Limiter, within_budget: bool) -> dict[str, Any]:
    if looks_secret(name):
        return {
            "name": name,
            "type_name": _type_name(value),
            "size": None,
            "dtype": None,
            "repr": REDACTED,
            "identity": id(value),
            "fingerprint": None,
        }
    entry: dict[str, Any] = {
        "name": name,
        "type_name": _type_name(value),
        "size": None,
        "dtype": None,
        "repr": "",
        "identity": id(value),
        "fingerprint": None,
    }
    if within_budget and limiter.can_interrupt:
        try:
            limiter.run(lambda: _fill(entry, value, safe=False))
        except _TimeLimitExceeded:
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
    return kind is int or kind in _SCALARS or kind in _SIZED_BUILTINS


def _type_name(value: Any) -> str:
    try:
        return str(type(value).__qualname__)[:60]
    except Exception:
        return "?"


def _fill(entry: dict[str, Any], value: Any, safe: bool) -> None:
    """Size, dtype, fingerprint and repr, each step failing on its own.

    ``safe`` means no user code may run: only builtin types are looked into.
    """
    shape = None
    if type(value) in _SIZED_BUILTINS:
        entry["size"] = str(len(value))
        entry["fingerprint"] = "len=" + entry["size"] + _digest_suffix(value)
    elif not safe and not isinstance(value, _NOT_INSPECTED):
        shape = _shape_of(value)
        if shape is not None:
            entry["size"] = str(shape) if shape else None
            entry["fingerprint"] = "shape=" + str(shape)
            entry["dtype"] = _dtype_of(value)
        else:
            length = _len_of(value)
            if length is not None:
                entry["size"] = str(length)
                entry["fingerprint"] = "len=" + str(length)
            else:
                attributes = _attribute_count(value)
                if attributes is not None:
                    entry["fingerprint"] = "attrs=" + str(attributes) + _attributes_digest(value)
    if shape is not None and len(shape) == 2 and _has_attribute(value, "columns"):
        entry["repr"] = _cap(_frame_repr(value, shape), _SUMMARY)
    else:
        shown = value if safe else without_secret_rows(value)
        entry["repr"] = _cap(_short_repr(shown, _SUMMARY.depth, safe, _SUMMARY), _SUMMARY)


def _has_attribute(value: Any, name: str) -> bool:
    try:
        return hasattr(value, name)
    except Exception:
        return False


def _shape_of(value: Any) -> tuple[int, ...] | None:
    try:
        shape = getattr(value, "shape", None)
        if shape is None or isinstance(shape, (str, bytes)):
            return None
        dims = tuple(int(dim) for dim in itertools.islice(shape, 33))
        return dims if len(dims) <= 32 else None
    except Exception:
        return None


def _dtype_of(value: Any) -> str | None:
    try:
        dtype = getattr(value, "dtype", None)
        return None if dtype is None else str(dtype)[:40]
    except Exception:
        return None


def _len_of(value: Any) -> int | None:
    try:
        if type(value) in _SIZED_BUILTINS or hasattr(type(value), "__len__"):
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
    return kind in _SCALARS


def _frame_repr(value: Any, shape: tuple[int, ...]) -> str:
    """A DataFrame by its first column names; its full repr would render the table."""
    try:
        names = [str(column)[:20] for column in itertools.islice(iter(value.columns), 8)]
    except Exception:
        names = []
    more = ", …" if shape[1] > len(names) else ""
    return f"{shape[0]} rows × {shape[1]} columns: " + ", ".join(names) + more


def _short_repr(value: Any, depth: int, safe: bool, limits: _Limits) -> str:
    """A repr whose cost does not grow with the size of builtin containers."""
    kind = type(value)
    if kind in (str, bytes, bytearray):
        head = value[: limits.chars + 1]
        return repr(head) + ("…" if len(value) > len(head) else "")
    if kind is int:
        if value.bit_length() > 256 * (limits.chars // REPR_CHARS):
            return f"<int of ~{int(value.bit_length() * 0.30103)} digits>"
        return repr(value)
    if kind in _SCALARS:
        return repr(value)
    if kind is dict:
        if depth <= 0:
            return "{…}" if value else "{}"
        items = [
            _short_repr(key, depth - 1, safe, limits)
            + ": "
            + (
                REDACTED  # {"token": ...}: a secret by its key, as by a name
                if type(key) is str and looks_secret(key)
                else _short_repr(item, depth - 1, safe, limits)
            )
            for key, item in itertools.islice(value.items(), limits.dict_items)
        ]
        return "{" + ", ".join(items) + (", …" if len(value) > len(items) else "") + "}"
    if kind in _SEQUENCE_BRACKETS:
        opening, closing = _SEQUENCE_BRACKETS[kind]
        if kind in (set, frozenset) and not value:
            return kind.__name__ + "()"
        if depth <= 0:
            return opening + ("…" if value else "") + closing
        items = [
            _short_repr(item, depth - 1, safe, limits)
            for item in itertools.islice(value, limits.sequence_items)
        ]
        more = ", …" if len(value) > len(items) else ""
        trailing = "," if kind is tuple and len(value) == 1 else ""
        text = opening + ", ".join(items) + trailing + more + closing
        return "deque(" + text + ")" if kind is deque else text
    if safe:
        return "<" + _type_name(value) + ">"
    try:
        text = repr(value)
    except Exception as error:
        return f"<repr failed: {type(error).__name__}>"
    if not isinstance(text, str):
        return f"<repr failed: {type(text).__name__} returned>"
    return _cap(text, limits)


def _cap(text: str, limits: _Limits) -> str:
    """At most ``limits.chars`` characters (a 10 MB repr is cut before it is cleaned);
    on one line for the summary."""
    text = text[: limits.chars * 4]
    if limits.one_line:
        text = _WHITESPACE_RUN.sub(" ", text)
    if len(text) > limits.chars:
        return text[: limits.chars - 1] + "…"
    return text


def describe_value(user_ns: dict[str, Any], hidden: dict[str, Any], name: str) -> str | None:
    """A fuller text view of one object (``$name`` in a request to the AI), bounded like
    the summary: at most ``VIEW_CHARS`` characters and ``DESCRIBE_SECONDS`` of work.
    None when the name does not exist (or is not a user name)."""
    if not isinstance(name, str) or not name.isidentifier() or name not in user_ns:
        return None
    value = user_ns[name]
    if not _is_user_name(name, value, hidden):
        return None
    if looks_secret(name):
        return f"{name}: {_type_name(value)}  {REDACTED} (its name looks secret)"
    can_interrupt = _can_use_signals()
    limiter = _Limiter(can_interrupt)
    sink = _Discard()
    entry = {}
    parts: list[str] = []
    with contextlib.ExitStack() as stack:
        if can_interrupt:
            stack.enter_context(_alarm_installed())
        stack.enter_context(contextlib.redirect_stdout(sink))
        stack.enter_context(contextlib.redirect_stderr(sink))
        entry = _summarise(name, value, limiter, within_budget=True)
        if can_interrupt:
            try:
                limiter.run(lambda: parts.append(_view(value)), DESCRIBE_SECONDS)
            except _TimeLimitExceeded:
                parts.append("<view timed out>")
        else:
            parts.append(_short_repr(value, _VIEW.depth, True, _VIEW))
    header = f"{name}: {entry['type_name']}"
    for key in ("size", "dtype"):
        if entry.get(key):
            header += f"  {key}={entry[key]}"
    return _cap(header + "\n" + "".join(parts), _VIEW)


def _view(value: Any) -> str:
    if isinstance(value, (types.FunctionType, types.MethodType, type)):
        return _code_view(value)
    if isinstance(value, types.ModuleType):
        return repr(value) + "\n" + _doc_head(value)
    shape = _shape_of(value)
    if shape is not None and len(shape) == 2 and _has_attribute(value, "columns"):
        return _frame_view(value, shape)
    return _short_repr(without_secret_rows(value), _VIEW.depth, False, _VIEW)


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


def redacted_rows(rows: Any) -> Any:
    """A few rows of a DataFrame or Series (a head or a tail), with the values under a
    secret-looking column or index label replaced, as a dict's values under a secret key
    are (a ``token`` column, a row labelled ``password``). Labels are read, never values;
    the copy is of the few rows only."""
    columns = _secret_labels(getattr(rows, "columns", ()))
    index = _secret_labels(getattr(rows, "index", ()))
    if not (columns or index):
        return rows
    hidden = rows.astype(object)  # a copy of the few rows: any value may become text
    for column in columns:
        hidden[column] = REDACTED
    for label in index:
        hidden.loc[label] = REDACTED
    return hidden


def without_secret_rows(value: Any) -> Any:
    """What a one-dimensional labelled array (a pandas Series) may show: itself, or its
    first rows with the values under secret-looking index labels hidden."""
    try:
        shape = _shape_of(value)
        if shape is None or len(shape) != 1 or _has_attribute(value, "columns"):
            return value
        if not _has_attribute(value, "head") or not _secret_labels(value.index):
            return value
        return redacted_rows(value.head(60))
    except Exception:
        return value


def _secret_labels(labels: Any) -> list[str]:
    return [
        label
        for label in itertools.islice(iter(labels), 1000)
        if isinstance(label, str) and looks_secret(label)
    ]


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
        text += "\n" + repr(redacted_rows(value.head(5)))
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
