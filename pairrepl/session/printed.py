"""What a cell prints, kept for the ledger when pairrepl lives inside the kernel.

Inside the kernel there is no message stream to listen to: a print goes from
``sys.stdout`` straight to the notebook. So while a cell the in-kernel session records
is running, ``sys.stdout`` and ``sys.stderr`` are stand-ins that pass every write on to
the stream they replaced, unchanged and at once, and keep a bounded copy. Anything else
asked of them (``fileno``, ``isatty``, ipykernel's ``set_thread_parent``...) is the
replaced stream's answer.

Stdlib only.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Literal

StreamName = Literal["stdout", "stderr"]

#: Characters of a cell's printed output kept for the ledger (the notebook shows it all).
PRINTED_CHARS = 10_000


class _KeepingStream:
    """Writes to ``stream``, and gives its capture a copy of each write."""

    def __init__(self, stream: Any, name: StreamName, capture: PrintedCapture) -> None:
        self._stream = stream
        self._name = name
        self._capture = capture

    def write(self, text: str) -> Any:
        written = self._stream.write(text)
        if isinstance(text, str):
            self._capture.keep(self._name, text)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class PrintedCapture:
    """``start()`` before a cell runs, ``stop()`` after it: the chunks it printed, in
    order, consecutive writes to one stream merged, at most ``limit`` characters kept
    (then a line saying how many were not)."""

    def __init__(self, limit: int = PRINTED_CHARS) -> None:
        self.limit = limit
        self._chunks: list[tuple[StreamName, str]] = []
        self._kept = 0
        self._dropped = 0
        self._lock = threading.Lock()  # a thread the cell started may print too
        self._installed: tuple[_KeepingStream, _KeepingStream] | None = None
        self._replaced: tuple[Any, Any] = (None, None)

    def start(self) -> None:
        self.stop()
        self._chunks, self._kept, self._dropped = [], 0, 0
        self._replaced = (sys.stdout, sys.stderr)
        self._installed = (
            _KeepingStream(sys.stdout, "stdout", self),
            _KeepingStream(sys.stderr, "stderr", self),
        )
        sys.stdout, sys.stderr = self._installed

    def stop(self) -> list[tuple[StreamName, str]]:
        """Put the streams back (unless the cell replaced them in turn: then they are
        left as the cell set them) and return what was printed."""
        if self._installed is None:
            return []
        out, err = self._installed
        if sys.stdout is out:
            sys.stdout = self._replaced[0]
        if sys.stderr is err:
            sys.stderr = self._replaced[1]
        self._installed = None
        chunks = list(self._chunks)
        if self._dropped:
            name, text = chunks[-1]
            note = f"\n… {self._dropped:,} more characters printed, not recorded\n"
            chunks[-1] = (name, text + note)
        return chunks

    def keep(self, name: StreamName, text: str) -> None:
        with self._lock:
            room = self.limit - self._kept
            kept = text[: max(room, 0)]
            self._dropped += len(text) - len(kept)
            if not kept:
                return
            self._kept += len(kept)
            if self._chunks and self._chunks[-1][0] == name:
                self._chunks[-1] = (name, self._chunks[-1][1] + kept)
            else:
                self._chunks.append((name, kept))
