"""The object inspector, completion and ``obj?`` help, made inside the kernel process.

The human drills into live objects from the variables pane: one object at a time, by a
*path* from a root (a user name, or the last exception) through attributes and items.
Every query is re-resolved from the root, so what is shown is the object as it is now,
and no reference to any object is kept here between queries (``del x`` still frees it).

Each query must be harmless, whatever the objects do:

- bounded in time: every part (a repr, a statistic, one attribute) runs under its own
  SIGALRM limit and the whole query under a budget; a ``__repr__`` that sleeps or a
  property that raises shows as such, and the kernel is free again within about a
  second, so the human's next cell runs promptly;
- without side effects on the session: it runs as a silent user expression (no ``Out``,
  ``In``, history or execution count), prints nothing, and never imports numpy or pandas
  (an object is recognised by duck typing, which only matches once the user's code has
  imported them);
- secret-looking names (attributes, dict keys, the root) are shown redacted, as in the
  namespace summary.

Completion and ``obj?`` use the same IPython machinery as ipykernel's answers to
``complete_request`` and ``inspect_request``, but under a time limit: IPython's ``obj?``
calls ``repr(obj)``, which a hostile object can make hang forever.

Like ``namespace``, this module imports only the stdlib and IPython; it bounds its work
with ``bounds`` and looks at values with ``values``, as the summary does.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import json
import re
import sys
import time
import traceback
import types
from collections import deque
from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

from . import bounds, devices, values

INSPECT_FUNCTION_NAME = "_pairrepl_inspect"
COMPLETE_FUNCTION_NAME = "_pairrepl_complete"
HELP_FUNCTION_NAME = "_pairrepl_help"

PAGE_SIZE = 50
#: The whole query; parts not reached by then are shown as "not evaluated".
INSPECT_SECONDS = 1.0
#: One part: the repr, a statistic, head or tail, the source.
PART_SECONDS = 0.2
#: One attribute or one item of a page.
ENTRY_SECONDS = 0.05
MAX_ATTRIBUTES = 200
SECTION_CHARS = 6000
ENTRY_CHARS = 100
LABEL_CHARS = 40
SOURCE_LINES = 200
#: Arrays larger than this are sampled for statistics.
SAMPLE_ELEMENTS = 1_000_000
COMPLETE_SECONDS = 2.0
MAX_COMPLETIONS = 500
HELP_SECONDS = 1.0

_SCALAR_TYPES = (int, float, complex, bool, type(None), str, bytes, bytearray)
_CODE_TYPES = (
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
    types.BuiltinMethodType,
    type,
)
_METHOD_DESCRIPTORS = (
    types.FunctionType,
    staticmethod,
    classmethod,
    types.BuiltinFunctionType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.ClassMethodDescriptorType,
)
_ENTRY = values.Limits(ENTRY_CHARS, dict_items=4, sequence_items=6, depth=2, one_line=True)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Query:
    """One query's time limits: each part under its own alarm, all under a budget."""

    def __init__(self, seconds: float) -> None:
        self.can_interrupt = bounds.can_use_signals()
        self.limiter = bounds.Limiter(self.can_interrupt)
        self.deadline = time.monotonic() + seconds

    @property
    def spent(self) -> bool:
        return time.monotonic() >= self.deadline

    def run(self, work: Callable[[], Any], seconds: float, *, budgeted: bool = True) -> Any:
        """``work()``'s result. Raises ``bounds.TimeLimitExceeded`` when it took
        longer than ``seconds`` (or the budget was already spent), or what it raised.
        Without signals (not the main thread) nothing can stop user code, so only
        builtin data is looked at: see ``_guarded``."""
        if budgeted and self.spent:
            raise _BudgetSpent()
        return self.limiter.run(work, seconds)


class _BudgetSpent(Exception):
    """The query's time budget was spent before this part started."""


def _guarded(query: _Query, work: Callable[[], str], seconds: float) -> str:
    """A text part: its text, or why there is none (timed out, raised, budget spent)."""
    try:
        return str(query.run(work, seconds))
    except bounds.TimeLimitExceeded:
        return f"<timed out after {seconds:g} s>"
    except _BudgetSpent:
        return "<not evaluated: time budget spent>"
    except Exception as error:
        return f"<raised {_error_text(error)}>"


