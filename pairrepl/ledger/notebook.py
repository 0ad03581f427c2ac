"""Sessions out to Jupyter notebooks, and notebooks in as cells to start from.

Export folds the ledger's events with core's ``Transcript``, the same fold the TUI draws
with, so the notebook reads as the session did (invariant SCREEN-LEDGER-EXPORT-AGREE):
cells with their execution counts and outputs (a stream's chunks as one output), notes
as markdown, and, as markdown cells where they happened, the requests to the AI and its
replies, each proposal with its rationale and what the human decided, and promotions.
Who wrote each code cell stays visible: an AI cell is tagged ``ai`` / ``ai-edited``
and follows its proposal; ``metadata["pairrepl"]`` has the ids.
Import (``pairrepl --from notebook.ipynb``) only reads sources, the human's cells and
notes; nothing is run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pairrepl.core.events import LedgerEntry, OutputSpilled
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, Output, ResultOutput, StreamOutput
from pairrepl.core.transcript import (
    CellItem,
    ExchangeItem,
    Item,
    NoteItem,
    NoticeItem,
    PromotionItem,
    ProposalItem,
    Transcript,
)
from pairrepl.ledger.state_dir import write_atomically

if TYPE_CHECKING:
    from nbformat import NotebookNode

# nbformat is imported where it is used: importing it can take over a second (jsonschema's
# format checkers, when jupyter_server is installed), and every ``%load_ext pairrepl``
# and ``pairrepl sessions`` would pay that for nothing.

# nbformat 4.5 cell ids: we reuse ours when they fit, so re-exports diff cleanly.
_NOTEBOOK_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class NotebookCell:
    """One cell read from a notebook: its kind and its source text."""

    kind: Literal["code", "markdown"]
    source: str


# -- export --------------------------------------------------------------------------------


def export_notebook(entries: Iterable[LedgerEntry], path: Path) -> None:
    """Write a session's events as an nbformat v4 notebook at ``path``.

    The notebook is validated before it is written, and written atomically (a temporary
    file renamed over ``path``), so a failed export never leaves half a notebook behind.
    """
    import nbformat

    transcript = Transcript()
    session_id: str | None = None
    for entry in entries:
        session_id = session_id or entry.session_id
        transcript.apply(entry.event)
    notebook = notebook_from_transcript(transcript, session_id)
    nbformat.validate(notebook)
    write_atomically(Path(path), nbformat.writes(notebook, version=4))


def notebook_from_transcript(transcript: Transcript, session_id: str | None = None) -> NotebookNode:
    """The notebook for a folded session (not validated; ``export_notebook`` does that)."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    cells: list[NotebookNode] = []
    used_ids: set[str] = set()
    for item in transcript.items:
        if isinstance(item, CellItem):
            if item.loaded_from is not None and item.rerun_as is not None:
                continue  # it appears where it ran, as the cell that re-ran it
            cell = _code_cell(item)
            _reuse_id(cell, item.cell_id, used_ids)
        elif isinstance(item, NoteItem):
            cell = new_markdown_cell(item.text, metadata={"pairrepl": {"note_id": item.note_id}})
            _reuse_id(cell, item.note_id, used_ids)
        elif isinstance(item, NoticeItem):
            # Kept so a reader knows why execution counts restart; marked so that
            # ``read_notebook`` does not bring them back as notes.
            cell = new_markdown_cell(
                f"> **pairrepl:** {item.text}",
                metadata={"pairrepl": {"notice": item.severity}},
            )
        else:
            record = _record_markdown(item, transcript)
            if record is None:
                continue
            cell = record
        used_ids.add(cell["id"])
        cells.append(cell)
    metadata: dict[str, Any] = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    if session_id is not None:
        metadata["pairrepl"] = {"session_id": session_id}
    notebook: NotebookNode = new_notebook(cells=cells, metadata=metadata)
    return notebook


def _record_markdown(item: Item, transcript: Transcript) -> NotebookNode | None:
    """An exchange with the AI, a proposal and its fate, or a promotion, as a markdown
    cell; marked (``metadata["pairrepl"]["record"]``) so that import leaves it out."""
    from nbformat.v4 import new_markdown_cell

    if isinstance(item, ExchangeItem):
        kind, key, text = "exchange", item.request_id, _exchange_markdown(item)
    elif isinstance(item, ProposalItem):
        kind, key, text = "proposal", item.proposal.id, _proposal_markdown(item, transcript)
    elif isinstance(item, PromotionItem):
        kind, key, text = "promotion", item.promotion_id, _promotion_markdown(item)
    else:
        return None
    cell: NotebookNode = new_markdown_cell(text, metadata={"pairrepl": {"record": kind, "id": key}})
    return cell


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip("\n").split("\n"))


def _exchange_markdown(item: ExchangeItem) -> str:
    parts = [f"**Ask:**\n\n{_quoted(item.request_text)}"]
    ending = (
        f" (declined: {item.refusal})"
        if item.refusal is not None
        else f" (partial: {item.error or 'stopped'})"
        if item.partial
        else f" (failed: {item.error})"
        if item.error is not None
        else ""
    )
    reply = item.reply_text.strip() or "(no text)"
    parts.append(f"**✦ AI** ({item.model}){ending}:\n\n{_quoted(reply)}")
    edited = [p for p, e in (("request", item.edited_request), ("reply", item.edited_reply)) if e]
    if edited:
        parts.append(f"*The {' and '.join(edited)} shown here are the human's edits.*")
    return "\n\n".join(parts)


