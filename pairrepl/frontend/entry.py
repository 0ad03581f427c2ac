"""What the human typed: a cell to run or a request to the AI, and what Enter does with it.

The app's input and the line console's prompt both ask these, so Enter means the same in
both: a request (``/question``) is sent at once; code runs when IPython's rules say it is
complete (the session answers at once, without a round trip to a kernel that may be
busy); otherwise Enter adds a line, indented as IPython would.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pairrepl.core.proposals import CLOSED
from pairrepl.frontend.render import short_id

if TYPE_CHECKING:
    from pairrepl.core.transcript import ProposalItem, Transcript
    from pairrepl.session import Session

REQUEST_PREFIX = "/"
INDENT = "    "
_DEDENT_AFTER = re.compile(r"^\s*(return|pass|break|continue|raise)\b")


def as_request(text: str) -> str | None:
    """The request in input that starts with ``/`` (``/why?`` → ``why?``); None for code."""
    stripped = text.strip()
    if stripped.startswith(REQUEST_PREFIX):
        return stripped[len(REQUEST_PREFIX) :].strip()
    return None


def current_proposal(transcript: Transcript) -> ProposalItem | None:
    """The proposal that keys and commands act on when none is named, in every front end:
    the latest proposal while it is open to a decision (not rejected, not promoted),
    else None. An older open one never comes back in its place: the app's review pane
    showed one already accepted, or a probe never accepted, as if it were the one to
    decide on (issue 19); an older one is named by its id."""
    latest = next(reversed(transcript.proposals.values()), None)
    if latest is None or latest.proposal.state in CLOSED:
        return None
    return latest


def follow_up_prefix(item: ProposalItem) -> str:
    """How a follow-up on a proposal starts: the AI is told which one, and its state."""
    return f"Follow-up on proposal {short_id(item.proposal.id)} ({item.proposal.state.words}):"


def completeness(session: Session | None, text: str) -> str:
    """``"incomplete"`` when Enter adds a line to ``text``; anything else (``"complete"``,
    ``"invalid"``) hands it over.

    A request is always complete. Code is asked of the session, which answers at once
    (IPython's rules: magics, ``obj?`` and line continuations included), so a key
    handler can decide before the next key is read. Without a session yet, Enter hands
    it over and the front end says that the kernel is still starting.
    """
    if as_request(text) is not None or session is None:
        return "complete"
    return session.is_complete(text)


def next_line_indent(line: str) -> str:
    """The indentation IPython would give the line after ``line``."""
    indent = line[: len(line) - len(line.lstrip())]
    code = line.split("#", 1)[0].rstrip()
    if code.endswith(":"):
        return indent + INDENT
    if _DEDENT_AFTER.match(line):
        return indent[: max(0, len(indent) - len(INDENT))]
    return indent
