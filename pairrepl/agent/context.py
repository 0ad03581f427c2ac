"""What the model sees: the live session, bounded by a token budget, with secrets removed
(invariant CONTEXT-IS-BOUNDED-AND-CLEAN).

``build_context`` turns the session's state (the transcript, the namespace summary,
earlier proposals and their fates, earlier questions and answers, ``$name`` views) plus
the new request into a ``ModelContext``: a system prompt and messages, ready for any
provider, and the numbers a context meter shows.

Within the budget the newest material wins: the request, pinned cells and ``$name`` views
always go in; then the namespace (the live state, capped to a share of the budget: the
names the newest cells touched first, then the newest others), earlier proposals, earlier exchanges, and the transcript from the newest item backwards
until the budget is spent. Hidden cells never go in. Everything passes the redactor.

For providers that take images (``images=True``), the newest plots the visible cells
displayed (``image/png``) go in too, downscaled, with a line naming the cell each came
from, within their own share of the budget.

Tokens are estimated as characters / 4, and an image as width*height/750: no tokenizer
dependency, good enough for a meter and a cap (real counts come back in ``Usage``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pairrepl.agent.drafts import PROPOSE_CELL, without_thinking
from pairrepl.agent.images import PNG, ShrunkImage, UnreadableImage, shrink_png
from pairrepl.agent.protocol import ImagePart, Message
from pairrepl.agent.redaction import Redactor
from pairrepl.core import NamespaceSummary, Proposal, ProposalState
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, Output, ResultOutput, StreamOutput
from pairrepl.core.transcript import CellItem, Item, NoteItem, NoticeItem, Transcript

SYSTEM_PROMPT = """\
You are pairing with a Python programmer in their live IPython session. They stay the \
engineer: you may only PROPOSE cells, and they decide whether to run each one.

