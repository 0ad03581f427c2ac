"""``%load_ext pairrepl``: the propose → run → inspect → promote loop as IPython magics.

A thin front end: each magic parses its arguments into a typed object and calls the
in-kernel session (``pairrepl.session.in_kernel``); no business logic here.

- ``%ai [--provider P] [--model M] [--hint] REQUEST`` and ``%%ai`` (the request in the
  cell body): ask the AI. The proposal goes into the *next input* (``set_next_input``:
  in JupyterLab a new cell below, in terminal IPython the next prompt). It never runs
  (invariant AI-NEVER-EXECUTES-CODE).
- ``%proposals``, ``%accept [ID]``, ``%reject [ID] [--why REASON]``.
- ``%promote [--to FILE] [--test [MODULE.py]] [--why "..."] [--diff] [--replace] [--force]
  [CELL]``, ``%promote --undo [ID]``.
- ``%pairrepl_config`` shows the settings and where each comes from;
  ``%pairrepl_config name=value ...`` sets them for this session. They are also the
  magics' traits, as IPython's own magics' are: ``%config PairreplMagics.model = "..."``,
  or ``c.PairreplMagics.model = "..."`` in ``ipython_config.py``
  (``pairrepl.session.settings`` says which setting wins over which).

The session watches the human's cells through IPython's ``pre_run_cell`` and
``post_run_cell`` events. Nothing here may kill the kernel: a failure is a one-line
``UsageError`` in the cell's output (no traceback), and a failing cell hook prints a
warning and lets the cell be.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import re
import shlex
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.core.error import StdinNotImplementedError, UsageError
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    line_magic,
    magics_class,
    no_var_expand,
)
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import Bool, Float, Int, TraitError, TraitType, Unicode, observe, validate

import pairrepl
from pairrepl.core.events import LedgerEntry, ReplyStreamed
from pairrepl.core.transcript import NoticeItem, ProposalItem
from pairrepl.frontend.usage import usage_words
from pairrepl.session import SessionError
from pairrepl.session.in_kernel import (
    InKernelSession,
    is_own_cell,
    opens_when_loaded,
    sent_by_the_app,
)
from pairrepl.session.panel import COMM_TARGET, PanelProtocol
from pairrepl.session.promotion import (
    REPLACE,
    SHADOW,
    TARGET,
    ConfirmationNeeded,
    NothingToPromote,
)
from pairrepl.session.settings import (
    DEFAULT,
    PROVIDER_NAMES,
    SETTING_NAMES,
    Given,
    check_setting,
    expected,
)

F = TypeVar("F", bound=Callable[..., Any])

RAW_LINES = 20  # of a refused reply, shown under the error (all of it is in the ledger)
AI_FLAGS_WITH_VALUE = ("--provider", "--model", "--replay")
AI_USAGE = (
    f"%ai [--provider {'|'.join(PROVIDER_NAMES)}] [--model NAME] [--replay SCRIPT] [--hint] "
    "[--again] REQUEST  (or %%ai [flags] with the request in the cell; %ai --help)"
)
AI_HELP = """\
%ai [flags] REQUEST         ask the AI for one small cell; it goes into the next input
%%ai [flags]                the same, with the request in the cell's body

  --provider NAME   <providers>, for this request   %ai --provider openai tidy $df
  --model NAME      another model of the provider                   %ai --model gpt-5.4 why is this slow?
  --replay SCRIPT   play a recorded script (no model, no key)       %ai --replay demo.replay.json hi
  --hint            hints and questions, no code                    %ai --hint how do I group by month?
  --again           ask anew even if this exact request was answered before
  --help            this text

In a request:
  $name             a fuller view of the live object name           %ai plot $prices by week
  {name}            name's value, as text                           %ai explain {threshold}
  {In[3]} {Out[3]}  the code / the result of cell 3                 %ai why does {In[3]} give {Out[3]}?
  {Err[3]}          the error cell 3 raised                         %ai fix {Err[3]}

