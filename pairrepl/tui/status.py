"""The status line answers "what state am I in?": project, session, kernel, the AI
provider (a replay is labelled as one, never as a model), how much of the context budget
the NEXT request would use (a preview, refreshed as the session changes), the tokens the
session has used and what they cost at list prices ("cost unknown" when some model's
prices are not known), hint mode, and whether the AI is answering right now. On a narrow
terminal the least needed parts give way first (``_RANKS``).

The footer (``KeysLine``) does the same with the keys commands.py ranks."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from pairrepl.core.execution import KernelState
from pairrepl.core.transcript import ExchangeItem
from pairrepl.frontend.render import AI_MARK
from pairrepl.frontend.usage import format_tokens
from pairrepl.tui.commands import FOOTER_RANKS, action_keys, footer_parts

KERNEL_STYLES = {
    "starting": "bold blue",
    "idle": "bold green",
    "busy": "bold yellow",
    "dead": "bold red",
    "disconnected": "bold magenta",
    "failed": "bold red",
    "closing": "bold blue",
}


@dataclass(frozen=True)
class AIStatus:
    """The AI's part of the status line."""

    provider: str = "no provider"
    context_tokens: int | None = None  # the next request's context; None until known
    budget_tokens: int = 0
    tokens_used: int = 0  # input + output tokens of every reply in the session
    hint_mode: bool = False
    answering: bool = False
    cost: str = ""  # "$0.03", "cost unknown", or "" with no AI at all

    @classmethod
    def of(
        cls,
        provider: str,
        exchanges: list[ExchangeItem],
        *,
        budget_tokens: int,
        hint_mode: bool,
        answering: bool,
        context_tokens: int | None = None,
        cost_usd: float | None = 0.0,
    ) -> AIStatus:
        """``context_tokens``: the preview of the next request (None: not known yet, the
        last request's context stands in). ``cost_usd``: the session's, None if unknown."""
        if context_tokens is None and exchanges:
            context_tokens = exchanges[-1].tokens
        cost = ""
        if budget_tokens:
            cost = "cost unknown" if cost_usd is None else f"${cost_usd:.2f}"
        return cls(
            provider,
            context_tokens,
            budget_tokens,
            sum(item.input_tokens + item.output_tokens for item in exchanges),
            hint_mode,
            answering,
            cost,
        )


# What the status line gives up first when the terminal is narrow: the lower the rank,
# the longer a part stays. The kernel's state, the provider (a replay says so) and hint
# mode always fit (issue 19): they answer "what state am I in?".
_RANKS = {
    "kernel": 0,
    "provider": 0,
    "hint": 0,
    "answering": 1,
    "queued": 2,
    "ctx": 3,
    "cost": 4,
    "project": 5,
    "tokens": 6,
    "session": 7,
    "brand": 8,
}


def status_parts(
    project: str, session_id: str, kernel: str, ai: AIStatus, queued: int = 0
) -> list[tuple[str, Text]]:
    """The status line's parts in the order shown, each named for its rank."""
    parts: list[tuple[str, Text]] = [
        ("brand", Text("pairrepl", "bold")),
        ("project", Text(project)),
        ("session", Text(f"session {session_id[:8] or '…'}")),
        ("kernel", Text.assemble("kernel ", (f"● {kernel}", KERNEL_STYLES.get(kernel, "bold")))),
    ]
    if queued:
        parts.append(("queued", Text(f"{queued} queued", "yellow")))
    provider_style = "dim" if ai.provider == "no provider" else "magenta"
    parts.append(("provider", Text(ai.provider, provider_style)))
    if ai.budget_tokens:
        used = "–" if ai.context_tokens is None else format_tokens(ai.context_tokens)
        over = ai.context_tokens is not None and ai.context_tokens > ai.budget_tokens
        ctx = f"ctx {used}/{format_tokens(ai.budget_tokens)}"
        parts.append(("ctx", Text(ctx, "bold red" if over else "")))
    if ai.tokens_used:
        parts.append(("tokens", Text(f"{format_tokens(ai.tokens_used)} tokens used", "dim")))
    if ai.cost:
        parts.append(("cost", Text(ai.cost, "dim" if ai.cost.startswith("$") else "yellow")))
    if ai.hint_mode:
        parts.append(("hint", Text("hint", "bold cyan")))
    if ai.answering:
        stop = action_keys("interrupt")
        parts.append(("answering", Text(f"{AI_MARK} answering ({stop} stops)", "bold magenta")))
    return parts


def fit_parts(parts: list[tuple[str, Text]], ranks: dict[str, int], width: int | None) -> Text:
    """The parts joined with `` · ``, leaving out the highest-ranked ones (and, of equal
    rank, the later) until the line fits ``width`` (None: all of them)."""
    kept = list(parts)
    separator = Text(" · ")

    def length() -> int:
        return sum(text.cell_len for _, text in kept) + separator.cell_len * (len(kept) - 1)

    while width is not None and len(kept) > 1 and length() > width:
        worst = max(range(len(kept)), key=lambda index: (ranks.get(kept[index][0], 0), index))
        if ranks.get(kept[worst][0], 0) == 0:
            break  # what always shows stays, cut at the edge if it must
        del kept[worst]
    return separator.join(text for _, text in kept)


def status_text(
    project: str,
    session_id: str,
    kernel: str,
    ai: AIStatus,
    queued: int = 0,
    width: int | None = None,
) -> Text:
    """``pairrepl · proj · session 3f2a1b0c · kernel ● idle · replay:demo.json · ctx 2.1k/8k
    · 3.4k tokens used · $0.03 · hint``, shortened to ``width`` by rank."""
    return fit_parts(status_parts(project, session_id, kernel, ai, queued), _RANKS, width)


class StatusLine(Static):
    project: reactive[str] = reactive("")
    session_id: reactive[str] = reactive("")
    kernel: reactive[str] = reactive(KernelState.STARTING.value)
    ai: reactive[AIStatus] = reactive(AIStatus)
    queued: reactive[int] = reactive(0)

    def render(self) -> Text:
        return status_text(
            self.project,
            self.session_id,
            self.kernel,
            self.ai,
            self.queued,
            width=self.content_region.width or None,
        )


class KeysLine(Static):
    """The footer: the keys worth seeing all the time, as many as fit (commands.py
    ranks them: help, the command palette and quit first)."""

    def render(self) -> Text:
        return keys_text(self.content_region.width or None)


def keys_text(width: int | None = None) -> Text:
    """``F1 help · Ctrl+P commands · Ctrl+Q quit · …`` as far as ``width`` allows."""
    parts = [(name, Text(text, "")) for name, text in footer_parts()]
    return fit_parts(parts, FOOTER_RANKS, width)
