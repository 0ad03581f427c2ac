"""What a cell produces, and the cap that keeps huge outputs from swamping the screen.

Outputs are plain values. A mime bundle is kept as ``{mime_type: text}``; binary types
(images) arrive base64-encoded, as Jupyter sends them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

PLAIN_TEXT = "text/plain"


@dataclass(frozen=True)
class StreamOutput:
    """Text the cell wrote to stdout or stderr (one chunk, as the kernel sent it)."""

    name: Literal["stdout", "stderr"]
    text: str
    kind: Literal["stream"] = "stream"


@dataclass(frozen=True)
class ResultOutput:
    """The value of the cell's last expression (``Out[n]``)."""

    data: Mapping[str, str]
    execution_count: int | None = None
    kind: Literal["result"] = "result"

    @property
    def text(self) -> str:
        return best_text(self.data)


@dataclass(frozen=True)
class DisplayOutput:
    """Anything shown with ``display()``: a plot, HTML, a rich repr."""

    data: Mapping[str, str]
    kind: Literal["display"] = "display"

    @property
    def text(self) -> str:
        return best_text(self.data)


@dataclass(frozen=True)
class ErrorOutput:
    """An exception the cell raised, with the kernel's traceback lines (ANSI colours kept)."""

    ename: str
    evalue: str
    traceback: tuple[str, ...] = ()
    kind: Literal["error"] = "error"

    @property
    def text(self) -> str:
        return "\n".join(self.traceback) if self.traceback else f"{self.ename}: {self.evalue}"


Output = StreamOutput | ResultOutput | DisplayOutput | ErrorOutput


def best_text(data: Mapping[str, str]) -> str:
    """The text a terminal can draw for a mime bundle: ``text/plain``, else a placeholder."""
    if PLAIN_TEXT in data:
        return data[PLAIN_TEXT]
    kinds = ", ".join(sorted(data)) or "nothing"
    return f"<{kinds}: no text form>"


def output_to_payload(output: Output) -> dict[str, Any]:
    if isinstance(output, StreamOutput):
        return {"kind": output.kind, "name": output.name, "text": output.text}
    if isinstance(output, ResultOutput):
        return {
            "kind": output.kind,
            "data": dict(output.data),
            "execution_count": output.execution_count,
        }
    if isinstance(output, DisplayOutput):
        return {"kind": output.kind, "data": dict(output.data)}
    return {
        "kind": output.kind,
        "ename": output.ename,
        "evalue": output.evalue,
        "traceback": list(output.traceback),
    }


def output_from_payload(payload: Mapping[str, Any]) -> Output:
    kind = payload["kind"]
    if kind == "stream":
        return StreamOutput(name=payload["name"], text=payload["text"])
    if kind == "result":
        return ResultOutput(
            data=dict(payload["data"]), execution_count=payload.get("execution_count")
        )
    if kind == "display":
        return DisplayOutput(data=dict(payload["data"]))
    if kind == "error":
        return ErrorOutput(
            ename=payload["ename"], evalue=payload["evalue"], traceback=tuple(payload["traceback"])
        )
    raise ValueError(f"unknown output kind {kind!r}")


@dataclass(frozen=True)
class OutputLimits:
    """How much of one output of one cell the screen, the ledger, the export and the AI's
    context keep: a stream's head and tail, and the size of one value of a result or a
    display (per mime type; text is cut to its head and tail, anything else replaced)."""

    head_lines: int = 500
    head_chars: int = 100_000
    tail_lines: int = 100
    tail_chars: int = 20_000
    value_chars: int = 150_000  # a text value (repr, HTML, JSON) of a result or display
    binary_chars: int = 2_000_000  # a base64 value (a plot): about 1.5 MB of image


