"""The console's loop: read a statement, do what it says, print what happened.

What the human types is one of: code (run in the kernel, its output streamed into the
scrollback), ``obj?`` / ``obj??`` (the kernel's help, never run), ``/question`` (the AI
answers, streaming; a proposal is printed and followed by one line of choices) or a
``:command`` (``console/commands.py``). Everything goes through ``Session``: the console
decides nothing the app decides differently (the origin of an edited proposal, what may
be accepted or promoted, the completeness of a cell).

Ctrl+C interrupts what is running (a cell, or the AI's reply); at the prompt it drops
what was typed. Ctrl+D (the end of a script) leaves, and the session is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Iterator
from typing import TypeVar

from pairrepl.console.commands import CommandError, run_command
from pairrepl.console.lines import COMMAND_PREFIX, LineReader, Lines, TerminalPrompt
from pairrepl.console.screen import Scrollback, next_count
from pairrepl.core.execution import KernelState
from pairrepl.core.inspection import help_request
from pairrepl.core.proposals import TRANSITIONS, ProposalState
from pairrepl.frontend.entry import as_request, follow_up_prefix
from pairrepl.frontend.render import short_id
from pairrepl.frontend.usage import format_tokens
from pairrepl.session import Session, SessionError

_T = TypeVar("_T")


class Console:
    """One session driven from a line-mode console."""

    def __init__(self, session: Session, lines: Lines, screen: Scrollback) -> None:
        self.session = session
        self.lines = lines
        self.screen = screen
        self.leaving = False
        self._editing: str | None = None  # the proposal the next statement is an edit of
        self._draft = ""  # text the next prompt starts with
        self._running = False
        self._answering = False
        self._interrupting: set[asyncio.Future[None]] = set()

    # -- the loop --------------------------------------------------------------------------

    async def run(self) -> None:
        """Read and do statements until the input ends or ``:quit``."""
        session = self.session
        unsubscribe = session.subscribe(self.screen.on_event)
        session.set_input_handler(self._input)
        with self._interrupts():
            try:
                self._welcome()
                while not self.leaving:
                    text = await self.lines.statement(next_count(session.transcript), self._draft)
                    self._draft = ""
                    if text is None:
                        break
                    await self.handle(text)
            finally:
                unsubscribe()
                self.screen.end_line()

    async def handle(self, text: str) -> None:
        """Do one statement (see the module's doc)."""
        editing, self._editing = self._editing, None
        stripped = text.strip()
        try:
            if not stripped:
                return
            if stripped.startswith(COMMAND_PREFIX):
                await run_command(self, stripped[len(COMMAND_PREFIX) :])
                return
            asked_help = help_request(text) if editing is None else None
            if asked_help is not None:
                await self._help(*asked_help)
                return
            request = as_request(text)
            if request is not None:
                await self.ask(request)
            elif editing is not None:
                await self.run_proposal(editing, text)
            else:
                with self.screen.typed_cells():
                    await self.run_cell(self.session.run(text))
        except (SessionError, CommandError) as error:
            self.screen.say(str(error), "warning")

    def _welcome(self) -> None:
        session = self.session
        transcript = session.transcript
        self.screen.say(
            f"pairrepl console · {session.project_root.name} · session {session.id[:8]} · "
            f"{session.provider_label}. Enter runs complete code, /question asks the AI, "
            ":help lists the commands, Ctrl+D leaves."
        )
        ran = [cell for cell in transcript.code_cells() if cell.loaded_from is None]
        if ran or transcript.proposals:
            self.screen.say(
                f"Resumed: {len(ran)} cells, {len(transcript.proposals)} proposals; "
                "Up/Down and Ctrl+R bring back what ran."
            )
        lost = transcript.cells_lost_with_kernel()
        if lost:
            self.screen.say(
                f"{len(lost)} cell(s) ran on an earlier kernel: :rerun runs them again.", "warning"
            )
        loaded = transcript.pending_loaded_cells()
        if loaded:
            self.screen.loaded(loaded)
            self.screen.say(
                f"{len(loaded)} cell(s) loaded from {loaded[0].loaded_from}, not run: "
                ":loaded runs them in order."
            )

    # -- running -------------------------------------------------------------------------

    async def run_cell(self, running: Awaitable[_T]) -> _T | None:
        """Await a run (Ctrl+C interrupts it); a refusal is said, not raised."""
        self._running = True
        try:
            return await running
        except SessionError as error:
            self.screen.say(str(error), "warning")
            return None
        finally:
            self._running = False
            self.screen.end_line()

    async def run_proposal(self, proposal_id: str, edit: str | None = None) -> None:
        """Run a proposal (or the human's ``edit`` of it: the origin rule decides what
        it counts as), then offer what comes next."""
        running = self.session.run_proposal(proposal_id, edit)
        if edit is None:
            await self.run_cell(running)
        else:
            with self.screen.typed_cells():
                await self.run_cell(running)
        await self.offer(proposal_id)

    def edit_proposal(self, proposal_id: str) -> None:
        """The next statement is the human's edit of the proposal."""
        item = self.session.proposal(proposal_id)
        self._editing = item.proposal.id
        if self.lines.can_prefill:
            self._draft = item.proposal.code.rstrip("\n")
            self.screen.say(
                f"Proposal {short_id(item.proposal.id)} is in the prompt: edit it, Enter runs "
                "your edit."
            )
        else:
            self.screen.say(
                f"The next cell you type is your edit of proposal {short_id(item.proposal.id)}."
            )

    async def _help(self, name: str, detail: int) -> None:
        answer = await self.session.help(name, len(name), detail)
        self.screen.line(answer.error if answer.error else answer.text.rstrip("\n"))

    async def _input(self, prompt: str, password: bool) -> str:
        """A cell waits in ``input()``: ask here; Ctrl+C interrupts the cell instead."""
        self.screen.end_line()
        answer = await self.lines.line(prompt, password=password)
        if answer is None:
            await self.session.interrupt()
            return ""
        return answer

    # -- the AI ----------------------------------------------------------------------------

    async def ask(self, request: str) -> None:
        if not request:
            self.screen.say("Say what to ask after the /.", "warning")
            return
        await self.answer(self.session.ask(request))

    async def answer(self, asking: Awaitable[object]) -> None:
        """Await the AI's reply (Ctrl+C stops it, keeping what arrived), say how it
        ended, and offer its proposal."""
        transcript = self.session.transcript
        before = set(transcript.exchanges)
        if self.session.settings.agent is not None:
            self.screen.asking(self.session.provider_label)
        self._answering = True
        try:
            await asking
        except SessionError as error:
            self.screen.say(str(error), "warning")
        finally:
            self._answering = False
            new = [item for key, item in transcript.exchanges.items() if key not in before]
            if new:
                self.screen.exchange_ended(new[-1])
        if new and new[-1].proposal_id is not None:
            self.screen.proposal(transcript.proposals[new[-1].proposal_id])
            await self.offer(new[-1].proposal_id)

    async def offer(self, proposal_id: str) -> None:
        """One line of choices for a proposal, until the human chooses later (Enter)."""
        item = self.session.proposal(proposal_id)
        choices = proposal_choices(item.proposal.state)
        if not choices:
            return
        if not self.lines.interactive:
            self.screen.say(
                f"Proposal {short_id(proposal_id)} waits: :run, :edit, :accept, :reject [why]."
            )
            return
        line = "  ".join(label for _key, label in choices) + "  [Enter] later"
        key = await self.lines.choice(line, "".join(key for key, _label in choices))
        if key == "r":
            await self.run_proposal(proposal_id)
        elif key == "e":
            self.edit_proposal(proposal_id)
        elif key == "a":
            self.session.accept(proposal_id)
        elif key == "x":
            reason = await self.lines.line("Why not? (the AI reads it next time; Enter skips) ")
            if reason is not None:
                self.session.reject(proposal_id, reason)
        elif key == "f":
            question = await self.lines.line("Follow-up: ")
            if question:
                await self.ask(f"{follow_up_prefix(item)} {question}")

    # -- interrupting ----------------------------------------------------------------------

    def interrupt(self) -> None:
        """Ctrl+C while something runs: stop the AI's reply, or interrupt the cell."""
        self.screen.write("\n")  # after the ^C the terminal echoed
        if self._answering:
            self.session.cancel_reply()
            self.screen.say("Stopping the AI's reply; what arrived is kept.")
        elif self._running or self.session.kernel_state is KernelState.BUSY:
            task = asyncio.ensure_future(self.session.interrupt())
            self._interrupting.add(task)
            task.add_done_callback(self._interrupting.discard)
        elif not self.lines.interactive:
            self.leaving = True  # a script: stop after this statement

    @contextlib.contextmanager
    def _interrupts(self) -> Iterator[None]:
        """SIGINT (Ctrl+C while no prompt reads keys) calls ``interrupt``."""
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self.interrupt)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            yield
            return
        try:
            yield
        finally:
            loop.remove_signal_handler(signal.SIGINT)