- One small step at a time. Propose at most one cell per reply, through the propose_cell \
tool, with a one-paragraph rationale. Keep it short (at most {max_lines} lines, at most \
one top-level function or class).
- Prefer a probe cell that inspects a live object (its type, shape, a few values) over a \
guess about it. The session's variables are summarised below; ask for more with a probe.
- Say plainly when you do not know. A short answer or a question back is fine.
- Values that look secret are shown as <redacted>, and environment values as <env:NAME>. \
Never ask for them; in code, read them with os.environ["NAME"].
"""

HINT_SYSTEM_PROMPT = """\
You are a patient tutor pairing with a Python programmer in their live IPython session. \
Hint mode is on: do NOT write code, not even in fences. Answer with hints and questions \
that lead them to the next small step themselves: which object to look at, which \
function or idea might help, what to check. Prefer pointing at a live object to inspect \
over a guess about it. Say plainly when you do not know.
- Values that look secret are shown as <redacted>, and environment values as <env:NAME>.
"""

ContextItem = CellItem | NoteItem | NoticeItem  # what of the transcript goes in as such

_OBJECT_REFERENCE = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*")


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def referenced_names(request: str) -> list[str]:
    """The live objects a request asks to see in full (``$df`` -> ``df``), in order, once."""
    return list(dict.fromkeys(_OBJECT_REFERENCE.findall(request)))


@dataclass(frozen=True)
class Exchange:
    """An earlier request and the answer shown for it. Partial answers are left out.

    ``proposal_id`` names the proposal the reply made, if any: a reply that only called
    the tool has no text, and the model is shown its proposal, not a blank it could take
    for its own failure.
    """

    request: str
    reply: str
    partial: bool = False
    proposal_id: str | None = None

    @property
    def reply_as_shown(self) -> str:
        """The reply as the model sees it later: without the reasoning it wrote into its
        text, naming the proposal it made."""
        text = without_thinking(self.reply).strip()
        if self.proposal_id is not None:
            made = (
                f"(I proposed cell {self.proposal_id} through {PROPOSE_CELL}; its code and "
                "what became of it are under 'Your earlier proposals'.)"
            )
            text = f"{text}\n\n{made}" if text else made
        return text or "(no answer)"


@dataclass(frozen=True)
class ContextLimits:
    budget_tokens: int = 8000
    output_chars: int = 1500  # per cell, head and tail kept
    code_chars: int = 3000  # per cell
    view_chars: int = 4000  # per $name view
    namespace_share: float = 0.25  # of the budget, at most
    proposals_share: float = 0.15
    exchanges_share: float = 0.25
    max_lines: int = 15  # the proposal policy's, told to the model
    max_images: int = 2  # newest plots first; only for providers that take images
    image_max_side: int = 512  # pixels: each plot is shrunk to fit this square
    images_share: float = 0.25  # of the budget, at most


@dataclass(frozen=True)
class ModelContext:
    """A request ready for the agent, and what went into it (for a context meter)."""

    system: str
    messages: tuple[Message, ...]
    tokens_used: int
    budget_tokens: int
    hint_mode: bool = False
    included_items: tuple[str, ...] = ()  # cell/note ids, oldest first
    omitted_items: int = 0  # transcript items left out for the budget
    missing_views: tuple[str, ...] = ()  # $names asked for with no view supplied
    images_included: int = 0  # plots attached to the last message
    image_tokens: int = 0  # their estimated cost, part of tokens_used
    images_omitted: int = 0  # plots left out for the budget (not counting unreadable ones)

    @property
    def over_budget(self) -> bool:
        return self.tokens_used > self.budget_tokens


def build_context(
    request: str,
    *,
    transcript: Transcript | None = None,
    namespace: NamespaceSummary | None = None,
    proposals: Sequence[Proposal] = (),
    rejection_reasons: Mapping[str, str] | None = None,
    exchanges: Sequence[Exchange] = (),
    object_views: Mapping[str, str] | None = None,
    pinned: Collection[str] = (),
    hidden: Collection[str] = (),
    hint_mode: bool = False,
    images: bool = False,
    limits: ContextLimits | None = None,
    redactor: Redactor | None = None,
) -> ModelContext:
    """Everything the model will see for ``request``, bounded and redacted.

    ``object_views`` maps each ``$name`` of the request (see ``referenced_names``) to a
    fuller view of that object, fetched by the caller at request time; views of other
    names (the session's functions, say) go in too. ``pinned`` and
    ``hidden`` are transcript item ids (cells or notes). ``images`` says whether the
    provider takes images (``Provider.takes_images``): only then do plots go in.
    """
    limits = limits or ContextLimits()
    redactor = redactor or Redactor.from_environment()
    # Exchanges and proposals come in through their own arguments (and sections).
    items: list[ContextItem] = [
        item
        for item in ([] if transcript is None else transcript.items)
        if isinstance(item, CellItem | NoteItem | NoticeItem)
    ]
    hidden = set(hidden)
    visible = [item for item in items if _item_id(item) not in hidden]
    # Learn every secret assigned in a cell first, so an output that prints one is
    # scrubbed even when it is rendered before the cell that assigned it.
    redactor.learn(item.code for item in visible if isinstance(item, CellItem))
    if namespace is not None:
        namespace = redactor.namespace(namespace)

    system = (HINT_SYSTEM_PROMPT if hint_mode else SYSTEM_PROMPT).format(max_lines=limits.max_lines)
    budget = limits.budget_tokens
    spent = estimate_tokens(system)

    # Always in: the request, its $name views, and pinned items.
    names = referenced_names(request)
    views = object_views or {}
    missing = tuple(name for name in names if name not in views)
    request_part = _request_section(request, names, views, redactor, limits)
    pinned = set(pinned)
    pinned_items = [item for item in visible if _item_id(item) in pinned]
    pinned_part = "\n\n".join(_render_item(item, redactor, limits) for item in pinned_items)
    spent += estimate_tokens(request_part) + estimate_tokens(pinned_part)

    # Then, while the budget lasts.
    namespace_part = ""
    if namespace is not None:
        share = min(int(budget * limits.namespace_share), max(budget - spent, 0))
        namespace_part = _namespace_section(namespace, _touched_names(visible), share)
        spent += estimate_tokens(namespace_part)

    share = min(int(budget * limits.proposals_share), max(budget - spent, 0))
    proposals_part = _fitting(
        (
            _render_proposal(p, (rejection_reasons or {}).get(p.id), redactor)
            for p in reversed(proposals)
        ),
        share,
    )
    if proposals_part:
        spent += estimate_tokens(PROPOSALS_HEADER) + len(proposals_part)  # and line breaks
    spent += sum(estimate_tokens(text) for text in proposals_part)

    share = min(int(budget * limits.exchanges_share), max(budget - spent, 0))
    kept_exchanges = _fitting_exchanges([e for e in exchanges if not e.partial], share, redactor)
    spent += sum(estimate_tokens(m.text) for m in kept_exchanges)

    share = min(int(budget * limits.images_share), max(budget - spent, 0))
    plots = _plots(visible, limits, share) if images else _Plots()
    spent += plots.tokens

    candidates = [item for item in visible if _item_id(item) not in pinned]
    # What is sent is what is counted: the header of this section (at its longest, with
    # every item left out), the blank line before each item, and the blank lines between
    # the parts of this section and between the sections (12 characters at most: 3).
    spent += estimate_tokens(_session_header(len(candidates))) + 3
    recent: list[tuple[Item, str]] = []
    for item in reversed(candidates):
        text = _render_item(item, redactor, limits)
        cost = estimate_tokens(text) + 1
        if spent + cost > budget:
            break
        recent.append((item, text))
        spent += cost
    recent.reverse()
    omitted = len(candidates) - len(recent)

    sections = []
    if recent or pinned_part:
        body = "\n\n".join(text for _, text in recent)
        parts = (_session_header(omitted), pinned_part, body)
        sections.append("\n\n".join(part for part in parts if part))
    if namespace_part:
        sections.append(namespace_part)
    if proposals_part:
        sections.append(PROPOSALS_HEADER + "\n" + "\n".join(proposals_part))
    if plots.text:
        sections.append(plots.text)
    sections.append(request_part)
    final = Message("user", redactor.scrub("\n\n".join(sections)), images=plots.parts)
    messages = (*kept_exchanges, final)

    included = tuple(_item_id(item) for item in pinned_items) + tuple(
        _item_id(item) for item, _ in recent
    )
    return ModelContext(
        system=system,
        messages=messages,
        tokens_used=estimate_tokens(system)
        + sum(estimate_tokens(m.text) for m in messages)
        + plots.image_tokens,
        budget_tokens=budget,
        hint_mode=hint_mode,
        included_items=tuple(i for i in included if i),
        omitted_items=omitted,
        missing_views=missing,
        images_included=len(plots.parts),
        image_tokens=plots.image_tokens,
        images_omitted=plots.omitted,
    )


# --- sections --------------------------------------------------------------------------

PROPOSALS_HEADER = "## Your earlier proposals (newest first)"


def _session_header(omitted: int) -> str:
    header = "## Session so far (oldest first)"
    if omitted:
        header += f"\n({omitted} earlier items left out for space)"
    return header


def _request_section(
    request: str,
    names: list[str],
    views: Mapping[str, str],
    redactor: Redactor,
    limits: ContextLimits,
) -> str:
    parts = [
        f"### {name} (defined in this session; a snapshot taken now)\n"
        + _cap(redactor.object_view(name, view), limits.view_chars)
        for name, view in views.items()
        if name not in names
    ]
    for name in names:
        if name in views:
            view = _cap(redactor.object_view(name, views[name]), limits.view_chars)
            parts.append(f"### ${name} (a snapshot taken now)\n{view}")
        else:
            parts.append(f"### ${name}\n(no such live object, or it could not be inspected)")
    parts.append(f"## Request\n{redactor.scrub(request)}")
    return "\n\n".join(parts)


def _namespace_section(
    namespace: NamespaceSummary, touched: Sequence[str], share_tokens: int
) -> str:
    """The live variables, those the newest cells touched first, then the newest others:
    when the list is cut to its share, the names the human is working with stay."""
    header = "## Live variables (name: type, shape/len, dtype, short repr; recently used first)"
    if namespace.error:
        return f"{header}\n(unavailable: {namespace.error})"
    rank = {name: position for position, name in enumerate(touched)}
    count = len(namespace.variables)
    ordered = sorted(
        enumerate(namespace.variables),
        key=lambda item: rank.get(item[1].name, len(rank) + count - item[0]),
    )
    lines = []
    for _, variable in ordered:
        line = f"- {variable.name}: {variable.describe()}"
        if variable.repr:
            line += f" = {_one_line(variable.repr, 160)}"
        lines.append(line)
    if not lines:
        return f"{header}\n(none yet)"
    kept = _fitting(lines, share_tokens - estimate_tokens(header) - 10)
    dropped = len(lines) - len(kept) + (1 if namespace.truncated else 0)
    more = ["- ... more names not shown"] if dropped else []
    return "\n".join([header, *kept, *more])


def _touched_names(visible: Sequence[ContextItem]) -> list[str]:
    """Names the cells touched, newest cell first: those a cell bound or changed, then
    those its code mentions."""
    names: dict[str, None] = {}
    for item in reversed(visible):
        if isinstance(item, CellItem):
            diff = item.namespace_diff
            for change in (*diff.added, *diff.changed):
                names.setdefault(change.name)
            for name in _names_in(item.code):
                names.setdefault(name)
    return list(names)


@lru_cache(maxsize=16_384)
def _names_in(code: str) -> tuple[str, ...]:
    """The names ``code`` mentions, in order, once. Cached: every request reads every
    cell of the session again, and a cell's code never changes."""
    return tuple(dict.fromkeys(_IDENTIFIER.findall(code)))


def _render_proposal(proposal: Proposal, reason: str | None, redactor: Redactor) -> str:
    fate = _PROPOSAL_FATES[proposal.state]
    if reason and proposal.state is ProposalState.REJECTED:
        fate += f" (reason: {reason})"
    code = _cap(proposal.code, 600)
    text = f"- proposal {proposal.id}: {fate}\n  why: {_one_line(proposal.rationale, 200)}\n"
    text += "  ```python\n" + _indent(code, "  ") + "\n  ```"
    return redactor.scrub(text)


_PROPOSAL_FATES = {
    ProposalState.PROPOSED: "not run yet",
    ProposalState.RAN_OK: "the human ran it; it finished without error",
    ProposalState.RAN_ERROR: "the human ran it; it raised an error",
    ProposalState.ACCEPTED: "ran and accepted by the human",
    ProposalState.PROMOTED: "accepted and written into the project's source",
    ProposalState.REJECTED: "rejected by the human",
}


def _fitting_exchanges(
    exchanges: list[Exchange], share_tokens: int, redactor: Redactor
) -> tuple[Message, ...]:
    kept: list[Message] = []
    for exchange in reversed(exchanges):
        pair = [
            Message("user", redactor.scrub(exchange.request)),
            Message("assistant", redactor.scrub(exchange.reply_as_shown)),
        ]
        cost = sum(estimate_tokens(m.text) for m in pair)
        if cost > share_tokens:
            break
        share_tokens -= cost
        kept[:0] = pair
    return tuple(kept)


def _fitting(texts: Iterable[str], share_tokens: int) -> list[str]:
    kept = []
    for text in texts:
        cost = estimate_tokens(text) + 1
        if cost > share_tokens:
            break
        share_tokens -= cost
        kept.append(text)
    return kept


@dataclass(frozen=True)
class _Plots:
    parts: tuple[ImagePart, ...] = ()
    text: str = ""  # the section naming the cell each image came from
    image_tokens: int = 0  # the images alone (the text is counted with the message)
    omitted: int = 0

    @property
    def tokens(self) -> int:
        return self.image_tokens + (estimate_tokens(self.text) if self.text else 0)


def _plots(visible: Sequence[ContextItem], limits: ContextLimits, share_tokens: int) -> _Plots:
    """The newest ``max_images`` ``image/png`` outputs of the visible cells, shrunk, within
    ``share_tokens``.

    Newest first: the first plot that does not fit ends the search, so an older plot never
    takes the place of a newer one. A plot that does not decode is named and skipped.
    """
    header = "## Plots attached (images the cells displayed, downscaled)"
    newest = list(_png_outputs(visible))[: max(limits.max_images, 0)]
    if not newest:
        return _Plots()
    taken: list[tuple[CellItem, ShrunkImage]] = []
    unreadable: list[str] = []
    omitted = 0
    spent = estimate_tokens(header) + 1
    for index, (cell, data) in enumerate(newest):
        shrunk = shrink_png(data, limits.image_max_side)
        if isinstance(shrunk, UnreadableImage):
            line = f"- {_cell_label(cell)} displayed a PNG that is left out: {shrunk.reason}"
            unreadable.append(line)
            spent += estimate_tokens(line) + 1
            continue
        cost = shrunk.tokens + estimate_tokens(_plot_line(len(taken) + 1, cell, shrunk)) + 1
        if spent + cost > share_tokens:
            omitted = len(newest) - index
            break
        taken.append((cell, shrunk))
        spent += cost
    taken.reverse()  # oldest first, like the session text
    lines = [header]
    lines += [_plot_line(number, cell, shrunk) for number, (cell, shrunk) in enumerate(taken, 1)]
    lines += unreadable
    if omitted:
        lines.append(f"- {omitted} more plot(s) left out for space")
    return _Plots(
        parts=tuple(ImagePart(PNG, shrunk.data_base64) for _, shrunk in taken),
        text="\n".join(lines),
        image_tokens=sum(shrunk.tokens for _, shrunk in taken),
        omitted=omitted,
    )


def _png_outputs(visible: Sequence[ContextItem]) -> Iterable[tuple[CellItem, str]]:
    """(cell, base64 PNG) for every displayed or returned PNG, newest first."""
    for item in reversed(visible):
        if not isinstance(item, CellItem):
            continue
        for output in reversed(item.outputs):
            if isinstance(output, DisplayOutput | ResultOutput) and output.data.get(PNG):
                yield item, output.data[PNG]


def _plot_line(number: int, cell: CellItem, shrunk: ShrunkImage) -> str:
    size = f"{shrunk.width}x{shrunk.height} px"
    if shrunk.downscaled:
        size += f" (shrunk from {shrunk.original_width}x{shrunk.original_height})"
    return f"- image {number}, {size}: displayed by {_cell_label(cell)}"


def _cell_label(cell: CellItem) -> str:
    count = f"In [{cell.execution_count}]" if cell.execution_count is not None else "In [ ]"
    return f"cell {cell.cell_id} ({count})"


# --- transcript items ------------------------------------------------------------------


def _item_id(item: Item) -> str:
    if isinstance(item, CellItem):
        return item.cell_id
    if isinstance(item, NoteItem):
        return item.note_id
    return ""


def _render_item(item: ContextItem, redactor: Redactor, limits: ContextLimits) -> str:
    if isinstance(item, NoteItem):
        return redactor.scrub(f"[note by the human]\n{item.text}")
    if isinstance(item, NoticeItem):
        return f"[notice] {item.text}"
    return redactor.scrub(_render_cell(item, limits))


def _render_cell(cell: CellItem, limits: ContextLimits) -> str:
    label = f"In [{cell.execution_count}]" if cell.execution_count is not None else "In [ ]"
    who = {
        "human": "written by the human",
        "ai": "your proposal",
        "ai-edited": "your proposal, edited by the human",
    }[cell.origin.value]
    header = f"{label} cell {cell.cell_id}, {who}, {_status(cell)}"
    parts = [header, "```python", _cap(cell.code, limits.code_chars), "```"]
    output = _outputs_text(cell.outputs)
    if cell.spills:
        output += "\n" + "\n".join(
            f"[{spill.omitted_lines} lines of {spill.stream} not shown]\n{spill.tail}"
            for spill in cell.spills
        )
    if output.strip():
        parts.append("Output:\n" + _cap(output.strip("\n"), limits.output_chars))
    diff = cell.namespace_diff
    changes = [f"+ {c.name} {c.after}" for c in diff.added]
    changes += [f"~ {c.name} {c.before} -> {c.after}" for c in diff.changed]
    changes += [f"- {c.name}" for c in diff.deleted]
    if changes:
        parts.append("Namespace: " + "; ".join(changes))
    return "\n".join(parts)


def _status(cell: CellItem) -> str:
    if cell.loaded_from is not None and cell.status is None:
        return f"loaded from {cell.loaded_from}, not run"
    if cell.status is None:
        return "still running"
    words = {
        ExecutionStatus.OK: "ran ok",
        ExecutionStatus.ERROR: "raised an error",
        ExecutionStatus.INTERRUPTED: "interrupted",
        ExecutionStatus.DIED: "the kernel died while it ran",
        ExecutionStatus.ABORTED: "not run (aborted)",
    }
    return words[cell.status]


def _outputs_text(outputs: Sequence[Output]) -> str:
    pieces = []
    for output in outputs:
        if isinstance(output, StreamOutput):
            pieces.append(output.text if output.name == "stdout" else f"[stderr] {output.text}")
        elif isinstance(output, ResultOutput):
            pieces.append(f"Out: {output.text}\n")
        elif isinstance(output, DisplayOutput):
            pieces.append(f"[display] {output.text}\n")
        elif isinstance(output, ErrorOutput):
            pieces.append(_ANSI.sub("", output.text) + "\n")
    return "".join(pieces)


# --- text helpers ----------------------------------------------------------------------


def _cap(text: str, limit: int) -> str:
    """Head and tail of ``text`` within ``limit`` characters, saying what was cut."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 2 // 3], text[-(limit // 3) :]
    return f"{head}\n[... {len(text) - len(head) - len(tail)} characters not shown ...]\n{tail}"


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())
