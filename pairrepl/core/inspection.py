"""Looking into live objects: paths, what the kernel says about an object, completions and
``obj?`` help. Plain values made from what ``pairrepl_kernel`` sends back; no objects.

An ``ObjectPath`` names an object from a root (a user name, or the exception of the latest
failed cell) through attributes and items, the way the human drilled into it. The
kernel resolves it afresh on every query, so the inspector always shows the object as
it is now and never keeps one alive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any


class StepKind(Enum):
    NAME = "name"  # a name in the user namespace (always first)
    LAST_ERROR = "last_error"  # the exception of the latest failed cell (always first)
    ATTR = "attr"  # an attribute, by name
    ITEM = "item"  # an item by its position in the listing (dict keys, columns, rows…)


@dataclass(frozen=True)
class Step:
    kind: StepKind
    key: str | int
    label: str = ""  # how the step is shown ("'price'" for a dict key); default from key

    def to_payload(self) -> list[Any]:
        return [self.kind.value, self.key]

    def shown(self) -> str:
        if self.kind is StepKind.NAME:
            return str(self.key)
        if self.kind is StepKind.LAST_ERROR:
            return "last error"
        if self.kind is StepKind.ATTR:
            return f".{self.key}"
        label = self.label or str(self.key)
        return label if label.startswith("[") else f"[{label}]"


@dataclass(frozen=True)
class ObjectPath:
    steps: tuple[Step, ...]

    @classmethod
    def name(cls, name: str) -> ObjectPath:
        return cls((Step(StepKind.NAME, name),))

    @classmethod
    def last_error(cls) -> ObjectPath:
        return cls((Step(StepKind.LAST_ERROR, ""),))

    def child(self, step: Step) -> ObjectPath:
        return ObjectPath((*self.steps, step))

    def parent(self) -> ObjectPath | None:
        return ObjectPath(self.steps[:-1]) if len(self.steps) > 1 else None

    def crumbs(self) -> list[str]:
        """Each step as shown, for the breadcrumb: ``["df", ".columns", "[0]"]``."""
        return [step.shown() for step in self.steps]

    def label(self) -> str:
        """The whole path as one expression-like text: ``df.columns[0]``."""
        return "".join(self.crumbs())

    def to_payload(self) -> list[list[Any]]:
        return [step.to_payload() for step in self.steps]


@dataclass(frozen=True)
class Entry:
    """One attribute or item of an inspected object, as listed (never the object)."""

    label: str  # ".shape", "'price'", "[3]"
    step: Step | None  # None: a note in the listing, not something to open
    type_name: str
    summary: str  # short repr, or why there is none ("<raised ValueError: …>")


@dataclass(frozen=True)
class Section:
    title: str  # "signature", "source", "head", "statistics", "traceback"…
    text: str


@dataclass(frozen=True)
class Inspection:
    """What the kernel says about the object at ``path``. ``error`` set: there is no such
    object now (deleted name, index out of range, a step that raised or timed out)."""

    path: ObjectPath
    error: str | None = None
    kind: str = ""  # object, scalar, mapping, sequence, callable, exception, module,
    # array, frame, series, redacted
    type_name: str = ""
    module: str = ""
    size: str = ""
    repr: str = ""
    sections: tuple[Section, ...] = ()
    attributes: tuple[Entry, ...] = ()
    attributes_total: int = 0  # public attributes, listed or not
    items: tuple[Entry, ...] = ()  # one page, starting at items_offset
    items_total: int | None = None  # None: not a container (or its length is unknown)
    items_offset: int = 0
    elapsed_s: float = 0.0

    @property
    def more_items(self) -> int:
        """How many items come after this page."""
        if self.items_total is None:
            return 0
        return max(0, self.items_total - self.items_offset - len(self.items))

    @classmethod
    def from_payload(cls, path: ObjectPath, payload: Mapping[str, Any]) -> Inspection:
        """Tolerant: an older or newer ``pairrepl_kernel`` may send fewer or more fields."""
        if payload.get("error"):
            return cls(path, error=str(payload["error"]))
        items_total = payload.get("items_total")
        return cls(
            path,
            kind=str(payload.get("kind", "")),
            type_name=str(payload.get("type_name", "")),
            module=str(payload.get("module", "") or ""),
            size=str(payload.get("size", "") or ""),
            repr=str(payload.get("repr", "") or ""),
            sections=tuple(
                Section(str(title), str(text)) for title, text in _pairs(payload.get("sections"))
            ),
            attributes=_entries(payload.get("attributes")),
            attributes_total=int(payload.get("attributes_total") or 0),
            items=_entries(payload.get("items")),
            items_total=items_total if isinstance(items_total, int) else None,
            items_offset=int(payload.get("items_offset") or 0),
            elapsed_s=float(payload.get("elapsed_s") or 0.0),
        )


def _pairs(value: Any) -> list[tuple[Any, Any]]:
    if not isinstance(value, Sequence):
        return []
    return [(item[0], item[1]) for item in value if isinstance(item, Sequence) and len(item) >= 2]


def _entries(value: Any) -> tuple[Entry, ...]:
    if not isinstance(value, Sequence):
        return ()
    entries = []
    for item in value:
        if not isinstance(item, Sequence) or len(item) < 4:
            continue
        label, raw_step, type_name, summary = item[0], item[1], item[2], item[3]
        entries.append(Entry(str(label), _step(raw_step, str(label)), str(type_name), str(summary)))
    return tuple(entries)


def _step(raw: Any, label: str) -> Step | None:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) != 2:
        return None
    try:
        kind = StepKind(raw[0])
    except ValueError:
        return None
    key = raw[1]
    if not isinstance(key, (str, int)) or isinstance(key, bool):
        return None
    return Step(kind, key, label if kind is StepKind.ITEM else "")


@dataclass(frozen=True)
class Completions:
    """The kernel's completions for the text at a cursor: replace ``code[start:end]``."""

    matches: tuple[str, ...] = ()
    start: int = 0
    end: int = 0
    types: tuple[str, ...] = ()
    error: str | None = None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], cursor: int) -> Completions:
        if payload.get("error"):
            return cls(start=cursor, end=cursor, error=str(payload["error"]))
        matches = tuple(str(match) for match in payload.get("matches") or ())
        return cls(
            matches,
            int(payload.get("cursor_start", cursor)),
            int(payload.get("cursor_end", cursor)),
            tuple(str(kind) for kind in payload.get("types") or ()),
        )

    def common_prefix(self) -> str:
        """What all matches start with (what Tab can insert without choosing)."""
        if not self.matches:
            return ""
        first, last = min(self.matches), max(self.matches)
        size = 0
        while size < min(len(first), len(last)) and first[size] == last[size]:
            size += 1
        return first[:size]


@dataclass(frozen=True)
class HelpText:
    """IPython's ``obj?`` / ``obj??`` text for a name, as the kernel made it."""

    name: str
    text: str = ""
    found: bool = False
    error: str | None = None  # it could not be made (timed out, failed, no inspector)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> HelpText:
        return cls(
            str(payload.get("name", "")),
            str(payload.get("text", "") or ""),
            bool(payload.get("found", False)),
            str(payload["error"]) if payload.get("error") else None,
        )


_HELP_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*|\[(\d+|'[^']*'|\"[^\"]*\")\])*")


def help_request(text: str) -> tuple[str, int] | None:
    """``obj?`` → ("obj", 0); ``obj??`` or ``??obj`` → ("obj", 1), as IPython reads them
    (``d['key']?`` and ``items[0]?`` too). None for anything else, which runs as code."""
    stripped = text.strip()
    head = len(stripped) - len(stripped.lstrip("?"))
    tail = len(stripped) - len(stripped.rstrip("?"))
    name = stripped.strip("?").strip()
    if not (head or tail) or head > 2 or tail > 2 or not _HELP_NAME.fullmatch(name):
        return None
    return name, 1 if max(head, tail) == 2 else 0