Run All runs an %ai cell again: an unchanged request shows the proposal it already made
(from this session or a recent one) instead of asking and inserting it again.
Then: run the proposal, %accept, %promote; %proposals lists them; %pairrepl_config."""
AI_HELP = AI_HELP.replace("<providers>", " | ".join(PROVIDER_NAMES))  # the registry's
#: Where a setting comes from when IPython's configuration set it (ipython_config.py, a
#: --PairreplMagics.name=value option), when %config set it, and when %pairrepl_config did.
FROM_IPYTHON_CONFIG = "IPython config"
FROM_CONFIG_MAGIC = "%config"
FROM_PAIRREPL_CONFIG = "%pairrepl_config"
STREAM_REFRESH_S = 0.25  # how often a streaming reply's Markdown is redrawn in a notebook


@dataclasses.dataclass(frozen=True)
class AiRequest:
    request: str
    provider: str | None = None
    model: str | None = None
    hint: bool | None = None
    replay: str | None = None
    again: bool = False
    help: bool = False


def parse_ai(line: str, cell: str | None = None) -> AiRequest:
    """Leading flags, then the request verbatim. (Not ``magic_arguments``: a request is
    free text, and its apostrophes would break shell-style splitting.)"""
    values: dict[str, str] = {}
    hint: bool | None = None
    switches: set[str] = set()
    rest = line.strip()
    while rest.startswith(("--", "-h")):
        word, _, after = rest.partition(" ")
        name, equals, value = word.partition("=")
        if name in ("--help", "-h"):
            return AiRequest("", help=True)
        if name in ("--hint", "--again"):
            switches.add(name)
            rest = after.strip()
            continue
        if name not in AI_FLAGS_WITH_VALUE:
            raise UsageError(f"Unknown option {name}. Usage: {AI_USAGE}")
        if not equals:
            value, _, after = after.strip().partition(" ")
        if not value:
            raise UsageError(f"{name} needs a value. Usage: {AI_USAGE}")
        values[name[2:]] = value
        rest = after.strip()
    request = "\n".join(part for part in (rest, (cell or "").strip()) if part)
    if not request:
        raise UsageError(f"Ask something. Usage: {AI_USAGE}")
    return AiRequest(
        request,
        values.get("provider"),
        values.get("model"),
        True if "--hint" in switches else hint,
        values.get("replay"),
        again="--again" in switches,
    )


_AI_LINE = re.compile(r"^(?P<indent>[ \t]*)%ai(?P<rest>[ \t].*)?$")


def ai_question_mark(lines: list[str]) -> list[str]:
    """An input transformer: ``%ai what now?`` stays a request. Without it IPython reads a
    line ending in ``?`` as a help query (``%pinfo now``), and a question is the most
    natural thing to end a request with."""
    changed = []
    for line in lines:
        match = _AI_LINE.match(line.rstrip("\r\n"))
        if match and line.rstrip().endswith("?"):
            rest = (match["rest"] or "").strip()
            line = f"{match['indent']}get_ipython().run_line_magic('ai', {rest!r})\n"
        changed.append(line)
    return changed


def parse_flags(magic: Any, line: str) -> Any:
    """A magic's ``@argument`` flags, split as a shell would (so ``--why "it's the sum"``
    arrives without its quotes; IPython's own ``parse_argstring`` keeps them)."""
    try:
        words = shlex.split(line)
    except ValueError as error:
        raise UsageError(f"{error} in: {line}") from None
    return magic.parser.parse_args(words)


def confirmations_from(args: Any) -> list[str]:
    """The yeses `%promote --replace` / `--force` give to a draft."""
    return ([REPLACE] if args.replace else []) + ([SHADOW, TARGET] if args.force else [])