def _error_text(error: BaseException) -> str:
    try:
        message = str(error)
    except Exception:
        message = ""
    text = type(error).__name__ + (f": {message}" if message else "")
    return _one_line(text, ENTRY_CHARS)


def _one_line(text: str, chars: int) -> str:
    text = " ".join(text[: chars * 4].split())
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _capped(text: str, chars: int = SECTION_CHARS) -> str:
    if len(text) <= chars:
        return text
    return text[: chars - 1] + f"… ({len(text) - chars + 1:,} more characters)"


# -- resolving a path ------------------------------------------------------------------


class _NotFound(Exception):
    """The path leads nowhere now (a name deleted, an index out of range…)."""


def _resolve(ip: Any, query: _Query, steps: list[Any]) -> Any:
    """The object at ``steps``: ``[["name", "df"], ["attr", "columns"], ["item", 3]]``,
    or ``[["last_error", ""]]`` for the exception of the latest failed cell."""
    if not steps:
        raise _NotFound("empty path")
    kind, key = steps[0]
    if kind == "name":
        if not isinstance(key, str) or key not in ip.user_ns:
            raise _NotFound(f"no name {key!r} in the namespace")
        if values.looks_secret(key):
            raise _Redacted(key)
        value = ip.user_ns[key]
    elif kind == "last_error":
        value = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
        if value is None:
            raise _NotFound("no cell has raised yet in this kernel")
    else:
        raise _NotFound(f"a path starts with a name, not {kind!r}")
    for kind, key in steps[1:]:
        if kind == "attr":
            if not isinstance(key, str) or not key.isidentifier():
                raise _NotFound(f"bad attribute {key!r}")
            if values.looks_secret(key):
                raise _Redacted(key)
            value = _timed(query, functools.partial(getattr, value, key), f"reading .{key}")
        elif kind == "item":
            if not isinstance(key, int) or key < 0:
                raise _NotFound(f"bad item position {key!r}")
            work = functools.partial(_nth_item, value, key)
            label, value = _timed(query, work, f"reading item {key}")
            if label is not None and values.looks_secret(label):
                raise _Redacted(label)
        else:
            raise _NotFound(f"unknown step {kind!r}")
    return value


class _Redacted(Exception):
    """The path goes through a secret-looking name."""


def _timed(query: _Query, work: Callable[[], Any], what: str) -> Any:
    try:
        return query.run(work, PART_SECONDS, budgeted=False)
    except bounds.TimeLimitExceeded:
        raise _NotFound(f"{what} timed out after {PART_SECONDS:g} s") from None
    except (_NotFound, _Redacted):
        raise
    except Exception as error:
        raise _NotFound(f"{what} raised {_error_text(error)}") from None


def _nth_item(value: Any, position: int) -> tuple[str | None, Any]:
    """The item at ``position`` among the ones ``_items_page`` lists, and its key when it
    is a mapping's (for redaction)."""
    frame = _frame_like(value)
    if frame:
        column = _nth(iter(value.columns), position)
        return str(column), value[column]
    if isinstance(value, Mapping):
        key = _nth(iter(value.keys()), position)
        return (key if isinstance(key, str) else None), value[key]
    if isinstance(value, (Set, deque)) or not hasattr(value, "__getitem__"):
        return None, _nth(iter(value), position)
    if position >= _item_count(value):
        raise _NotFound(f"no item {position}: there are {_item_count(value)}")
    return None, value[position]


def _nth(iterator: Any, position: int) -> Any:
    for item in itertools.islice(iterator, position, position + 1):
        return item
    raise _NotFound(f"no item {position}")


# -- what an object is ---------------------------------------------------------------


def _array_like(value: Any) -> bool:
    shape = values.shape_of(value)
    return shape is not None and values.has_attribute(value, "dtype") and not _frame_like(value)


def _frame_like(value: Any) -> bool:
    shape = values.shape_of(value)
    return (
        shape is not None
        and len(shape) == 2
        and values.has_attribute(value, "columns")
        and values.has_attribute(value, "dtypes")
    )


def _series_like(value: Any) -> bool:
    shape = values.shape_of(value)
    return (
        shape is not None
        and len(shape) == 1
        and values.has_attribute(value, "index")
        and values.has_attribute(value, "isna")
    )


