"""Asking the AI: the part every session shares, whichever process it lives in.

The TUI's ``Session`` (which drives a kernel) and the in-kernel session of the magics
build the model's context the same way and leave the same events in the ledger for one
request: ``request_sent`` (the exact request, after redaction), ``reply_streamed`` per
piece of text, ``reply_finished``, then ``proposal_made`` if the reply holds one. Only
how they wait for the model differs, so only that stays in each session.
"""

from __future__ import annotations

import dataclasses
import json
import uuid

from pairrepl.agent import (
    Agent,
    AgentReply,
    ContextLimits,
    Exchange,
    ModelContext,
    Redactor,
    Usage,
    build_context,
    referenced_names,
)
from pairrepl.core.events import Event, ProposalMade, ReplyFinished, RequestSent
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.core.transcript import ExchangeItem, Transcript

FUNCTION_VIEWS = 3  # how many of the session's functions the AI sees in full


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def names_to_view(request: str, namespace: NamespaceSummary, transcript: Transcript) -> list[str]:
    """The live objects whose fuller views go with a request: the ``$name``s it mentions,
    then the newest functions of the session (so the AI sees them even when the cells
    that defined them fell out of the budget), except those defined in a cell the human
    hid from the AI (a ``$name`` still shows them)."""

    def hidden(name: str) -> bool:
        cell = transcript.cell_that_bound(name)
        return cell is not None and cell.cell_id in transcript.hidden

    functions = [
        v.name for v in namespace.variables if v.type_name == "function" and not hidden(v.name)
    ]
    return list(dict.fromkeys([*referenced_names(request), *functions[-FUNCTION_VIEWS:]]))


def earlier_exchanges(transcript: Transcript) -> list[Exchange]:
    return [
        Exchange(
            item.request_text,
            item.reply_text,
            item.partial or item.error is not None,
            item.proposal_id,
        )
        for item in transcript.items
        if isinstance(item, ExchangeItem) and item.finished
    ]


def context_for(
    request: str,
    *,
    agent: Agent,
    transcript: Transcript,
    namespace: NamespaceSummary,
    object_views: dict[str, str],
    hint_mode: bool,
    limits: ContextLimits,
) -> ModelContext:
    """What the model sees for ``request``: bounded and redacted (``agent.build_context``)."""
    return build_context(
        request,
        transcript=transcript,
        namespace=namespace,
        proposals=[item.proposal for item in transcript.proposals.values()],
        rejection_reasons={
            pid: item.rejection_reason
            for pid, item in transcript.proposals.items()
            if item.rejection_reason
        },
        exchanges=earlier_exchanges(transcript),
        object_views=object_views,
        pinned=transcript.pinned,
        hidden=transcript.hidden,
        hint_mode=hint_mode,
        limits=limits,
        images=agent.provider.takes_images,
    )


def request_sent(
    agent: Agent,
    context: ModelContext,
    request: str,
    *,
    hint_mode: bool,
    about_cell: str | None = None,
) -> RequestSent:
    """The event to record before the request leaves: the exact request, scrubbed."""
    sent = agent.request_for(context)
    return RequestSent(
        new_id(),
        Redactor.from_environment(extra_secrets=agent.provider.secrets).scrub(request),
        json.dumps(dataclasses.asdict(sent), default=str),
        agent.label,
        context.tokens_used,
        hint_mode,
        about_cell,
    )


def reply_events(request_id: str, agent: Agent, reply: AgentReply) -> list[Event]:
    """The events that end a request: ``reply_finished``, then the proposal if any."""
    events: list[Event] = [
        ReplyFinished(
            request_id,
            partial=reply.partial,
            error=reply.error,
            refusal=reply.refusal,
            raw=reply.raw if reply.error else None,
            input_tokens=reply.usage.input_tokens,
            output_tokens=reply.usage.output_tokens,
            cost_usd=agent.provider.cost_usd(reply.usage) if reply.usage.known else None,
            usage_known=reply.usage.known,
        )
    ]
    if reply.proposal is not None:
        events.append(
            ProposalMade(
                new_id(), request_id, reply.proposal.code, reply.proposal.rationale, reply.model
            )
        )
    return events


def cancelled(request_id: str, agent: Agent) -> ReplyFinished:
    """The end of a request the human cancelled: partial, with what arrived kept; what
    it used is not known (free only if the provider costs nothing at all)."""
    free = agent.provider.cost_usd(Usage()) == 0.0 and agent.provider.cost_usd(Usage(1, 1)) == 0.0
    return ReplyFinished(
        request_id,
        partial=True,
        error="Cancelled.",
        cost_usd=0.0 if free else None,
        usage_known=False,
    )
