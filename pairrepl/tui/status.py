"""The status line: what state am I in? Project, session, kernel, and (later) the provider."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from pairrepl.core.execution import KernelState

KERNEL_STYLES = {
    "starting": "bold blue",
    "idle": "bold green",
    "busy": "bold yellow",
    "dead": "bold red",
    "failed": "bold red",
    "closing": "bold blue",
}


def status_text(
    project: str,
    session_id: str,
    kernel: str,
    provider: str,
    queued: int = 0,
) -> Text:
    """``pairrepl · proj · session 3f2a1b0c · kernel ● idle · no provider``."""
    text = Text("pairrepl", "bold")
    text.append(f" · {project}")
    text.append(f" · session {session_id[:8] or '…'}")
    text.append(" · kernel ")
    text.append(f"● {kernel}", KERNEL_STYLES.get(kernel, "bold"))
    if queued:
        text.append(f" · {queued} queued", "yellow")
    text.append(f" · {provider}", "dim")
    return text


class StatusLine(Static):
    project: reactive[str] = reactive("")
    session_id: reactive[str] = reactive("")
    kernel: reactive[str] = reactive(KernelState.STARTING.value)
    provider: reactive[str] = reactive("no provider")
    queued: reactive[int] = reactive(0)

    def render(self) -> Text:
        return status_text(self.project, self.session_id, self.kernel, self.provider, self.queued)