def _kind(value: Any) -> str:
    if isinstance(value, BaseException):
        return "exception"
    if isinstance(value, types.ModuleType):
        return "module"
    if isinstance(value, _CODE_TYPES):
        return "callable"
    if isinstance(value, _SCALAR_TYPES):
        return "scalar"
    if _frame_like(value):
        return "frame"
    if _series_like(value):
        return "series"
    if _array_like(value):
        return "array"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, (list, tuple, range, deque, Set, Sequence)):
        return "sequence"
    if callable(value) and not isinstance(value, type) and _has_own_call(value):
        return "callable"
    return "object"


def _has_own_call(value: Any) -> bool:
    """Instances whose class defines ``__call__`` (functools.partial, decorators' wrappers)."""
    try:
        return "__call__" in type(value).__dict__ or isinstance(value, functools.partial)
    except Exception:
        return False


# -- one inspection ------------------------------------------------------------------


def inspect_path(
    ip: Any,
    steps: list[Any],
    offset: int = 0,
    items_only: bool = False,
    read_values: bool = False,
) -> dict[str, Any]:
    """The inspection payload (see ``pairrepl.core.inspection.Inspection.from_payload``).
    ``read_values``: the human asked for the values of an array on an accelerator
    (statistics and a corner), which are read only then, and only if its device is idle."""
    query = _Query(INSPECT_SECONDS)
    started = time.monotonic()
    with bounds.quiet_and_bounded(query.can_interrupt):
        try:
            value = _resolve(ip, query, steps)
        except _NotFound as error:
            return {"error": str(error)}
        except _Redacted as error:
            return {
                "error": None,
                "type_name": "?",
                "kind": "redacted",
                "repr": values.REDACTED,
                "sections": [["redacted", f"{error} looks like a secret: its value is not shown."]],
            }
        payload = _describe(ip, query, value, offset, items_only, read_values)
    payload["elapsed_s"] = round(time.monotonic() - started, 3)
    return payload


def _describe(
    ip: Any, query: _Query, value: Any, offset: int, items_only: bool, read_values: bool
) -> dict[str, Any]:
    try:  # duck typing reads attributes: a hostile __getattr__ could hang right here
        kind = query.run(lambda: _kind(value), PART_SECONDS, budgeted=False)
    except bounds.TimeLimitExceeded:
        kind = "object"
    except Exception:
        kind = "object"
    payload: dict[str, Any] = {
        "error": None,
        "kind": kind,
        "type_name": values.type_name(value),
    }
    on_device = _on_device(query, value) if kind == "array" else None
    if on_device is not None:  # metadata only, unless the human asks for the values
        payload["items_total"] = None
        if not items_only:
            payload["module"] = _guarded(query, lambda: _module_of(value), PART_SECONDS)
            payload["size"] = (
                "" if on_device.nbytes is None else devices.human_bytes(on_device.nbytes)
            )
            payload["repr"] = "<" + on_device.text() + ">"
            shown = _device_array_sections(query, value, on_device, read_values)
            payload["sections"] = [[title, _capped(text)] for title, text in shown]
        return payload
    if kind in ("mapping", "sequence", "frame", "array"):
        total = _guarded(query, lambda: str(_item_count(value)), PART_SECONDS)
        payload["items_total"] = int(total) if total.isdigit() else None
        payload["items_offset"] = offset
        payload["items"] = _items_page(query, value, offset, kind)
    if items_only:
        return payload
    payload["module"] = _guarded(query, lambda: _module_of(value), PART_SECONDS)
    payload["size"] = _size_of(query, value, kind)
    payload["repr"] = _guarded(query, lambda: _repr_of(value, kind), PART_SECONDS)
    sections: list[list[str]] = []
    describe_kind = _SECTIONS.get(kind)
    if describe_kind is not None:
        describe_kind(ip, query, value, sections)
    payload["sections"] = [[title, _capped(text)] for title, text in sections]
    if kind not in ("scalar", "mapping", "sequence", "frame", "series", "array"):
        payload["attributes"], payload["attributes_total"] = _attributes(query, value, kind)
    return payload


def _module_of(value: Any) -> str:
    module = getattr(value, "__module__", None)
    if not isinstance(module, str):
        module = getattr(type(value), "__module__", "") or ""
    return str(module)[:80]


