"""Transcript items as lines of styled text: pure functions, no widgets, no I/O.

Every front end that draws a session shows its items with these: the app's transcript
view (``tui/``) and the line console (``console/``), so a cell, a proposal or a
promotion reads the same in both. Each returns one rich ``Text`` per logical line (never
a newline inside one), so what an item looks like is decided here and can be tested
without a screen; nothing here depends on the width, and nothing names a front end's
keys (each front end adds its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from rich.syntax import Syntax
from rich.text import Text

from pairrepl.core.cells import Origin
from pairrepl.core.events import OutputSpilled
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import ChangeKind, NamespaceDiff, VariableChange
from pairrepl.core.outputs import (
    Output,
    ResultOutput,
    StreamOutput,
)
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import (
    CellItem,
    ExchangeItem,
    Item,
    NoteItem,
    NoticeItem,
    PromotionItem,
    ProposalItem,
)
from pairrepl.frontend.usage import format_tokens as format_tokens  # also imported from here
from pairrepl.frontend.usage import usage_words

GUTTER = 8  # "In [12]:" is 8 cells; code and outputs line up after it
AI_MARK = "✦"

STYLE_PROMPT_IN = "bold green"
STYLE_PROMPT_OUT = "bold red"
STYLE_LOADED = "bold magenta"
STYLE_STDERR = "red"
STYLE_DIM = "dim"
STYLE_SPILL = "bold yellow"
STYLE_ADDED = "green"
STYLE_CHANGED = "yellow"
STYLE_DELETED = "red"
SEVERITY_STYLES = {"info": "cyan", "warning": "bold yellow", "error": "bold red"}
SEVERITY_MARKS = {"info": "ℹ", "warning": "⚠", "error": "✖"}
STATUS_STYLES = {
    ExecutionStatus.OK: ("✓", "green"),
    ExecutionStatus.ERROR: ("✗ error", "bold red"),
    ExecutionStatus.INTERRUPTED: ("⏸ interrupted", "bold yellow"),
    ExecutionStatus.DIED: ("☠ kernel died", "bold red"),
    ExecutionStatus.ABORTED: ("⊘ aborted", "yellow"),
}

STYLE_AI = "bold magenta"
STYLE_ASK = "bold cyan"
STYLE_KEY = "bold cyan"
PROPOSAL_BAR = "│ "
PROPOSAL_STATE_STYLES = {
    ProposalState.PROPOSED: "bold yellow",
    ProposalState.RAN_OK: "bold green",
    ProposalState.RAN_ERROR: "bold red",
    ProposalState.ACCEPTED: "bold green reverse",
    ProposalState.PROMOTED: "bold blue",
    ProposalState.REJECTED: "dim strike",
}

_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]")


def item_id(item: Item) -> str | None:
    """The id ``mark_for_context`` takes for ``item`` (cells and notes), else None."""
    if isinstance(item, CellItem):
        return item.cell_id
    if isinstance(item, NoteItem):
        return item.note_id
    return None


def cell_prompt(cell: CellItem) -> tuple[str, str]:
    """The prompt text and its style: ``In [3]:``, ``In [ ]:`` while running, ``[loaded]``."""
    if cell.loaded_from is not None and cell.status is None:
        return "[loaded]", STYLE_LOADED
    if cell.running:
        return "In [ ]:", STYLE_PROMPT_IN
    count = "?" if cell.execution_count is None else str(cell.execution_count)
    return f"In [{count}]:", STYLE_PROMPT_IN


def render_cell(
    cell: CellItem, *, highlight: bool = True, footer_note: Text | None = None
) -> list[Text]:
    """A cell, its outputs, its status and the names it changed. ``footer_note`` ends the
    status line (the app: the key that asks the AI to fix it)."""
    prompt, prompt_style = cell_prompt(cell)
    gutter = max(GUTTER, len(prompt), len(f"Out[{cell.execution_count or ''}]:"))
    lines = list(_code_lines(cell, prompt, prompt_style, highlight, gutter))
    lines.extend(render_outputs(cell.outputs, cell.spills, gutter=gutter))
    lines.extend(_footer(cell, gutter, footer_note))
    lines.extend(render_namespace_diff(cell.namespace_diff, gutter=gutter))
    return lines


def is_ai_cell(cell: CellItem) -> bool:
    return cell.origin in (Origin.AI, Origin.AI_EDITED)


def short_id(identifier: str) -> str:
    """How ids are shown: ``#3f2a1b``."""
    return f"#{identifier[:6]}"


