"""Where one cell's outputs go: recorded as they arrive, capped, spilled when too long."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

from pairrepl.core.events import OutputProduced, OutputSpilled
from pairrepl.core.outputs import Output, OutputCapper, StreamOutput

if TYPE_CHECKING:
    from pairrepl.session.session import Session


class CellSink:
    """Receives one cell's outputs from the kernel, caps streams, spills what is too long.

    Each stream keeps a head (recorded as it arrives) and a rolling tail; once a stream
    overflows, its full text goes to a file under ``.pairrepl/outputs/`` and, when the
    cell ends, one ``OutputSpilled`` event records the file, the count and the tail.
    """

    def __init__(self, session: Session, cell_id: str) -> None:
        self._session = session
        self._cell_id = cell_id
        self._cappers: dict[str, OutputCapper] = {}
        self._heads: dict[str, list[str]] = {}
        self._spills: dict[str, IO[str]] = {}
        self._finished = False
        self.spill_path: str | None = None

    def output(self, output: Output) -> None:
        if isinstance(output, StreamOutput):
            self._stream(output)
        else:
            self._session._record(OutputProduced(self._cell_id, output, late=self._finished))

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
                with self._spill_file(output.name).open("a", encoding="utf-8") as spill:
                    spill.write(overflow)
            else:
                self._open_spill(output.name).write(overflow)

    def _spill_file(self, stream: str) -> Path:
        return self._session._ledger.spill_path(self._session.id, self._cell_id, stream)

    def _open_spill(self, stream: str) -> IO[str]:
        if stream not in self._spills:
            spill = self._spill_file(stream).open("w", encoding="utf-8")
            spill.write("".join(self._heads.get(stream, [])))
            self._spills[stream] = spill
        return self._spills[stream]

    def finish(self) -> None:
        """The cell ended: close spill files and record what each one holds."""
        self._finished = True
        for stream, spill in self._spills.items():
            spill.close()
            capper = self._cappers[stream]
            path = self._spill_file(stream)
            shown = str(path.relative_to(self._session.project_root))
            self.spill_path = shown
            self._session._record(
                OutputSpilled(self._cell_id, stream, shown, capper.omitted_lines, capper.tail())
            )
        self._spills.clear()

    async def input_requested(self, prompt: str, password: bool) -> str:
        return await self._session._ask_input(prompt, password)
