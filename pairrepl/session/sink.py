"""Where one cell's outputs go: recorded as they arrive, capped, spilled when too long.

Nothing a cell produces reaches the screen, the ledger, the export or the AI's context
whole when it is too large (invariant LARGE-OUTPUT-NEVER-FREEZES, docs/architecture.md):
a stream keeps its head and a rolling tail, a value of a result or a display (each mime
type) its head and tail (a binary one, a line), by ``OutputLimits``; the full text goes
to a private file under ``.pairrepl/outputs/``. The file's path is recorded before the
file is written, so a session whose app died meanwhile still leads to it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING

from pairrepl.core.events import OutputProduced, OutputSpilled
from pairrepl.core.outputs import (
    DisplayOutput,
    Output,
    OutputCapper,
    ResultOutput,
    StreamOutput,
    cap_value,
)
from pairrepl.ledger import private_file

if TYPE_CHECKING:
    from pairrepl.session.session import Session

_log = logging.getLogger("pairrepl.session")


class CellSink:
    """Receives one cell's outputs from the kernel, caps them, spills what is too long.

    Each stream keeps a head (recorded as it arrives) and a rolling tail; once a stream
    overflows, its full text goes to a file: one ``OutputSpilled`` event names the file
    then, another records the count and the tail when the cell ends.
    """

    def __init__(self, session: Session, cell_id: str) -> None:
        self._session = session
        self._cell_id = cell_id
        self._cappers: dict[str, OutputCapper] = {}
        self._heads: dict[str, list[str]] = {}
        self._spills: dict[str, IO[str] | None] = {}  # None: the file could not be made
        self._values = 0  # results and displays seen, to name their spill files
        self._finished = False
        self.spill_path: str | None = None

    def output(self, output: Output) -> None:
        if isinstance(output, StreamOutput):
            self._stream(output)
        elif isinstance(output, ResultOutput | DisplayOutput):
            self._value(output)
        else:
            self._session._record(OutputProduced(self._cell_id, output, late=self._finished))

    def _value(self, output: ResultOutput | DisplayOutput) -> None:
        """Record a result or display with each too-large value cut; then spill those."""
        self._values += 1
        data: dict[str, str] = {}
        spills: list[tuple[Path, str]] = []
        for mime_type, value in output.data.items():
            capped = cap_value(mime_type, value, self._session._output_limits)
            if capped is None:
                data[mime_type] = value
                continue
            path = self._spill_file(f"{output.kind}{self._values}-{mime_type}")
            data[mime_type] = capped.shown(mime_type, self._shown(path))
            spills.append((path, value))
        if isinstance(output, ResultOutput):
            kept: Output = ResultOutput(data, output.execution_count)
        else:
            kept = DisplayOutput(data)
        self._session._record(OutputProduced(self._cell_id, kept, late=self._finished))
        for path, value in spills:
            self._write(path, value)
            self.spill_path = self._shown(path)

    def _stream(self, output: StreamOutput) -> None:
        capper = self._cappers.setdefault(output.name, OutputCapper(self._session._output_limits))
        was_overflowed = capper.overflowed
        head = capper.feed(output.text)
        if head:
            self._heads.setdefault(output.name, []).append(head)
            self._session._record(
                OutputProduced(self._cell_id, StreamOutput(output.name, head), late=self._finished)
            )
        if capper.overflowed:
            overflow = output.text if was_overflowed else output.text[len(head) :]
            if self._finished:  # late output of a spilled stream: append to its file
                path = self._spill_file(output.name)
                if not was_overflowed:  # it first overflows now: name the file, then write
                    self._session._record(
                        OutputSpilled(self._cell_id, output.name, self._shown(path), 0, "")
                    )
                    self._write(path, "".join(self._heads.get(output.name, [])))
                self._write(path, overflow, append=True)
            else:
                spill = self._open_spill(output.name)
                if spill is not None:
                    self._write_to(spill, output.name, overflow)

    def _spill_file(self, name: str) -> Path:
        return self._session._ledger.spill_path(self._session.id, self._cell_id, name)

    def _shown(self, path: Path) -> str:
        return str(path.relative_to(self._session.project_root))

    def _open_spill(self, stream: str) -> IO[str] | None:
        if stream not in self._spills:
            path = self._spill_file(stream)
            self._session._record(  # the path first: a crash from here on still finds it
                OutputSpilled(self._cell_id, stream, self._shown(path), 0, "", final=False)
            )
            try:
                spill: IO[str] | None = private_file(path).open("w", encoding="utf-8")
            except OSError as error:
                _log.warning("cannot spill %s to %s: %s", stream, path, error)
                spill = None
            self._spills[stream] = spill
            if spill is not None:
                self._write_to(spill, stream, "".join(self._heads.get(stream, [])))
        return self._spills[stream]

    def _write_to(self, spill: IO[str], stream: str, text: str) -> None:
        """Write to a stream's spill file; on a full disk keep the cell going without it."""
        try:
            spill.write(text)
        except OSError as error:
            _log.warning("cannot spill %s: %s", stream, error)

    def _write(self, path: Path, text: str, *, append: bool = False) -> None:
        try:
            with private_file(path).open("a" if append else "w", encoding="utf-8") as file:
                file.write(text)
        except OSError as error:  # a full disk: what was kept is in the ledger already
            _log.warning("cannot spill to %s: %s", path, error)

    def finish(self) -> None:
        """The cell ended: close spill files and record what each one holds."""
        self._finished = True
        for stream, spill in self._spills.items():
            try:
                if spill is not None:
                    spill.close()
            except OSError as error:
                _log.warning("cannot finish the spill of %s: %s", stream, error)
            capper = self._cappers[stream]
            shown = self._shown(self._spill_file(stream))
            self.spill_path = shown
            self._session._record(
                OutputSpilled(self._cell_id, stream, shown, capper.omitted_lines, capper.tail())
            )
        self._spills.clear()

    async def input_requested(self, prompt: str, password: bool) -> str:
        """Ask the human; the prompt and the answer then show in the cell's output as a
        terminal shows them (``your name: Ada``), a password's prompt only."""
        answer = await self._session._ask_input(prompt, password)
        self._stream(StreamOutput("stdout", f"{prompt}{'' if password else answer}\n"))
        return answer