def _size_of(query: _Query, value: Any, kind: str) -> str:
    """Bytes where cheap: ``nbytes`` of an array, a frame's memory (not deep), else the
    shallow ``sys.getsizeof`` of builtins."""
    if kind == "array":
        return _guarded(query, lambda: devices.human_bytes(int(value.nbytes)), PART_SECONDS)
    if kind in ("frame", "series"):
        return _guarded(
            query,
            lambda: (
                devices.human_bytes(int(value.memory_usage(index=True, deep=False).sum()))
                if kind == "frame"
                else devices.human_bytes(int(value.memory_usage(index=True, deep=False)))
            ),
            PART_SECONDS,
        )
    if type(value).__module__ == "builtins":
        return devices.human_bytes(sys.getsizeof(value)) + " (shallow)"
    return ""


def _repr_of(value: Any, kind: str) -> str:
    if kind == "frame":
        return values.frame_repr(value, values.shape_of(value) or (0, 0))
    shown = values.without_secret_rows(value)
    return values.short_repr(shown, values.VIEW_LIMITS.depth, False, values.VIEW_LIMITS)


def _item_count(value: Any) -> int:
    if _frame_like(value):
        return int((values.shape_of(value) or (0, 0))[1])
    shape = values.shape_of(value)
    if shape is not None and _array_like(value):
        return int(shape[0]) if shape else 0
    return len(value)


def _items_page(query: _Query, value: Any, offset: int, kind: str) -> list[list[Any]]:
    """``PAGE_SIZE`` items from ``offset``: [label, step, type, short repr] each. The
    iteration itself is bounded, so a page of a million-item dict costs one page."""
    frame = kind == "frame"

    def take() -> list[tuple[str, Any]]:
        if frame:
            columns = itertools.islice(iter(value.columns), offset, offset + PAGE_SIZE)
            return [(repr(column), value[column]) for column in columns]
        if isinstance(value, Mapping):
            pairs = itertools.islice(iter(value.items()), offset, offset + PAGE_SIZE)
            return [(_label(key), item) for key, item in pairs]
        if isinstance(value, (Set, deque)) or not hasattr(value, "__getitem__"):
            items = itertools.islice(iter(value), offset, offset + PAGE_SIZE)
            return [(f"[{offset + index}]", item) for index, item in enumerate(items)]
        end = min(offset + PAGE_SIZE, _item_count(value))
        return [(f"[{index}]", value[index]) for index in range(offset, end)]

    try:
        pairs = query.run(take, PART_SECONDS, budgeted=False)
    except bounds.TimeLimitExceeded:
        return [["…", None, "", f"<listing the items timed out after {PART_SECONDS:g} s>"]]
    except Exception as error:
        return [["…", None, "", f"<listing the items raised {_error_text(error)}>"]]
    entries = []
    for index, (label, item) in enumerate(pairs):
        step = ["item", offset + index]
        secret = kind in ("mapping", "frame") and values.looks_secret(label)
        if secret:
            entries.append([label, step, values.type_name(item), values.REDACTED])
            continue
        if frame:
            summary = _guarded(query, functools.partial(_column_summary, item), ENTRY_SECONDS)
        else:
            summary = _guarded(query, functools.partial(_entry_repr, item), ENTRY_SECONDS)
        entries.append([label, step, values.type_name(item), summary])
    return entries


def _column_summary(column: Any) -> str:
    return f"{column.dtype} · {int(column.isna().sum()):,} null"


def _label(key: Any) -> str:
    if isinstance(key, str):
        return _one_line(repr(key), LABEL_CHARS)
    return _one_line(values.short_repr(key, 1, True, _ENTRY), LABEL_CHARS)


def _entry_repr(value: Any) -> str:
    if _frame_like(value):
        return values.frame_repr(value, values.shape_of(value) or (0, 0))
    if _array_like(value) or _series_like(value):
        shape = values.shape_of(value)
        return f"shape {shape} {values.dtype_of(value) or ''}".strip()
    return values.cap(values.short_repr(value, _ENTRY.depth, False, _ENTRY), _ENTRY)


