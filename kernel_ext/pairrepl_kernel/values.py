"""Looking at one value cheaply: its type, shape and dtype, a bounded repr, and whether
its name says it is a secret. Shared by the namespace summary and the inspector.

Nothing here grows with the size of a value: builtin containers are described by a few
of their items (each capped), never by ``repr`` of the whole; arrays and DataFrames are
recognised by duck typing (``shape``, ``dtype``, ``columns``), so numpy and pandas are
never imported, and a DataFrame is never repr'd. Arrays on an accelerator are described
from their metadata alone (``devices.py``): their ``repr`` would wait for the device.

The caller bounds the time (``bounds.py``): ``repr`` of anything else runs user code.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict, defaultdict, deque
from functools import lru_cache
from typing import Any

from . import devices

REPR_CHARS = 80
#: A view of one object (``describe``, the inspector): fuller, still bounded.
VIEW_CHARS = 2000

SIZED_BUILTINS = (str, bytes, bytearray, list, tuple, dict, set, frozenset, range, deque)
SCALARS = (bool, float, complex, type(None))
_SEQUENCE_BRACKETS: dict[type, tuple[str, str]] = {
    list: ("[", "]"),
    tuple: ("(", ")"),
    set: ("{", "}"),
    frozenset: ("{", "}"),
    deque: ("[", "]"),
}
_DICT_SUBCLASSES = (OrderedDict, defaultdict)
_WHITESPACE_RUN = re.compile(r"\s*\n\s*")


class Limits:
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


SUMMARY_LIMITS = Limits(REPR_CHARS, dict_items=4, sequence_items=6, depth=2, one_line=True)
VIEW_LIMITS = Limits(VIEW_CHARS, dict_items=50, sequence_items=50, depth=3, one_line=False)

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


@lru_cache(maxsize=16_384)  # the same names come back in every cell's summary
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


def type_name(value: Any) -> str:
    try:
        return str(type(value).__qualname__)[:60]
    except Exception:
        return "?"


def has_attribute(value: Any, name: str) -> bool:
    try:
        return hasattr(value, name)
    except Exception:
        return False


def shape_of(value: Any) -> tuple[int, ...] | None:
    try:
        shape = getattr(value, "shape", None)
        if shape is None or isinstance(shape, (str, bytes)):
            return None
        dims = tuple(int(dim) for dim in itertools.islice(shape, 33))
        return dims if len(dims) <= 32 else None
    except Exception:
        return None


def dtype_of(value: Any) -> str | None:
    try:
        dtype = getattr(value, "dtype", None)
        return None if dtype is None else str(dtype)[:40]
    except Exception:
        return None


def frame_repr(value: Any, shape: tuple[int, ...]) -> str:
    """A DataFrame by its first column names; its full repr would render the table."""
    try:
        names = [str(column)[:20] for column in itertools.islice(iter(value.columns), 8)]
    except Exception:
        names = []
    more = ", …" if shape[1] > len(names) else ""
    return f"{shape[0]} rows × {shape[1]} columns: " + ", ".join(names) + more


def short_repr(value: Any, depth: int, safe: bool, limits: Limits) -> str:
    """A repr whose cost does not grow with the size of builtin containers."""
    kind = type(value)
    if kind in (str, bytes, bytearray):
        head = value[: limits.chars + 1]
        return repr(head) + ("…" if len(value) > len(head) else "")
    if kind is int:
        if value.bit_length() > 256 * (limits.chars // REPR_CHARS):
            return f"<int of ~{int(value.bit_length() * 0.30103)} digits>"
        return repr(value)
    if kind in SCALARS:
        return repr(value)
    if kind is dict or kind in _DICT_SUBCLASSES:
        if kind is not dict:  # OrderedDict (a model's state_dict): its repr reprs each value
            return kind.__name__ + "(" + short_repr(dict(value), depth, safe, limits) + ")"
        if depth <= 0:
            return "{…}" if value else "{}"
        items = [
            short_repr(key, depth - 1, safe, limits)
            + ": "
            + (
                REDACTED  # {"token": ...}: a secret by its key, as by a name
                if type(key) is str and looks_secret(key)
                else short_repr(item, depth - 1, safe, limits)
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
            short_repr(item, depth - 1, safe, limits)
            for item in itertools.islice(value, limits.sequence_items)
        ]
        more = ", …" if len(value) > len(items) else ""
        trailing = "," if kind is tuple and len(value) == 1 else ""
        text = opening + ", ".join(items) + trailing + more + closing
        return "deque(" + text + ")" if kind is deque else text
    if safe:
        return "<" + type_name(value) + ">"
    on_device = devices.on_accelerator(value)
    if on_device is not None:  # its repr would wait for the device
        return device_repr(value, on_device)
    try:
        text = repr(value)
    except Exception as error:
        return f"<repr failed: {type(error).__name__}>"
    if not isinstance(text, str):
        return f"<repr failed: {type(text).__name__} returned>"
    return cap(text, limits)


def device_repr(value: Any, on_device: devices.DeviceArray) -> str:
    """``<Tensor on cuda:0 · 3.8 MB · values not read>``: an array on an accelerator."""
    return "<" + type_name(value) + " " + on_device.text() + ">"


def cap(text: str, limits: Limits) -> str:
    """At most ``limits.chars`` characters (a 10 MB repr is cut before it is cleaned);
    on one line for the summary."""
    text = text[: limits.chars * 4]
    if limits.one_line:
        text = _WHITESPACE_RUN.sub(" ", text)
    if len(text) > limits.chars:
        return text[: limits.chars - 1] + "…"
    return text


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
        shape = shape_of(value)
        if shape is None or len(shape) != 1 or has_attribute(value, "columns"):
            return value
        if not has_attribute(value, "head") or not _secret_labels(value.index):
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
