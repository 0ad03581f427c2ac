"""The status line answers "what state am I in?": project, session, kernel, the AI
provider (a replay is labelled as one, never as a model), how much of the context budget
the last request used, the tokens the session has used, hint mode, and whether the AI is
answering right now. Cost is not estimated: only tokens are shown."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from pairrepl.core.execution import KernelState
from pairrepl.core.transcript import ExchangeItem
from pairrepl.tui.commands import action_keys
from pairrepl.tui.render import AI_MARK, format_tokens

KERNEL_STYLES = {
    "starting": "bold blue",
    "idle": "bold green",
    "busy": "bold yellow",
    "dead": "bold red",
    "failed": "bold red",
    "closing": "bold blue",
}


@dataclass(frozen=True)
class AIStatus:
    """The AI's part of the status line."""

    provider: str = "no provider"
    context_tokens: int | None = None  # the context of the last request; None before any
    budget_tokens: int = 0
    tokens_used: int = 0  # input + output tokens of every reply in the session
    hint_mode: bool = False
    answering: bool = False

    @classmethod
    def of(
        cls,
        provider: str,
        exchanges: list[ExchangeItem],
        *,
        budget_tokens: int,
        hint_mode: bool,
        answering: bool,
    ) -> AIStatus:
        return cls(
            provider,
            exchanges[-1].tokens if exchanges else None,
            budget_tokens,
            sum(item.input_tokens + item.output_tokens for item in exchanges),
            hint_mode,
            answering,
        )


def status_text(
    project: str,
    session_id: str,
    kernel: str,
    ai: AIStatus,
    queued: int = 0,
) -> Text:
    """``pairrepl · proj · session 3f2a1b0c · kernel ● idle · replay:demo.json · ctx 2.1k/8k
    · 3.4k tokens used · hint``."""
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