def promote_refusal_text(refusal: SessionError) -> str:
    """A draft's refusal, with the flag that answers it in this front end."""
    if isinstance(refusal, ConfirmationNeeded):
        flags = (["--replace"] if REPLACE in refusal.needed else []) + (
            ["--force"] if {SHADOW, TARGET} & set(refusal.needed) else []
        )
        return f"{refusal.message} (%promote {' '.join(flags)})"
    if isinstance(refusal, NothingToPromote) and refusal.as_test_instead:
        return f"{refusal} (%promote --test)"
    return str(refusal)


def _friendly(method: F) -> F:
    """Turn what can go wrong into a one-line message in the cell output; never a
    traceback, never a dead kernel."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except UsageError:
            raise
        except SessionError as error:
            raise UsageError(str(error)) from None
        except KeyboardInterrupt:
            raise
        except Exception as error:
            raise UsageError(
                f"pairrepl failed: {type(error).__name__}: {error}. The kernel and your "
                "variables are fine; this is a pairrepl bug worth reporting."
            ) from None

    return wrapper  # type: ignore[return-value]


def _setting(trait: type[TraitType[Any, Any]], name: str) -> Any:
    """The trait for setting ``name``: None (the default) leaves it to the environment,
    the project and the user's file."""
    return trait(None, allow_none=True, help=f"{name}: {expected(name)} (None: not set here)").tag(
        config=True
    )


