"""The session when pairrepl lives inside the kernel: what the magics call.

In IPython or JupyterLab (``%load_ext pairrepl``) there is no front end driving a kernel:
the human types cells into the kernel directly. So this session never sends a cell. It
*observes* the cells the human runs (IPython's ``pre_run_cell`` / ``post_run_cell``,
wired by the magics) and records them through the same ``SessionCore`` as the app's
``Session``, in the same ledger of the same project root, with the same events, the same
origin rule and the same moves. So ``pairrepl blame``, ``report``, ``export`` and
``--resume`` read a notebook session like any other.

Where it departs from ``Session``:

- Everything is synchronous: a magic is a plain function call. The agent's coroutine
  runs on a private event loop in a worker thread (inside ipykernel the kernel's own
  loop is already running, so ``asyncio.run`` cannot be used); its text comes back to
  the caller's thread through a queue and is recorded there, so every event is recorded
  from the thread that runs the cells.
- A proposal is never run by this session: the magic puts it into the next input
  (``offered``), and the cell the human runs from it is judged by the one origin rule
  (``core/origin.py``), as the app's are.
- Outputs: a cell's error and its result (as text, capped) are recorded. In a Jupyter
  kernel, what the cell prints is recorded too (``session/printed.py``: stand-ins for
  ``sys.stdout``/``sys.stderr`` that pass writes on and keep a capped copy). In terminal
  IPython it is not: there the prompt's ``Out[n]:`` and tracebacks are printed to the
  same streams, and would be recorded twice.
- The settings (``session/settings.py``, the API key with them) are read again at each
  request: a notebook may set a key in ``os.environ`` after the extension loaded.

Stdlib and pairrepl only: the IPython shell is passed in (duck-typed), never imported.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import os
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pairrepl.agent import Agent, AgentReply, ModelContext
from pairrepl.core.events import (
    KernelStarted,
    OutputProduced,
    ProposalMade,
    ProposalRejected,
    ReplyFinished,
    ReplyStreamed,
    RequestSent,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceSummary
from pairrepl.core.outputs import ErrorOutput, ResultOutput, StreamOutput
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import ProposalItem, Transcript
from pairrepl.ledger import Ledger, find_project_root
from pairrepl.session.asking import cancelled, names_to_view, new_id
from pairrepl.session.core import SessionCore
from pairrepl.session.errors import SessionError
from pairrepl.session.interpolation import interpolate
from pairrepl.session.printed import PrintedCapture
from pairrepl.session.promotion import Promotion, PromotionDraft, reload_report
from pairrepl.session.settings import Given, Settings, check_setting, read_settings
from pairrepl_kernel import drivers
from pairrepl_kernel.namespace import describe_value, summarise_namespace
from pairrepl_kernel.promoted import reload_promoted

T = TypeVar("T")

FRONT_END = "magics"
RESULT_CHARS = 2000  # a cell's result, as recorded (the notebook shows it in full)
TRACEBACK_LINES = 30
RECALL_SESSIONS = 10  # how many recent sessions a re-run %ai looks through for its answer
STOP_GRACE_S = 10.0  # after an interrupt, how long the stopped reply may take to wrap up

#: Cells made only of these magics are pairrepl's own, not the human's code: not recorded.
OWN_MAGICS = ("ai", "proposals", "accept", "reject", "promote", "pairrepl_config")
_EXTENSION_COMMANDS = ("load_ext", "reload_ext", "unload_ext")


class InKernelSession(SessionCore):
    """One session inside this kernel. Make it with ``InKernelSession.open(shell)``."""

    def __init__(
        self,
        shell: Any,
        project_root: Path,
        ledger: Ledger,
        session_id: str,
        settings: Settings,
        given: Mapping[str, Given] | None = None,
    ) -> None:
        super().__init__(
            session_id, project_root, ledger, Transcript(), settings.promotion(), settings.person
        )
        self.hint_mode = settings.hint
        # What this session set above the environment: %pairrepl_config, %config, IPython's
        # configuration files (the magics pass them on). Read with the rest at each use.
        self._given = dict(given or {})
        self._shell = shell
        self._agents: dict[tuple[object, ...], Agent] = {}
        self._loop: _AgentLoop | None = None
        self._running: tuple[str, float] | None = None  # (cell id, start) of the cell running
        self._offered: str | None = None  # the proposal last put into the next input
        self._background: concurrent.futures.Future[None] | None = None  # the panel's ask
        # In a Jupyter kernel only stdout and stderr carry prints (see the module's doc).
        self._printed = PrintedCapture() if getattr(shell, "kernel", None) else None

    @classmethod
    def open(
        cls, shell: Any, cwd: Path | None = None, given: Mapping[str, Given] | None = None
    ) -> InKernelSession:
        """Start a session in the project found from ``cwd`` (the kernel's working
        directory) upward, recording into its ledger, with ``given`` settings above the
        environment's (the magics' traits, from IPython's configuration)."""
        root = find_project_root(cwd or Path.cwd())
        settings = read_settings(root, given)  # a bad setting fails here, before the ledger
        ledger = Ledger.open(root)
        session = cls(shell, root, ledger, new_id(), settings, given)
        session._record(SessionStarted(str(root), FRONT_END, session.person))
        session._promoter.finish_interrupted()
        session._record(
            KernelStarted(f"this kernel (pid {os.getpid()}, {sys.executable})", owned=False)
        )
        session.refresh_namespace()
        return session

    # -- observing the human's cells ----------------------------------------------------

    def cell_started(self, raw_cell: str) -> None:
        """A cell is about to run (``pre_run_cell``): record it, and whose text it is."""
        self._running = None
        if self._closed or is_own_cell(raw_cell):
            return
        # Trailing whitespace means nothing to Python, and terminal IPython leaves an
        # indented empty line after a block: without it, a proposal run as it was offered
        # has the proposal's exact text (and hash), and a promotion writes no stray line.
        cell_id = self._cell_submitted(raw_cell.rstrip(), started_from=self._offered)
        self._running = (cell_id, time.monotonic())
        if self._printed is not None:
            self._printed.start()

    def cell_finished(
        self,
        execution_count: int | None,
        error: BaseException | None,
        result: Any = None,
    ) -> None:
        """The cell ended (``post_run_cell``): record its error or result, what it did to
        the namespace, and how it ended (which moves a proposal it ran)."""
        printed = self._printed.stop() if self._printed is not None else []
        if self._running is None or self._closed:
            return
        cell_id, started = self._running
        self._running = None
        duration = time.monotonic() - started
        for stream, text in printed:
            self._record_output(cell_id, StreamOutput(stream, text))
        if error is not None:
            self._record_output(cell_id, _error_output(error))
        elif result is not None:
            self._record_output(cell_id, self._result_output(result, execution_count))
        before = self.namespace
        self.refresh_namespace()
        self._cell_finished(cell_id, execution_count, _status(error), duration, before)

    def refresh_namespace(self) -> NamespaceSummary:
        """The bounded summary of the live namespace (``pairrepl_kernel``, as the TUI sees it)."""
        try:
            payload = summarise_namespace(self._shell.user_ns, self._shell.user_ns_hidden)
            self.namespace = NamespaceSummary.from_payload(payload)
        except Exception as error:  # a summary must never break the human's cell
            self.namespace = NamespaceSummary(error=f"namespace summary failed: {error!r}")
        return self.namespace

    def _result_output(self, value: Any, execution_count: int | None) -> ResultOutput:
        try:
            data, _ = self._shell.display_formatter.format(value, include={"text/plain"})
            text = str(data.get("text/plain", ""))
        except Exception as error:
            text = f"<repr failed: {type(error).__name__}>"
        if len(text) > RESULT_CHARS:
            text = text[: RESULT_CHARS - 1] + "…"
        return ResultOutput({"text/plain": text}, execution_count)

    def _record_output(
        self, cell_id: str, output: ErrorOutput | ResultOutput | StreamOutput
    ) -> None:
        self._record(OutputProduced(cell_id, output))

    # -- the AI proposes ----------------------------------------------------------------

    def current_settings(self, for_request: Mapping[str, Given] | None = None) -> Settings:
        """The settings as they read now: what this session set (and ``for_request``),
        then the environment, the project, the user's file. ``SettingError`` if one does
        not fit."""
        return read_settings(self.project_root, {**self._given, **(for_request or {})})

    def ask(
        self,
        request: str,
        *,
        about_cell: str | None = None,
        hint: bool | None = None,
        provider: str | None = None,
        model: str | None = None,
        replay: str | None = None,
    ) -> AgentReply:
        """Ask the AI (as ``Session.ask``; ``provider``/``model``/``replay`` choose another
        one for this request). Its text is recorded as it arrives (listeners see it as
        ``reply_streamed`` events, in this thread). The proposal, if any, is only
        recorded: nothing here runs code. An interrupt (KeyboardInterrupt) stops the
        reply and keeps what arrived, marked partial.
        """
        agent, context, sent = self._request(request, about_cell, hint, provider, model, replay)
        pieces: queue.SimpleQueue[str] = queue.SimpleQueue()

        def show(text: str) -> None:
            self._record(ReplyStreamed(sent.request_id, text))

        stop: list[asyncio.Event] = []

        async def asking() -> AgentReply:
            stop.append(asyncio.Event())
            return await agent.ask(
                context,
                on_text=pieces.put,
                on_status=lambda note: pieces.put(f"\n[{note}]\n"),
                stop=stop[0],
            )

        loop = self._agent_loop()
        try:
            reply = loop.wait(asking(), drain=lambda: _drain(pieces, show))
        except KeyboardInterrupt:
            if stop:
                loop.call(stop[0].set)
            try:
                reply = loop.finish(timeout=STOP_GRACE_S, drain=lambda: _drain(pieces, show))
            except BaseException:
                _drain(pieces, show)
                self._record(cancelled(sent.request_id, agent))
                raise
        except BaseException as error:
            _drain(pieces, show)
            self._reply_failed(sent, error)
            raise
        self._reply_ended(sent, agent, reply)
        return reply

    def ask_in_background(
        self, request: str, done: Callable[[AgentReply | None, BaseException | None], None]
    ) -> None:
        """Ask the AI without holding up the kernel (the JupyterLab panel's Ask): the
        request is recorded here, then the reply is awaited on the agent's own thread,
        where its text and its end are recorded (under ``lock``) and ``done`` is called
        with the reply or the error. The human's cells run meanwhile."""
        if self._background is not None and not self._background.done():
            raise SessionError("The AI is still answering the last request; wait for it.")
        with self.lock:
            agent, context, sent = self._request(request, None, None, None, None, None)

        async def asking() -> None:
            try:
                reply = await agent.ask(
                    context,
                    on_text=lambda text: self._record(ReplyStreamed(sent.request_id, text)),
                    on_status=lambda note: self._record(
                        ReplyStreamed(sent.request_id, f"\n[{note}]\n")
                    ),
                    stop=asyncio.Event(),
                )
            except BaseException as error:
                self._reply_failed(sent, error)
                done(None, error)
                return
            self._reply_ended(sent, agent, reply)
            done(reply, None)

        self._background = self._agent_loop().start(asking())

    def _request(
        self,
        request: str,
        about_cell: str | None,
        hint: bool | None,
        provider: str | None,
        model: str | None,
        replay: str | None,
    ) -> tuple[Agent, ModelContext, RequestSent]:
        """The agent, the context and the recorded ``request_sent`` of a new request
        (``provider``, ``model``, ``replay``: ``%ai``'s flags, for this one)."""
        asked = {"provider": provider, "model": model, "replay": replay}
        settings = self.current_settings(
            {name: Given(value, f"%ai --{name}") for name, value in asked.items() if value}
        )
        agent = self._agent(settings)
        self.refresh_namespace()
        views = {}
        for name in names_to_view(request, self.namespace, self.transcript):
            view = describe_value(self._shell.user_ns, self._shell.user_ns_hidden, name)
            if view is not None:
                views[name] = view
        hint_mode = self.hint_mode if hint is None else hint
        context = self._context(request, agent, views, settings.context_limits(), hint_mode)
        return agent, context, self._request_sent(agent, context, request, about_cell, hint_mode)

    def expand(self, request: str) -> str:
        """``request`` with ``{name}``, ``{In[n]}``, ``{Out[n]}`` and ``{Err[n]}`` put in
        (``session/interpolation.py``), as jupyter-ai's magics do."""

        def error_of(count: int) -> str | None:
            for cell in reversed(self.transcript.code_cells()):
                if cell.execution_count == count:
                    errors = [o for o in cell.outputs if isinstance(o, ErrorOutput)]
                    return f"{errors[-1].ename}: {errors[-1].evalue}" if errors else None
            return None

        return interpolate(request, self._shell.user_ns, error_of)

    def recall(self, request: str) -> ProposalItem | None:
        """The proposal this very request already brought (Run All runs every ``%ai``
        cell again): from this session, else from the project's recent sessions, where
        it is recorded into this one as a recalled exchange (no model is asked, nothing
        is paid). None when the request is new or its proposal was rejected."""
        for exchange in reversed(list(self.transcript.exchanges.values())):
            if exchange.request_text == request and exchange.proposal_id:
                item = self.transcript.proposals.get(exchange.proposal_id)
                if item is not None and item.proposal.state is not ProposalState.REJECTED:
                    return item
        earlier = self._earlier_answer(request)
        if earlier is None:
            return None
        source, sent, made = earlier
        request_id, proposal_id = new_id(), new_id()
        for event in (
            dataclasses.replace(sent, request_id=request_id),
            ReplyStreamed(request_id, f"(Recalled from session {source}: not asked again.)\n"),
            ReplyFinished(request_id, cost_usd=0.0),
            dataclasses.replace(made, proposal_id=proposal_id, request_id=request_id),
        ):
            self._record(event)
        return self.transcript.proposals[proposal_id]

    def _earlier_answer(self, request: str) -> tuple[str, RequestSent, ProposalMade] | None:
        """The newest proposal an identical request made in a recent session."""
        for info in self._ledger.sessions()[:RECALL_SESSIONS]:
            if info.id == self.id:
                continue
            sent: RequestSent | None = None
            found: tuple[str, RequestSent, ProposalMade] | None = None
            for entry in self._ledger.entries(info.id):
                event = entry.event
                if isinstance(event, RequestSent):
                    sent = event if event.request == request else None
                elif (
                    isinstance(event, ProposalMade) and sent and event.request_id == sent.request_id
                ):
                    found = (info.id, sent, event)
                elif (
                    isinstance(event, ProposalRejected)
                    and found
                    and event.proposal_id == found[2].proposal_id
                ):
                    found = None
            if found is not None:
                return found
        return None

    def offered(self, proposal_id: str) -> None:
        """The front end put this proposal into the next input: the cells the human runs
        from now on are judged against it by the origin rule (``core/origin.py``)."""
        self._offered = self.proposal(proposal_id).proposal.id

    # -- promotion ----------------------------------------------------------------------

    def promote_draft(self, draft: PromotionDraft, explanation: str | None) -> Promotion:
        """Write the draft (gate, atomic write, fresh-interpreter import), record it and its
        provenance, then re-import the module here and record how it compares."""
        promotion = self._promoter.write(draft, explanation)
        if self._record_promotion(promotion):
            result = reload_promoted(
                self._shell.user_ns, draft.module_name, list(draft.symbols), self._module_paths
            )
            self._record_reload(promotion, reload_report(draft.module_name, result))
        return promotion

    # -- settings, closing --------------------------------------------------------------

    def configure(self, name: str, value: object, source: str) -> object:
        """Set one of ``SETTING_NAMES`` for this session, as set at ``source`` (None or ""
        unsets it); returns the value as the setting holds it (``"on"`` → True).
        ``SettingError`` if it does not fit, and nothing changes."""
        checked = check_setting(name, value, source)
        given = {other: kept for other, kept in self._given.items() if other != name}
        if checked is not None:
            given[name] = Given(checked, source)
        settings = read_settings(self.project_root, given)  # may refuse: nothing changes
        self._given = given
        self._promoter.settings = settings.promotion()
        if name == "hint":
            self.hint_mode = settings.hint
        return checked

    def close(self) -> None:
        """Record the end, close the AI's connections and the ledger (idempotent)."""
        if self._closed:
            return
        if self._printed is not None:
            self._printed.stop()
        with contextlib.suppress(Exception):
            self._record_closed()
        self._closed = True
        if self._loop is not None:
            for agent in self._agents.values():
                with contextlib.suppress(Exception):
                    self._loop.wait(agent.aclose(), timeout=5.0)
            self._loop.close()
        self._ledger.close()

    # -- inside -------------------------------------------------------------------------

    def _agent(self, settings: Settings) -> Agent:
        """The agent for ``settings``' provider: made once, kept for the session."""
        key = (
            settings.provider,
            settings.model,
            settings.base_url,
            settings.replay,
            settings.api_key,
            settings.timeout,
            settings.max_tokens,
        )
        if key not in self._agents:
            self._agents[key] = settings.make_agent()  # SettingError if it cannot be made
        return self._agents[key]

    def _agent_loop(self) -> _AgentLoop:
        if self._loop is None:
            self._loop = _AgentLoop()
        return self._loop


