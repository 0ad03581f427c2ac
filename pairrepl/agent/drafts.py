"""Turning what a model said into a proposal draft, or into the reason it is not one.

A model proposes a cell by calling the one tool, ``propose_cell(code, rationale)``. What
local models send instead is read too, but only when the code parses and fits the
policy:

- the call written into the text, as Qwen-family models do when the server does not
  parse it: ``<tool_call>{"name": "propose_cell", "arguments": {...}}</tool_call>``, or
  the bare JSON object as the whole reply (only for our one tool);
- the code in a markdown fence.

Reasoning written into the text (``<think>...</think>``, from a model served without a
reasoning parser) is set aside first: code the model only thought about is not proposed.
Nothing here runs code: ``ast.parse`` (inside the policy) is the only thing that looks
at it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pairrepl.agent.protocol import ToolCall, ToolSpec

if TYPE_CHECKING:  # only a type here: the replay provider imports this module, and the
    from pairrepl.core import ProposalPolicy  # provider registry must stay cheap to read

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
    via: str = "tool"  # "tool", "text" (a call written as text) or "fence": how it came


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one reply: a draft, or problems the model is told about."""

    draft: ProposalDraft | None = None
    problems: tuple[str, ...] = ()
    via: str = "tool"  # how the proposal came, so the model can be told how to fix it

    @property
    def ok(self) -> bool:
        return not self.problems


def check_tool_calls(
    calls: list[ToolCall], policy: ProposalPolicy, *, via: str = "tool"
) -> Checked:
    """Check the tool calls of one reply: exactly one ``propose_cell`` with good arguments."""
    if len(calls) > 1:
        return Checked(
            problems=(
                f"the reply made {len(calls)} tool calls; propose at most one cell per reply",
            ),
            via=via,
        )
    call = calls[0]
    if call.name != PROPOSE_CELL:
        return Checked(
            problems=(f"there is no tool named {call.name!r}; use {PROPOSE_CELL}",), via=via
        )
    try:
        arguments = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as error:
        return Checked(problems=(f"the tool arguments are not valid JSON ({error.msg})",), via=via)
    if not isinstance(arguments, dict):
        return Checked(problems=("the tool arguments must be a JSON object",), via=via)
    code, rationale = arguments.get("code"), arguments.get("rationale", "")
    problems = [
        f"the argument {name!r} must be a string"
        for name, value in (("code", code), ("rationale", rationale))
        if not isinstance(value, str)
    ]
    if problems:
        return Checked(problems=tuple(problems), via=via)
    assert isinstance(code, str) and isinstance(rationale, str)
    draft = ProposalDraft(_strip_outer_fence(code), rationale.strip(), via)
    return _check_code(draft, policy)


def check_reply_text(text: str, policy: ProposalPolicy) -> Checked | None:
    """Check a reply that made no tool call: a call written in its text, else a fenced
    block; None if it holds neither (an answer in words)."""
    text = without_thinking(text)
    calls = tool_calls_in_text(text)
    if calls:
        checked = check_tool_calls(calls, policy, via="text")
        if checked.draft is not None and not checked.draft.rationale:
            prose = _TOOL_CALL_TAG.sub("", text).strip() if "<tool_call>" in text else ""
            return replace(checked, draft=replace(checked.draft, rationale=prose))
        return checked
    return check_fenced_code(text, policy)


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
            ),
            via="fence",
        )
    if not _fenced_blocks(text)[-1].closed:
        return Checked(
            problems=("the code block is not closed: the reply stopped inside it",), via="fence"
        )
    rationale = _prose_outside_fences(text)
    return _check_code(ProposalDraft(blocks[0], rationale, via="fence"), policy)


def _check_code(draft: ProposalDraft, policy: ProposalPolicy) -> Checked:
    problems = policy.violations(draft.code)
    if problems:
        return Checked(problems=tuple(problems), via=draft.via)
    return Checked(draft=draft, via=draft.via)


# --- what models write into the text -----------------------------------------------

_THINKING = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL)
_TOOL_CALL_TAG = re.compile(r"<tool_call>\s*(?P<body>.*?)\s*(?:</tool_call>|\Z)", re.DOTALL)
_NAMES_OUR_TOOL = re.compile(rf'"name"\s*:\s*"{PROPOSE_CELL}"')


def without_thinking(text: str) -> str:
    """``text`` without the reasoning a model wrote into it: ``<think>...</think>`` blocks
    (an unclosed one runs to the end), and everything before a lone ``</think>`` (chat
    templates that open the block in the prompt leave only its end in the reply)."""
    if "</think>" in text and "<think>" not in text.split("</think>", 1)[0]:
        text = text.split("</think>", 1)[1]
    return _THINKING.sub("", text).strip("\n")


def tool_calls_in_text(text: str) -> list[ToolCall]:
    """``propose_cell`` calls written as text: in ``<tool_call>`` tags, or as the whole
    reply (bare JSON, maybe in a ``json`` fence). Calls to other tools are left alone:
    the reply is then read as prose."""
    bodies = [match["body"] for match in _TOOL_CALL_TAG.finditer(text)]
    if not bodies:
        whole = _unfenced_json(text.strip())
        bodies = [whole] if whole.startswith("{") and _NAMES_OUR_TOOL.search(whole) else []
    calls = []
    for body in bodies:
        try:
            value = json.loads(body)
        except json.JSONDecodeError:  # cut or malformed: ours if it names our tool
            if _NAMES_OUR_TOOL.search(body):
                calls.append(ToolCall(PROPOSE_CELL, body))
            continue
        if isinstance(value, dict) and value.get("name") == PROPOSE_CELL:
            arguments = value.get("arguments", value.get("parameters", {}))
            raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
            calls.append(ToolCall(PROPOSE_CELL, raw))
    return calls


def _unfenced_json(text: str) -> str:
    blocks = _fenced_blocks(text)
    if len(blocks) == 1 and blocks[0].label in ("", "json") and not _outside(text, blocks).strip():
        return blocks[0].body.strip()
    return text


# --- markdown fences -----------------------------------------------------------------

_PYTHON_LABELS = {"", "python", "py", "python3", "py3", "ipython", "pycon"}
_FENCE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")


@dataclass(frozen=True)
class _Block:
    label: str
    body: str
    start: int  # line numbers, to cut the prose around the blocks
    end: int
    closed: bool = True  # False: the text ended inside it (a reply cut short)


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
        blocks.append(_Block(label, "\n".join(body), index, end, closed=end < len(lines)))
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