@magics_class
class PairreplMagics(Magics):
    """The magics, bound to one in-kernel session (or to why it could not start). The
    session opens at load, or, in a kernel the launcher or the app loaded them into, at
    the first cell (or magic, or panel) of a front end that does not drive the kernel.

    Its traits are the settings this session sets above the environment's, as IPython's
    own magics are configured (``%config``, ``ipython_config.py``): each value is checked
    when it is set (a bad one is refused, in one line, and the trait keeps its value) and
    handed to the session with where it came from.
    """

    provider = _setting(Unicode, "provider")
    model = _setting(Unicode, "model")
    base_url = _setting(Unicode, "base_url")
    replay = _setting(Unicode, "replay")
    timeout = _setting(Float, "timeout")
    max_tokens = _setting(Int, "max_tokens")
    context_budget = _setting(Int, "context_budget")
    promote_to = _setting(Unicode, "promote_to")
    explain_back = _setting(Bool, "explain_back")
    hint = _setting(Bool, "hint")
    profile = _setting(Unicode, "profile")
    person = _setting(Unicode, "person")

    _made = False  # while IPython's configuration is applied: the session checks it later

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)  # the traits take what IPython's configuration sets
        self.session: InKernelSession | None = None
        self.problem: str | None = None
        self._notices: list[str] = []
        self._hook_failed = False
        self._closed = False
        #: where each trait that is set was set; who sets one now, while it is being set
        self._set_from = {
            name: f"{FROM_IPYTHON_CONFIG} PairreplMagics.{name}"
            for name in SETTING_NAMES
            if getattr(self, name) is not None
        }
        self._setting_from = FROM_CONFIG_MAGIC
        self._made = True

    def open_session(self) -> InKernelSession | None:
        """The session, opened now if it is not yet, with the settings the traits hold;
        None (and ``problem`` says why) when it cannot open. Never raises."""
        if self.session is None and self.problem is None and not self._closed:
            given = {
                name: Given(getattr(self, name), source) for name, source in self._set_from.items()
            }
            try:
                self.session = InKernelSession.open(self.shell, given=given)
            except Exception as error:  # an unreadable setting, a read-only project folder
                self.problem = (
                    f"pairrepl could not start its session here ({error}). The magics will "
                    "say so until it is fixed; then run %reload_ext pairrepl."
                )
                self._notices.append(self.problem)
        return self.session

    @validate(*SETTING_NAMES)
    def _check_setting(self, proposal: Any) -> Any:
        """A setting set by ``%config`` or ``%pairrepl_config``: checked (by the session,
        which keeps it, once it is open), as a ``TraitError`` so that traitlets keeps the
        old value if it does not fit."""
        if not self._made:
            return proposal.value
        name, source = proposal.trait.name, self._setting_from
        try:
            if self.session is None:
                value = check_setting(name, proposal.value, source)
            else:
                value = self.session.configure(name, proposal.value, source)
        except SessionError as error:
            raise TraitError(str(error)) from None
        self._set_from[name] = source
        return value

    @observe(*SETTING_NAMES)
    def _unset_setting(self, change: Any) -> None:
        """None unsets a setting (traitlets does not validate None: it comes here)."""
        if change.new is None and self._made:
            self._set_from.pop(change.name, None)
            if self.session is not None:
                self.session.configure(change.name, None, self._setting_from)

    # -- the cell hooks -------------------------------------------------------------------

    def pre_run_cell(self, info: Any) -> None:
        if sent_by_the_app(self.shell):
            return  # the app records the cells it sends
        if self.session is None and not is_own_cell(info.raw_cell):
            self.open_session()
        self._show_notices()
        session = self.session
        if session is not None:
            self._guarded(lambda: session.cell_started(info.raw_cell))

    def post_run_cell(self, result: Any) -> None:
        session = self.session
        if session is not None:
            error = result.error_before_exec or result.error_in_exec
            self._guarded(
                lambda: session.cell_finished(result.execution_count, error, result.result)
            )

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as error:  # the human's cell must go on whatever pairrepl does
            if not self._hook_failed:
                self._hook_failed = True
                print(
                    f"pairrepl: could not record this cell ({type(error).__name__}: {error}); "
                    "your code ran as usual.",
                    file=sys.stderr,
                )

    def _show_notices(self) -> None:
        while self._notices:
            print(f"pairrepl: {self._notices.pop(0)}", file=sys.stderr)

    def _session(self) -> InKernelSession:
        if sent_by_the_app(self.shell):
            raise UsageError(
                "this kernel is driven by the pairrepl app, which records its cells: ask "
                "the AI, accept and promote there."
            )
        session = self.open_session()
        self._notices.clear()
        if session is None:
            raise UsageError(
                self.problem or "pairrepl's session stopped; run %reload_ext pairrepl."
            )
        return session

    # -- the AI ---------------------------------------------------------------------------

    @line_cell_magic
    @no_var_expand  # "$name" is for the AI (a view of that object), not for IPython to expand
    @_friendly
    def ai(self, line: str, cell: str | None = None) -> None:
        """Ask the AI for a small cell; it goes into the next input, never runs.

        %ai [--provider NAME] [--model NAME] [--replay SCRIPT] [--hint] REQUEST
        %%ai [flags]   (the request is the cell body)

        The providers: those of pairrepl's registry (%ai --help lists them).

        ``$name`` in the request shows the AI a fuller view of that live object.
        """
        asked = parse_ai(line, cell)
        if asked.help:
            print(AI_HELP)
            return
        session = self._session()
        request = session.expand(asked.request)
        recalled = None if asked.again else session.recall(request)
        if recalled is not None:
            self._show_proposal(session, recalled, "recalled, not asked again (--again asks anew)")
            if not self._in_jupyter:  # a notebook already holds the cell inserted the first time
                self._offer(session, recalled.proposal.id, recalled.proposal.code)
            return
        view = _ReplyView(markdown=self._in_jupyter)

        def show(entry: LedgerEntry, _item: object) -> None:
            if isinstance(entry.event, ReplyStreamed):
                view.add(entry.event.text)

        stop_showing = session.subscribe(show)
        try:
            reply = session.ask(
                request,
                provider=asked.provider,
                model=asked.model,
                replay=asked.replay,
                hint=asked.hint,
            )
        finally:
            stop_showing()
            view.finish()
        exchanges = list(session.transcript.exchanges.values())
        usage = usage_words(exchanges[-1]) if exchanges else ""
        if reply.error:
            if reply.raw:
                lines = reply.raw.strip().splitlines()
                more = f"\n… ({len(lines) - RAW_LINES} more lines in the ledger)"
                print("\n".join(lines[:RAW_LINES]) + (more if len(lines) > RAW_LINES else ""))
            raise UsageError(f"{reply.error} ({usage}; nothing was proposed)")
        if reply.refusal:
            print(f"The model declined: {reply.refusal} ({usage})")
            return
        item = session.latest_proposal()
        if reply.proposal is None or item is None:
            print(f"[no proposal; {usage}; {reply.model}]")
            return
        self._show_proposal(session, item, f"{usage} · {reply.model}")
        self._offer(session, item.proposal.id, reply.proposal.code)

    @property
    def _in_jupyter(self) -> bool:
        """A Jupyter kernel (a notebook, Lab, jupyter console), not terminal IPython."""
        return getattr(self.shell, "kernel", None) is not None

    @staticmethod
    def _show_proposal(session: InKernelSession, item: ProposalItem, about: str) -> None:
        if item.proposal.rationale:
            print(f"Why: {item.proposal.rationale}")
        print(
            f"[proposal {item.proposal.id} · {about}] It is in the next input: read it, run "
            "it, then %accept and %promote."
        )

    def _offer(self, session: InKernelSession, proposal_id: str, code: str) -> None:
        session.offered(proposal_id)
        assert self.shell is not None
        self.shell.set_next_input(code, replace=False)

    @line_magic
    @_friendly
    def proposals(self, line: str) -> None:
        """The AI's proposals in this session, oldest first, with their states."""
        session = self._session()
        items = list(session.transcript.proposals.values())
        if not items:
            print("No proposals yet: ask with %ai.")
            return
        from pairrepl.frontend.render import proposals_table

        print("\n".join(proposals_table(items)))

    @line_magic
    @_friendly
    def accept(self, line: str) -> None:
        """%accept [ID]: keep a proposal that ran without error (default: the newest)."""
        session = self._session()
        item = session.accept(line.strip() or None)
        target = session.promotion_settings.default_target  # [tool.pairrepl] promote_to
        how = (
            f"%promote (into {target}) or %promote --to FILE.py"
            if target
            else "%promote --to FILE.py"
        )
        print(f"Accepted {item.proposal.id}. Promote it with {how}.")

    @line_magic
    @no_var_expand
    @magic_arguments()
    @argument("proposal", nargs="?", help="the proposal id (default: the newest)")
    @argument("--why", help="why not: the AI sees it with the next request")
    @_friendly
    def reject(self, line: str) -> None:
        """Turn a proposal down."""
        args = parse_flags(self.reject, line)
        item = self._session().reject(args.proposal, args.why)
        print(f"Rejected {item.proposal.id}.")

    # -- promotion -------------------------------------------------------------------------

    @line_magic
    @no_var_expand  # the human's words in --why are kept as typed
    @magic_arguments()
    @argument(
        "cell", nargs="?", help="In[n], n or a proposal id (default: the newest cell that ran OK)"
    )
    @argument("--to", metavar="FILE", help="the .py file, relative to the project root")
    @argument(
        "--test",
        nargs="?",
        const=True,
        default=False,
        metavar="MODULE.py",
        help="promote a cell of asserts as a pytest test of MODULE.py (default: the module "
        "its names were promoted into)",
    )
    @argument("--why", metavar='"..."', help="what the code does, in your own words")
    @argument("--diff", action="store_true", help="show what would be written; write nothing")
    @argument("--replace", action="store_true", help="yes: replace definitions the file has")
    @argument(
        "--force",
        action="store_true",
        help="yes: a new name may hide an import or a builtin, a new file's name a module",
    )
    @argument("--undo", nargs="?", const="", metavar="ID", help="undo a promotion (the last)")
    @_friendly
    def promote(self, line: str) -> None:
        """Write the definitions of code that ran without error into a project file."""
        args = parse_flags(self.promote, line)
        session = self._session()
        if args.undo is not None:
            undone = session.undo_promotion(args.undo or None)
            print(f"Undone: {undone.target} is back as it was before that promotion.")
            return
        cell, under_test = args.cell, None
        if isinstance(args.test, str):  # `--test mod.py`, or `--test 3` (the cell)
            if args.test.endswith(".py"):
                under_test = args.test
            elif cell is None:
                cell = args.test
            else:
                raise UsageError(
                    f"--test takes the module under test (a .py file), not {args.test!r}."
                )
        draft = session.draft_promotion(
            cell,
            target=args.to,
            as_test=args.test is not False,
            under_test=under_test,
        ).confirming(*confirmations_from(args))
        refusal = draft.refusal
        if args.diff and (refusal is None or isinstance(refusal, ConfirmationNeeded)):
            print(draft.plan.diff)
            if refusal is not None:
                print(promote_refusal_text(refusal))
            return
        if refusal is not None:
            raise UsageError(promote_refusal_text(refusal))
        explanation = args.why
        if draft.needs_explanation and not (explanation or "").strip():
            explanation = self._ask_explanation()
        promotion = session.promote_draft(draft, explanation)
        print(promotion.message)
        report = session.reload_report_of(promotion.id)
        if report:
            print(report)
        print(f"Undo with: %promote --undo {promotion.id}")

    def _ask_explanation(self) -> str:
        prompt = "This is the AI's code, verbatim. In your own words, what does it do? "
        try:
            return input(prompt)
        except (StdinNotImplementedError, EOFError, OSError, RuntimeError):
            raise UsageError(
                "This is the AI's code, verbatim: say in your own words what it does, with "
                '%promote --why "..." (this front end cannot ask for input).'
            ) from None

    # -- settings -------------------------------------------------------------------------

    @line_magic
    @_friendly
    def pairrepl_config(self, line: str) -> None:
        """%pairrepl_config: show the settings and where each comes from.
        %pairrepl_config name=value ...: set them for this session (an empty value goes
        back to the environment's, the project's or the user's file's). The same as
        %config PairreplMagics.name = value."""
        session = self._session()
        for pair in line.split():
            name, equals, value = pair.partition("=")
            if not equals:
                raise UsageError(
                    f"Use name=value (names: {', '.join(SETTING_NAMES)}), not {pair!r}."
                )
            checked = check_setting(name, value, FROM_PAIRREPL_CONFIG)  # "on" → True, ...
            self._setting_from = FROM_PAIRREPL_CONFIG
            try:
                setattr(self, name, checked)
            except TraitError as error:
                raise UsageError(str(error)) from None
            finally:
                self._setting_from = FROM_CONFIG_MAGIC
        settings = session.current_settings()
        problem = settings.provider_problem() if settings.provider else None
        rows = [
            ("session", f"{session.id} (pairrepl {pairrepl.__version__})"),
            ("project", str(session.project_root)),
            ("ledger", str(session.ledger_path)),
            ("AI", settings.describe_provider() + (f"  ({problem})" if problem else "")),
        ]
        for name in SETTING_NAMES:
            current = session.hint_mode if name == "hint" else getattr(settings, name)
            source = settings.source_of(name)
            rows.append((name, _shown(current) + (f"  ({source})" if source != DEFAULT else "")))
        for name, text in rows:
            print(f"{name:<15}{text}")

    # -- closing ---------------------------------------------------------------------------

    def close(self) -> None:
        self._closed = True
        if self.session is not None:
            self.session.close()
            self.session = None