def _code_lines(
    cell: CellItem, prompt: str, prompt_style: str, highlight: bool, gutter: int
) -> Iterator[Text]:
    code = clean(cell.code.rstrip())
    body = highlight_python(code) if highlight else Text(code)
    mark = f"{AI_MARK} " if is_ai_cell(cell) else ""
    code_lines = body.split("\n", allow_blank=True) or [Text("")]
    for index, code_line in enumerate(code_lines):
        line = Text()
        if index == 0:
            line.append(prompt.ljust(gutter), prompt_style)
            line.append(" ")
            if mark:
                line.append(mark, STYLE_AI)
        else:
            line.append(" " * (gutter + 1 + len(mark)))
        line.append_text(code_line)
        yield line


@lru_cache(maxsize=1)
def _syntax() -> Syntax:
    return Syntax("", "python", theme="ansi_dark")


def highlight_python(code: str) -> Text:
    """Python colours for ``code``; the same characters as ``code``, so widths match."""
    text = _syntax().highlight(code)
    if len(text) > len(code):
        text.right_crop(len(text) - len(code))
    return text


def _footer(cell: CellItem, gutter: int, note: Text | None = None) -> Iterator[Text]:
    indent = " " * (gutter + 1)
    if cell.loaded_from is not None and cell.status is None:
        loaded = "ran again below" if cell.rerun_as else f"from {cell.loaded_from}, not run yet"
        yield Text(indent + loaded, STYLE_DIM)
        return
    line = Text(indent) + cell_status(cell)
    if note is not None:
        line.append_text(note)
    yield line


def cell_status(cell: CellItem) -> Text:
    """``✓ · 250 ms · ✦ ai from proposal #3f2a1b``: how a cell ended (or that it runs)."""
    line = Text()
    if cell.running:
        line.append("… running", STYLE_DIM)
    else:
        assert cell.status is not None
        mark, style = STATUS_STYLES[cell.status]
        line.append(mark, style)
        if cell.duration_s is not None:
            line.append(f" · {format_duration(cell.duration_s)}", STYLE_DIM)
    if is_ai_cell(cell):
        line.append(" · ", STYLE_DIM)
        line.append(f"{AI_MARK} {cell.origin.value}", STYLE_AI)
        if cell.proposal_id:
            line.append(f" from proposal {short_id(cell.proposal_id)}", STYLE_DIM)
    return line


def format_duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s"


def render_outputs(
    outputs: Iterable[Output], spills: Iterable[OutputSpilled] = (), *, gutter: int = GUTTER
) -> list[Text]:
    """Outputs in order; consecutive chunks of one stream are joined before splitting into
    lines. A spilled stream gets its "omitted" line and its tail after its last chunk."""
    groups = _group_streams(outputs)
    spill_by_stream = {spill.stream: spill for spill in spills}
    last_group_of_stream = {
        group.name: index for index, group in enumerate(groups) if isinstance(group, StreamOutput)
    }
    lines: list[Text] = []
    for index, group in enumerate(groups):
        lines.extend(_render_output(group, gutter))
        if isinstance(group, StreamOutput) and last_group_of_stream.get(group.name) == index:
            spill = spill_by_stream.pop(group.name, None)
            if spill is not None:
                lines.extend(render_spill(spill, gutter=gutter))
    for spill in spill_by_stream.values():  # a spill whose head chunks we never saw
        lines.extend(render_spill(spill, gutter=gutter))
    return lines


def _group_streams(outputs: Iterable[Output]) -> list[Output]:
    groups: list[Output] = []
    pending: list[str] = []
    pending_name: str | None = None

    def flush() -> None:
        if pending_name is not None:
            groups.append(StreamOutput(pending_name, "".join(pending)))  # type: ignore[arg-type]
        pending.clear()

    for output in outputs:
        if isinstance(output, StreamOutput):
            if output.name != pending_name:
                flush()
                pending_name = output.name
            pending.append(output.text)
        else:
            flush()
            pending_name = None
            groups.append(output)
    flush()
    return groups