def for_terminal(session: Session, *, plain: bool) -> Console:
    """The console on this process's terminal: prompt_toolkit's prompt when standard
    input is a terminal and colour is wanted; plain lines otherwise (``--plain`` typed
    at a terminal, or a script piped in)."""
    screen = Scrollback(sys.stdout, session.transcript, plain=plain)
    lines: Lines
    if sys.stdin.isatty() and not plain:
        lines = TerminalPrompt(session, screen, status=lambda: status_line(session))
    else:
        lines = LineReader(sys.stdin, session, screen, interactive=sys.stdin.isatty())
    return Console(session, lines, screen)


def status_line(session: Session) -> str:
    """Provider, kernel state, hint mode and tokens: the line under the prompt."""
    usage = session.usage()
    parts = [
        session.provider_label,
        f"kernel {session.kernel_state.value}",
        "hint mode on" if session.hint_mode else "hint mode off",
        f"{format_tokens(usage.input_tokens)} in / {format_tokens(usage.output_tokens)} out",
    ]
    if usage.cost_usd:
        parts.append(f"${usage.cost_usd:.4f}")
    return " " + " · ".join(parts) + " "


def proposal_choices(state: ProposalState) -> list[tuple[str, str]]:
    """The keys offered for a proposal in ``state``: the moves its lifecycle allows
    (``core/proposals.py``), accept first once it ran without error."""
    moves = TRANSITIONS[state]
    choices: list[tuple[str, str]] = []
    if ProposalState.ACCEPTED in moves:
        choices.append(("a", "[a]ccept"))
    if ProposalState.RAN_OK in moves:
        again = "" if state is ProposalState.PROPOSED else " again"
        choices += [("r", f"[r]un{again}"), ("e", "[e]dit")]
    if ProposalState.REJECTED in moves and state is not ProposalState.ACCEPTED:
        choices += [("x", "[x] reject"), ("f", "[f]ollow-up")]
    return choices