class _ReplyView:
    """The AI's prose as it streams: printed as it comes in a terminal; in a notebook one
    Markdown output, redrawn every ``STREAM_REFRESH_S`` (not a stdout fragment per piece)."""

    def __init__(self, *, markdown: bool) -> None:
        self._markdown = markdown
        self._text = ""
        self._handle: Any = None
        self._drawn_at = 0.0

    def add(self, text: str) -> None:
        self._text += text
        if not self._markdown:
            print(text, end="", flush=True)
        elif time.monotonic() - self._drawn_at >= STREAM_REFRESH_S:
            self._draw()

    def finish(self) -> None:
        if self._markdown and self._text.strip():
            self._draw()
        elif not self._markdown and self._text and not self._text.endswith("\n"):
            print()

    def _draw(self) -> None:
        from IPython.display import display

        bundle = {"text/markdown": self._text, "text/plain": self._text}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)
        self._drawn_at = time.monotonic()


def load_ipython_extension(ip: Any) -> None:
    if ip.magics_manager.registry.get(PairreplMagics.__name__) is not None:
        return  # loaded already (by the kernelspec, then by %load_ext)
    magics = PairreplMagics(ip)
    session = magics.open_session() if opens_when_loaded(ip) else None
    ip.register_magics(magics)
    ip.configurables.append(magics)  # %config PairreplMagics, as for IPython's own
    ip.input_transformers_cleanup.append(ai_question_mark)
    ip.events.register("pre_run_cell", magics.pre_run_cell)
    ip.events.register("post_run_cell", magics.post_run_cell)
    _register_panel(ip, magics)
    atexit.register(magics.close)
    if session is not None:
        print(
            f"pairrepl {pairrepl.__version__}: session {session.id} in {session.project_root}. "
            "%ai to ask, %proposals, %accept, %promote; %pairrepl_config for settings."
        )
        for item in session.transcript.items:  # at the start: interrupted promotions settled
            if isinstance(item, NoticeItem):
                print(item.text)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "-" if value is None else str(value)