def _render_output(output: Output, gutter: int) -> list[Text]:
    if isinstance(output, StreamOutput):
        style = STYLE_STDERR if output.name == "stderr" else ""
        return [indented(line, gutter) for line in _stream_lines(output.text, style)]
    lines = [indented(line, gutter) for line in _text_lines(output.text)]
    if isinstance(output, ResultOutput):
        count = "" if output.execution_count is None else str(output.execution_count)
        prompt = Text(f"Out[{count}]:".ljust(gutter) + " ", STYLE_PROMPT_OUT)
        lines[0] = prompt + lines[0][gutter + 1 :]
    return lines


def render_spill(spill: OutputSpilled, *, gutter: int = GUTTER) -> list[Text]:
    if spill.final:
        note = f"… {spill.omitted_lines:,} lines omitted — full output: {spill.path} ({spill.stream}) …"
    else:  # the stream never ended (the app stopped while the cell ran)
        note = f"… more output, never finished — what arrived: {spill.path} ({spill.stream}) …"
    lines = [indented(Text(note, STYLE_SPILL), gutter)]
    style = STYLE_STDERR if spill.stream == "stderr" else ""
    lines.extend(indented(line, gutter) for line in _stream_lines(spill.tail, style))
    return lines


def render_namespace_diff(diff: NamespaceDiff, *, gutter: int = GUTTER) -> list[Text]:
    lines: list[Text] = []
    indent = " " * (gutter + 1)
    for change in diff.added:
        lines.append(_diff_line(indent, "+", change.name, change.after or "", STYLE_ADDED))
    for change in diff.changed:
        line = _diff_line(indent, "~", change.name, change_summary(change), STYLE_CHANGED)
        if change.how is not None:
            line.append(f"  ({_CHANGE_TAGS[change.how]})", STYLE_CHANGED)
        lines.append(line)
    for change in diff.deleted:
        lines.append(_diff_line(indent, "-", change.name, change.before or "", STYLE_DELETED))
    return lines


_CHANGE_TAGS = {ChangeKind.REBOUND: "rebound", ChangeKind.MUTATED: "mutated in place"}


def change_summary(change: VariableChange) -> str:
    """``before → after``, the type said once when it did not change:
    ``int  12 → 13``, ``list 1  [1] → 2  [1, 2]``, ``int  1 → str  'a'``."""
    before, after = change.before or "", change.after or ""
    type_before, _, rest_before = before.partition(" ")
    type_after, _, rest_after = after.partition(" ")
    if type_before == type_after and rest_before and rest_after:
        return f"{type_before} {rest_before.lstrip()} → {rest_after.lstrip()}"
    return f"{before} → {after}"


def _diff_line(indent: str, sign: str, name: str, summary: str, style: str) -> Text:
    line = Text(indent)
    line.append(f"{sign} {name}", style)
    line.append(f"  {clean(summary)}", STYLE_DIM)
    return line


def render_note(note: NoteItem) -> list[Text]:
    """Markdown, roughly: headings bold, fenced code dim, the rest as written."""
    lines: list[Text] = []
    in_fence = False
    for index, raw in enumerate(note.text.rstrip("\n").split("\n")):
        gutter = Text(
            "Note".ljust(GUTTER) + " " if index == 0 else " " * (GUTTER + 1), "italic cyan"
        )
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
            lines.append(gutter + Text(clean(raw), STYLE_DIM))
        elif in_fence:
            lines.append(gutter + Text(clean(raw), "green"))
        elif stripped.startswith("#"):
            lines.append(gutter + Text(clean(stripped.lstrip("#").strip()), "bold underline"))
        else:
            lines.append(gutter + Text(clean(raw).replace("**", "")))
    return lines


def render_exchange(exchange: ExchangeItem) -> list[Text]:
    """A request and the AI's reply as far as it arrived, then how it ended.

    The human's request is plain; the reply, being AI material, is marked ✦. A reply
    that was cut, stopped, refused or failed says so in words, not only in colour. When
    the human edited the request or the reply (to steer what the AI sees next), the edit
    is shown and marked as such; the ledger keeps the original.
    """
    request = clean(exchange.request_text.rstrip()) or "…"
    lines = _gutter_lines("Ask:", STYLE_ASK, request, "bold")
    reply = exchange.reply_text.strip("\n")
    if reply:
        lines.extend(_gutter_lines(f"{AI_MARK} AI:", STYLE_AI, clean(reply.rstrip())))
    return lines + exchange_ending(exchange)