class _AgentLoop:
    """A private asyncio loop in a daemon thread, where the agent's coroutines run.

    One loop for the whole session: the SDK clients an agent makes belong to the loop
    they were first used on. The caller's thread waits for each coroutine, calling
    ``drain`` often (to show streamed text), and stays interruptible meanwhile.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="pairrepl-agent", daemon=True
        )
        self._thread.start()
        self._pending: Any = None

    def wait(
        self,
        coroutine: Coroutine[Any, Any, T],
        *,
        drain: Callable[[], None] | None = None,
        timeout: float | None = None,
    ) -> T:
        self._pending = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return self.finish(timeout=timeout, drain=drain)  # type: ignore[no-any-return]

    def finish(self, *, timeout: float | None, drain: Callable[[], None] | None) -> Any:
        """Wait for the coroutine ``wait`` started; cancel it if ``timeout`` passes."""
        future = self._pending
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                result = future.result(timeout=0.05)
            except TimeoutError:
                if drain is not None:
                    drain()
                if deadline is not None and time.monotonic() > deadline:
                    future.cancel()
                    raise
                continue
            if drain is not None:
                drain()
            return result

    def start(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coroutine`` on the loop and return at once (nobody waits for it here)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def call(self, function: Callable[[], object]) -> None:
        self._loop.call_soon_threadsafe(function)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5.0)
        if not self._thread.is_alive():
            self._loop.close()


def sent_by_the_app(shell: Any) -> bool:
    """The request being handled came from a front end that drives this kernel and
    records its own cells (the pairrepl app said so when it connected): its cells are
    not this session's to record, and its magics would open a second ledger."""
    return drivers.sent_by_driver(shell)