def _comm_manager(ip: Any) -> Any:
    """The kernel's comm manager; None in terminal IPython (no panel to talk to)."""
    kernel = getattr(ip, "kernel", None)
    return getattr(kernel, "comm_manager", None)


def _register_panel(ip: Any, magics: PairreplMagics) -> None:
    """The JupyterLab panel opens a comm to ``pairrepl``: answer it with this session."""
    manager = _comm_manager(ip)
    if manager is None:
        return

    def opened(comm: Any, message: Any) -> None:
        session = magics.open_session()
        if session is None:
            comm.send({"event": "unavailable", "error": magics.problem or "no session"})
            comm.close()
            return
        panel = PanelProtocol(session, comm.send)
        # ipykernel 7.4+ sends a comm's messages from the front end to the shell that
        # last sent on that comm (for a widget a cell waits on): after a cell pushed the
        # panel its state, every request would wait for the next cell. The panel says
        # where each request goes (a subshell, or the main shell: session/panel.py).
        comm._reply_subshell_for = lambda _data, addressed_to: addressed_to
        comm.on_msg(lambda msg: panel.handle(msg["content"].get("data")))
        comm.on_close(lambda msg: panel.close())
        panel.opened()

    manager.register_target(COMM_TARGET, opened)


def unload_ipython_extension(ip: Any) -> None:
    magics = ip.magics_manager.registry.pop(PairreplMagics.__name__, None)
    if not isinstance(magics, PairreplMagics):
        return
    manager = _comm_manager(ip)
    if manager is not None and COMM_TARGET in getattr(manager, "targets", {}):
        manager.unregister_target(COMM_TARGET, None)
    for event, callback in (
        ("pre_run_cell", magics.pre_run_cell),
        ("post_run_cell", magics.post_run_cell),
    ):
        if callback in ip.events.callbacks[event]:
            ip.events.unregister(event, callback)
    if ai_question_mark in ip.input_transformers_cleanup:
        ip.input_transformers_cleanup.remove(ai_question_mark)
    for kind, names in magics.magics.items():
        for name in names:
            ip.magics_manager.magics[kind].pop(name, None)
    if magics in ip.configurables:
        ip.configurables.remove(magics)
    atexit.unregister(magics.close)
    magics.close()
