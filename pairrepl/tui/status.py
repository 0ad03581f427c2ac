"""The status line answers "what state am I in?": project, session, kernel, the AI
provider (a replay is labelled as one, never as a model), how much of the context budget
the NEXT request would use (a preview, refreshed as the session changes), the tokens the
session has used and what they cost at list prices ("cost unknown" when some model's
prices are not known), hint mode, and whether the AI is answering right now."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from pairrepl.core.execution import KernelState
from pairrepl.core.transcript import ExchangeItem
from pairrepl.frontend.render import AI_MARK
from pairrepl.frontend.usage import format_tokens
from pairrepl.tui.commands import action_keys

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


def status_text(
    project: str,
    session_id: str,
    kernel: str,
    ai: AIStatus,
    queued: int = 0,
) -> Text:
    """``pairrepl · proj · session 3f2a1b0c · kernel ● idle · replay:demo.json · ctx 2.1k/8k
    · 3.4k tokens used · $0.03 · hint``."""
    text = Text("pairrepl", "bold")
    text.append(f" · {project}")
    text.append(f" · session {session_id[:8] or '…'}")
    text.append(" · kernel ")
    text.append(f"● {kernel}", KERNEL_STYLES.get(kernel, "bold"))
    if queued:
        text.append(f" · {queued} queued", "yellow")
    text.append(f" · {ai.provider}", "dim" if ai.provider == "no provider" else "magenta")
    if ai.budget_tokens:
        used = "–" if ai.context_tokens is None else format_tokens(ai.context_tokens)
        over = ai.context_tokens is not None and ai.context_tokens > ai.budget_tokens
        text.append(f" · ctx {used}/{format_tokens(ai.budget_tokens)}", "bold red" if over else "")
    if ai.tokens_used:
        text.append(f" · {format_tokens(ai.tokens_used)} tokens used", "dim")
    if ai.cost:
        text.append(f" · {ai.cost}", "dim" if ai.cost.startswith("$") else "yellow")
    if ai.hint_mode:
        text.append(" · hint", "bold cyan")
    if ai.answering:
        stop = action_keys("interrupt")
        text.append(f" · {AI_MARK} answering ({stop} stops)", "bold magenta")
    return text


class StatusLine(Static):
    project: reactive[str] = reactive("")
    session_id: reactive[str] = reactive("")
    kernel: reactive[str] = reactive(KernelState.STARTING.value)
    ai: reactive[AIStatus] = reactive(AIStatus)
    queued: reactive[int] = reactive(0)

    def render(self) -> Text:
        return status_text(self.project, self.session_id, self.kernel, self.ai, self.queued)