def _proposal_markdown(item: ProposalItem, transcript: Transcript) -> str:
    proposal = item.proposal
    ran = [transcript.cells[run] for run in item.runs if run in transcript.cells]
    counts = ", ".join(f"In [{cell.execution_count}]" for cell in ran if cell.execution_count)
    decision = proposal.state.words
    if item.rejection_reason:
        decision += f": {item.rejection_reason}"
    lines = [
        f"**✦ Proposal {proposal.id[:6]}** · {decision}",
        "",
        "```python",
        proposal.code.rstrip("\n"),
        "```",
        "",
        f"*Why:* {' '.join(proposal.rationale.split()) or '(no rationale given)'}",
    ]
    if counts:
        lines += ["", f"Ran as {counts}."]
    return "\n".join(lines)


def _promotion_markdown(item: PromotionItem) -> str:
    what = ", ".join(f"`{symbol}`" for symbol in item.symbols) or "nothing new"
    test = " as a test" if item.as_test else ""
    text = f"**⇪ Promoted** {what}{test} → `{item.target}` · written by: {item.origin.value}"
    if item.explanation:
        text += f"\n\n*Explained:* {item.explanation}"
    if item.undone:
        text += "\n\n*Undone since.*"
    return text


def _code_cell(item: CellItem) -> NotebookNode:
    from nbformat.v4 import new_code_cell

    cell_metadata: dict[str, Any] = {"cell_id": item.cell_id, "origin": item.origin.value}
    if item.proposal_id is not None:
        cell_metadata["proposal_id"] = item.proposal_id
    if item.loaded_from is not None:
        cell_metadata["loaded_from"] = item.loaded_from
    if item.status is not None:
        cell_metadata["status"] = item.status.value
    outputs = _notebook_outputs(item.outputs, item.execution_count)
    for spill in item.spills:
        _add_spill(outputs, spill)
    metadata: dict[str, Any] = {"pairrepl": cell_metadata}
    if item.origin.value != "human":
        metadata["tags"] = [item.origin.value]  # who wrote it, where Jupyter shows it
    cell: NotebookNode = new_code_cell(
        source=item.code,
        execution_count=item.execution_count,
        outputs=outputs,
        metadata=metadata,
    )
    return cell


def _notebook_outputs(outputs: Iterable[Output], execution_count: int | None) -> list[NotebookNode]:
    """nbformat outputs, in order; consecutive chunks of one stream become one output,
    as Jupyter itself shows them."""
    from nbformat.v4 import new_output

    converted: list[NotebookNode] = []
    for output in outputs:
        if isinstance(output, StreamOutput):
            last = converted[-1] if converted else None
            if last is not None and last.output_type == "stream" and last.name == output.name:
                last.text += output.text
            else:
                converted.append(new_output("stream", name=output.name, text=output.text))
        elif isinstance(output, ResultOutput):
            count = output.execution_count
            converted.append(
                new_output(
                    "execute_result",
                    data=dict(output.data),
                    execution_count=execution_count if count is None else count,
                )
            )
        elif isinstance(output, DisplayOutput):
            converted.append(new_output("display_data", data=dict(output.data)))
        elif isinstance(output, ErrorOutput):
            converted.append(
                new_output(
                    "error",
                    ename=output.ename,
                    evalue=output.evalue,
                    traceback=list(output.traceback),
                )
            )
    return converted


def _add_spill(outputs: list[NotebookNode], spill: OutputSpilled) -> None:
    """Put a line naming the spill file, then the kept tail, after the stream's head."""
    from nbformat.v4 import new_output

    omitted = f"{spill.omitted_lines} more lines" if spill.omitted_lines else "more output"
    marker = f"[... {omitted} not shown; the full output is in {spill.path}]\n"
    for output in reversed(outputs):
        if output.output_type == "stream" and output.name == spill.stream:
            separator = "" if output.text.endswith("\n") or not output.text else "\n"
            output.text += separator + marker + spill.tail
            return
    outputs.append(new_output("stream", name=spill.stream, text=marker + spill.tail))


def _reuse_id(cell: NotebookNode, our_id: str, used_ids: set[str]) -> None:
    if _NOTEBOOK_CELL_ID.match(our_id) and our_id not in used_ids:
        cell["id"] = our_id


# -- import --------------------------------------------------------------------------------


def read_notebook(path: Path) -> list[NotebookCell]:
    """The code and markdown cells of the notebook at ``path``, in order.

    Raw cells are skipped, and so are the notices pairrepl itself wrote on export.
    Raises ``ValueError`` naming the file when it is not a valid Jupyter notebook.
    """
    import nbformat

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not a Jupyter notebook: it is not UTF-8 text.") from error
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not a Jupyter notebook: it is not JSON ({error}).") from error
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise ValueError(
            f"{path} is not a Jupyter notebook: it is JSON, but has no 'nbformat' version field."
        )
    try:
        notebook = nbformat.reads(text, as_version=4)  # also upgrades older notebook formats
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises many kinds for malformed notebooks
        reason = getattr(error, "message", None) or str(error) or type(error).__name__
        raise ValueError(f"{path} is not a valid Jupyter notebook: {reason}") from error
    cells: list[NotebookCell] = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cells.append(NotebookCell("code", cell.source))
        elif cell.cell_type == "markdown" and not _is_pairrepl_notice(cell):
            cells.append(NotebookCell("markdown", cell.source))
    return cells


def _is_pairrepl_notice(cell: NotebookNode) -> bool:
    """A markdown cell pairrepl wrote itself (a notice, an exchange, a proposal, a
    promotion): part of the record, not a note of the human's."""
    ours = cell.metadata.get("pairrepl")
    return isinstance(ours, dict) and ("notice" in ours or "record" in ours)
