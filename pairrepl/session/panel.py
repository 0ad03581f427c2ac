"""The kernel side of the JupyterLab panel: its requests, answered by the in-kernel session.

The panel (``labextension/``) opens a Jupyter comm to the target ``pairrepl`` in a kernel
that has the magics loaded; the magics wire that comm to one ``PanelProtocol``. The panel
never changes anything itself: every request here calls ``InKernelSession``, which keeps
the same rules as the TUI and the magics (only a proposal that ran OK is accepted, only
code that ran is promoted, the explain-back gate, the hash of the diff the human saw).

Messages (JSON objects, ``data`` of the comm messages):

- panel → kernel: ``{"id": N, "op": OP, ...}``; OP is one of ``OPS``.
- kernel → panel, for each request: ``{"reply_to": N, "ok": true, ...}`` or
  ``{"reply_to": N, "ok": false, "error": "one line"}``.
- kernel → panel, unasked: ``{"event": "state", ...}`` (the proposals and their states,
  after any event that may move one) and ``{"event": "text", "ask": N, "text": ...}``
  (the AI's reply as it streams, for the ``ask`` request N).

Threads: in JupyterLab 4.4+ on ipykernel 7 the comm's messages arrive on a kernel
subshell (JEP 91), whose thread answers while a cell runs on the main thread. The panel
sends there only the requests that read and move the session's records (``state``,
``offered``, ``accept``, ``reject``, ``draft``, ``blame``); ``ask`` and ``promote``, which
look into the user's live objects, come on the main shell. Every request holds
``SessionCore.lock``, as every recorded event does.

Stdlib and pairrepl only: the comm's ``send`` is passed in.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

from pairrepl.agent import AgentReply
from pairrepl.core.events import (
    CellFinished,
    LedgerEntry,
    ModuleReloaded,
    PromotionUndone,
    PromotionWritten,
    ProposalAccepted,
    ProposalMade,
    ProposalRejected,
    ReplyStreamed,
)
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import ProposalItem
from pairrepl.session.blame import BlameError, blame_file
from pairrepl.session.errors import SessionError
from pairrepl.session.in_kernel import InKernelSession
from pairrepl.session.promotion import ConfirmationNeeded, NothingToPromote, PromotionDraft

COMM_TARGET = "pairrepl"
PROTOCOL = 1
OPS = ("state", "ask", "offered", "accept", "reject", "draft", "promote", "blame")

#: Events after which the panel's list may be out of date.
_MOVES_PROPOSALS = (
    ProposalMade,
    ProposalAccepted,
    ProposalRejected,
    CellFinished,
    PromotionWritten,
    PromotionUndone,
    ModuleReloaded,
)

Send = Callable[[dict[str, Any]], None]


class PanelError(SessionError):
    """A request the panel made that cannot be done: a one-line message for the human."""


class PanelProtocol:
    """One open panel: answers its requests and tells it when proposals move."""

    def __init__(self, session: InKernelSession, send: Send) -> None:
        self.session = session
        self._send = send
        self._unsubscribe = session.subscribe(self._on_event)

    def opened(self) -> None:
        self._send({"event": "state", **self.state()})

    def close(self) -> None:
        self._unsubscribe()

    # -- the requests -----------------------------------------------------------------

    def handle(self, data: Any) -> None:
        """Answer one request; whatever goes wrong is a one-line error reply."""
        request_id = data.get("id") if isinstance(data, dict) else None
        try:
            if not isinstance(data, dict) or data.get("op") not in OPS:
                raise PanelError(f"Unknown request; the panel may ask: {', '.join(OPS)}.")
            with self.session.lock:  # a background ask may be recording meanwhile
                answer = getattr(self, f"_op_{data['op']}")(data)
        except (PanelError, SessionError, BlameError) as error:
            self._reply(request_id, ok=False, error=str(error))
        except KeyboardInterrupt:
            self._reply(request_id, ok=False, error="Interrupted.")
        except Exception as error:  # never a dead kernel for a panel request
            self._reply(
                request_id,
                ok=False,
                error=f"pairrepl failed: {type(error).__name__}: {error}. Your variables "
                "are fine; this is a pairrepl bug worth reporting.",
            )
        else:
            if answer is not None:  # None: the reply comes later (an ask)
                self._reply(request_id, ok=True, **answer)

    def state(self) -> dict[str, Any]:
        session = self.session
        return {
            "protocol": PROTOCOL,
            "session": session.id,
            "project": str(session.project_root),
            "explain_back": session.promotion_settings.explain_back,
            "default_target": session.promotion_settings.default_target or "",
            "proposals": [proposal_payload(item) for item in session.transcript.proposals.values()],
        }

    def _op_state(self, data: dict[str, Any]) -> dict[str, Any]:
        return self.state()

    def _op_ask(self, data: dict[str, Any]) -> None:
        """Ask without holding up the kernel: the human's cells run while the model
        answers; the text streams as ``text`` events and the reply comes when it ends."""
        request = _text(data, "request")
        if not request.strip():
            raise PanelError("Ask something.")
        ask_id = data.get("id")

        def stream(entry: LedgerEntry, _item: object) -> None:
            if isinstance(entry.event, ReplyStreamed):
                self._send({"event": "text", "ask": ask_id, "text": entry.event.text})

        stop_streaming = self.session.subscribe(stream)

        def done(reply: AgentReply | None, error: BaseException | None) -> None:
            stop_streaming()
            try:
                self._reply(ask_id, ok=True, **self._answer(reply, error))
            except PanelError as refused:
                self._reply(ask_id, ok=False, error=str(refused))

        try:
            self.session.ask_in_background(request, done)
        except BaseException:
            stop_streaming()
            raise

    def _answer(self, reply: AgentReply | None, error: BaseException | None) -> dict[str, Any]:
        if reply is None:
            raise PanelError(f"The AI's reply failed: {type(error).__name__}: {error}")
        answer: dict[str, Any] = {"model": reply.model, "proposal": None}
        if reply.error:
            raise PanelError(f"{reply.error} (nothing was proposed)")
        if reply.refusal:
            answer["refusal"] = reply.refusal
            return answer
        with self.session.lock:
            item = self.session.latest_proposal()
            if reply.proposal is not None and item is not None:
                answer["proposal"] = proposal_payload(item)
        return answer

    def _op_offered(self, data: dict[str, Any]) -> dict[str, Any]:
        item = self._proposal(data)
        self.session.offered(item.proposal.id)
        return {}

    def _op_accept(self, data: dict[str, Any]) -> dict[str, Any]:
        item = self.session.accept(self._proposal(data).proposal.id)
        return {"proposal": proposal_payload(item)}

    def _op_reject(self, data: dict[str, Any]) -> dict[str, Any]:
        reason = _text(data, "reason").strip() or None
        item = self.session.reject(self._proposal(data).proposal.id, reason)
        return {"proposal": proposal_payload(item)}

    def _op_draft(self, data: dict[str, Any]) -> dict[str, Any]:
        draft = self._draft(data)
        refusal = draft.refusal
        confirm = isinstance(refusal, ConfirmationNeeded)
        return {  # "confirm": the question a yes answers; "blocked": refused outright
            "target": draft.target,
            "diff": draft.plan.diff,
            "draft_hash": draft_hash(draft),
            "symbols": list(draft.symbols),
            "needs_explanation": draft.needs_explanation,
            "rationale": draft.rationale,
            "blocked": None if refusal is None or confirm else refusal.message,
            "confirm": refusal.what if isinstance(refusal, ConfirmationNeeded) else None,
            "as_test_instead": isinstance(refusal, NothingToPromote) and refusal.as_test_instead,
            "as_test": draft.as_test,
            "unchanged": not draft.plan.has_changes,
        }

    def _op_promote(self, data: dict[str, Any]) -> dict[str, Any]:
        draft = self._draft(data)
        refusal = draft.refusal
        if isinstance(refusal, ConfirmationNeeded) and data.get("confirm") is True:
            draft = draft.confirming(*refusal.needed)  # the human ticked "yes" in the panel
        if draft.blocked:
            raise PanelError(draft.blocked)
        seen = _text(data, "draft_hash")
        if seen != draft_hash(draft):
            raise PanelError(
                f"{draft.target} or the code changed since you saw the diff: look at it again."
            )
        explanation = _text(data, "explanation").strip() or None
        promotion = self.session.promote_draft(draft, explanation)
        return {
            "promotion": promotion.id,
            "message": promotion.message,
            "target": draft.target,
            "changed": promotion.changed,
            "symbols": list(draft.symbols),
            "reload_report": self.session.reload_report_of(promotion.id),
        }

    def _op_blame(self, data: dict[str, Any]) -> dict[str, Any]:
        path = _text(data, "path")
        if not path:
            raise PanelError("Which file? Give its path.")
        lines = blame_file(self.session.project_root, path)
        return {
            "path": path,
            "lines": [
                {
                    "number": line.number,
                    "text": line.text,
                    "origin": line.origin,
                    "model": line.record.model if line.record else None,
                    "request": line.record.request if line.record else None,
                    "explanation": line.record.explanation if line.record else None,
                    "symbol": line.record.symbol if line.record else None,
                }
                for line in lines
            ],
        }

    # -- inside -----------------------------------------------------------------------

    def _proposal(self, data: dict[str, Any]) -> ProposalItem:
        return self.session.proposal(_text(data, "proposal"))

    def _draft(self, data: dict[str, Any]) -> PromotionDraft:
        item = self._proposal(data)
        if item.proposal.state is not ProposalState.ACCEPTED:
            raise PanelError(
                f"Proposal {item.proposal.id} is {item.proposal.state.words}: run it, "
                "accept it, then promote it."
            )
        target = _text(data, "target").strip() or None
        as_test = data.get("as_test") is True  # its test file, when target is empty
        return self.session.draft_promotion(item.proposal.id, target=target, as_test=as_test)

    def _reply(self, request_id: Any, **fields: Any) -> None:
        self._send({"reply_to": request_id, **fields})

    def _on_event(self, entry: LedgerEntry, _item: object) -> None:
        if isinstance(entry.event, _MOVES_PROPOSALS):
            with contextlib.suppress(Exception):  # a closed comm must not break a cell
                self._send({"event": "state", **self.state()})


def proposal_payload(item: ProposalItem) -> dict[str, Any]:
    proposal = item.proposal
    return {
        "id": proposal.id,
        "code": proposal.code,
        "rationale": proposal.rationale,
        "model": proposal.model,
        "state": proposal.state.value,
        "runs": len(item.runs),
        "rejection_reason": item.rejection_reason,
    }


def draft_hash(draft: PromotionDraft) -> str:
    """What the human saw: the target and the exact diff."""
    text = f"{draft.target}\0{draft.plan.diff}"
    return hashlib.sha256(text.encode()).hexdigest()


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PanelError(f"{name} must be text.")
    return value
