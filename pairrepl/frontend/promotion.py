"""What a promotion shows before and after: the draft in words and who wrote each line.

Both front ends show these (the app in its dialogs, the line console in the
scrollback), so a draft and a blame read the same in both.
"""

from __future__ import annotations

from rich.text import Text

from pairrepl.core.cells import Origin
from pairrepl.core.provenance import CHANGED_BY_HAND, UNRECORDED, LineBlame
from pairrepl.session import ConfirmationNeeded, PromotionDraft

ORIGIN_STYLES = {
    Origin.AI.value: "bold magenta",
    Origin.AI_EDITED.value: "magenta",
    Origin.HUMAN.value: "green",
    CHANGED_BY_HAND: "bold green",
    UNRECORDED: "dim",
}


def draft_summary(draft: PromotionDraft) -> Text:
    """What the promotion contributes, in words, before the diff."""
    plan = draft.plan
    text = Text()

    def part(label: str, names: tuple[str, ...], style: str = "") -> None:
        if names:
            text.append(f"{label}: ", "bold")
            text.append(", ".join(names) + "\n", style)

    part("adds", plan.definitions_added, "green")
    part("replaces", tuple(str(replacement) for replacement in plan.replacements), "yellow")
    part("shadows", tuple(str(clash) for clash in plan.shadowed), "bold yellow")
    part("unchanged", plan.definitions_unchanged, "dim")
    part("imports", plan.imports_added)
    part("imports found in other cells", draft.imports_from_session)
    part("not imported (the module has these names)", plan.imports_not_copied, "dim")
    part("left behind (exploratory)", plan.statements_skipped, "dim")
    refusal = draft.refusal
    if refusal is not None and not isinstance(refusal, ConfirmationNeeded):
        text.append(refusal.message + "\n", "bold red")  # a yes is asked for apart
    if draft.needs_explanation:
        text.append(
            "This is the AI's code, verbatim: say in your own words what it does.\n", "italic"
        )
    return text


def blame_text(lines: list[LineBlame]) -> Text:
    """Each line of a file after its number, who wrote it and the request behind it."""
    text = Text()
    for line in lines:
        text.append(f"{line.number:>4} ", "dim")
        text.append(f"{line.origin:<9}", ORIGIN_STYLES.get(line.origin, ""))
        why = ""
        if line.record is not None:
            why = (line.record.request or "typed by the human")[:28]
        text.append(f" {why:<28} │ ", "dim")
        text.append(line.text + "\n")
    return text
