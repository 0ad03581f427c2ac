"""The events of a session: what the ledger stores and what the front ends draw.

One stream of typed events feeds the screen, the ledger and the notebook export, so the
three can never disagree. Each event class has a ``KIND`` (its name in the ledger) and a
``VERSION``. Changing an event's fields means a new version plus an entry in
``_UPGRADES`` that turns old payloads into new ones: old ledgers keep opening.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from pairrepl.core.cells import Origin
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceDiff
from pairrepl.core.outputs import (
    DisplayOutput,
    ErrorOutput,
    Output,
    ResultOutput,
    StreamOutput,
    output_from_payload,
    output_to_payload,
)


@dataclass(frozen=True)
class SessionStarted:
    """A session began; ``person`` is who works in it ("Name <email>": the setting
    ``person``, else git's identity; None when neither is known, and in version 1)."""

    KIND: ClassVar[str] = "session_started"
    VERSION: ClassVar[int] = 2
    project_root: str
    front_end: str = "tui"
    person: str | None = None


@dataclass(frozen=True)
class SessionResumed:
    """The session was reopened from the ledger; what follows runs on a new kernel."""

    KIND: ClassVar[str] = "session_resumed"
    VERSION: ClassVar[int] = 1


@dataclass(frozen=True)
class SessionClosed:
    KIND: ClassVar[str] = "session_closed"
    VERSION: ClassVar[int] = 1


@dataclass(frozen=True)
class KernelStarted:
    """A kernel is ready. ``owned`` is False for kernels we attached to (``--existing``).
    ``notice``: what the human should know about it, in one line ("" when nothing): that
    pairrepl sent its in-kernel code as source, and the ``pip install`` that avoids it."""

    KIND: ClassVar[str] = "kernel_started"
    VERSION: ClassVar[int] = 1
    description: str
    owned: bool = True
    notice: str = ""


@dataclass(frozen=True)
class CellSubmitted:
    KIND: ClassVar[str] = "cell_submitted"
    VERSION: ClassVar[int] = 1
    cell_id: str
    code: str
    origin: Origin = Origin.HUMAN
    proposal_id: str | None = None
    rerun_of: str | None = None  # an earlier cell (loaded from a notebook, or from before a resume)


@dataclass(frozen=True)
class CellLoaded:
    """A cell read from a notebook (``--from``): shown, never run until the human asks."""

    KIND: ClassVar[str] = "cell_loaded"
    VERSION: ClassVar[int] = 1
    cell_id: str
    code: str
    source: str


@dataclass(frozen=True)
class OutputProduced:
    """One output of a cell. ``late`` marks output that arrived after the cell finished."""

    KIND: ClassVar[str] = "output"
    VERSION: ClassVar[int] = 1
    cell_id: str
    output: Output
    late: bool = False


@dataclass(frozen=True)
class OutputSpilled:
    """A stream was too long to keep: the full text is in ``path``; ``tail`` is its end.

    Recorded twice: as the stream overflows, before its file is written (``final``
    False: the path is known, the count and the tail not yet), so a session whose app
    died mid-stream still leads to the file; then when the cell ends, with the count and
    the tail. The later one replaces the earlier in the transcript.
    """

    KIND: ClassVar[str] = "output_spilled"
    VERSION: ClassVar[int] = 1
    cell_id: str
    stream: str
    path: str
    omitted_lines: int
    tail: str
    final: bool = True  # older ledgers recorded only the final one


@dataclass(frozen=True)
class CellFinished:
    KIND: ClassVar[str] = "cell_finished"
    VERSION: ClassVar[int] = 1
    cell_id: str
    execution_count: int | None
    status: ExecutionStatus
    duration_s: float
    namespace_diff: NamespaceDiff = field(default_factory=NamespaceDiff)


@dataclass(frozen=True)
class Interrupted:
    KIND: ClassVar[str] = "interrupted"
    VERSION: ClassVar[int] = 1
    cell_id: str | None = None


@dataclass(frozen=True)
class KernelDied:
    """The kernel process is gone; with it, the namespace. ``cell_id`` was running."""

    KIND: ClassVar[str] = "kernel_died"
    VERSION: ClassVar[int] = 1
    cell_id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class KernelRestarted:
    """A new kernel replaced the old one; the namespace is empty. Nothing was replayed."""

    KIND: ClassVar[str] = "kernel_restarted"
    VERSION: ClassVar[int] = 1
    reason: str = "user"


@dataclass(frozen=True)
class KernelDisconnected:
    """The connection to a remote kernel dropped; the kernel itself may still run.
    ``cell_id`` was running. Until ``kernel_reconnected`` (or ``kernel_died``), nothing
    reaches the kernel: the gap in the ledger is this event and the next one."""

    KIND: ClassVar[str] = "kernel_disconnected"
    VERSION: ClassVar[int] = 1
    cell_id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class KernelReconnected:
    """The same kernel is reachable again, its namespace intact, after ``gap_s`` seconds."""

    KIND: ClassVar[str] = "kernel_reconnected"
    VERSION: ClassVar[int] = 1
    gap_s: float = 0.0


@dataclass(frozen=True)
class NoteAdded:
    """Markdown the human wrote (or a notebook held); never executed."""

    KIND: ClassVar[str] = "note_added"
    VERSION: ClassVar[int] = 1
    note_id: str
    text: str


@dataclass(frozen=True)
class RequestSent:
    """The human asked the AI; ``context`` is the exact request sent, after redaction."""

    KIND: ClassVar[str] = "request_sent"
    VERSION: ClassVar[int] = 1
    request_id: str
    request: str
    context: str
    model: str
    tokens: int = 0  # the estimated size of ``context``
    hint_mode: bool = False
    about_cell: str | None = None  # the cell a "fix" request is about


@dataclass(frozen=True)
class ReplyStreamed:
    """One piece of the model's reply text, recorded as it arrives."""

    KIND: ClassVar[str] = "reply_streamed"
    VERSION: ClassVar[int] = 1
    request_id: str
    text: str


@dataclass(frozen=True)
class ReplyFinished:
    """The reply ended. ``partial`` replies (cut, cancelled) stay out of later context."""

    KIND: ClassVar[str] = "reply_finished"
    VERSION: ClassVar[int] = 1
    request_id: str
    partial: bool = False
    error: str | None = None
    refusal: str | None = None
    raw: str | None = None  # the model's raw reply, kept when its proposal was refused
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None  # estimated at list prices; None when unknown
    usage_known: bool = True  # False: the server sent no token counts (not "0 tokens")


@dataclass(frozen=True)
class ProposalMade:
    KIND: ClassVar[str] = "proposal_made"
    VERSION: ClassVar[int] = 1
    proposal_id: str
    request_id: str
    code: str
    rationale: str
    model: str


@dataclass(frozen=True)
class ProposalAccepted:
    KIND: ClassVar[str] = "proposal_accepted"
    VERSION: ClassVar[int] = 1
    proposal_id: str


@dataclass(frozen=True)
class ProposalRejected:
    KIND: ClassVar[str] = "proposal_rejected"
    VERSION: ClassVar[int] = 1
    proposal_id: str
    reason: str | None = None


@dataclass(frozen=True)
class ObjectInspected:
    """The human looked into a live object: the inspector or the variables pane (`how`
    "inspector", `what` the object's path) or IPython's ``obj?``/``obj??`` ("help",
    `what` the code asked about). Looking changes nothing; it is recorded so that
    review depth can tell an accept the human looked into from a rubber stamp."""

    KIND: ClassVar[str] = "object_inspected"
    VERSION: ClassVar[int] = 1
    what: str
    how: str = "inspector"


@dataclass(frozen=True)
class RequestEdited:
    """The human rewrote a past request, to steer what the AI sees next; the original stays."""

    KIND: ClassVar[str] = "request_edited"
    VERSION: ClassVar[int] = 1
    request_id: str
    text: str


@dataclass(frozen=True)
class ReplyEdited:
    """The human rewrote a past AI reply, to steer what the AI sees next; the original stays."""

    KIND: ClassVar[str] = "reply_edited"
    VERSION: ClassVar[int] = 1
    request_id: str
    text: str


@dataclass(frozen=True)
class ContextMarked:
    """A cell or note is pinned into, hidden from, or back to normal in the AI's context."""

    KIND: ClassVar[str] = "context_marked"
    VERSION: ClassVar[int] = 1
    item_id: str
    mark: str  # "pinned" | "hidden" | "normal"


@dataclass(frozen=True)
class PromotionWritten:
    """Code that ran was written into a project file, after a fresh interpreter imported it.

    ``before`` and ``after`` are the file's whole text, so the promotion can be undone
    exactly; ``symbols`` are the definitions it added or replaced. The per-symbol
    provenance (origin, evidence, explanation) goes to ``.pairrepl/provenance.jsonl``.
    ``created_folders`` (v2) are the folders the write made for a new file, deepest last
    (relative to the project root): undo removes those that are empty again.
    """

    KIND: ClassVar[str] = "promotion_written"
    VERSION: ClassVar[int] = 2
    promotion_id: str
    cell_id: str
    target: str  # relative to the project root
    before: str
    after: str
    symbols: tuple[str, ...]
    origin: Origin
    proposal_id: str | None = None
    explanation: str | None = None
    as_test: bool = False
    created: bool = False  # the file did not exist before: undo removes it
    created_folders: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromotionUndone:
    KIND: ClassVar[str] = "promotion_undone"
    VERSION: ClassVar[int] = 1
    promotion_id: str


@dataclass(frozen=True)
class PromotionRecovered:
    """A promotion (or undo) that an earlier process began and did not finish recording
    (it crashed between the file write and its records) was found at start and settled:
    ``outcome`` is "completed" (the file held what it wrote: the records were finished
    now), "not written" (the file never changed) or "changed since" (the file holds
    neither text: nothing was recorded); ``message`` says it in words."""

    KIND: ClassVar[str] = "promotion_recovered"
    VERSION: ClassVar[int] = 1
    promotion_id: str
    target: str
    outcome: str
    message: str


@dataclass(frozen=True)
class ModuleReloaded:
    """After a promotion, the kernel imported the module again; ``report`` says whether
    the live objects and the file agree (and what a reload cannot fix)."""

    KIND: ClassVar[str] = "module_reloaded"
    VERSION: ClassVar[int] = 1
    promotion_id: str
    report: str


Event = (
    SessionStarted
    | SessionResumed
    | SessionClosed
    | KernelStarted
    | CellSubmitted
    | CellLoaded
    | OutputProduced
    | OutputSpilled
    | CellFinished
    | Interrupted
    | KernelDied
    | KernelRestarted
    | KernelDisconnected
    | KernelReconnected
    | NoteAdded
    | RequestSent
    | ReplyStreamed
    | ReplyFinished
    | ProposalMade
    | ProposalAccepted
    | ProposalRejected
    | ObjectInspected
    | RequestEdited
    | ReplyEdited
    | ContextMarked
    | PromotionWritten
    | PromotionUndone
    | PromotionRecovered
    | ModuleReloaded
)

EVENT_TYPES: dict[str, type[Any]] = {cls.KIND: cls for cls in typing.get_args(Event)}


@dataclass(frozen=True)
class LedgerEntry:
    """An event as recorded: its place in the session, and when (seconds since the epoch)."""

    seq: int
    session_id: str
    at: float
    event: Event


# (kind, version) -> function turning that version's payload into the next version's.
_UPGRADES: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {
    # v2 records the folders a promotion created; v1 promotions created none we know of.
    ("promotion_written", 1): lambda data: {**data, "created_folders": []},
    ("session_started", 1): lambda payload: {**payload, "person": None},
}


def event_to_payload(event: Event) -> dict[str, Any]:
    return {f.name: _encode(getattr(event, f.name)) for f in dataclasses.fields(event)}


def event_from_payload(kind: str, version: int, payload: Mapping[str, Any]) -> Event:
    try:
        cls = EVENT_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown event kind {kind!r}") from None
    data = dict(payload)
    while version < cls.VERSION:
        data = _UPGRADES[(kind, version)](data)
        version += 1
    if version > cls.VERSION:
        raise ValueError(f"event {kind} v{version} is newer than this pairrepl (v{cls.VERSION})")
    converters = _converters(cls)
    values = {}
    for name, value in data.items():
        if name not in converters:  # not a field of this version: ignored
            continue
        convert = converters[name]
        values[name] = value if convert is None or value is None else convert(value)
    event: Event = cls(**values)
    return event


# A JSON value becomes a field's value through its converter (None: it already is one).
Converter = Callable[[Any], Any]
_CONVERTERS: dict[type[Any], dict[str, Converter | None]] = {}


def _converters(cls: type[Any]) -> dict[str, Converter | None]:
    """Each field's converter, worked out from the type hints once per class: resolving
    hints is slow and reading a long ledger decodes every event (issue 9: a 100,000-event
    resume spent most of its time in ``typing`` before this)."""
    if cls not in _CONVERTERS:
        hints = typing.get_type_hints(cls)
        _CONVERTERS[cls] = {f.name: _converter_for(hints[f.name]) for f in dataclasses.fields(cls)}
    return _CONVERTERS[cls]


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, NamespaceDiff):
        return value.to_payload()
    if isinstance(value, StreamOutput | ResultOutput | DisplayOutput | ErrorOutput):
        return output_to_payload(value)
    return value


def _converter_for(hint: Any) -> Converter | None:
    if hint == Output:
        return output_from_payload
    if typing.get_origin(hint) is tuple:
        return tuple
    options = [arg for arg in typing.get_args(hint) if arg is not type(None)] or [hint]
    target = options[0]
    if isinstance(target, type) and issubclass(target, Enum):
        return target
    if target is NamespaceDiff:
        return NamespaceDiff.from_payload
    return None
