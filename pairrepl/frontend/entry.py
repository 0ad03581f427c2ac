"""What the human typed: a cell to run or a request to the AI, and what Enter does with it.

The app's input and the line console's prompt both ask these, so Enter means the same in
both: a request (``/question``) is sent at once; code runs when IPython's rules say it is
complete (the session answers locally, no round trip to a kernel that may be busy);
otherwise Enter adds a line, indented as IPython would.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pairrepl.session import Session

REQUEST_PREFIX = "/"
IS_COMPLETE_TIMEOUT_S = 2.0
INDENT = "    "
_DEDENT_AFTER = re.compile(r"^\s*(return|pass|break|continue|raise)\b")


def as_request(text: str) -> str | None:
    """The request in input that starts with ``/`` (``/why?`` → ``why?``); None for code."""
    stripped = text.strip()
    if stripped.startswith(REQUEST_PREFIX):
        return stripped[len(REQUEST_PREFIX) :].strip()
    return None


async def completeness(session: Session | None, text: str) -> str:
    """``"incomplete"`` when Enter adds a line to ``text``; anything else (``"complete"``,
    ``"invalid"``) hands it over.

    A request is always complete. Code is asked of the session (IPython's rules:
    magics, ``obj?`` and line continuations included). Without a session yet, or
    without an answer in time, Enter hands it over: the kernel decides, and running it
    reports what is wrong.
    """
    if as_request(text) is not None or session is None:
        return "complete"
    try:
        return await asyncio.wait_for(session.is_complete(text), IS_COMPLETE_TIMEOUT_S)
    except Exception:
        return "complete"


def next_line_indent(line: str) -> str:
    """The indentation IPython would give the line after ``line``."""
    indent = line[: len(line) - len(line.lstrip())]
    code = line.split("#", 1)[0].rstrip()
    if code.endswith(":"):
        return indent + INDENT
    if _DEDENT_AFTER.match(line):
        return indent[: max(0, len(indent) - len(INDENT))]
    return indent
