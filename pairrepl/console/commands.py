"""The console's commands: a line that starts with ``:`` (never Python, never IPython).

One table (``COMMANDS``) makes both the dispatch and ``:help``. Each command is a thin
call into the session; a refusal (``SessionError``) or a command typed wrong
(``CommandError``) is said in one line by the console, never raised further.
Proposals are named by id (a prefix of four characters or more; ``#3f2a`` as shown
works too), cells as ``In[n]`` or ``n``; without one, the proposal open to a decision
(as the app's keys, ``frontend/entry.py``) or the newest fitting cell.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.transcript import ProposalItem
from pairrepl.errors import PairreplError
from pairrepl.frontend.entry import current_proposal
from pairrepl.frontend.render import proposals_table
from pairrepl.session.blame import BlameError, blame_file
from pairrepl.session.promotion import REPLACE, SHADOW, TARGET, ConfirmationNeeded

if TYPE_CHECKING:
    from pairrepl.console.repl import Console

KEYS_HELP = (
    "Enter runs complete code (else adds a line) · Escape Enter adds a line · Tab completes "
    "(indents at the start of a line) · Up/Down and Ctrl+R: history · obj? and obj?? show "
    "help · /question asks the AI · Ctrl+C interrupts · Ctrl+D leaves"
)


class CommandError(PairreplError):
    """A command typed wrong; the message says how to type it."""


Handler = Callable[["Console", str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    arguments: str  # how its arguments are written, for :help
    summary: str
    do: Handler

    @property
    def usage(self) -> str:
        return f":{self.name} {self.arguments}".rstrip()


COMMANDS: dict[str, Command] = {}


def _command(name: str, arguments: str, summary: str) -> Callable[[Handler], Handler]:
    def register(do: Handler) -> Handler:
        COMMANDS[name] = Command(name, arguments, summary, do)
        return do

    return register


async def run_command(console: Console, line: str) -> None:
    """Do ``line`` (a command without its ``:``)."""
    name, _, rest = line.strip().partition(" ")
    command = COMMANDS.get(name)
    if command is None:
        raise CommandError(f"No command :{name}. :help lists the commands.")
    await command.do(console, rest.strip())


def _reference(reference: str) -> str | None:
    """An id as typed (``#3f2a`` as shown works too); None for none."""
    return reference.strip().removeprefix("#") or None


def _proposal(console: Console, reference: str) -> ProposalItem:
    """The proposal named, or the one open to a decision (``frontend.entry``)."""
    named = _reference(reference)
    if named is not None:
        return console.session.proposal(named)
    item = current_proposal(console.session.transcript)
    if item is None:
        raise CommandError("No proposal is open to a decision: ask the AI first (/question).")
    return item


# -- help ------------------------------------------------------------------------------


@_command("help", "", "this list")
async def _help(console: Console, rest: str) -> None:
    width = max(len(command.usage) for command in COMMANDS.values()) + 2
    for command in COMMANDS.values():
        console.screen.line(command.usage.ljust(width) + command.summary)
    console.screen.line(KEYS_HELP)


@_command("quit", "", "leave; the session is kept (pairrepl console --resume reopens it)")
async def _quit(console: Console, rest: str) -> None:
    console.leaving = True


# -- proposals ---------------------------------------------------------------------------


@_command("proposals", "", "the AI's proposals, oldest first, with their states")
async def _proposals(console: Console, rest: str) -> None:
    items = list(console.session.transcript.proposals.values())
    if not items:
        console.screen.say("No proposals yet: ask with /question.")
        return
    for row in proposals_table(items):
        console.screen.line(row)


@_command("run", "[ID]", "run a proposal as the AI wrote it (default: the open one)")
async def _run(console: Console, rest: str) -> None:
    await console.run_proposal(_proposal(console, rest).proposal.id)


@_command("edit", "[ID]", "edit a proposal, then run your edit (recorded ai-edited if close)")
async def _edit(console: Console, rest: str) -> None:
    console.edit_proposal(_proposal(console, rest).proposal.id)


@_command("accept", "[ID]", "keep a proposal that ran without error")
async def _accept(console: Console, rest: str) -> None:
    console.session.accept(_reference(rest))


@_command("reject", "[#ID] [why]", "turn a proposal down (default: the open one); the AI reads why")
async def _reject(console: Console, rest: str) -> None:
    named, reason = "", rest
    if rest.startswith("#"):
        named, _, reason = rest.partition(" ")
    console.session.reject(_proposal(console, named).proposal.id, reason.strip() or None)


# -- the AI ------------------------------------------------------------------------------


@_command("fix", "[CELL]", "ask the AI about a cell that raised (default: the latest)")
async def _fix(console: Console, rest: str) -> None:
    cells = console.session.transcript.code_cells()
    number = rest.removeprefix("In[").removesuffix("]").strip()
    if number:
        if not number.isdigit():
            raise CommandError("Name the cell as In[n] or n, e.g. :fix 3.")
        found = [cell for cell in cells if cell.execution_count == int(number)]
    else:
        found = [cell for cell in cells if cell.status is ExecutionStatus.ERROR]
    if not found:
        raise CommandError(
            f"No cell In[{number}] in this session."
            if number
            else "No cell has raised: nothing to fix."
        )
    await console.answer(console.session.fix(found[-1].cell_id))


@_command("hint", "", "hint mode on/off: the AI answers with hints and questions, no code")
async def _hint(console: Console, rest: str) -> None:
    if console.session.toggle_hint_mode():
        console.screen.say("Hint mode on: the AI answers with hints and questions, no code.")
    else:
        console.screen.say("Hint mode off: the AI may propose code again.")


@_command("note", "TEXT", "keep a markdown note: never run; the AI reads it")
async def _note(console: Console, rest: str) -> None:
    if not rest:
        raise CommandError("Write the note after :note (markdown; the AI reads it).")
    console.session.add_note(rest)


# -- promotion ---------------------------------------------------------------------------


class _Arguments(argparse.ArgumentParser):
    """argparse that says what is wrong as a ``CommandError`` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(
            f"{message}. Usage: {self.format_usage().strip().removeprefix('usage: ')}"
        )


def _promote_arguments() -> _Arguments:
    parser = _Arguments(prog=":promote", add_help=False)
    parser.add_argument("cell", nargs="?")
    parser.add_argument("--to", metavar="FILE")
    parser.add_argument("--test", action="store_true")
    parser.add_argument("--after", metavar="NAME")
    parser.add_argument("--why", metavar="TEXT")
    parser.add_argument("--replace", action="store_true")
    parser.add_argument("--force", action="store_true")
    return parser


@_command(
    "promote",
    "[CELL] [--to FILE] [--test] [--after NAME] [--why TEXT] [--replace] [--force]",
    "write what a cell that ran OK defines into a project file: the diff first, then asks",
)
async def _promote(console: Console, rest: str) -> None:
    try:
        words = shlex.split(rest)
    except ValueError as error:
        raise CommandError(f"{error} in :promote's arguments.") from None
    args = _promote_arguments().parse_args(words)
    session, screen, lines = console.session, console.screen, console.lines
    draft = session.draft_promotion(
        args.cell, target=args.to, as_test=args.test, place_after=args.after
    )
    screen.draft(draft)  # a refusal is in its summary, in the session's words
    yes = ([REPLACE] if args.replace else []) + ([SHADOW, TARGET] if args.force else [])
    draft = draft.confirming(*yes)
    refusal = draft.refusal
    if refusal is not None and not isinstance(refusal, ConfirmationNeeded):
        return
    question = f"{refusal.what} Promote anyway?" if refusal is not None else "Promote?"
    if not lines.interactive and refusal is not None:
        raise CommandError(f"{refusal.message} (:promote --replace / --force)")
    if lines.interactive and await lines.choice(f"{question} [y]es  [Enter] no", "y") != "y":
        screen.say("Nothing was written.")
        return
    if refusal is not None:
        draft = draft.confirming(*refusal.needed)
    explanation = args.why
    if draft.needs_explanation and not (explanation or "").strip():
        if not lines.interactive:
            raise CommandError(
                "This is the AI's code, verbatim: say in your own words what it does, with "
                ':promote --why "...". Nothing was written.'
            )
        explanation = await lines.line("In your own words, what does this code do? ")
        if not (explanation or "").strip():
            screen.say("Nothing was written: the AI's verbatim code needs your one line.")
            return
    await session.promote_draft(draft, explanation)


@_command("undo", "[ID]", "undo a promotion (default: the last in force)")
async def _undo(console: Console, rest: str) -> None:
    console.session.undo_promotion(_reference(rest))


@_command("blame", "FILE", "who wrote each line of a project file, and the request behind it")
async def _blame(console: Console, rest: str) -> None:
    if not rest:
        raise CommandError("Name the file: :blame path/to/module.py")
    try:
        lines = blame_file(console.session.project_root, rest)
    except BlameError as error:
        raise CommandError(f"Cannot blame {rest}: {error}") from None
    console.screen.blame(lines)


# -- the kernel --------------------------------------------------------------------------


@_command("restart", "", "restart the kernel: its variables are lost, nothing is re-run")
async def _restart(console: Console, rest: str) -> None:
    lines = console.lines
    question = "Restart the kernel? Its variables will be lost. [y]es  [Enter] no"
    if lines.interactive and await lines.choice(question, "y") != "y":
        return
    await console.session.restart()


@_command("rerun", "", "run again, in order, the cells that ran on an earlier kernel")
async def _rerun(console: Console, rest: str) -> None:
    if not console.session.transcript.cells_lost_with_kernel():
        raise CommandError("No cells to re-run: none was lost with a kernel.")
    await console.run_cell(console.session.rerun_lost_cells())


@_command("loaded", "", "run the cells loaded from a notebook (--from), in order")
async def _loaded(console: Console, rest: str) -> None:
    if not console.session.transcript.pending_loaded_cells():
        raise CommandError("No loaded cell is waiting to run.")
    await console.run_cell(console.session.run_all_loaded())