def _attributes(query: _Query, value: Any, kind: str) -> tuple[list[list[Any]], int]:
    """Public attributes with their types: data first, then methods (never called).
    Each read runs under ``ENTRY_SECONDS``; a property that raises or hangs says so."""
    try:
        names = query.run(lambda: [n for n in dir(value) if isinstance(n, str)], PART_SECONDS)
    except bounds.TimeLimitExceeded:
        return [["…", None, "", f"<dir() timed out after {PART_SECONDS:g} s>"]], 0
    except _BudgetSpent:
        return [["…", None, "", "<not listed: time budget spent>"]], 0
    except Exception as error:
        return [["…", None, "", f"<dir() raised {_error_text(error)}>"]], 0
    public = [name for name in names if not name.startswith("_")]
    data: list[list[Any]] = []
    methods: list[list[Any]] = []
    for name in public[:MAX_ATTRIBUTES]:
        step = ["attr", name]
        if values.looks_secret(name):
            data.append(["." + name, step, "?", values.REDACTED])
            continue
        static = _static_attribute(value, name)
        if kind != "module" and isinstance(static, _METHOD_DESCRIPTORS):
            methods.append(["." + name, step, "method", _signature_text(static)])
            continue
        entry = ["." + name, step, "?", ""]

        def read(name: str = name) -> tuple[str, str]:
            attribute = getattr(value, name)
            return values.type_name(attribute), _entry_repr(attribute)

        try:
            entry[2], entry[3] = query.run(read, ENTRY_SECONDS)
        except bounds.TimeLimitExceeded:
            entry[3] = f"<timed out after {ENTRY_SECONDS:g} s>"
        except _BudgetSpent:
            entry[3] = "<not evaluated: time budget spent>"
        except Exception as error:
            entry[3] = f"<raised {_error_text(error)}>"
        data.append(entry)
    return data + methods, len(public)


def _static_attribute(value: Any, name: str) -> Any:
    try:
        return inspect.getattr_static(value, name)
    except Exception:
        return None


def _signature_text(function: Any) -> str:
    try:
        target = (
            function.__func__ if isinstance(function, (staticmethod, classmethod)) else function
        )
        return _one_line(str(inspect.signature(target)), ENTRY_CHARS)
    except Exception:
        return ""


# -- the sections of each kind ---------------------------------------------------------


def _scalar_sections(ip: Any, query: _Query, value: Any, sections: list[list[str]]) -> None:
    if isinstance(value, (str, bytes, bytearray)):
        sections.append(["length", f"{len(value):,}"])
        sections.append(["value", values.short_repr(value, 1, True, values.VIEW_LIMITS)])
    elif isinstance(value, int) and not isinstance(value, bool):
        sections.append(["value", values.short_repr(value, 1, True, values.VIEW_LIMITS)])
        if value.bit_length() > 64:
            sections.append(["bits", f"{value.bit_length():,}"])


def _callable_sections(ip: Any, query: _Query, value: Any, sections: list[list[str]]) -> None:
    target = value.__func__ if isinstance(value, types.MethodType) else value
    signature = _guarded(
        query, lambda: _name_of(value) + str(inspect.signature(value)), PART_SECONDS
    )
    sections.append(["signature", signature])
    where = _guarded(query, lambda: _defined_where(ip, target), PART_SECONDS)
    if where:
        sections.append(["defined", where])
    doc = _guarded(query, lambda: inspect.getdoc(value) or "", PART_SECONDS)
    if doc:
        sections.append(["doc", doc])
    source = _guarded(query, lambda: _source_of(target), PART_SECONDS)
    if source:
        sections.append(["source", source])


def _name_of(value: Any) -> str:
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    return str(name) if name else values.type_name(value)


def _defined_where(ip: Any, value: Any) -> str:
    """ "In [3]" for a function defined in a cell of this session, else its file."""
    try:
        filename = inspect.getsourcefile(value) or inspect.getfile(value)
    except TypeError:
        return "built in"
    cells = _cell_files(ip)
    if filename in cells:
        return f"In [{cells[filename]}] (a cell of this session)"
    return str(filename)


def _source_of(value: Any) -> str:
    try:
        lines, _start = inspect.getsourcelines(value)
    except (OSError, TypeError):
        return ""
    text = "".join(lines[:SOURCE_LINES])
    if len(lines) > SOURCE_LINES:
        text += f"… ({len(lines) - SOURCE_LINES} more lines)\n"
    return text.rstrip("\n")


def _exception_sections(ip: Any, query: _Query, value: Any, sections: list[list[str]]) -> None:
    cells = _cell_files(ip)

    def formatted() -> str:
        tb = _from_first_cell(value.__traceback__, cells)
        text = "".join(traceback.format_exception(type(value), value, tb))
        for filename, count in cells.items():
            if filename in text:
                text = text.replace(f'"{filename}"', f"In [{count}]")
        return text

    sections.append(["traceback", _guarded(query, formatted, PART_SECONDS).rstrip("\n")])


