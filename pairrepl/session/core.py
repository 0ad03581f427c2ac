"""The session core: what every front end's session is, whichever way its cells run.

Two sessions extend it. ``Session`` (``session.py``: the app, and the line console)
*drives* a kernel: it sends the human's cells and reads their outputs. ``InKernelSession``
(``in_kernel.py``: the magics and the JupyterLab panel) lives inside the kernel and
*observes* the cells the human runs there. Everything else is here, once:

- the record: each event is appended to the ledger (committed), folded into the
  transcript, then handed to the listeners, in that order (invariant
  SCREEN-LEDGER-EXPORT-AGREE in docs/architecture.md). A failing listener never stops a
  recording nor the other listeners. When the ledger cannot be written (a full disk),
  events wait in memory, in order and bounded, and are written as soon as it can be
  again; the screen still follows them (a finished cell never stays "running"), and
  ``ledger_health`` says how many wait. Events may come from two threads (the
  in-kernel session's background ask records on its agent's thread): ``_record`` holds
  ``lock``, and so does whatever walks the transcript from another thread;
- the origin of a cell (``core/origin.py``: one rule) and what a cell did to the namespace;
- a request to the AI, from its context to the events that end it (``session/asking.py``);
- the human's moves on a proposal (accept, reject) and on the AI's context (notes,
  pins, edits of past exchanges), promotion and its undo (``session/promotion.py``).

The moves are plain methods with the same names, arguments and return types on both
sessions; ids may be given by a unique prefix. What waits on something slow (running a
cell, asking the AI, writing a promotion, restarting) is a coroutine on ``Session`` and a
plain call on ``InKernelSession``, because a magic is a plain call. Domain errors
(``IllegalTransition``) leave here as ``SessionError``: front ends catch that one type.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from pairrepl.agent import Agent, AgentReply, ContextLimits, ModelContext
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    ContextMarked,
    Event,
    LedgerEntry,
    ModuleReloaded,
    NoteAdded,
    ProposalAccepted,
    ProposalRejected,
    ReplyEdited,
    ReplyFinished,
    RequestEdited,
    RequestSent,
    SessionClosed,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceDiff, NamespaceSummary
from pairrepl.core.origin import origin_of
from pairrepl.core.proposals import IllegalTransition, ProposalState
from pairrepl.core.review import ReviewFold
from pairrepl.core.transcript import (
    CellItem,
    Item,
    NoteItem,
    PromotionItem,
    ProposalItem,
    Transcript,
)
from pairrepl.ledger import Ledger, LedgerUnwritable, identity
from pairrepl.session.asking import context_for, new_id, reply_events, request_sent
from pairrepl.session.errors import SessionError
from pairrepl.session.promotion import (
    Promoter,
    Promotion,
    PromotionDraft,
    PromotionError,
    PromotionSettings,
)

Listener = Callable[[LedgerEntry, Item | None], None]

_log = logging.getLogger("pairrepl.session")
_MIN_PREFIX = 4  # an id prefix shorter than this is too easy to mistype into another id

#: Events kept in memory while the ledger cannot be written. New cells and requests are
#: refused while any wait, so only the work already running adds to them: a cell's
#: output events are few (its streams are capped), and this bound is never reached in
#: practice; past it, events are counted as lost rather than growing without end.
MAX_WAITING_EVENTS = 10_000


@dataclasses.dataclass(frozen=True)
class LedgerHealth:
    """Whether every recorded event is in the ledger file, and if not, why."""

    waiting: int = 0  # events held in memory, in order, until the ledger can be written
    lost: int = 0  # events beyond MAX_WAITING_EVENTS, never written
    problem: str | None = None  # the last write error

    @property
    def ok(self) -> bool:
        return not (self.waiting or self.lost)

    def describe(self) -> str:
        if self.ok:
            return "ledger ok"
        lost = f", {self.lost} lost" if self.lost else ""
        return f"ledger not writable: {self.waiting} events wait{lost} ({self.problem})"


@dataclasses.dataclass(frozen=True)
class Usage:
    """Tokens used by requests to the AI, and what they cost at list prices if known."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0  # None: some model's prices are unknown


