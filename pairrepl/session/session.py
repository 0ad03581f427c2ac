"""The session that drives a kernel: what the app and the line console call.

A ``Session`` is a ``SessionCore`` (``session/core.py``: the record, the proposals, the
AI's context, promotion) with a kernel it runs the human's cells in: ``run`` sends a cell
and records its outputs as they stream, ``ask`` waits for the AI's reply on the app's own
event loop, and the kernel's life (start, interrupt, restart, death, a dropped
connection) becomes events like any other. So what a person saw is always what was
recorded, and ``resume`` rebuilds the same transcript from the ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from pairrepl.agent import Agent, AgentReply, ContextLimits
from pairrepl.core.events import (
    CellFinished,
    CellLoaded,
    Interrupted,
    KernelDied,
    KernelDisconnected,
    KernelReconnected,
    KernelRestarted,
    KernelStarted,
    NoteAdded,
    ObjectInspected,
    ReplyFinished,
    ReplyStreamed,
    SessionResumed,
    SessionStarted,
)
from pairrepl.core.execution import Execution, ExecutionStatus, KernelState
from pairrepl.core.inspection import Completions, HelpText, Inspection, ObjectPath
from pairrepl.core.namespace import NamespaceDiff, NamespaceSummary
from pairrepl.core.outputs import OutputLimits
from pairrepl.core.proposals import ProposalState
from pairrepl.core.review import ReviewFold
from pairrepl.core.transcript import CellItem, ExchangeItem, Transcript
from pairrepl.kernel import KernelBackend, KernelUnavailable
from pairrepl.ledger import Ledger, SessionLease, SessionOpenElsewhere, read_notebook
from pairrepl.session.asking import cancelled, names_to_view, new_id
from pairrepl.session.core import LedgerHealth, SessionCore
from pairrepl.session.errors import SessionError
from pairrepl.session.gc_pause import cyclic_gc_paused
from pairrepl.session.promotion import (
    Promotion,
    PromotionDraft,
    PromotionSettings,
    reload_report,
)
from pairrepl.session.sink import CellSink

NO_PROVIDER = (
    "No AI provider is configured, so pairrepl works as a plain REPL. `pairrepl doctor` says "
    "how to choose one; or try the recorded demo: "
    "pairrepl --replay examples/demo.replay.json examples/"
)
InputHandler = Callable[[str, bool], Awaitable[str]]
LEDGER_RETRY_S = 2.0  # while events wait for a ledger that cannot be written


@dataclasses.dataclass
class SessionSettings:
    """What a front end may set for a session (from the command line or config)."""

    agent: Agent | None = None  # None: no provider, a plain REPL
    no_agent_reason: str = NO_PROVIDER
    output_limits: OutputLimits = dataclasses.field(default_factory=OutputLimits)
    context_limits: ContextLimits = dataclasses.field(default_factory=ContextLimits)
    promotion: PromotionSettings = dataclasses.field(default_factory=PromotionSettings)
    person: str | None = None  # the setting person; None: git's identity in the project


class Session(SessionCore):
    """A session that drives a kernel: the app's and the line console's.

    Make one with ``Session.start`` or ``Session.resume``, never the constructor.
    """

    def __init__(
        self,
        session_id: str,
        project_root: Path,
        kernel: KernelBackend,
        ledger: Ledger,
        transcript: Transcript,
        settings: SessionSettings,
    ) -> None:
        super().__init__(
            session_id, project_root, ledger, transcript, settings.promotion, settings.person
        )
        self.kernel_state = KernelState.STARTING
        self._kernel = kernel
        self.settings = settings
        self._output_limits = settings.output_limits
        self._stop_reply: asyncio.Event | None = None
        self._namespace_watchers: list[Callable[[NamespaceSummary], None]] = []
        self._kernel_watchers: list[Callable[[KernelState], None]] = []
        self._input_handler: InputHandler | None = None
        self._run_lock = asyncio.Lock()
        self._running_cell: str | None = None
        self._death_recorded = False
        self._disconnected_at: float | None = None  # when a remote kernel's link dropped
        self._ledger_retry: asyncio.Task[None] | None = None
        self._lease: SessionLease | None = None
        kernel.watch(self._on_kernel_state)
        self.watch_ledger(self._on_ledger_health)

    # -- opening ---------------------------------------------------------------------

    @classmethod
    async def start(
        cls,
        project_root: Path,
        kernel: KernelBackend,
        ledger: Ledger,
        *,
        notebook: Path | None = None,
        front_end: str = "tui",
        settings: SessionSettings | None = None,
    ) -> Session:
        """A new session. Cells of ``notebook`` are shown, not run."""
        loaded = read_notebook(notebook) if notebook is not None else []
        session = cls(
            new_id(), project_root, kernel, ledger, Transcript(), settings or SessionSettings()
        )
        session._lease = ledger.lease(session.id)
        session._record(SessionStarted(str(project_root), front_end, session.person))
        session._promoter.finish_interrupted()
        for cell in loaded:
            if cell.kind == "code":
                session._record(CellLoaded(new_id(), cell.source, str(notebook)))
            else:
                session._record(NoteAdded(new_id(), cell.source))
        await session._start_kernel()
        return session

    @classmethod
    async def resume(
        cls,
        project_root: Path,
        kernel: KernelBackend,
        ledger: Ledger,
        session_id: str | None = None,
        *,
        settings: SessionSettings | None = None,
    ) -> Session:
        """Reopen a recorded session (the latest if ``session_id`` is None) on a new kernel.

        The transcript comes back as it was; the namespace does not. Nothing is re-run:
        ``rerun_lost_cells`` does that when the human asks. A session open in another
        pairrepl is refused (``SessionError``): two kernels would interleave in it.
        """
        full_id = ledger.resolve(session_id)
        try:
            lease = ledger.lease(full_id)
        except SessionOpenElsewhere as error:
            raise SessionError(str(error)) from error
        transcript, reviews = Transcript(), ReviewFold()
        with cyclic_gc_paused():  # a long ledger: see gc_pause.py
            for entry in ledger.entries(full_id):
                transcript.apply(entry.event)
                reviews.apply(entry)
        session = cls(
            full_id, project_root, kernel, ledger, transcript, settings or SessionSettings()
        )
        session._reviews = reviews  # the reviews of proposals accepted before the resume
        session._lease = lease
        session._close_what_the_last_process_left_open()
        session._record(SessionResumed())
        session._promoter.finish_interrupted()
        await session._start_kernel()
        return session

    def _close_what_the_last_process_left_open(self) -> None:
        """The app that had this session died (SIGKILL, a power cut): a cell it was running
        ends as died, a reply it was streaming as partial, as they would have."""
        for cell in self.transcript.code_cells():
            if cell.running:
                self._record(
                    CellFinished(cell.cell_id, None, ExecutionStatus.DIED, 0.0, NamespaceDiff())
                )
        for exchange in list(self.transcript.exchanges.values()):
            if not exchange.finished:
                self._record(
                    ReplyFinished(
                        exchange.request_id,
                        partial=True,
                        error="pairrepl stopped while the AI was answering; what arrived is kept.",
                    )
                )

    async def _start_kernel(self) -> None:
        try:
            await self._kernel.start()
        except Exception as error:
            if self._lease is not None:  # this session object goes no further
                self._lease.release()
            raise SessionError(f"The kernel did not start: {error}") from error
        self._death_recorded = False
        self._record(self._kernel_started())
        await self._refresh_namespace()

    # -- observing ---------------------------------------------------------------------

    def watch_namespace(self, watcher: Callable[[NamespaceSummary], None]) -> Callable[[], None]:
        """Call ``watcher`` with each new namespace summary; returns a function that stops it."""
        self._namespace_watchers.append(watcher)
        return lambda: self._namespace_watchers.remove(watcher)

    def watch_kernel(self, watcher: Callable[[KernelState], None]) -> Callable[[], None]:
        """Call ``watcher`` on each kernel state change; returns a function that stops it."""
        self._kernel_watchers.append(watcher)
        return lambda: self._kernel_watchers.remove(watcher)

    def set_input_handler(self, handler: InputHandler) -> None:
        """Who answers ``input()`` in a cell (the TUI shows a prompt)."""
        self._input_handler = handler

    def _kernel_started(self) -> KernelStarted:
        kernel = self._kernel
        return KernelStarted(kernel.description, owned=kernel.owned, notice=kernel.extension_notice)

    @property
    def kernel_description(self) -> str:
        return self._kernel.description

    # -- running -----------------------------------------------------------------------

    def is_complete(self, code: str) -> str:
        """``"complete"``, ``"incomplete"`` or ``"invalid"``: whether Enter should run it
        (answered at once, IPython's rules, without asking the kernel)."""
        return self._kernel.is_complete(code)

    async def run(
        self, code: str, *, started_from: str | None = None, rerun_of: str | None = None
    ) -> Execution:
        """Run ``code`` in the kernel (one at a time, in the order asked) and record it all.

        ``started_from``: the proposal the human put into the input, which decides with the
        text who wrote the cell (``core/origin.py``); ``rerun_of``: the cell run again."""
        async with self._run_lock:
            self._refuse_new_work_while_events_wait()
            if self.kernel_state is KernelState.DEAD:
                raise SessionError("The kernel is dead: restart it before running a cell.")
            if self.kernel_state is KernelState.DISCONNECTED:
                raise SessionError(
                    "The connection to the kernel is down and pairrepl is reconnecting; "
                    "run the cell again once it is back."
                )
            cell_id = self._cell_submitted(code, started_from=started_from, rerun_of=rerun_of)
            sink = CellSink(self, cell_id)
            self._running_cell = cell_id
            started = time.monotonic()
            try:
                reply = await self._kernel.execute(code, sink)
            except KernelUnavailable as error:  # it died between our check and the send
                self._record(CellFinished(cell_id, None, ExecutionStatus.DIED, 0.0))
                raise SessionError(f"The kernel is gone ({error}): restart it.") from error
            finally:
                self._running_cell = None
            duration = time.monotonic() - started
            sink.finish()
            before = self.namespace
            if reply.namespace is not None:
                self._set_namespace(reply.namespace)
            elif reply.status is not ExecutionStatus.DIED:
                await self._refresh_namespace()
            self._cell_finished(cell_id, reply.execution_count, reply.status, duration, before)
            cell = self.transcript.cells[cell_id]
            return Execution(
                cell_id,
                code,
                reply.execution_count,
                reply.status,
                tuple(cell.outputs),
                duration,
                cell.namespace_diff,
                sink.spill_path,
            )

    async def run_loaded(self, cell_id: str) -> Execution:
        """Run a cell that was loaded from a notebook (or recorded before a resume)."""
        cell = self.transcript.cells.get(cell_id)
        if cell is None:
            raise SessionError(f"No cell {cell_id} in this session.")
        return await self.run(cell.code, rerun_of=cell_id)

    async def run_next_loaded(self) -> Execution | None:
        pending = self.transcript.pending_loaded_cells()
        return await self.run_loaded(pending[0].cell_id) if pending else None

    async def run_all_loaded(self) -> list[Execution]:
        """Run the loaded cells in order, stopping at the first that fails."""
        return await self._run_in_order(self.transcript.pending_loaded_cells)

    async def rerun_lost_cells(self) -> list[Execution]:
        """Re-run, in order, the cells that ran OK on an earlier kernel (after a resume or a
        restart), stopping at the first that fails. Only ever called on a human's request."""
        return await self._run_in_order(self.transcript.cells_lost_with_kernel)

    async def _run_in_order(self, pending: Callable[[], list[CellItem]]) -> list[Execution]:
        executions = []
        while cells := pending():
            execution = await self.run_loaded(cells[0].cell_id)
            executions.append(execution)
            if not execution.status.succeeded:
                break
        return executions

    # -- looking into live objects (changes nothing; that the human looked is recorded) --

    async def inspect(
        self,
        path: ObjectPath,
        offset: int = 0,
        *,
        items_only: bool = False,
        read_values: bool = False,
    ) -> Inspection:
        """The object at ``path`` as it is now, bounded inside the kernel. Items come a
        page at a time from ``offset``; ``items_only`` asks for just that page;
        ``read_values``: the human asked for the values of an array on an accelerator
        (read only if its device is idle). A new look (not a further page) is recorded as
        ``object_inspected``, for review depth."""
        inspection = await self._kernel.inspect(
            path, offset, items_only=items_only, read_values=read_values
        )
        if offset == 0 and not items_only:
            self._record(ObjectInspected(path.label(), "inspector"))
        return inspection

    async def complete(self, code: str, cursor: int) -> Completions:
        """The kernel's completions for ``code`` at ``cursor`` (Tab in the input)."""
        return await self._kernel.complete(code, cursor)

    async def help(self, code: str, cursor: int | None = None, detail: int = 0) -> HelpText:
        """IPython's ``obj?`` (detail 0) or ``obj??`` (detail 1) for the name at
        ``cursor`` (default: the end of ``code``); nothing runs as a cell. Recorded as
        ``object_inspected`` (how "help"), for review depth."""
        cursor = len(code) if cursor is None else cursor
        answer = await self._kernel.help(code, cursor, detail)
        asked = code[:cursor].rsplit("\n", 1)[-1].strip()[-200:]
        self._record(ObjectInspected(asked + "?" * (detail + 1), "help"))
        return answer

    # -- the AI proposes, the human disposes ---------------------------------------------

    @property
    def provider_label(self) -> str:
        agent = self.settings.agent
        return agent.label if agent is not None else "no provider"

    async def ask(
        self, request: str, *, about_cell: str | None = None, hint: bool | None = None
    ) -> AgentReply:
        """Ask the AI; its reply streams into the transcript and may end in a proposal.

        The proposal is only shown: nothing here runs code. The exact context sent is
        recorded first (after redaction), so what the AI saw can always be looked up.
        ``about_cell``: the cell the request is about (a fix); ``hint``: hint mode for this
        request only (None: the session's).
        """
        agent = self.settings.agent
        if agent is None:
            raise SessionError(self.settings.no_agent_reason)
        if self._stop_reply is not None:
            raise SessionError("The AI is still answering; cancel it first or wait.")
        self._refuse_new_work_while_events_wait()
        views = await self._object_views(request)
        hint_mode = self.hint_mode if hint is None else hint
        context = self._context(request, agent, views, self.settings.context_limits, hint_mode)
        sent = self._request_sent(agent, context, request, about_cell, hint_mode)
        self._stop_reply = asyncio.Event()
        try:
            reply = await agent.ask(
                context,
                on_text=lambda text: self._record(ReplyStreamed(sent.request_id, text)),
                on_status=lambda note: self._record(
                    ReplyStreamed(sent.request_id, f"\n[{note}]\n")
                ),
                stop=self._stop_reply,
            )
        except asyncio.CancelledError:
            self._record(cancelled(sent.request_id, agent))
            raise
        except Exception as error:  # the exchange is closed whatever went wrong
            self._reply_failed(sent, error)
            raise SessionError(f"The AI's reply failed: {type(error).__name__}: {error}") from error
        finally:
            self._stop_reply = None
        self._reply_ended(sent, agent, reply)
        return reply

    async def preview_context(self, request: str = "") -> tuple[int, int]:
        """(tokens, budget) the next request would use: for a context meter. Sends nothing
        and reads no ``$name`` views (those are taken only when the request is sent)."""
        agent = self.settings.agent
        budget = self.settings.context_limits.budget_tokens
        if agent is None:
            return 0, budget
        limits = self.settings.context_limits
        context = self._context(request, agent, {}, limits, self.hint_mode)
        return context.tokens_used, budget

    async def fix(self, cell_id: str) -> AgentReply:
        """Ask the AI about the traceback of a cell that raised."""
        cell = self.transcript.cells.get(cell_id)
        if cell is None or cell.status is not ExecutionStatus.ERROR:
            raise SessionError("Only a cell that raised can be fixed.")
        return await self.ask(
            "This cell raised; propose a fix (or a probe to find the cause):\n" + cell.code,
            about_cell=cell_id,
        )

    def cancel_reply(self) -> None:
        """Stop the reply that is streaming (closing its HTTP response); keep what arrived."""
        if self._stop_reply is not None:
            self._stop_reply.set()

    async def run_proposal(self, proposal_id: str, code: str | None = None) -> Execution:
        """Run a proposal as it is, or ``code``: the human's edit of it (its origin follows
        the one rule, ``core/origin.py``: ``ai-edited`` while it stays close to the AI's)."""
        item = self.proposal(proposal_id)
        if item.proposal.state in (ProposalState.REJECTED, ProposalState.PROMOTED):
            raise SessionError(
                f"Proposal {item.proposal.id} is {item.proposal.state.words}; it cannot run."
            )
        return await self.run(
            item.proposal.code if code is None else code, started_from=item.proposal.id
        )

    async def retry_last(self) -> AgentReply:
        """Ask the last request again (as edited, if the human edited it)."""
        exchanges = [i for i in self.transcript.items if isinstance(i, ExchangeItem)]
        if not exchanges:
            raise SessionError("Nothing to retry: no request has been sent yet.")
        return await self.ask(exchanges[-1].request_text)

    # -- promotion ---------------------------------------------------------------------

    async def promote(
        self,
        source: str | None = None,
        target: str | None = None,
        explanation: str | None = None,
        *,
        as_test: bool = False,
        place_after: str | None = None,
    ) -> Promotion:
        """Draft the promotion (see ``draft_promotion``) and write it (``promote_draft``)."""
        draft = self.draft_promotion(
            source, target=target, as_test=as_test, place_after=place_after
        )
        return await self.promote_draft(draft, explanation)

    async def promote_draft(self, draft: PromotionDraft, explanation: str | None) -> Promotion:
        """Write the definitions the human saw in ``draft`` into its target, record who
        wrote them, then re-import the module in the kernel and say whether it agrees
        with the session. If the file changed since the draft was made, nothing is written.
        """
        promotion = await asyncio.to_thread(self._promoter.write, draft, explanation)
        if self._record_promotion(promotion):
            self._record_reload(promotion, await self._reload_promoted(draft))
        return promotion

    async def _reload_promoted(self, draft: PromotionDraft) -> str:
        how = f"to use the file's version in the kernel: import {draft.module_name}"
        if self._running_cell is not None or self.kernel_state is KernelState.DEAD:
            return f"The kernel is busy or dead, so the module was not re-imported; {how}."
        result = await self._kernel.reload_module(
            draft.module_name, list(draft.symbols), self._module_paths
        )
        if result is None:
            return f"The kernel did not answer, so the module was not re-imported; {how}."
        return reload_report(draft.module_name, result)

    async def _object_views(self, request: str) -> dict[str, str]:
        """Fuller views of the live objects a request names with ``$name``, plus the
        source of the newest functions defined in the session (so the AI sees them even
        when the cells that defined them fell out of the budget). Taken now: a snapshot
        at request time, recorded with the request, never re-read later."""
        views = {}
        for name in names_to_view(request, self.namespace, self.transcript):
            view = await self._kernel.describe(name)
            if view is not None:
                views[name] = view
        return views

    # -- controlling the kernel ----------------------------------------------------------

    async def interrupt(self) -> None:
        if self.kernel_state is KernelState.DEAD:
            return
        if self.kernel_state is KernelState.DISCONNECTED:
            raise SessionError(
                "The connection to the kernel is down; interrupt again once it is back."
            )
        self._record(Interrupted(self._running_cell))
        await self._kernel.interrupt()

    async def restart(self) -> None:
        """A fresh kernel: the namespace is empty and nothing is re-run by itself."""
        try:
            await self._kernel.restart()
        except KernelUnavailable as error:
            raise SessionError(str(error)) from error
        self._death_recorded = False
        self._record(KernelRestarted("user"))
        self._record(self._kernel_started())
        await self._refresh_namespace()

    async def close(self) -> None:
        """Record the end, stop the kernel (only disconnect from one we do not own) and
        close the AI provider's connections."""
        if not self._record_closed():
            return
        if self._waiting:
            self.write_waiting_events()
        await self._kernel.shutdown()
        if self._lease is not None:
            self._lease.release()
        if self.settings.agent is not None:
            await self.settings.agent.aclose()

    # -- inside ------------------------------------------------------------------------

    def _on_kernel_state(self, state: KernelState) -> None:
        self.kernel_state = state
        if state is KernelState.DEAD and not self._death_recorded and not self._closed:
            self._death_recorded = True
            self._disconnected_at = None
            reason = self._kernel.state_reason or "the kernel process exited"
            self._record(KernelDied(self._running_cell, reason))
        elif state is KernelState.DISCONNECTED and self._disconnected_at is None:
            self._disconnected_at = time.monotonic()
            if not self._closed:
                self._record(KernelDisconnected(self._running_cell, self._kernel.state_reason))
        elif state in (KernelState.IDLE, KernelState.BUSY) and self._disconnected_at is not None:
            gap = time.monotonic() - self._disconnected_at
            self._disconnected_at = None
            if not self._closed:
                self._record(KernelReconnected(round(gap, 3)))
        elif state is KernelState.STARTING:
            self._disconnected_at = None  # a new kernel (restart), not the same one back
        for watcher in list(self._kernel_watchers):
            watcher(state)

    def _on_ledger_health(self, health: LedgerHealth) -> None:
        """While events wait for the ledger, try to write them every few seconds."""
        if health.waiting and self._ledger_retry is None:
            with contextlib.suppress(RuntimeError):  # no running loop: the next event retries
                self._ledger_retry = asyncio.get_running_loop().create_task(self._retry_ledger())

    async def _retry_ledger(self) -> None:
        try:
            while self._waiting and not self._closed:
                await asyncio.sleep(LEDGER_RETRY_S)
                self.write_waiting_events()
        finally:
            self._ledger_retry = None

    async def _refresh_namespace(self) -> None:
        self._set_namespace(await self._kernel.namespace())

    def _set_namespace(self, summary: NamespaceSummary) -> None:
        self.namespace = summary
        for watcher in list(self._namespace_watchers):
            watcher(summary)

    async def _ask_input(self, prompt: str, password: bool) -> str:
        if self._input_handler is None:
            return ""
        return await self._input_handler(prompt, password)
