"""The app's own part of drawing items: the keys it shows on them, and the review pane.

The items themselves are drawn by ``pairrepl.frontend.render`` (shared with the line
console); this adds what only the app has: the keys that act on the proposal in review,
on the latest cell that raised and on the selected item (from ``tui/commands.py``), and
the marks of an item's place in the AI's context.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import (
    CellItem,
    ExchangeItem,
    Item,
    NoteItem,
    PromotionItem,
    ProposalItem,
)
from pairrepl.frontend.render import (
    AI_MARK,
    STATUS_STYLES,
    STYLE_AI,
    STYLE_DIM,
    STYLE_KEY,
    cell_prompt,
    clean,
    format_duration,
    highlight_python,
    indented,
    render_cell,
    render_exchange,
    render_namespace_diff,
    render_note,
    render_notice,
    render_outputs,
    render_promotion,
    render_proposal,
    short_id,
)
from pairrepl.tui.commands import action_keys


@dataclass(frozen=True)
class ActionTargets:
    """What the proposal keys and the fix key act on right now. Only these items show
    those keys, so a key shown next to an item always acts on that item."""

    proposal_id: str | None = None  # the proposal in the review pane
    error_cell_id: str | None = None  # the latest cell that raised


NO_TARGETS = ActionTargets()


CONTEXT_MARKS = {
    "pinned": ("📌 pinned: always in the AI's context", "bold cyan"),
    "hidden": ("⊘ hidden from AI", "bold yellow"),
}


def render_item(
    item: Item,
    *,
    highlight: bool = True,
    targets: ActionTargets = NO_TARGETS,
    mark: str = "normal",
) -> list[Text]:
    """The lines that show ``item``, ending with a blank separator line.

    ``highlight=False`` skips syntax highlighting of code: the lines (and their widths)
    are the same, only uncoloured, so a view can lay out thousands of cells at once and
    colour each one when it first comes into sight. ``mark`` is the item's place in the
    AI's context ("pinned", "hidden" or "normal"), shown when it is not normal.
    """
    if isinstance(item, CellItem):
        fix = item.cell_id == targets.error_cell_id
        lines = render_cell(item, highlight=highlight, footer_note=_fix_note() if fix else None)
    elif isinstance(item, NoteItem):
        lines = render_note(item)
    elif isinstance(item, ExchangeItem):
        lines = render_exchange(item)
    elif isinstance(item, ProposalItem):
        current = item.proposal.id == targets.proposal_id
        actions = proposal_actions(item.proposal.state) if current else None
        lines = render_proposal(item, highlight=highlight, actions=actions)
    elif isinstance(item, PromotionItem):
        lines = render_promotion(item)
    else:
        lines = render_notice(item)
    if mark in CONTEXT_MARKS:
        label, style = CONTEXT_MARKS[mark]
        lines.append(indented(Text(label, style)))
    lines.append(Text(""))
    return lines


def _fix_note() -> Text:
    """On the latest cell that raised: the key that asks the AI to fix it."""
    note = Text(" · ", STYLE_DIM)
    note.append(action_keys("fix"), STYLE_KEY)
    note.append(" asks the AI to fix it", STYLE_DIM)
    return note


def selection_keys(item: Item, mark: str = "normal") -> Text | None:
    """The keys that act on the selected ``item``, shown under it; None for none."""
    offered: list[tuple[str, str]] = []
    if isinstance(item, CellItem):
        offered.append(("item_copy", "copy to input"))
        if item.loaded_from is not None and item.status is None and item.rerun_as is None:
            offered.append(("item_run", "run"))
        if item.status is ExecutionStatus.ERROR:
            offered.append(("item_fix", "fix"))
        if item.status is ExecutionStatus.OK:
            offered.append(("item_promote", "promote"))
    if isinstance(item, (CellItem, NoteItem)):
        offered.append(("item_pin", "unpin" if mark == "pinned" else "pin"))
        offered.append(("item_hide", "unhide" if mark == "hidden" else "hide"))
    if isinstance(item, ExchangeItem) and item.finished:
        offered += [
            ("item_edit_request", "edit request"),
            ("item_edit_reply", "edit reply"),
            ("item_run", "retry"),
        ]
    if isinstance(item, PromotionItem):
        offered.append(("item_blame", "blame the file"))
        if not item.undone:
            offered.append(("item_undo_promotion", "undo"))
    if not offered:
        return None
    line = Text("▶ ", STYLE_KEY)
    for index, (action, label) in enumerate(offered):
        if index:
            line.append(" · ", STYLE_DIM)
        line.append(action_keys(action), STYLE_KEY)
        line.append(f" {label}")
    line.append(" · Escape back to the input", STYLE_DIM)
    return line


def proposal_actions(state: ProposalState) -> Text:
    """The keys that act on a proposal in ``state``, and why accept is not one yet."""
    offered: list[tuple[str, str]] = []
    if state in (ProposalState.PROPOSED, ProposalState.RAN_OK, ProposalState.RAN_ERROR):
        again = "" if state is ProposalState.PROPOSED else " again"
        offered += [("run_proposal", "run" + again), ("edit_proposal", "edit")]
    if state is ProposalState.RAN_OK:
        offered.insert(0, ("accept_proposal", "accept"))
    if state not in (ProposalState.REJECTED, ProposalState.PROMOTED):
        offered += [("reject_proposal", "reject"), ("follow_up", "follow-up")]
    line = Text()
    for index, (action, label) in enumerate(offered):
        if index:
            line.append(" · ", STYLE_DIM)
        line.append(action_keys(action), STYLE_KEY)
        line.append(f" {label}")
    why_not = ACCEPT_REFUSED.get(state)
    if why_not:
        line.append(f" · accept: {why_not}", STYLE_DIM)
    return line


ACCEPT_REFUSED = {
    ProposalState.PROPOSED: "after a run without error",
    ProposalState.RAN_ERROR: "its run raised; needs a run without error",
}


REVIEW_OUTPUT_LINES = 4  # of the latest run's output; the transcript has all of it


def render_review(item: ProposalItem, last_run: CellItem | None) -> list[Text]:
    """The review pane: the proposal's code (or the human's edit of it, as it last ran)
    and why, and what its latest run did (its keys go in the pane's border)."""
    proposal = item.proposal
    edited = last_run is not None and last_run.code.rstrip() != proposal.code.rstrip()
    code = last_run.code if edited and last_run is not None else proposal.code
    lines = [Text("your edit, as it ran:", STYLE_DIM)] if edited else []
    lines.extend(highlight_python(clean(code.rstrip())).split("\n", allow_blank=True))
    if edited:
        count = len(proposal.code.rstrip().split("\n"))
        lines.append(
            Text(
                f"the AI's original ({count} line{'s' if count != 1 else ''}): proposal "
                f"{short_id(proposal.id)} in the transcript; {action_keys('edit_proposal')} "
                "edits it again",
                STYLE_DIM,
            )
        )
    why = clean(" ".join(proposal.rationale.split()) or "(no rationale given)")
    lines.append(Text(f"why: {why}", "italic"))
    if last_run is not None:
        lines.append(_last_run_line(last_run))
        outputs = render_outputs(last_run.outputs, last_run.spills, gutter=1)
        lines.extend(outputs[:REVIEW_OUTPUT_LINES])
        if len(outputs) > REVIEW_OUTPUT_LINES:
            lines.append(
                Text(
                    f"  … {len(outputs) - REVIEW_OUTPUT_LINES} more lines in the transcript",
                    STYLE_DIM,
                )
            )
        lines.extend(render_namespace_diff(last_run.namespace_diff, gutter=1))
    return lines


def _last_run_line(cell: CellItem) -> Text:
    line = Text("last run: ", STYLE_DIM)
    prompt, style = cell_prompt(cell)
    line.append(prompt, style)
    line.append(f" {AI_MARK} {cell.origin.value} ", STYLE_AI)
    if cell.running:
        line.append("… running", STYLE_DIM)
    elif cell.status is not None:
        mark, status_style = STATUS_STYLES[cell.status]
        line.append(mark, status_style)
        if cell.duration_s is not None:
            line.append(f" · {format_duration(cell.duration_s)}", STYLE_DIM)
    return line