def _cell_files(ip: Any) -> dict[str, int]:
    """Filename → execution count of this session's cells (IPython's compiler keeps it)."""
    cells = getattr(getattr(ip, "compile", None), "_filename_map", None)
    return cells if isinstance(cells, dict) else {}


def _from_first_cell(tb: Any, cells: dict[str, int]) -> Any:
    """The traceback from the first frame in a cell: IPython's own frames above it tell
    the human nothing. The whole traceback when no frame is a cell's."""
    current = tb
    while current is not None:
        if current.tb_frame.f_code.co_filename in cells:
            return current
        current = current.tb_next
    return tb


def _module_sections(ip: Any, query: _Query, value: Any, sections: list[list[str]]) -> None:
    sections.append(["file", str(getattr(value, "__file__", None) or "built in")])
    doc = _guarded(query, lambda: inspect.getdoc(value) or "", PART_SECONDS)
    if doc:
        sections.append(["doc", "\n".join(doc.splitlines()[:20])])


def _array_sections(ip: Any, query: _Query, value: Any, sections: list[list[str]]) -> None:
    shape = values.shape_of(value) or ()
    sections.append(["shape", f"{shape}  dtype {values.dtype_of(value)}"])
    sections.append(
        ["statistics", _guarded(query, lambda: _array_statistics(value, shape), PART_SECONDS)]
    )
    sections.append(["values", _guarded(query, lambda: repr(_corner(value, shape)), PART_SECONDS)])