def exchange_ending(exchange: ExchangeItem) -> list[Text]:
    """Under a reply: how it ended (in words when badly), then the model, the tokens and
    the cost."""
    indent = " " * (GUTTER + 1)
    lines: list[Text] = []
    if not exchange.finished:
        lines.append(Text(indent + "… answering", "italic " + STYLE_DIM))
    elif exchange.refusal is not None:
        lines.append(
            indented(Text(f"⊘ the model declined: {clean(exchange.refusal)}", "bold yellow"))
        )
    elif exchange.partial:
        why = f" ({clean(exchange.error)})" if exchange.error else ""
        lines.append(
            indented(
                Text(f"⚠ partial reply{why}: kept out of the AI's later context", "bold yellow")
            )
        )
    elif exchange.error is not None:
        lines.append(indented(Text(f"✖ {clean(exchange.error)}", "bold red")))
    elif exchange.proposal_id is None:
        lines.append(Text(indent + "(an answer, no proposal)", STYLE_DIM))
    lines.extend(_raw_reply_lines(exchange))
    meta = f"{AI_MARK} {exchange.model} · context {format_tokens(exchange.tokens)} tokens"
    if exchange.finished:
        meta += f" · {usage_words(exchange)}"
    if exchange.hint_mode:
        meta += " · hint mode"
    edited = [
        part
        for part, edit in (("request", exchange.edited_request), ("reply", exchange.edited_reply))
        if edit is not None
    ]
    if edited:
        meta += f" · {' and '.join(edited)} edited by you"
    lines.append(Text(indent + meta, STYLE_DIM))
    return lines


RAW_REPLY_LINES = 20  # of a refused proposal's raw reply; the ledger keeps all of it


def _raw_reply_lines(exchange: ExchangeItem) -> list[Text]:
    """When nothing runnable came of a reply (its proposal was refused), what the model
    actually said, tool calls included, capped, so the human can judge it."""
    raw = (exchange.raw or "").strip("\n")
    if not raw or exchange.partial or raw.strip() == exchange.reply.strip():
        return []
    lines = [
        indented(Text(f"{AI_MARK} The model's raw reply (not runnable, never run):", "bold yellow"))
    ]
    raw_lines = raw.split("\n")
    for raw_line in raw_lines[:RAW_REPLY_LINES]:
        lines.append(indented(Text("  " + clean(raw_line[:400]), STYLE_DIM)))
    if len(raw_lines) > RAW_REPLY_LINES:
        more = len(raw_lines) - RAW_REPLY_LINES
        lines.append(indented(Text(f"  … {more} more lines in the ledger", STYLE_DIM)))
    return lines


def render_proposal(
    item: ProposalItem, *, highlight: bool = True, actions: Text | None = None
) -> list[Text]:
    """A proposal: its header (id, state, size), its code, why, the fate it met, and
    ``actions`` (the front end's keys that act on it) when given."""
    proposal = item.proposal
    lines = [proposal_header(item)]
    bar = Text(PROPOSAL_BAR, STYLE_AI)
    code = clean(proposal.code.rstrip())
    body = highlight_python(code) if highlight else Text(code)
    for code_line in body.split("\n", allow_blank=True) or [Text("")]:
        lines.append(bar + code_line)
    why = clean(proposal.rationale.strip() or "(no rationale given)").split("\n")
    for index, why_line in enumerate(why):
        lines.append(bar + Text(("why: " if index == 0 else "     ") + why_line, "italic"))
    if item.runs:
        times = "once" if len(item.runs) == 1 else f"{len(item.runs)} times"
        lines.append(bar + Text(f"ran {times}: see the ✦ cell below", STYLE_DIM))
    if proposal.state is ProposalState.REJECTED:
        reason = f": {clean(item.rejection_reason)}" if item.rejection_reason else ""
        lines.append(bar + Text(f"rejected{reason}", STYLE_DIM))
    if actions is not None:
        lines.append(bar + actions)
    return lines


