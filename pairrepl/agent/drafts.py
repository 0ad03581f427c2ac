"""Turning what a model said into a proposal draft, or into the reason it is not one.

A model proposes a cell by calling the one tool, ``propose_cell(code, rationale)``. Some
models (and some OpenAI-compatible servers) write the code in a markdown fence instead;
that is accepted too, but only when the code parses and fits the policy. Nothing here
runs code: ``ast.parse`` (inside the policy) is the only thing that looks at it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pairrepl.agent.protocol import ToolCall, ToolSpec
from pairrepl.core import ProposalPolicy

PROPOSE_CELL = "propose_cell"

PROPOSE_CELL_TOOL = ToolSpec(
    name=PROPOSE_CELL,
    description=(
        "Propose ONE small Python cell for the human to review and run in their live "
        "session. You never run it yourself. Keep it short (a probe that inspects a live "
        "object, or one small step); at most one top-level function or class."
    ),
    parameters={
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "The Python code of the cell."},
            "rationale": {
                "type": "string",
                "description": "One short paragraph: what the cell does and why this step.",
            },
        },
        "required": ["code", "rationale"],
        "additionalProperties": False,
    },
)


@dataclass(frozen=True)
class ProposalDraft:
    """A checked proposal, before the session gives it an id and records it."""

    code: str
    rationale: str
    via: str = "tool"  # "tool" or "fence": how the model gave it


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one reply: a draft, or problems the model is told about."""

    draft: ProposalDraft | None = None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def check_tool_calls(calls: list[ToolCall], policy: ProposalPolicy) -> Checked:
    """Check the tool calls of one reply: exactly one ``propose_cell`` with good arguments."""
    if len(calls) > 1:
        return Checked(
            problems=(
                f"the reply made {len(calls)} tool calls; propose at most one cell per reply",
            )
        )
    call = calls[0]
    if call.name != PROPOSE_CELL:
        return Checked(problems=(f"there is no tool named {call.name!r}; use {PROPOSE_CELL}",))
    try:
        arguments = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as error:
        return Checked(problems=(f"the tool arguments are not valid JSON ({error.msg})",))
    if not isinstance(arguments, dict):
        return Checked(problems=("the tool arguments must be a JSON object",))
    code, rationale = arguments.get("code"), arguments.get("rationale")
    problems = [
        f"the argument {name!r} must be a string"
        for name, value in (("code", code), ("rationale", rationale))
        if not isinstance(value, str)
    ]
    if problems:
        return Checked(problems=tuple(problems))
    assert isinstance(code, str) and isinstance(rationale, str)
    return _check_code(ProposalDraft(_strip_outer_fence(code), rationale.strip()), policy)


def check_fenced_code(text: str, policy: ProposalPolicy) -> Checked | None:
    """Check a reply that put code in markdown fences; None if it holds no Python fence."""
    blocks = python_fences(text)
    if not blocks:
        return None
    if len(blocks) > 1:
        return Checked(
            problems=(
                f"the reply holds {len(blocks)} code blocks; propose one cell, "
                f"through the {PROPOSE_CELL} tool",
            )
        )
    rationale = _prose_outside_fences(text)
    return _check_code(ProposalDraft(blocks[0], rationale, via="fence"), policy)


def _check_code(draft: ProposalDraft, policy: ProposalPolicy) -> Checked:
    problems = policy.violations(draft.code)
    return Checked(problems=tuple(problems)) if problems else Checked(draft=draft)


# --- markdown fences -----------------------------------------------------------------

_PYTHON_LABELS = {"", "python", "py", "python3", "py3", "ipython", "pycon"}
_FENCE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")


@dataclass(frozen=True)
class _Block:
    label: str
    body: str
    start: int  # line numbers, to cut the prose around the blocks
    end: int


def _fenced_blocks(text: str) -> list[_Block]:
    """Top-level fenced blocks, CommonMark style: a fence closes only on a line of the
    same character, at least as long, so ````` ```` ````` can hold ``` ``` ``` lines."""
    lines = text.splitlines()
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening["fence"]
        label = opening["info"].split()[0].lower() if opening["info"].strip() else ""
        body: list[str] = []
        end = index + 1
        while end < len(lines):
            closing = _FENCE.match(lines[end])
            if (
                closing is not None
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"]
            ):
                break
            body.append(lines[end])
            end += 1
        blocks.append(_Block(label, "\n".join(body), index, end))
        index = end + 1
    return blocks


def python_fences(text: str) -> list[str]:
    """The Python code of each top-level fence labelled python/py/none.

    A fence that wraps exactly one inner fence (```` ````python ```` inside ```` ```` ````)
    is unwrapped, as are markdown fences that hold a Python fence.
    """
    found: list[str] = []
    for block in _fenced_blocks(text):
        inner = _fenced_blocks(block.body)
        wraps_one = len(inner) == 1 and _outside(block.body, inner).strip() == ""
        if wraps_one and block.label in _PYTHON_LABELS | {"markdown", "md"}:
            if inner[0].label in _PYTHON_LABELS:
                found.append(inner[0].body.strip("\n"))
        elif block.label in _PYTHON_LABELS:
            found.append(block.body.strip("\n"))
    return [code for code in found if code.strip()]


def _outside(text: str, blocks: list[_Block]) -> str:
    lines = text.splitlines()
    inside = {line for block in blocks for line in range(block.start, block.end + 1)}
    return "\n".join(line for number, line in enumerate(lines) if number not in inside)


def _prose_outside_fences(text: str) -> str:
    return _outside(text, _fenced_blocks(text)).strip()


def _strip_outer_fence(code: str) -> str:
    """Models sometimes wrap the tool's ``code`` in a fence too; take the code inside."""
    stripped = code.strip("\n")
    blocks = _fenced_blocks(stripped)
    if len(blocks) == 1 and _outside(stripped, blocks).strip() == "":
        inner = python_fences(stripped)
        if len(inner) == 1:
            return inner[0]
    return stripped