def _array_statistics(value: Any, shape: tuple[int, ...]) -> str:
    """min/max/mean and the NaN count, over a strided sample when the array is large.
    NaN is found as ``x != x``: no numpy needed."""
    count = 1
    for dim in shape:
        count *= dim
    if count == 0:
        return "empty"
    sample = value
    note = ""
    if count > SAMPLE_ELEMENTS:
        step = -(-count // SAMPLE_ELEMENTS)
        sample = value.flat[::step]
        note = f" (sampled: every {step:,}th of {count:,} values)"
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    parts = []
    if kind in ("b", "i", "u", "f", "c", "m", "M"):
        nan = int((sample != sample).sum())
        if kind in ("f", "c", "m", "M") and nan:
            parts.append(f"NaN {nan:,}")
            sample = sample[sample == sample]
        if kind != "c" and sample.size:
            parts.append(f"min {sample.min()!r}  max {sample.max()!r}")
        if kind in ("b", "i", "u", "f", "c") and sample.size:
            parts.append(f"mean {sample.mean()!r}")
        if not nan and kind in ("f", "c", "m", "M"):
            parts.append("NaN 0")
    else:
        parts.append(f"no statistics for dtype {value.dtype}")
    return "  ".join(parts) + note


def _corner(value: Any, shape: tuple[int, ...]) -> Any:
    """The first rows and columns: a small slice whose repr is cheap."""
    if len(shape) <= 1:
        return value[:20]
    index = (0,) * (len(shape) - 2) + (slice(0, 10), slice(0, 8))
    return value[index]


def _on_device(query: _Query, value: Any) -> devices.DeviceArray | None:
    try:
        found: devices.DeviceArray | None = query.run(
            lambda: devices.on_accelerator(value), PART_SECONDS, budgeted=False
        )
    except (bounds.TimeLimitExceeded, Exception):
        return None
    return found


def _device_array_sections(
    query: _Query, value: Any, on_device: devices.DeviceArray, read_values: bool
) -> list[list[str]]:
    """An array on an accelerator: what its metadata says; its values only when the human
    asked and its device reports idle (a read would otherwise wait for the queued work,
    in C code that no time limit can stop)."""
    shape = values.shape_of(value) or ()
    size = "" if on_device.nbytes is None else f", {devices.human_bytes(on_device.nbytes)}"
    sections = [
        ["shape", f"{shape}  dtype {values.dtype_of(value)}"],
        ["device", f"{on_device.device}{size}"],
    ]
    if not read_values:
        why = f"reading one waits for all the work queued on {on_device.device}"
        sections.append(["values", f"not read ({why}); ask for them to read them"])
        return sections
    try:
        idle = query.run(lambda: devices.device_idle(value), PART_SECONDS)
    except (bounds.TimeLimitExceeded, _BudgetSpent, Exception):
        idle = None
    if idle is None:
        sections.append(["values", f"not read: cannot tell whether {on_device.device} is idle"])
    elif not idle:
        sections.append(["values", f"device busy, ask again ({on_device.device} has work queued)"])
    else:
        statistics = _guarded(query, lambda: _device_statistics(value), PART_SECONDS)
        sections.append(["statistics", statistics])
        sections.append(
            ["values", _guarded(query, lambda: repr(_corner(value, shape)), PART_SECONDS)]
        )
    return sections


def _device_statistics(value: Any) -> str:
    """min, max and mean, reduced on the device; one number each comes back."""
    parts = []
    for name in ("min", "max", "mean"):
        try:
            result = getattr(value, name)()
            number = result.item() if hasattr(result, "item") else result
            parts.append(f"{name} {number!r}")
        except Exception as error:
            parts.append(f"{name} <{type(error).__name__}>")
    return "  ".join(parts)


def _frame_sections(ip: Any, query: _Query, value: Any, sections: list[list[str]]) -> None:
    shape = values.shape_of(value) or (0, 0)
    sections.append(["shape", f"{shape[0]:,} rows × {shape[1]:,} columns"])
    sections.append(["columns", _guarded(query, lambda: _frame_columns(value), PART_SECONDS)])
    sections.append(["head", _guarded(query, lambda: _rows(value.head(5)), PART_SECONDS)])
    if shape[0] > 5:
        sections.append(["tail", _guarded(query, lambda: _rows(value.tail(5)), PART_SECONDS)])


def _rows(rows: Any) -> str:
    return repr(values.redacted_rows(rows))


def _frame_columns(value: Any) -> str:
    """Each column's dtype and null count (``isna().sum()``: bounded by the part's limit)."""
    nulls = value.isna().sum()
    lines = []
    for column, dtype in itertools.islice(value.dtypes.items(), 40):
        lines.append(f"{_one_line(str(column), 30):<30} {dtype!s:<12} {int(nulls[column]):,} null")
    more = len(value.dtypes) - len(lines)
    if more > 0:
        lines.append(f"… {more:,} more columns (listed below)")
    return "\n".join(lines)


def _series_sections(ip: Any, query: _Query, value: Any, sections: list[list[str]]) -> None:
    shape = values.shape_of(value) or (0,)
    name = _guarded(query, lambda: repr(value.name), PART_SECONDS)
    sections.append(["shape", f"{shape[0]:,} values  dtype {values.dtype_of(value)}  name {name}"])
    sections.append(
        ["nulls", _guarded(query, lambda: f"{int(value.isna().sum()):,}", PART_SECONDS)]
    )
    sections.append(["head", _guarded(query, lambda: _rows(value.head(5)), PART_SECONDS)])
    if shape[0] > 5:
        sections.append(["tail", _guarded(query, lambda: _rows(value.tail(5)), PART_SECONDS)])


def _class_or_object_sections(
    ip: Any, query: _Query, value: Any, sections: list[list[str]]
) -> None:
    doc = getattr(type(value), "__doc__", None)
    if isinstance(doc, str) and type(value).__module__ not in ("builtins",):
        sections.append(["class doc", "\n".join(inspect.cleandoc(doc).splitlines()[:10])])


_SECTIONS: dict[str, Callable[[Any, _Query, Any, list[list[str]]], None]] = {
    "scalar": _scalar_sections,
    "callable": _callable_sections,
    "exception": _exception_sections,
    "module": _module_sections,
    "array": _array_sections,
    "frame": _frame_sections,
    "series": _series_sections,
    "object": _class_or_object_sections,
}


# -- completion and obj? ----------------------------------------------------------------


def complete(ip: Any, code: str, cursor: int) -> dict[str, Any]:
    """What ipykernel answers to a ``complete_request``, under ``COMPLETE_SECONDS``."""
    query = _Query(COMPLETE_SECONDS)
    cursor = max(0, min(cursor, len(code)))
    with bounds.quiet_and_bounded(query.can_interrupt):
        try:
            found: dict[str, Any] = query.run(
                lambda: _completions(ip, code, cursor), COMPLETE_SECONDS
            )
            return found
        except bounds.TimeLimitExceeded:
            return {"error": f"completion timed out after {COMPLETE_SECONDS:g} s"}
        except Exception as error:
            return {"error": f"completion failed: {_error_text(error)}"}


def _completions(ip: Any, code: str, cursor: int) -> dict[str, Any]:
    """IPython's own matchers on the live objects, without jedi: they answer at once
    (jedi's first call parses for a second or more, which timed out the first Tab of a
    session) and do not depend on jedi's version (jedi 0.20 with IPython 9 found no
    user names at all). The kernel's setting is put back for its other clients."""
    from IPython.core.completer import provisionalcompleter, rectify_completions

    completer = ip.Completer
    use_jedi = completer.use_jedi
    completer.use_jedi = False
    try:
        with provisionalcompleter():
            found = list(rectify_completions(code, completer.completions(code, cursor)))
    finally:
        completer.use_jedi = use_jedi
    found = found[:MAX_COMPLETIONS]
    if not found:
        return {"error": None, "matches": [], "cursor_start": cursor, "cursor_end": cursor}
    return {
        "error": None,
        "matches": [completion.text for completion in found],
        "types": [completion.type for completion in found],
        "cursor_start": found[0].start,
        "cursor_end": found[0].end,
    }


def help_text(ip: Any, code: str, cursor: int, detail: int) -> dict[str, Any]:
    """IPython's ``obj?`` (detail 0) / ``obj??`` (detail 1) text for the name at
    ``cursor``, as ipykernel answers an ``inspect_request``, under ``HELP_SECONDS``."""
    from IPython.utils.tokenutil import token_at_cursor

    query = _Query(HELP_SECONDS)
    name = token_at_cursor(code, max(0, min(cursor, len(code))))
    if not name:
        return {"error": None, "found": False, "name": "", "text": "Nothing to inspect here."}
    if any(values.looks_secret(part) for part in name.split(".")):
        return {
            "error": None,
            "found": True,
            "name": name,
            "text": f"{name}: {values.REDACTED} (its name looks secret)",
        }
    with bounds.quiet_and_bounded(query.can_interrupt):
        try:
            bundle = query.run(
                lambda: ip.object_inspect_mime(name, detail_level=1 if detail else 0), HELP_SECONDS
            )
        except KeyError:
            return {
                "error": None,
                "found": False,
                "name": name,
                "text": f"Object `{name}` not found.",
            }
        except bounds.TimeLimitExceeded:
            return {
                "error": f"inspecting `{name}` timed out after {HELP_SECONDS:g} s "
                "(a slow __repr__ or property?)",
                "name": name,
            }
        except Exception as error:
            return {"error": f"inspecting `{name}` failed: {_error_text(error)}", "name": name}
    text = strip_ansi(str(bundle.get("text/plain", "")))
    return {"error": None, "found": True, "name": name, "text": _capped(text, 20_000)}


def strip_ansi(text: str) -> str:
    """IPython colours its help text for terminals; the front ends draw it plain."""
    return _ANSI.sub("", text)


def install(ip: Any) -> None:
    """Put the three query functions into the user namespace, hidden from ``%who``.
    Each takes and returns JSON text (read back from the user expression's text/plain)."""

    def inspect_query(request: str) -> str:
        arguments = json.loads(request)
        return json.dumps(
            inspect_path(
                ip,
                list(arguments.get("path") or []),
                int(arguments.get("offset") or 0),
                bool(arguments.get("items_only")),
                bool(arguments.get("read_values")),
            ),
            default=str,
        )

    def complete_query(request: str) -> str:
        arguments = json.loads(request)
        return json.dumps(complete(ip, str(arguments["code"]), int(arguments["cursor"])))

    def help_query(request: str) -> str:
        arguments = json.loads(request)
        return json.dumps(
            help_text(
                ip, str(arguments["code"]), int(arguments["cursor"]), int(arguments["detail"])
            )
        )

    for hidden_name, function in (
        (INSPECT_FUNCTION_NAME, inspect_query),
        (COMPLETE_FUNCTION_NAME, complete_query),
        (HELP_FUNCTION_NAME, help_query),
    ):
        ip.user_ns[hidden_name] = function
        ip.user_ns_hidden[hidden_name] = function


def uninstall(ip: Any) -> None:
    for hidden_name in (INSPECT_FUNCTION_NAME, COMPLETE_FUNCTION_NAME, HELP_FUNCTION_NAME):
        ip.user_ns.pop(hidden_name, None)
        ip.user_ns_hidden.pop(hidden_name, None)
