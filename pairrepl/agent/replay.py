"""A provider that plays a recorded script of model turns: for demos and offline tests.

It is labelled ``replay:<file name>`` wherever a model name would show, so a recording is
never passed off as a live model. Each ``stream`` call plays the next turn through the
same event path as a real model: the text in small deltas, then the tool call, usage,
and ``Finished``. A turn the agent asked for (a retry after an invalid proposal) is the
next turn too, so a script can show that path.

The format (also in ``docs/replay-format.md``), a JSON file::

    {
      "format": "pairrepl-replay/1",
      "description": "optional, for people",
      "turns": [
        {"text": "Let me look first.",
         "propose_cell": {"code": "prices[:5]", "rationale": "See what the values look like."}},
        {"text": "A prose-only answer, no proposal."},
        {"tool_call": {"name": "propose_cell", "arguments": "{\\"code\\": 1"}},
        {"refusal": "I can't help with that."}
      ]
    }

A turn has any of: ``text`` (prose, streamed), ``propose_cell`` (``code`` and
``rationale``: a well-formed tool call), ``tool_call`` (``name`` and raw ``arguments``
text, for scripting a malformed call), ``refusal`` (the model declines), ``usage``
(``input_tokens``, ``output_tokens``; estimated from lengths when absent). When the
turns run out, the replay answers that its script has ended.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pairrepl.agent.drafts import PROPOSE_CELL
from pairrepl.agent.protocol import (
    AgentError,
    Finished,
    ModelEvent,
    ModelRequest,
    Provider,
    ProviderSettings,
    Refusal,
    TextDelta,
    ToolCall,
    Usage,
)
from pairrepl.errors import PairreplError

FORMAT = "pairrepl-replay/1"
END_OF_SCRIPT = "(This replay script has no more turns: it was recorded for a shorter session.)"


class ReplayFormatError(PairreplError, ValueError):
    """The replay file is not a pairrepl replay script; the message says where."""


@dataclass(frozen=True)
class ReplayTurn:
    text: str = ""
    tool_call: ToolCall | None = None
    refusal: str | None = None
    usage: Usage | None = None


class ReplayProvider(Provider):
    name = "replay"  # no key, no server, no model: a script file (the ``replay`` setting)

    def __init__(
        self,
        turns: list[ReplayTurn],
        *,
        script_name: str = "script",
        chunk_chars: int = 12,
        delay_s: float = 0.0,
    ) -> None:
        self.turns = turns
        self.label = f"replay:{script_name}"
        self.service = f"the replay script {script_name}"
        self.chunk_chars = chunk_chars
        self.delay_s = delay_s
        self.played = 0  # turns used so far

    @classmethod
    def from_file(cls, path: str | Path, **options: Any) -> ReplayProvider:
        path = Path(path)
        try:
            script = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ReplayFormatError(f"cannot read replay script {path}: {error}") from None
        return cls(parse_script(script, source=str(path)), script_name=path.name, **options)

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> ReplayProvider:
        if not settings.script:
            raise AgentError(
                'The replay provider needs a script: --replay FILE, or replay = "FILE" '
                "under [tool.pairrepl]."
            )
        try:
            return cls.from_file(settings.script, delay_s=0.01)  # streamed, as a model would
        except ReplayFormatError as error:
            raise AgentError(str(error)) from None

    def cost_usd(self, usage: Usage) -> float | None:
        return 0.0  # a recording costs nothing

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        if self.played < len(self.turns):
            turn = self.turns[self.played]
        else:
            turn = ReplayTurn(text=END_OF_SCRIPT)
        self.played += 1
        for start in range(0, len(turn.text), self.chunk_chars):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            yield TextDelta(turn.text[start : start + self.chunk_chars])
        if turn.tool_call is not None:
            yield ToolCall(turn.tool_call.name, turn.tool_call.arguments, f"replay_{self.played}")
        if turn.refusal is not None:
            yield Refusal(turn.refusal)
        yield turn.usage or Usage(
            input_tokens=_estimate(request.system + "".join(m.text for m in request.messages)),
            output_tokens=_estimate(
                turn.text + (turn.tool_call.arguments if turn.tool_call else "")
            ),
        )
        stop = (
            "refusal" if turn.refusal is not None else "tool_use" if turn.tool_call else "end_turn"
        )
        yield Finished(stop)


def parse_script(script: object, *, source: str = "replay script") -> list[ReplayTurn]:
    if not isinstance(script, Mapping) or not isinstance(script.get("turns"), list):
        raise ReplayFormatError(f"{source}: expected an object with a list of 'turns'")
    if script.get("format", FORMAT) != FORMAT:
        raise ReplayFormatError(
            f"{source}: unknown format {script.get('format')!r}; expected {FORMAT}"
        )
    return [_turn(raw, f"{source}: turn {number}") for number, raw in enumerate(script["turns"], 1)]


def _turn(raw: object, where: str) -> ReplayTurn:
    if not isinstance(raw, Mapping):
        raise ReplayFormatError(f"{where}: expected an object")
    unknown = set(raw) - {"text", "propose_cell", "tool_call", "refusal", "usage", "comment"}
    if unknown:
        raise ReplayFormatError(f"{where}: unknown keys {sorted(unknown)}")
    call = None
    if "propose_cell" in raw:
        proposal = raw["propose_cell"]
        if not isinstance(proposal, Mapping) or not isinstance(proposal.get("code"), str):
            raise ReplayFormatError(f"{where}: 'propose_cell' needs 'code' and 'rationale' strings")
        arguments = {"code": proposal["code"], "rationale": proposal.get("rationale", "")}
        call = ToolCall(PROPOSE_CELL, json.dumps(arguments))
    elif "tool_call" in raw:
        spec = raw["tool_call"]
        if not isinstance(spec, Mapping) or not isinstance(spec.get("arguments"), str):
            raise ReplayFormatError(f"{where}: 'tool_call' needs 'name' and raw 'arguments' text")
        call = ToolCall(str(spec.get("name", PROPOSE_CELL)), spec["arguments"])
    usage = None
    if isinstance(raw.get("usage"), Mapping):
        usage = Usage(
            int(raw["usage"].get("input_tokens", 0)), int(raw["usage"].get("output_tokens", 0))
        )
    refusal = raw.get("refusal")
    return ReplayTurn(
        text=str(raw.get("text", "")),
        tool_call=call,
        refusal=None if refusal is None else str(refusal),
        usage=usage,
    )


def _estimate(text: str) -> int:
    return math.ceil(len(text) / 4)
