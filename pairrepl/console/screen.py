"""What the console prints into the terminal's scrollback, as the session records it.

The console appends and never redraws: each event the session records
(``Session.subscribe``) becomes text below what is already there, as it arrives, so
output streams and the terminal's own scrollback keeps everything. Items look as they do
in the app: the shared renderers (``frontend/render.py``) draw them, turned into ANSI by
rich. Plain (``--plain``, ``TERM=dumb``, ``NO_COLOR``, no terminal): no colour, no marks
or box drawing, and every change of state is a full sentence on its own line.

A cell's output is what the kernel sent: capped and spilled by the session as in the app
(``session/sink.py``), so the head streams here, then the spill's note and its tail.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from rich.console import Console as RichConsole
from rich.syntax import Syntax
from rich.text import Text

from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    LedgerEntry,
    ModuleReloaded,
    NoteAdded,
    OutputProduced,
    OutputSpilled,
    PromotionUndone,
    PromotionWritten,
    ProposalAccepted,
    ProposalRejected,
    ReplyStreamed,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import ErrorOutput, Output, ResultOutput, StreamOutput
from pairrepl.core.provenance import LineBlame
from pairrepl.core.transcript import (
    CellItem,
    ExchangeItem,
    Item,
    NoticeItem,
    PromotionItem,
    ProposalItem,
    Transcript,
)
from pairrepl.frontend.promotion import blame_text, draft_summary
from pairrepl.frontend.render import (
    AI_MARK,
    STYLE_AI,
    STYLE_DIM,
    STYLE_PROMPT_IN,
    STYLE_PROMPT_OUT,
    cell_status,
    exchange_ending,
    format_duration,
    highlight_python,
    is_ai_cell,
    proposal_header,
    render_cell,
    render_notice,
    render_promotion,
    render_proposal,
    render_spill,
    short_id,
)
from pairrepl.frontend.usage import usage_words
from pairrepl.session import PromotionDraft

ABOVE_PROMPT = Callable[[Callable[[], None]], bool]
CONTINUATION = "...:"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")
_PLAIN_MARKS = str.maketrans({"│": "|", "✦": "*", "…": "...", "→": "->", "—": "-", "⇪": "^"})


def in_prompt(number: int) -> str:
    return f"In [{number}]: "


def continuation_prompt(number: int) -> str:
    """``   ...: `` under ``In [n]: ``, aligned on its colon."""
    return CONTINUATION.rjust(len(in_prompt(number)) - 1) + " "


def next_count(transcript: Transcript) -> int:
    """The number the kernel will give the next cell: one after the newest cell run on
    this kernel (1 on a new one)."""
    for cell in reversed(transcript.code_cells()):
        if cell.kernel_epoch < transcript.kernel_epoch:
            break
        if cell.execution_count is not None:
            return cell.execution_count + 1
    return 1


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


class Scrollback:
    """Prints into a text stream (the terminal) below what it printed before."""

    def __init__(self, out: TextIO, transcript: Transcript, *, plain: bool) -> None:
        self.out = out
        self.plain = plain
        self._transcript = transcript
        self.above_prompt: ABOVE_PROMPT | None = None  # set while a prompt is on screen
        self._at_line_start = True
        self._echo_cells = True  # cells the human did not type here are shown as they start
        self._replying: str | None = None  # the request whose reply is streaming
        self._rich = RichConsole(
            file=io.StringIO(),
            force_terminal=True,
            color_system="256",
            highlight=False,
            markup=False,
            emoji=False,
        )

    # -- writing -----------------------------------------------------------------------

    def write(self, text: str) -> None:
        """Append ``text`` as it is; above the prompt if one is on screen."""
        if not text:
            return

        def write() -> None:
            self.out.write(text)
            self.out.flush()
            self._at_line_start = text.endswith("\n")

        if self.above_prompt is None or not self.above_prompt(write):
            write()

    def line_typed(self) -> None:
        """The person pressed Enter after what was printed: the terminal moved to a new
        line by itself."""
        self._at_line_start = True

    def end_line(self) -> None:
        """Start a new line unless at the start of one (after output without a newline)."""
        if not self._at_line_start:
            self.write("\n")

    def line(self, text: str | Text = "") -> None:
        self.end_line()
        self.write(self._text(text) + "\n")

    def lines(self, lines: Iterable[Text]) -> None:
        for line in lines:
            self.line(line)

    def say(self, sentence: str, severity: str = "info") -> None:
        """Something the human should know, as one notice (a sentence when plain)."""
        if self.plain:
            self.line(sentence)
        else:
            self.lines(render_notice(NoticeItem(sentence, severity)))

    def _text(self, text: str | Text) -> str:
        if isinstance(text, str):
            return strip_ansi(text) if self.plain else text
        if self.plain:
            return strip_ansi(text.plain).translate(_PLAIN_MARKS)
        with self._rich.capture() as capture:
            self._rich.print(text, end="", soft_wrap=True)
        return capture.get()

    # -- what the session records --------------------------------------------------------

    def on_event(self, entry: LedgerEntry, item: Item | None) -> None:
        """A session listener: print what ``entry`` adds, as a person would see it."""
        event = entry.event
        if isinstance(event, CellSubmitted) and isinstance(item, CellItem):
            if self._echo_cells:
                self.echo(item.code, next_count(self._transcript), ai=is_ai_cell(item))
        elif isinstance(event, OutputProduced) and isinstance(item, CellItem):
            if event.late:
                self.line(self._late_note(item))
            self.output(event.output)
        elif isinstance(event, OutputSpilled):
            self.end_line()
            self.lines(render_spill(event, gutter=0))
        elif isinstance(event, CellFinished) and isinstance(item, CellItem):
            self._cell_finished(item)
        elif isinstance(event, ReplyStreamed):
            self._reply(event.request_id, event.text)
        elif isinstance(item, NoticeItem):
            self.say(item.text, item.severity)
        elif isinstance(event, ProposalAccepted | ProposalRejected) and isinstance(
            item, ProposalItem
        ):
            self._proposal_moved(item)
        elif isinstance(event, PromotionWritten | ModuleReloaded | PromotionUndone) and isinstance(
            item, PromotionItem
        ):
            self._promotion(event, item)
        elif isinstance(event, NoteAdded):
            self.say("Note kept: the AI reads it; it never runs.")

    @contextlib.contextmanager
    def typed_cells(self) -> Iterator[None]:
        """Cells started meanwhile were typed at the prompt, which shows them already."""
        self._echo_cells = False
        try:
            yield
        finally:
            self._echo_cells = True

    def echo(self, code: str, number: int, *, ai: bool = False) -> None:
        """``In [n]: code`` as a prompt shows it (``ai``: the AI's code, marked so)."""
        first, rest = in_prompt(number), continuation_prompt(number)
        code = code.rstrip("\n")
        if self.plain:
            lines = code.split("\n")
            self.line(first + (f"(the AI's code) {lines[0]}" if ai else lines[0]))
            for line in lines[1:]:
                self.line(rest + line)
            return
        body = highlight_python(code).split("\n", allow_blank=True)
        for index, code_line in enumerate(body):
            shown = Text(first if index == 0 else rest, STYLE_PROMPT_IN if index == 0 else "")
            if index == 0 and ai:
                shown.append(f"{AI_MARK} ", STYLE_AI)
            self.line(shown + code_line)

    def loaded(self, cells: Iterable[CellItem]) -> None:
        """Cells loaded from a notebook (``--from``): shown, not run."""
        for cell in cells:
            if self.plain:
                self.line(f"Loaded from {cell.loaded_from}, not run:")
                for code_line in cell.code.rstrip("\n").split("\n"):
                    self.line("    " + code_line)
            else:
                self.lines(render_cell(cell))

    def output(self, output: Output) -> None:
        if isinstance(output, StreamOutput):
            text = output.text
            self.write(
                strip_ansi(text).replace("\r\n", "\n").replace("\r", "\n") if self.plain else text
            )
            return
        self.end_line()
        text = output.text.rstrip("\n")
        if isinstance(output, ResultOutput):
            count = "" if output.execution_count is None else str(output.execution_count)
            prompt = Text(f"Out[{count}]:", STYLE_PROMPT_OUT)
            self.write(self._text(prompt) + ("\n" if "\n" in text else " "))
        elif isinstance(output, ErrorOutput) and not output.traceback:
            text = f"{output.ename}: {output.evalue}"
        self.write(self._text(text) + "\n")

    def _late_note(self, cell: CellItem) -> str:
        number = "?" if cell.execution_count is None else cell.execution_count
        return f"Late output of In [{number}], which has finished:"

    def _cell_finished(self, cell: CellItem) -> None:
        self.end_line()
        if self.plain:
            self.line(cell_sentence(cell))
        elif cell.status is not ExecutionStatus.OK or is_ai_cell(cell):
            self.line(cell_status(cell))

    # -- the AI --------------------------------------------------------------------------

    def asking(self, provider: str) -> None:
        if self.plain:
            self.line(f"Asking the AI ({provider}).")

    def _reply(self, request_id: str, text: str) -> None:
        if self._replying != request_id:
            self._replying = request_id
            self.end_line()
            self.write(
                "The AI answers:\n" if self.plain else self._text(Text(f"{AI_MARK} ", STYLE_AI))
            )
        self.write(strip_ansi(text) if self.plain else text)

    def exchange_ended(self, exchange: ExchangeItem) -> None:
        """Under a reply that streamed: how it ended, the model and the tokens."""
        self._replying = None
        self.end_line()
        if not self.plain:
            self.lines(exchange_ending(exchange))
            return
        if exchange.refusal is not None:
            self.line(f"The model declined: {exchange.refusal}")
        elif exchange.partial:
            why = f" ({exchange.error})" if exchange.error else ""
            self.line(f"The reply is partial{why}; it stays out of the AI's later context.")
        elif exchange.error is not None:
            self.line(f"The AI's reply failed: {exchange.error}")
        elif exchange.proposal_id is None:
            self.line("The AI answered without proposing code.")
        self.line(f"{exchange.model}: {usage_words(exchange)}.")

    def proposal(self, item: ProposalItem) -> None:
        """The proposal: its id and state, its code (highlighted), and why."""
        if not self.plain:
            self.lines(render_proposal(item))
            return
        proposal = item.proposal
        count = len(proposal.code.rstrip().split("\n"))
        self.line(
            f"The AI proposes cell {proposal.id[:6]} ({count} line{'s' if count != 1 else ''}, "
            f"{proposal.state.words}). Nothing runs until you say so:"
        )
        for code_line in proposal.code.rstrip().split("\n"):
            self.line("    " + code_line)
        self.line(f"Why: {' '.join(proposal.rationale.split()) or '(no rationale given)'}")

    def _proposal_moved(self, item: ProposalItem) -> None:
        if not self.plain:
            self.line(proposal_header(item))
            return
        reason = f" ({item.rejection_reason})" if item.rejection_reason else ""
        self.line(f"Proposal {item.proposal.id[:6]} is now {item.proposal.state.words}{reason}.")

    # -- promotion -----------------------------------------------------------------------

    def draft(self, draft: PromotionDraft) -> None:
        """What a promotion would write: in words, then the exact diff."""
        self.line(f"Promote into {draft.target}" + (" (as a test):" if draft.as_test else ":"))
        self.write(self._text(draft_summary(draft)))  # with why it cannot be written, if so
        if self.plain and draft.plan.diff:
            self.write(draft.plan.diff.rstrip("\n") + "\n")
        elif draft.plan.diff:
            with self._rich.capture() as capture:
                self._rich.print(Syntax(draft.plan.diff.rstrip("\n"), "diff", theme="ansi_dark"))
            self.write(capture.get())

    def _promotion(self, event: object, item: PromotionItem) -> None:
        if isinstance(event, ModuleReloaded):
            if item.reload_report:
                self.line(Text(f"kernel: {item.reload_report}", STYLE_DIM))
        elif isinstance(event, PromotionUndone):
            self.say(
                f"Undone: {item.target} is back as it was before promotion {item.promotion_id[:8]}."
            )
        elif self.plain:
            what = ", ".join(item.symbols) or "nothing new"
            self.line(
                f"Promoted {what} into {item.target} (promotion {item.promotion_id[:8]}, "
                f"{item.origin.value}); undo with :undo {item.promotion_id[:8]}."
            )
        else:
            self.lines(render_promotion(item))

    def blame(self, lines: list[LineBlame]) -> None:
        self.end_line()
        self.write(self._text(blame_text(lines)))


def cell_sentence(cell: CellItem) -> str:
    """How a cell ended, in one sentence (plain mode says every state change in words)."""
    name = f"In [{cell.execution_count if cell.execution_count is not None else '?'}]"
    took = f" in {format_duration(cell.duration_s)}" if cell.duration_s is not None else ""
    sentence = {
        ExecutionStatus.OK: f"{name} ran without error{took}.",
        ExecutionStatus.ERROR: f"{name} raised an error{took}.",
        ExecutionStatus.INTERRUPTED: f"{name} was interrupted{took}.",
        ExecutionStatus.DIED: f"The kernel died while {name} ran.",
        ExecutionStatus.ABORTED: f"{name} did not run: the kernel aborted it after an earlier error.",
    }.get(cell.status or ExecutionStatus.OK, f"{name} ended.")
    if is_ai_cell(cell) and cell.proposal_id:
        how = "as the AI wrote it" if cell.origin.value == "ai" else "with your edit (ai-edited)"
        sentence += f" It ran proposal {short_id(cell.proposal_id)[1:]} {how}."
    return sentence