def opens_when_loaded(shell: Any) -> bool:
    """Whether loading the magics opens the session at once: yes when a human asked for
    it (``%load_ext pairrepl`` in IPython or a notebook). Loaded by the kernel's launcher
    (the "pairrepl" kernelspec, before any request) or at the app's request, the session
    waits for the first cell of another front end, so that a kernel only the app drives
    keeps no ledger of its own (the app records its cells)."""
    return not (drivers.starting(shell) or drivers.sent_by_driver(shell))


def is_own_cell(code: str) -> bool:
    """A cell made only of pairrepl's magics (``%ai ...``, ``%%ai``, ``%promote``,
    ``%load_ext pairrepl``): the human's commands to pairrepl, not code to record."""
    lines = [line.strip() for line in code.strip().splitlines() if line.strip()]
    if not lines:
        return True
    if lines[0].startswith("%%ai"):
        return True
    for line in lines:
        if not line.startswith("%") or line.startswith("%%"):
            return False
        words = line[1:].split()
        if not words:
            return False
        if words[0] in OWN_MAGICS:
            continue
        if words[0] in _EXTENSION_COMMANDS and words[1:2] == ["pairrepl"]:
            continue
        return False
    return True


def _drain(pieces: queue.SimpleQueue[str], show: Callable[[str], None]) -> None:
    while True:
        try:
            text = pieces.get_nowait()
        except queue.Empty:
            return
        show(text)


def _status(error: BaseException | None) -> ExecutionStatus:
    if error is None:
        return ExecutionStatus.OK
    if isinstance(error, KeyboardInterrupt):
        return ExecutionStatus.INTERRUPTED
    return ExecutionStatus.ERROR


def _error_output(error: BaseException) -> ErrorOutput:
    lines = traceback.format_exception(error)
    return ErrorOutput(
        type(error).__name__,
        str(error),
        tuple(lines[-TRACEBACK_LINES:]),
    )
