"""The agent: one request in, one checked reply out. It proposes; it never runs anything.

``Agent.ask`` sends a ``ModelContext`` to the provider, streams the text to the caller as
it arrives, and returns an ``AgentReply``: an answer, a checked proposal draft, a refusal,
or an error with the raw reply. A proposal that fails the checks (its arguments, ``ast``
parsing, the size policy) is never returned as runnable: the model is told why and gets
one more try, then the caller gets a clear error. Whatever comes back, ``ask`` returns
a reply and does not raise (only cancellation propagates): a reply it cannot use is an
``AgentReply`` whose ``error`` says why.

Invariant 1 lives here by omission: this package holds no handle to a kernel and imports
nothing that could run code. A draft becomes a ``Proposal`` in the session, and only a
human action runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace

from pairrepl.agent.context import ModelContext
from pairrepl.agent.drafts import (
    PROPOSE_CELL,
    PROPOSE_CELL_TOOL,
    Checked,
    ProposalDraft,
    check_reply_text,
    check_tool_calls,
    without_thinking,
)
from pairrepl.agent.http_errors import unreadable_reply
from pairrepl.agent.protocol import (
    DEFAULT_MAX_TOKENS,
    Finished,
    Message,
    ModelEvent,
    ModelRequest,
    Provider,
    ProviderError,
    Refusal,
    TextDelta,
    ThinkingBlock,
    ToolCall,
    ToolResult,
    Usage,
)
from pairrepl.agent.redaction import Redactor
from pairrepl.agent.retry import RetryPolicy, stream_with_retries
from pairrepl.agent.server_features import FEATURE_WORDS, refused_feature
from pairrepl.core import ProposalPolicy

TextCallback = Callable[[str], object]  # what it returns is ignored

# Added to the system prompt for a server that takes no tools.
FENCED_MODE = (
    "\nThis server offers no tools: propose a cell by writing it in ONE ```python fenced "
    "block, after a one-paragraph rationale. Never write more than one code block.\n"
)
_TRUNCATED = {"max_tokens", "length"}  # the providers' words for "cut at the token limit"
_LIMIT_COUNTS = "reasoning and thinking tokens count against it too"
_MAX_RAISED_LIMIT = 32_768  # what a cut reply may be retried with, at most


@dataclass(frozen=True)
class AgentReply:
    """What came back for one request.

    Exactly one of these describes it: ``proposal`` (a checked draft), ``refusal``,
    ``error`` (with ``raw`` holding what the model said), or none of them (an answer in
    ``text``). ``partial`` replies were cut or stopped: show them, but keep them out of
    later context.
    """

    text: str
    model: str
    proposal: ProposalDraft | None = None
    error: str | None = None
    refusal: str | None = None
    usage: Usage = field(default_factory=Usage)
    partial: bool = False
    raw: str = ""
    retried: bool = False  # the model was asked to fix an invalid proposal
    stop_reason: str | None = None

    @property
    def is_answer(self) -> bool:
        return self.proposal is None and self.error is None and self.refusal is None


@dataclass
class _Turn:
    """One model turn as it streams in; mutated in place so a stop keeps what arrived."""

    text: str = ""
    calls: list[ToolCall] = field(default_factory=list)
    thinking: list[ThinkingBlock] = field(default_factory=list)
    refusal: str | None = None
    usage: Usage = field(default_factory=lambda: Usage(known=False))
    stop_reason: str | None = None
    error: ProviderError | None = None
    stopped: bool = False
    started: bool = False

    @property
    def raw(self) -> str:
        calls = "".join(f"\n[{c.name} call] {c.arguments}" for c in self.calls)
        return self.text + calls


class Agent:
    def __init__(
        self,
        provider: Provider,
        policy: ProposalPolicy | None = None,
        *,
        retry: RetryPolicy | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> None:
        self.provider = provider
        self.policy = policy or ProposalPolicy()
        self.retry = retry or RetryPolicy()
        self.max_tokens = max_tokens

    @property
    def label(self) -> str:
        return self.provider.label

    async def aclose(self) -> None:
        """Close the provider's connections (when the session ends)."""
        await self.provider.aclose()

    def request_for(self, context: ModelContext) -> ModelRequest:
        """The exact request ``ask`` sends first for ``context`` (what the ledger records)."""
        return _scrubbed_request(self._request(context), self._redactor())

    def _request(self, context: ModelContext) -> ModelRequest:
        return self._adapted(
            ModelRequest(
                system=context.system,
                messages=context.messages,
                tools=() if context.hint_mode else (PROPOSE_CELL_TOOL,),
                max_tokens=self.max_tokens,
            )
        )

    def _adapted(self, request: ModelRequest) -> ModelRequest:
        """``request`` as the server takes it: a server that refused tools is told how to
        propose without them (the provider itself leaves out what else it refused)."""
        if request.tools and not self.provider.takes_tools:
            return replace(request, tools=(), system=request.system + FENCED_MODE)
        return request

    def _redactor(self) -> Redactor:
        """The last line of defence, built per request: the environment may have changed."""
        return Redactor.from_environment(extra_secrets=self.provider.secrets)

    async def ask(
        self,
        context: ModelContext,
        on_text: TextCallback | None = None,
        *,
        on_status: TextCallback | None = None,
        stop: asyncio.Event | None = None,
    ) -> AgentReply:
        """Ask the model; stream its text to ``on_text``; return the checked reply.

        ``on_status`` hears plain sentences about retries ("overloaded; retrying in 2 s").
        Setting ``stop`` ends the stream (closing the HTTP response) and returns what
        arrived, marked partial. Cancelling the task does the same cleanup and raises
        ``CancelledError`` as usual. After an ``on_status`` saying a proposal was invalid,
        ``on_text`` carries the model's second reply: a UI may start a fresh block.
        """
        redactor = self._redactor()
        request = _scrubbed_request(self._request(context), redactor)
        first = await self._play(request, on_text, on_status, stop)
        if (early := self._unfinished(first)) is not None:
            return early
        checked = None if context.hint_mode else self._check(first)
        if checked is None or checked.ok:
            return self._reply(first, checked, limit=request.max_tokens)

        # One more request, never two: a higher limit if the reply was cut inside its
        # proposal (the same limit would cut it again), else the problems sent back.
        cut = _cut_at_limit(first)
        if cut and (raised := _raised_limit(request.max_tokens)) is not None:
            note = (
                f"The reply was cut at the {request.max_tokens:,}-token limit inside its "
                f"proposal ({_LIMIT_COUNTS}); asking again with a {raised:,}-token limit."
            )
            follow_up = replace(request, max_tokens=raised)
        elif cut:
            return self._cut_reply(first, request.max_tokens, raw=first.raw, in_proposal=True)
        else:
            note = (
                f"The proposal was invalid ({'; '.join(checked.problems)}); "
                "asking the model to fix it."
            )
            correction = _correction(first, checked, self.policy, self.provider.takes_tools)
            follow_up = _scrubbed_request(
                replace(request, messages=(*request.messages, *correction)), redactor
            )
        if on_status is not None:
            on_status(note)
        second = await self._play(follow_up, on_text, on_status, stop)
        second.usage = first.usage + second.usage
        raw = f"--- first reply ---\n{first.raw}\n--- second reply ---\n{second.raw}"
        if (early := self._unfinished(second, raw=raw, retried=True)) is not None:
            return early
        checked_again = self._check(second)
        if checked_again is None or checked_again.ok:
            return self._reply(
                second, checked_again, raw=raw, retried=True, limit=follow_up.max_tokens
            )
        if _cut_at_limit(second):
            return self._cut_reply(
                second, follow_up.max_tokens, raw=raw, retried=True, in_proposal=True
            )
        return AgentReply(
            text=second.text,
            model=self.label,
            error=(
                "The model's proposal was invalid twice, so nothing runnable came of it: "
                + "; ".join(checked_again.problems)
                + ". Its raw reply is kept below."
            ),
            usage=second.usage,
            raw=raw,
            retried=True,
            stop_reason=second.stop_reason,
        )

    # --- one turn --------------------------------------------------------------------

    async def _play(
        self,
        request: ModelRequest,
        on_text: TextCallback | None,
        on_status: TextCallback | None,
        stop: asyncio.Event | None,
    ) -> _Turn:
        """One turn; if the server refused part of the request before answering (tools,
        ``stream_options``), once more without it, saying so."""
        if self.provider.remembered_note and on_status is not None:
            on_status(self.provider.remembered_note)
            self.provider.remembered_note = ""  # said once per session
        turn = await self._play_once(self._adapted(request), on_text, on_status, stop)
        refused = None if turn.error is None or turn.started else refused_feature(turn.error)
        if refused is None or turn.error is None:
            return turn
        why = turn.error.server_message
        if not self.provider.stop_sending(refused, why):
            return turn
        if on_status is not None:
            on_status(_fallback_note(self.provider, refused, why))
        return await self._play_once(self._adapted(request), on_text, on_status, stop)

    async def _play_once(
        self,
        request: ModelRequest,
        on_text: TextCallback | None,
        on_status: TextCallback | None,
        stop: asyncio.Event | None,
    ) -> _Turn:
        turn = _Turn()
        if stop is None:
            await self._consume(request, turn, on_text, on_status)
            return turn
        consuming = asyncio.ensure_future(self._consume(request, turn, on_text, on_status))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({consuming, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when this task is cancelled: never leave the stream running
            stopping.cancel()
            if not consuming.done():
                consuming.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await consuming
                turn.stopped = True
        if not turn.stopped:
            consuming.result()  # re-raise anything unexpected
        return turn

    async def _consume(
        self,
        request: ModelRequest,
        turn: _Turn,
        on_text: TextCallback | None,
        on_status: TextCallback | None,
    ) -> None:
        def tell_retry(error: ProviderError, wait: float) -> None:
            if on_status is not None:
                on_status(f"{error} Retrying in {wait:.1f} s.")

        events = stream_with_retries(self.provider, request, self.retry, on_retry=tell_retry)
        async with contextlib.aclosing(events):
            while (event := await self._next_event(events, turn)) is not None:
                if isinstance(event, TextDelta):
                    turn.started = True
                    turn.text += event.text
                    if on_text is not None:
                        on_text(event.text)
                elif isinstance(event, ToolCall):
                    turn.started = True
                    turn.calls.append(event)
                elif isinstance(event, ThinkingBlock):
                    turn.thinking.append(event)
                elif isinstance(event, Refusal):
                    turn.started = True
                    turn.refusal = event.text
                elif isinstance(event, Usage):
                    turn.usage = event  # the counts so far: kept even if the reply breaks
                elif isinstance(event, Finished):
                    turn.stop_reason = event.stop_reason

    async def _next_event(
        self, events: AsyncIterator[ModelEvent], turn: _Turn
    ) -> ModelEvent | None:
        """The next event; None at the end, or on an error (kept in ``turn.error``).

        Providers report failures as ``ProviderError``; anything else a provider raises
        (it broke that contract) still ends the reply with a sentence, not a traceback.
        """
        try:
            return await anext(events)
        except StopAsyncIteration:
            return None
        except ProviderError as error:
            turn.error = error
        except Exception as error:
            turn.error = unreadable_reply(self.provider.service, error)
        return None

    # --- judging a turn --------------------------------------------------------------

    def _unfinished(
        self, turn: _Turn, *, raw: str | None = None, retried: bool = False
    ) -> AgentReply | None:
        """The reply for a turn that errored, was stopped or refused; None if it finished."""
        base = AgentReply(
            turn.text,
            model=self.label,
            usage=turn.usage,
            raw=turn.raw if raw is None else raw,
            retried=retried,
            stop_reason=turn.stop_reason,
        )
        if turn.stopped:
            return replace(base, error="Stopped: the reply was cancelled.", partial=True)
        if turn.error is not None:
            return replace(base, error=str(turn.error), partial=turn.started)
        if turn.refusal is not None:
            return replace(base, text=turn.text or turn.refusal, refusal=turn.refusal)
        return None

    def _check(self, turn: _Turn) -> Checked | None:
        """The proposal in a turn, checked; None when the turn holds no code at all."""
        if turn.calls:
            return check_tool_calls(turn.calls, self.policy)
        return check_reply_text(turn.text, self.policy)

    def _reply(
        self,
        turn: _Turn,
        checked: Checked | None,
        *,
        limit: int,
        raw: str | None = None,
        retried: bool = False,
    ) -> AgentReply:
        if checked is None and _cut_at_limit(turn):  # words cut short: kept, marked partial
            return self._cut_reply(
                turn, limit, raw=turn.raw if raw is None else raw, retried=retried
            )
        draft = checked.draft if checked is not None else None
        if draft is not None and not draft.rationale:
            draft = ProposalDraft(draft.code, without_thinking(turn.text).strip(), draft.via)
        return AgentReply(
            text=turn.text,
            model=self.label,
            proposal=draft,
            usage=turn.usage,
            raw=turn.raw if raw is None else raw,
            retried=retried,
            stop_reason=turn.stop_reason,
        )

    def _cut_reply(
        self,
        turn: _Turn,
        limit: int,
        *,
        raw: str,
        retried: bool = False,
        in_proposal: bool = False,
    ) -> AgentReply:
        """A reply the token limit cut short: what arrived is kept, and the fix named."""
        where = "before its proposal was complete" if in_proposal else "mid-reply"
        return AgentReply(
            text=turn.text,
            model=self.label,
            error=(
                f"The reply was cut at the {limit:,}-token limit {where} ({_LIMIT_COUNTS}); "
                "nothing was proposed. Raise max_tokens (PAIRREPL_MAX_TOKENS, or max_tokens "
                "in pairrepl's settings) or ask for a smaller step."
            ),
            usage=turn.usage,
            partial=True,
            raw=raw,
            retried=retried,
            stop_reason=turn.stop_reason,
        )


def _cut_at_limit(turn: _Turn) -> bool:
    return turn.stop_reason in _TRUNCATED


def _raised_limit(limit: int) -> int | None:
    """The limit for a retry of a reply that was cut, or None if it cannot go higher."""
    raised = min(limit * 2, _MAX_RAISED_LIMIT)
    return raised if raised > limit else None


def _correction(
    turn: _Turn, checked: Checked, policy: ProposalPolicy, tools: bool
) -> tuple[Message, ...]:
    """The assistant's invalid turn, then our message saying why, so it can try again."""
    why = "; ".join(checked.problems)
    how = f"Call {PROPOSE_CELL} again with" if tools else "Answer again with"
    advice = (
        f"The proposal was not shown to the human because {why}. {how} one corrected "
        f"cell: code that parses, at most {policy.max_lines} non-blank lines, at most "
        f"{policy.max_definitions} top-level function or class. If the step is too big, "
        "propose only its first part."
    )
    # The turn goes back as it came, thinking blocks first (the API checks their signature).
    assistant = Message(
        "assistant", turn.text, tool_calls=tuple(turn.calls), thinking=tuple(turn.thinking)
    )
    if turn.calls:
        results = tuple(ToolResult(c.call_id, advice, is_error=True) for c in turn.calls)
        return assistant, Message("user", tool_results=results)
    if not tools:
        return assistant, Message("user", advice + " Put it in one ```python fenced block.")
    if checked.via == "text":
        return assistant, Message("user", advice)
    return assistant, Message("user", advice + " Do not put the code in a markdown fence.")


def _fallback_note(provider: Provider, feature: str, why: str) -> str:
    """The status line for a request asked again without what the server refused."""
    said = f' ("{why}")' if why else ""
    instead = {
        "tools": "without tools: the model is asked for one fenced Python block instead",
        "stream_usage": "without it: token counts may be unknown",
    }.get(feature, "without it")
    service = provider.service[:1].upper() + provider.service[1:]
    return (
        f"{service} refused {FEATURE_WORDS[feature]}{said}; asking again {instead}. "
        "pairrepl remembers this for this server (`pairrepl doctor` checks it again)."
    )


def _scrubbed_request(request: ModelRequest, redactor: Redactor) -> ModelRequest:
    return replace(
        request,
        system=redactor.scrub(request.system),
        messages=tuple(_scrubbed(m, redactor) for m in request.messages),
    )


def _scrubbed(message: Message, redactor: Redactor) -> Message:
    return Message(
        role=message.role,
        text=redactor.scrub(message.text),
        images=message.images,
        tool_calls=tuple(
            ToolCall(c.name, redactor.scrub(c.arguments), c.call_id) for c in message.tool_calls
        ),
        tool_results=tuple(
            ToolResult(r.call_id, redactor.scrub(r.text), r.is_error) for r in message.tool_results
        ),
        thinking=message.thinking,  # never changed: its signature covers it
    )