def full_id(what: str, reference: str, ids: Iterable[str]) -> str:
    """The id ``reference`` names: itself, or the one id that starts with it."""
    known = list(ids)
    if reference in known:
        return reference
    found = [key for key in known if len(reference) >= _MIN_PREFIX and key.startswith(reference)]
    if len(found) == 1:
        return found[0]
    newest = ", ".join(known[-5:]) or "none yet"
    if found:
        raise SessionError(f"More than one {what} starts with {reference!r} (newest: {newest}).")
    raise SessionError(f"No {what} {reference!r} in this session (newest: {newest}).")


class SessionCore:
    """One working session's record and the human's moves on it (see the module's doc)."""

    def __init__(
        self,
        session_id: str,
        project_root: Path,
        ledger: Ledger,
        transcript: Transcript,
        promotion: PromotionSettings,
        person: str | None = None,
    ) -> None:
        """`person`: who works in it (the setting ``person``); None: git's identity."""
        self.id = session_id
        self.project_root = Path(project_root).resolve()  # as the ledger resolves it
        self.transcript = transcript
        self.namespace = NamespaceSummary()
        self.hint_mode = False
        self._ledger = ledger
        self.lock = threading.RLock()  # held while an event is recorded (see the module's doc)
        self._listeners: list[Listener] = []
        self._waiting: deque[tuple[Event, float]] = deque()  # not yet in the ledger, in order
        self._lost = 0
        self._ledger_problem: str | None = None
        self._ledger_watchers: list[Callable[[LedgerHealth], None]] = []
        self._closed = False
        self._person = person
        #: What events are stamped with (seconds since the epoch); tests set a controlled one.
        self.clock: Callable[[], float] = time.time
        self._reviews = ReviewFold()  # how each accepted proposal was reviewed, so far
        self._promoter = Promoter(
            self.project_root,
            session_id,
            transcript,
            self._record,
            promotion,
            clock=lambda: self.clock(),
            person=lambda: self.person,
            review_of=lambda proposal_id: self._reviews.review_of(proposal_id),
        )

    @functools.cached_property
    def person(self) -> str | None:
        """Who works in this session, as their promotions' provenance and the report name
        them: the setting ``person``, else git's ``user.name <user.email>`` in the
        project, else nobody known (None). Asked once."""
        return self._person or identity(self.project_root)

    @property
    def ledger_path(self) -> Path:
        return self._ledger.path

    @property
    def promotion_settings(self) -> PromotionSettings:
        return self._promoter.settings

    # -- observing ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(entry, item)`` after each recorded event (``item``: the
        transcript item it changed, if any); returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    @property
    def ledger_health(self) -> LedgerHealth:
        return LedgerHealth(len(self._waiting), self._lost, self._ledger_problem)

    def watch_ledger(self, watcher: Callable[[LedgerHealth], None]) -> Callable[[], None]:
        """Call ``watcher`` whenever the ledger's health changes (events start to wait,
        more wait, all are written); returns a function that stops it."""
        self._ledger_watchers.append(watcher)
        return lambda: self._ledger_watchers.remove(watcher)

    def write_waiting_events(self) -> LedgerHealth:
        """Try again to write the events waiting for the ledger (a front end calls this
        now and then while any wait; every new event tries too)."""
        if self._waiting:
            self._write_waiting()
            self._ledger_changed()
        return self.ledger_health

    def _refuse_new_work_while_events_wait(self) -> None:
        """New work would only add to what the ledger cannot hold yet: say so instead."""
        if self._waiting and not self.write_waiting_events().ok:
            raise SessionError(
                f"The ledger cannot be written ({self._ledger_problem}); "
                f"{len(self._waiting)} events wait in memory. Free some disk space, then "
                "try again: nothing has been lost."
            )

    @property
    def history(self) -> list[str]:
        """The code of every cell run in this session, oldest first (for Up/Down)."""
        return [cell.code for cell in self.transcript.code_cells() if cell.loaded_from is None]

    def usage(self, request_id: str | None = None) -> Usage:
        """Tokens and estimated cost of one request, or of the whole session."""
        exchanges = [
            item
            for item in self.transcript.exchanges.values()
            if request_id is None or item.request_id == request_id
        ]
        costs = [item.cost_usd for item in exchanges if item.finished]
        return Usage(
            sum(item.input_tokens for item in exchanges),
            sum(item.output_tokens for item in exchanges),
            None if None in costs else sum(cost or 0.0 for cost in costs),
        )

    # -- the human's moves on proposals -------------------------------------------------

    def latest_proposal(self) -> ProposalItem | None:
        proposals = list(self.transcript.proposals.values())
        return proposals[-1] if proposals else None

    def proposal(self, reference: str | None = None) -> ProposalItem:
        """The proposal ``reference`` names (an id or a unique prefix; None: the newest)."""
        if reference is None:
            newest = self.latest_proposal()
            if newest is None:
                raise SessionError("No proposals yet in this session: ask the AI first.")
            return newest
        proposals = self.transcript.proposals
        return proposals[full_id("proposal", reference, proposals)]

    def accept(self, proposal_id: str | None = None) -> ProposalItem:
        """Keep a proposal that ran without error, once the human looked at what it did
        (None: the newest proposal that ran without error)."""
        if proposal_id is None:
            ran_ok = [
                item
                for item in self.transcript.proposals.values()
                if item.proposal.state is ProposalState.RAN_OK
            ]
            item = ran_ok[-1] if ran_ok else self.proposal()
        else:
            item = self.proposal(proposal_id)
        self._move(item, ProposalState.ACCEPTED)
        self._record(ProposalAccepted(item.proposal.id))
        return item

    def reject(self, proposal_id: str | None = None, reason: str | None = None) -> ProposalItem:
        """Turn a proposal down (None: the newest); the reason goes into the AI's next
        context."""
        item = self.proposal(proposal_id)
        self._move(item, ProposalState.REJECTED)
        self._record(ProposalRejected(item.proposal.id, (reason or "").strip() or None))
        return item

    @staticmethod
    def _move(item: ProposalItem, wanted: ProposalState) -> None:
        try:
            item.proposal.moved_to(wanted)
        except IllegalTransition as error:
            raise SessionError(_refused_move(error)) from error

    # -- the AI's context ---------------------------------------------------------------

    def add_note(self, text: str) -> NoteItem:
        """Keep ``text`` as a markdown note: never run; the AI reads it."""
        note_id = new_id()
        self._record(NoteAdded(note_id, text))
        return next(
            item
            for item in reversed(self.transcript.items)
            if isinstance(item, NoteItem) and item.note_id == note_id
        )

    def mark_for_context(self, item_id: str, mark: str) -> None:
        """Pin a cell or note into the AI's context, hide it from it, or set it back."""
        if mark not in ("pinned", "hidden", "normal"):
            raise SessionError(f"Unknown context mark {mark!r}: use pinned, hidden or normal.")
        notes = [item.note_id for item in self.transcript.items if isinstance(item, NoteItem)]
        known = [*self.transcript.cells, *notes]
        self._record(ContextMarked(full_id("cell or note", item_id, known), mark))

    def edit_request(self, request_id: str, text: str) -> None:
        """Rewrite a past request as the AI will see it from now on (the original is kept)."""
        self._record(RequestEdited(full_id("request", request_id, self.transcript.exchanges), text))

    def edit_reply(self, request_id: str, text: str) -> None:
        """Rewrite a past AI reply as the AI will see it from now on (the original is kept)."""
        self._record(ReplyEdited(full_id("request", request_id, self.transcript.exchanges), text))

    def toggle_hint_mode(self) -> bool:
        """Hint mode on/off: the AI answers with hints and questions, no code."""
        self.hint_mode = not self.hint_mode
        return self.hint_mode

    # -- promotion ---------------------------------------------------------------------

    def draft_promotion(
        self,
        source: str | None = None,
        *,
        target: str | None = None,
        as_test: bool = False,
        place_after: str | None = None,
        under_test: str | None = None,
    ) -> PromotionDraft:
        """What promoting ``source`` into ``target`` would write, before anything is.

        ``source``: a cell id, ``In[n]`` or ``n``, a proposal id (its code), or code text
        that ran without error; None: the newest cell that did and defines something.
        New definitions go at the end, or after ``place_after``; a test tests
        ``under_test`` (default: the module its names were promoted into). The draft
        says why it cannot be written (``refusal``). ``PromotionError`` when it cannot
        be made."""
        return self._promoter.draft(
            self._promotion_source(source),
            target=target,
            as_test=as_test,
            place_after=place_after,
            under_test=under_test,
        )

    def promotable_cell(self, source: str | None = None) -> CellItem:
        """The cell promoting ``source`` would take (see ``draft_promotion``)."""
        return self._promoter.cell_that_ran(self._promotion_source(source))

    def undo_promotion(self, promotion_id: str | None = None) -> PromotionItem:
        """Revert a promotion (None: the last one in force) exactly, or refuse with the
        diff of what changed in the file since."""
        if promotion_id is not None:
            promotion_id = full_id("promotion", promotion_id, self.transcript.promotions)
        return self._promoter.undo(promotion_id)

    def reload_report_of(self, promotion_id: str) -> str:
        """What the kernel said when it re-imported the promoted module ("" if nothing)."""
        item = self.transcript.promotions.get(promotion_id)
        return item.reload_report if item is not None else ""

    def _promotion_source(self, reference: str | None) -> str | None:
        if reference is None or reference in self.transcript.cells:
            return reference
        text = reference.strip()
        number = text[3:-1] if text.startswith("In[") and text.endswith("]") else text
        if number.isdigit():
            for cell in reversed(self.transcript.code_cells()):
                if cell.execution_count == int(number):
                    return cell.cell_id
            raise PromotionError(
                f"In[{number}] is not a cell this session saw run (cells run before the "
                "session opened, and pairrepl's own magics, are not recorded)."
            )
        proposals = [
            p for p in self.transcript.proposals if len(text) >= _MIN_PREFIX and p.startswith(text)
        ]
        if len(proposals) == 1:
            return self.transcript.proposals[proposals[0]].proposal.code
        return reference  # code text: it must have run without error

    def _record_promotion(self, promotion: Promotion) -> bool:
        """Record a written promotion and its provenance; True when the kernel should
        re-import the module (something changed in a module, not a test file)."""
        self._promoter.record(promotion)
        return promotion.changed and not promotion.draft.as_test

    def _record_reload(self, promotion: Promotion, report: str) -> None:
        self._record(ModuleReloaded(promotion.id, report))

    @property
    def _module_paths(self) -> list[str]:
        """Where a promoted module is imported from: the project root and its ``src/``."""
        return [str(self.project_root), str(self.project_root / "src")]

    # -- cells -------------------------------------------------------------------------

    def _cell_submitted(
        self, code: str, *, started_from: str | None = None, rerun_of: str | None = None
    ) -> str:
        """Record that ``code`` is about to run; who wrote it follows ``core/origin.py``
        (a re-run keeps its cell's origin). Returns the new cell's id."""
        with self.lock:
            return self._submit(code, started_from, rerun_of)

    def _submit(self, code: str, started_from: str | None, rerun_of: str | None) -> str:
        earlier = self.transcript.cells.get(rerun_of or "")
        if earlier is not None:
            origin, proposal_id = earlier.origin, earlier.proposal_id
        else:
            start = self.transcript.proposals.get(started_from or "")
            origin, proposal_id = origin_of(
                code,
                (item.proposal for item in self.transcript.proposals.values()),
                start.proposal if start is not None else None,
            )
        cell_id = new_id()
        self._record(CellSubmitted(cell_id, code, origin, proposal_id, rerun_of))
        return cell_id

    def _cell_finished(
        self,
        cell_id: str,
        execution_count: int | None,
        status: ExecutionStatus,
        duration: float,
        before: NamespaceSummary,
    ) -> None:
        """Record the end of a cell and what it did to the namespace (``self.namespace``
        is the summary after it; no diff when either summary failed or the kernel died)."""
        diff = NamespaceDiff()
        if not (before.error or self.namespace.error or status is ExecutionStatus.DIED):
            diff = NamespaceDiff.between(before, self.namespace)
        self._record(CellFinished(cell_id, execution_count, status, duration, diff))

    # -- asking the AI -----------------------------------------------------------------

    def _context(
        self,
        request: str,
        agent: Agent,
        views: dict[str, str],
        limits: ContextLimits,
        hint_mode: bool,
    ) -> ModelContext:
        """What the model sees for ``request`` (``views``: the ``$name`` views, taken now)."""
        return context_for(
            request,
            agent=agent,
            transcript=self.transcript,
            namespace=self.namespace,
            object_views=views,
            hint_mode=hint_mode,
            limits=limits,
        )

    def _request_sent(
        self,
        agent: Agent,
        context: ModelContext,
        request: str,
        about_cell: str | None,
        hint_mode: bool,
    ) -> RequestSent:
        """Record the exact request (after redaction) before it leaves."""
        sent = request_sent(agent, context, request, hint_mode=hint_mode, about_cell=about_cell)
        self._record(sent)
        return sent

    def _reply_ended(self, sent: RequestSent, agent: Agent, reply: AgentReply) -> None:
        """Record the end of a reply, then its proposal if it holds one."""
        for event in reply_events(sent.request_id, agent, reply):
            self._record(event)

    def _reply_failed(self, sent: RequestSent, error: BaseException) -> None:
        """Close a request whose reply could not be had: partial, with what arrived."""
        self._record(
            ReplyFinished(
                sent.request_id,
                partial=True,
                error=f"{type(error).__name__}: {error}",
                usage_known=False,  # what it used is not known: not "0 tokens"
            )
        )

    # -- the record --------------------------------------------------------------------

    def _record(self, event: Event) -> LedgerEntry:
        with self.lock:
            entry = self._store(event)  # committed before anyone sees it (or waiting, in order)
            item = self.transcript.apply(event)
            self._reviews.apply(entry)
            for listener in list(self._listeners):
                try:
                    listener(entry, item)
                except Exception:  # one broken observer must not hide the record from the rest
                    _log.exception("a session listener failed on %s", event.KIND)
            return entry

    def _store(self, event: Event) -> LedgerEntry:
        at = self.clock()
        if self._waiting:
            self._write_waiting()
            if not self._waiting:
                self._ledger_changed()  # written at last: the screen can say so
        if not self._waiting:
            try:
                return self._ledger.append(self.id, event, at)
            except LedgerUnwritable as error:
                self._ledger_problem = str(error.__cause__ or error)
                _log.warning("%s", error)
        if len(self._waiting) < MAX_WAITING_EVENTS:
            self._waiting.append((event, at))
        else:
            self._lost += 1
        self._ledger_changed()
        return LedgerEntry(seq=0, session_id=self.id, at=at, event=event)  # seq: not yet

    def _write_waiting(self) -> None:
        while self._waiting:
            event, at = self._waiting[0]
            try:
                self._ledger.append(self.id, event, at)
            except LedgerUnwritable as error:
                self._ledger_problem = str(error.__cause__ or error)
                return
            self._waiting.popleft()
        self._ledger_problem = None

    def _ledger_changed(self) -> None:
        health = self.ledger_health
        for watcher in list(self._ledger_watchers):
            try:
                watcher(health)
            except Exception:
                _log.exception("a ledger watcher failed")

    def _record_closed(self) -> bool:
        """Record the session's end once; False if it was already closed."""
        if self._closed:
            return False
        self._closed = True
        self._record(SessionClosed())
        return True


def _refused_move(error: IllegalTransition) -> str:
    """Why a proposal cannot move as asked, in the human's terms."""
    if error.wanted is ProposalState.ACCEPTED:
        if error.current is ProposalState.PROPOSED:
            return f"Proposal {error.proposal_id} has not run yet: run it, look, then accept."
        if error.current is ProposalState.RAN_ERROR:
            return f"Proposal {error.proposal_id} raised when it ran: only code that ran OK is accepted."
    return (
        f"Proposal {error.proposal_id} is {error.current.value}; it cannot be {error.wanted.value}."
    )
