"""Transcript items as lines of styled text: pure functions, no widgets, no I/O.

The transcript view draws whatever these return, one ``Text`` per logical line (never a
newline inside one), so what a cell looks like is decided here and can be tested without
an app. The view folds long lines to its width; nothing here depends on the width.
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
from pairrepl.core.namespace import NamespaceDiff
from pairrepl.core.outputs import (
    Output,
    ResultOutput,
    StreamOutput,
)
from pairrepl.core.transcript import CellItem, Item, NoteItem, NoticeItem

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

_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]")


def render_item(item: Item, *, highlight: bool = True) -> list[Text]:
    """The lines that show ``item``, ending with a blank separator line.

    ``highlight=False`` skips syntax highlighting of code: the lines (and their widths)
    are the same, only uncoloured, so a view can lay out thousands of cells at once and
    colour each one when it first comes into sight.
    """
    if isinstance(item, CellItem):
        lines = render_cell(item, highlight=highlight)
    elif isinstance(item, NoteItem):
        lines = render_note(item)
    else:
        lines = render_notice(item)
    lines.append(Text(""))
    return lines


def cell_prompt(cell: CellItem) -> tuple[str, str]:
    """The prompt text and its style: ``In [3]:``, ``In [ ]:`` while running, ``[loaded]``."""
    if cell.loaded_from is not None and cell.status is None:
        return "[loaded]", STYLE_LOADED
    if cell.running:
        return "In [ ]:", STYLE_PROMPT_IN
    count = "?" if cell.execution_count is None else str(cell.execution_count)
    return f"In [{count}]:", STYLE_PROMPT_IN


def render_cell(cell: CellItem, *, highlight: bool = True) -> list[Text]:
    prompt, prompt_style = cell_prompt(cell)
    gutter = max(GUTTER, len(prompt), len(f"Out[{cell.execution_count or ''}]:"))
    lines = list(_code_lines(cell, prompt, prompt_style, highlight, gutter))
    lines.extend(render_outputs(cell.outputs, cell.spills, gutter=gutter))
    lines.extend(_footer(cell, gutter))
    lines.extend(render_namespace_diff(cell.namespace_diff, gutter=gutter))
    return lines


def _code_lines(
    cell: CellItem, prompt: str, prompt_style: str, highlight: bool, gutter: int
) -> Iterator[Text]:
    code = _clean(cell.code.rstrip())
    body = _highlight(code) if highlight else Text(code)
    mark = f"{AI_MARK} " if cell.origin in (Origin.AI, Origin.AI_EDITED) else ""
    code_lines = body.split("\n", allow_blank=True) or [Text("")]
    for index, code_line in enumerate(code_lines):
        line = Text()
        if index == 0:
            line.append(prompt.ljust(gutter), prompt_style)
            line.append(" ")
            if mark:
                line.append(mark, "bold magenta")
        else:
            line.append(" " * (gutter + 1 + len(mark)))
        line.append_text(code_line)
        yield line


@lru_cache(maxsize=1)
def _syntax() -> Syntax:
    return Syntax("", "python", theme="ansi_dark")


def _highlight(code: str) -> Text:
    """Python colours for ``code``; the same characters as ``code``, so widths match."""
    text = _syntax().highlight(code)
    if len(text) > len(code):
        text.right_crop(len(text) - len(code))
    return text


def _footer(cell: CellItem, gutter: int) -> Iterator[Text]:
    indent = " " * (gutter + 1)
    if cell.loaded_from is not None and cell.status is None:
        note = "ran again below" if cell.rerun_as else f"from {cell.loaded_from}, not run yet"
        yield Text(indent + note, STYLE_DIM)
        return
    if cell.running:
        yield Text(indent + "… running", STYLE_DIM)
        return
    assert cell.status is not None
    mark, style = STATUS_STYLES[cell.status]
    line = Text(indent)
    line.append(mark, style)
    if cell.duration_s is not None:
        line.append(f" · {format_duration(cell.duration_s)}", STYLE_DIM)
    yield line


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
        return [_indented(line, gutter) for line in _stream_lines(output.text, style)]
    lines = [_indented(line, gutter) for line in _text_lines(output.text)]
    if isinstance(output, ResultOutput):
        count = "" if output.execution_count is None else str(output.execution_count)
        prompt = Text(f"Out[{count}]:".ljust(gutter) + " ", STYLE_PROMPT_OUT)
        lines[0] = prompt + lines[0][gutter + 1 :]
    return lines


def render_spill(spill: OutputSpilled, *, gutter: int = GUTTER) -> list[Text]:
    note = f"… {spill.omitted_lines:,} lines omitted — full output: {spill.path} ({spill.stream}) …"
    lines = [_indented(Text(note, STYLE_SPILL), gutter)]
    style = STYLE_STDERR if spill.stream == "stderr" else ""
    lines.extend(_indented(line, gutter) for line in _stream_lines(spill.tail, style))
    return lines


def render_namespace_diff(diff: NamespaceDiff, *, gutter: int = GUTTER) -> list[Text]:
    lines: list[Text] = []
    indent = " " * (gutter + 1)
    for change in diff.added:
        lines.append(_diff_line(indent, "+", change.name, change.after or "", STYLE_ADDED))
    for change in diff.changed:
        summary = f"{change.before} → {change.after}"
        lines.append(_diff_line(indent, "~", change.name, summary, STYLE_CHANGED))
    for change in diff.deleted:
        lines.append(_diff_line(indent, "-", change.name, change.before or "", STYLE_DELETED))
    return lines


def _diff_line(indent: str, sign: str, name: str, summary: str, style: str) -> Text:
    line = Text(indent)
    line.append(f"{sign} {name}", style)
    line.append(f"  {_clean(summary)}", STYLE_DIM)
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
            lines.append(gutter + Text(_clean(raw), STYLE_DIM))
        elif in_fence:
            lines.append(gutter + Text(_clean(raw), "green"))
        elif stripped.startswith("#"):
            lines.append(gutter + Text(_clean(stripped.lstrip("#").strip()), "bold underline"))
        else:
            lines.append(gutter + Text(_clean(raw).replace("**", "")))
    return lines


def render_notice(notice: NoticeItem) -> list[Text]:
    style = SEVERITY_STYLES.get(notice.severity, SEVERITY_STYLES["info"])
    mark = SEVERITY_MARKS.get(notice.severity, SEVERITY_MARKS["info"])
    lines = []
    for index, raw in enumerate(notice.text.rstrip("\n").split("\n")):
        prefix = f"{mark} " if index == 0 else "  "
        lines.append(Text(prefix + _clean(raw), style))
    return lines


# -- text helpers ------------------------------------------------------------------------


def _indented(line: Text, gutter: int = GUTTER) -> Text:
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
    return Text(_clean(line), style)


def _clean(text: str) -> str:
    """Tabs expanded and control characters made visible, so widths are what we draw."""
    return _CONTROL_CHARACTERS.sub("�", text.expandtabs())