def proposals_table(items: Iterable[ProposalItem]) -> list[str]:
    """One row per proposal, oldest first: its id, state, how often it ran, its first line."""
    rows = [f"{'ID':<14}{'STATE':<11}{'RUNS':>4}  CODE"]
    for item in items:
        code = item.proposal.code.strip().splitlines()
        first = code[0][:60] if code else ""
        more = " …" if len(code) > 1 else ""
        rows.append(
            f"{item.proposal.id:<14}{item.proposal.state.value:<11}{len(item.runs):>4}  {first}{more}"
        )
    return rows


def proposal_header(item: ProposalItem) -> Text:
    """``✦ proposal #3f2a1b · proposed · 6 lines``: the state always in words."""
    proposal = item.proposal
    count = len(proposal.code.rstrip().split("\n"))
    header = Text(f"{AI_MARK} proposal {short_id(proposal.id)} · ", STYLE_AI)
    header.append(proposal.state.words, PROPOSAL_STATE_STYLES[proposal.state])
    header.append(f" · {count} line{'s' if count != 1 else ''}", STYLE_DIM)
    return header


def _gutter_lines(label: str, label_style: str, text: str, style: str = "") -> list[Text]:
    """``label`` in the gutter of the first line, ``text``'s lines after it."""
    lines = []
    for index, raw in enumerate(text.split("\n")):
        gutter = label.ljust(GUTTER) + " " if index == 0 else " " * (GUTTER + 1)
        line = Text(gutter, label_style)
        line.append(raw, style)
        lines.append(line)
    return lines


def render_promotion(item: PromotionItem) -> list[Text]:
    """``⇪ promoted slugify → src/pkg/text.py · ai``, then the kernel's verdict."""
    what = ", ".join(item.symbols) or "nothing new"
    kind = "test" if item.as_test else "promoted"
    header = Text(f"⇪ {kind} {what} → {item.target}", "bold green" if not item.undone else "dim")
    header.append(f" · {item.origin.value} · {short_id(item.promotion_id)}", STYLE_DIM)
    if item.undone:
        header.append(" · undone", "bold yellow")
    lines = [header]
    if item.explanation:
        lines.append(indented(Text(f"explained: {clean(item.explanation)}", "italic")))
    if item.reload_report:
        lines.append(indented(Text(f"kernel: {clean(item.reload_report)}", STYLE_DIM)))
    return lines


def render_notice(notice: NoticeItem) -> list[Text]:
    style = SEVERITY_STYLES.get(notice.severity, SEVERITY_STYLES["info"])
    mark = SEVERITY_MARKS.get(notice.severity, SEVERITY_MARKS["info"])
    lines = []
    for index, raw in enumerate(notice.text.rstrip("\n").split("\n")):
        prefix = f"{mark} " if index == 0 else "  "
        lines.append(Text(prefix + clean(raw), style))
    return lines


# -- text helpers ------------------------------------------------------------------------


def indented(line: Text, gutter: int = GUTTER) -> Text:
    text = Text(" " * (gutter + 1))
    text.append_text(line)
    return text


def _text_lines(text: str) -> list[Text]:
    """Lines of kernel text that may carry ANSI colours (tracebacks, reprs)."""
    return [_from_ansi(line) for line in text.rstrip("\n").split("\n")]


def _stream_lines(text: str, style: str = "") -> list[Text]:
    """Stream text as a terminal would show it: a carriage return rewrites its line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [_from_ansi(line.rsplit("\r", 1)[-1] if "\r" in line else line, style) for line in lines]


def _from_ansi(line: str, style: str = "") -> Text:
    """One line of kernel text; ANSI colours become styles, ``style`` is the base under them."""
    if "\x1b" in line:
        text = Text.from_ansi(line.expandtabs(), style=style)
        if _CONTROL_CHARACTERS.search(text.plain):
            text.plain = _CONTROL_CHARACTERS.sub("�", text.plain)
        return text
    return Text(clean(line), style)


def clean(text: str) -> str:
    """Tabs expanded and control characters made visible, so widths are what we draw."""
    return _CONTROL_CHARACTERS.sub("�", text.expandtabs())