@dataclass(frozen=True)
class CappedValue:
    """A value too large to keep whole: what is kept of it, and how much was left out."""

    head: str
    tail: str
    omitted_lines: int
    omitted_chars: int
    binary: bool

    def shown(self, mime_type: str, spilled_to: str) -> str:
        """The value as it is kept: its head, a line naming the file with all of it, its
        tail (a binary value keeps only that line)."""
        size = f"{self.omitted_chars:,} characters"
        if self.binary:
            return f"[{mime_type}: {size}, too large to keep; the full value is in {spilled_to}]"
        lines = f"{self.omitted_lines:,} lines, " if self.omitted_lines else ""
        note = f"… {lines}{size} omitted — the full value is in {spilled_to} …"
        separator = "" if not self.head or self.head.endswith("\n") else "\n"
        return f"{self.head}{separator}{note}\n{self.tail}"


def is_text_mime(mime_type: str) -> bool:
    return (
        mime_type.startswith("text/")
        or mime_type
        in (
            "application/json",
            "application/javascript",
            "image/svg+xml",
        )
        or mime_type.endswith("+json")
    )


def cap_value(mime_type: str, value: str, limits: OutputLimits) -> CappedValue | None:
    """``value`` cut to ``limits`` (None when it fits): the same head and tail as a
    stream's for text, nothing kept of a binary value."""
    if not is_text_mime(mime_type):
        if len(value) <= limits.binary_chars:
            return None
        return CappedValue("", "", 0, len(value), binary=True)
    if len(value) <= limits.value_chars and value.count("\n") < limits.head_lines:
        return None
    capper = OutputCapper(limits)
    head = capper.feed(value) or value[: limits.head_chars]  # one line longer than the head
    tail = capper.tail()
    omitted = max(0, len(value) - len(head) - len(tail))
    return CappedValue(head, tail, capper.omitted_lines, omitted, binary=False)


@dataclass
class OutputCapper:
    """Splits one stream into a kept head, a rolling tail, and a count of what fell between
    (invariant LARGE-OUTPUT-NEVER-FREEZES).

    ``feed`` returns the part of each chunk that belongs to the head (empty once the head
    is full); after that, text only rolls through the tail. ``overflowed`` tells the
    caller to spill the full text to a file.
    """

    limits: OutputLimits = field(default_factory=OutputLimits)
    head_lines: int = 0
    head_chars: int = 0
    overflowed: bool = False
    total_lines: int = 0
    _tail: deque[str] = field(default_factory=deque)
    _tail_chars: int = 0
    _partial: str = ""

    def feed(self, text: str) -> str:
        self.total_lines += text.count("\n")
        if self.overflowed:
            self._roll_into_tail(text)
            return ""
        kept: list[str] = []
        lines = text.splitlines(keepends=True)
        for index, line in enumerate(lines):
            fits_lines = self.head_lines < self.limits.head_lines
            fits_chars = self.head_chars + len(line) <= self.limits.head_chars
            if not (fits_lines and fits_chars):
                self.overflowed = True
                self._roll_into_tail("".join(lines[index:]))
                break
            kept.append(line)
            self.head_chars += len(line)
            if line.endswith("\n"):
                self.head_lines += 1
        return "".join(kept)

    def _roll_into_tail(self, text: str) -> None:
        pieces = (self._partial + text).split("\n")
        self._partial = pieces.pop()[-self.limits.tail_chars :]  # a line may never end
        for line in pieces:
            self._tail.append(line + "\n")
            self._tail_chars += len(line) + 1
            while (
                len(self._tail) > self.limits.tail_lines
                or self._tail_chars > self.limits.tail_chars
            ):
                self._tail_chars -= len(self._tail.popleft())

    def tail(self) -> str:
        """The last lines seen after the head (capped in lines and characters)."""
        text = "".join(self._tail) + self._partial
        return text[-self.limits.tail_chars :]

    @property
    def omitted_lines(self) -> int:
        """Lines neither in the head nor in the tail."""
        if not self.overflowed:
            return 0
        return max(0, self.total_lines - self.head_lines - len(self._tail))
