"""The ``pairrepl`` command: the app, and the small commands around its ledger.

This is the one place that chooses concrete adapters (which kernel, which ledger) and
hands them to ``Session``. Everything heavy is imported inside the command that needs
it, so ``pairrepl sessions`` does not pay for Textual or jupyter_client.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pairrepl.agent import ProviderConfig
    from pairrepl.kernel import KernelBackend
    from pairrepl.session import PromotionSettings, SessionSettings

SUBCOMMANDS = ("sessions", "export", "doctor", "blame", "report", "install-kernel")


class UsageError(Exception):
    """A mistake in the command line or its arguments; the message says how to fix it."""


def project_root_from(argument: str | None) -> Path:
    if argument is None:
        from pairrepl.ledger import find_project_root

        return find_project_root(Path.cwd())
    root = Path(argument).expanduser()
    if not root.is_dir():
        raise UsageError(f"{argument} is not a folder; give the project folder to work in.")
    return root.resolve()


def app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pairrepl",
        description=(
            "A REPL on a live IPython kernel where the AI proposes and the human runs. "
            "Other commands: 'pairrepl sessions', 'pairrepl export SESSION_ID --to FILE.ipynb', "
            "'pairrepl doctor', 'pairrepl blame FILE', 'pairrepl report', "
            "'pairrepl install-kernel'."
        ),
    )
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    parser.add_argument(
        "--existing",
        metavar="CONNECTION_FILE",
        help="attach to a running kernel (it is left running on exit)",
    )
    add_server_options(parser)
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        metavar="SESSION_ID",
        help="reopen a recorded session (the latest if no id) on a new kernel",
    )
    parser.add_argument(
        "--from",
        dest="notebook",
        metavar="NOTEBOOK",
        help="start with a notebook's cells shown, not run",
    )
    add_provider_options(parser)
    parser.add_argument("--hint", action="store_true", help="start in hint mode (no code)")
    parser.add_argument(
        "--budget",
        type=int,
        metavar="TOKENS",
        help="the most the AI's context may use (default: [tool.pairrepl] context_budget, else 8000)",
    )
    return parser


def add_server_options(parser: argparse.ArgumentParser, *, attach: bool = True) -> None:
    server = parser.add_argument_group(
        "kernel on a Jupyter Server / Enterprise Gateway",
        "the kernel runs there; the app, the ledger and the AI keys stay here",
    )
    server.add_argument("--server", metavar="URL", help="e.g. http://gpu-box:8888 (with base path)")
    server.add_argument("--token", help="the server's token (default: $JUPYTER_TOKEN)")
    server.add_argument(
        "--kernel", metavar="NAME", help="kernelspec to start (default: pairrepl, else python3)"
    )
    if attach:
        server.add_argument(
            "--kernel-id", metavar="ID", help="attach to this running kernel (left running on exit)"
        )


def server_token(options: argparse.Namespace) -> str | None:
    return options.token or os.environ.get("JUPYTER_TOKEN") or None


def check_server_options(options: argparse.Namespace) -> None:
    kernel_id = getattr(options, "kernel_id", None)
    if options.server is None:
        given = [
            flag
            for flag, value in (
                ("--token", options.token),
                ("--kernel", options.kernel),
                ("--kernel-id", kernel_id),
            )
            if value
        ]
        if given:
            raise UsageError(f"{', '.join(given)} only make sense with --server URL.")
        return
    if getattr(options, "existing", None):
        raise UsageError("--existing and --server cannot be used together: choose one kernel.")
    if options.kernel and kernel_id:
        raise UsageError("--kernel starts a new kernel, --kernel-id attaches to one: not both.")


def server_kernel(options: argparse.Namespace) -> KernelBackend:
    from pairrepl.kernel import ServerKernel

    return ServerKernel(
        options.server,
        server_token(options),
        kernel_name=options.kernel,
        kernel_id=options.kernel_id,
    )


def preflight_server(options: argparse.Namespace) -> None:
    """Before the screen opens: the server answers, takes the token, and has the kernelspec
    or kernel asked for. Any problem is a one-line UsageError, never a traceback."""
    import asyncio

    from pairrepl.kernel import KernelUnavailable, ServerApi

    async def check() -> None:
        api = ServerApi(options.server, server_token(options))
        try:
            await api.check()
            if options.kernel_id:
                await api.require_kernel(options.kernel_id)
            else:
                (await api.kernelspecs()).choose(options.kernel)
        finally:
            api.close()

    try:
        asyncio.run(check())
    except KernelUnavailable as error:
        raise UsageError(str(error)) from None


def add_provider_options(parser: argparse.ArgumentParser) -> None:
    ai = parser.add_argument_group(
        "AI provider",
        "flags win over env vars (ANTHROPIC_API_KEY, OPENAI_API_KEY, OPENAI_BASE_URL, "
        "PAIRREPL_PROVIDER, PAIRREPL_MODEL), which win over [tool.pairrepl] in the "
        "project's pyproject.toml, then ~/.config/pairrepl/config.toml",
    )
    ai.add_argument("--provider", choices=("anthropic", "openai", "replay"))
    ai.add_argument("--model")
    ai.add_argument("--base-url", help="an OpenAI-compatible server (Ollama, vLLM, llama.cpp)")
    ai.add_argument("--replay", metavar="SCRIPT", help="play a recorded script (no model)")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "sessions":
            return list_sessions(args[1:])
        if args and args[0] == "export":
            return export(args[1:])
        if args and args[0] == "doctor":
            return doctor(args[1:])
        if args and args[0] == "blame":
            return blame(args[1:])
        if args and args[0] == "report":
            return report(args[1:])
        if args and args[0] == "install-kernel":
            return install_kernel(args[1:])
        return run_app(args)
    except UsageError as error:
        print(f"pairrepl: {error}", file=sys.stderr)
        return 2


def run_app(args: list[str]) -> int:
    options = app_parser().parse_args(args)
    root = project_root_from(options.project)
    if options.resume is not None and options.notebook:
        raise UsageError("--resume and --from cannot be used together.")
    notebook = Path(options.notebook).resolve() if options.notebook else None
    if notebook is not None and not notebook.is_file():
        raise UsageError(f"no notebook at {options.notebook}.")
    connection = Path(options.existing).resolve() if options.existing else None
    if connection is not None and not connection.is_file():
        raise UsageError(f"no connection file at {options.existing}.")
    check_server_options(options)
    if options.server is not None:
        preflight_server(options)

    from pairrepl.kernel import ExistingKernel, LocalKernel
    from pairrepl.ledger import Ledger, SessionNotFound
    from pairrepl.session import Session
    from pairrepl.tui import PairreplApp

    settings = session_settings(root, options)

    ledger = Ledger.open(root)
    if options.resume is not None:
        try:  # an unknown id fails here, before the screen opens
            ledger.resolve(options.resume or None)
        except SessionNotFound as error:
            ledger.close()
            raise UsageError(str(error)) from error

    async def open_session() -> Session:
        kernel: KernelBackend
        if options.server is not None:
            kernel = server_kernel(options)
        elif connection is not None:
            kernel = ExistingKernel(connection)
        else:
            kernel = LocalKernel(root, ledger.state_dir / "kernel.log")
        if options.resume is not None:
            session = await Session.resume(
                root, kernel, ledger, options.resume or None, settings=settings
            )
        else:
            session = await Session.start(
                root, kernel, ledger, notebook=notebook, settings=settings
            )
        session.hint_mode = options.hint
        return session

    try:
        PairreplApp(open_session, title=f"pairrepl · {root.name}").run()
    finally:
        ledger.close()
    return 0


def provider_config(root: Path, options: argparse.Namespace) -> ProviderConfig:
    """The AI provider from flags, env, the project and the user's config (see the flags)."""
    from pairrepl.session.project import provider_config as resolve

    return resolve(
        root,
        provider=options.provider,
        model=options.model,
        base_url=options.base_url,
        replay=options.replay,
    )


def session_settings(root: Path, options: argparse.Namespace) -> SessionSettings:
    from pairrepl.agent import Agent, ContextLimits, make_provider
    from pairrepl.session import SessionSettings
    from pairrepl.session.project import SettingError, context_budget

    promotion = promotion_settings(root)
    config = provider_config(root, options)
    for warning in config.warnings:
        print(f"pairrepl: {warning}", file=sys.stderr)
    if not config.configured:
        if config.problem and config.sources:  # asked for a provider, but it is not usable
            raise UsageError(config.problem)
        return SessionSettings(promotion=promotion)
    try:
        agent = Agent(make_provider(config))
    except Exception as error:  # e.g. a replay script that does not parse
        raise UsageError(str(error)) from error
    try:
        budget = context_budget(root, options.budget)
    except SettingError as error:
        raise UsageError(str(error)) from error
    if budget is None:
        return SessionSettings(agent=agent, promotion=promotion)
    limits = ContextLimits(budget_tokens=budget)
    return SessionSettings(agent=agent, context_limits=limits, promotion=promotion)


def promotion_settings(root: Path) -> PromotionSettings:
    """``promote_to`` and ``explain_back`` from ``[tool.pairrepl]``."""
    from pairrepl.session.project import SettingError, promotion_settings

    try:
        return promotion_settings(root)
    except SettingError as error:
        raise UsageError(str(error)) from error


def doctor(args: list[str]) -> int:
    """Check the kernel, the ledger and the provider; say what is wrong in plain words."""
    parser = argparse.ArgumentParser(
        prog="pairrepl doctor", description="Check that pairrepl can work here."
    )
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    add_server_options(parser, attach=False)
    add_provider_options(parser)
    options = parser.parse_args(args)
    check_server_options(options)
    root = project_root_from(options.project)
    import asyncio

    checks = asyncio.run(_doctor_checks(root, options))
    for name, problem in checks:
        print(
            f"{'ok  ' if problem is None else 'FAIL'}  {name}" + (f": {problem}" if problem else "")
        )
    return 0 if all(problem is None for _, problem in checks) else 1


async def _doctor_checks(root: Path, options: argparse.Namespace) -> list[tuple[str, str | None]]:
    from pairrepl.agent import check_provider, make_provider
    from pairrepl.kernel import KernelUnavailable, LocalKernel
    from pairrepl.ledger import Ledger

    checks: list[tuple[str, str | None]] = []
    try:
        with Ledger.open(root) as ledger:
            ledger.sessions()
        checks.append((f"ledger {root / '.pairrepl' / 'ledger.sqlite3'}", None))
    except Exception as error:
        checks.append(("ledger", f"cannot open it: {error}"))

    if options.server is not None:
        checks += await _server_checks(options)
    else:
        kernel = LocalKernel(root, root / ".pairrepl" / "doctor-kernel.log")
        try:
            await kernel.start()
            checks.append((f"kernel ({kernel.description})", None))
        except (KernelUnavailable, OSError) as error:
            checks.append(("kernel", f"did not start: {error}"))
        finally:
            await kernel.shutdown()

    config = provider_config(root, options)
    if not config.configured:
        checks.append(("AI provider", config.problem or "none configured"))
        return checks
    provider = make_provider(config)
    try:
        problem = await check_provider(provider)
    finally:
        await provider.aclose()
    checks.append((f"AI provider {config.describe()}", problem))
    return checks


#: A trivial cell slower than this through a server points at Nagle's algorithm there.
SLOW_ROUND_TRIP_MS = 25.0


async def _server_checks(options: argparse.Namespace) -> list[tuple[str, str | None]]:
    """Reachable, token accepted, kernelspecs, and a kernel that starts and answers (then
    is shut down), with its round trip: each a line, stopping at the first failure."""
    import statistics

    from pairrepl.kernel import KernelUnavailable, ServerApi, ServerKernel

    url = options.server
    api = ServerApi(url, server_token(options))
    checks: list[tuple[str, str | None]] = []
    try:
        version = await api.check()
        checks.append((f"server {api.url} (Jupyter Server {version}), token accepted", None))
        specs = await api.kernelspecs()
        name = specs.choose(options.kernel)
        checks.append((f"kernelspecs {', '.join(specs.names)}; pairrepl starts {name}", None))
    except KernelUnavailable as error:
        return [*checks, (f"server {url}", str(error))]
    finally:
        api.close()

    kernel = ServerKernel(url, server_token(options), kernel_name=options.kernel)
    try:
        await kernel.start()
        times = []
        for _ in range(5):
            started = time.perf_counter()
            await kernel.execute("1+1", _QuietSink())
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        problem = None
        if median > SLOW_ROUND_TRIP_MS:
            problem = (
                f"a trivial cell takes {median:.0f} ms: the server probably keeps Nagle's "
                "algorithm on for kernel websockets (see docs/benchmarks.md for the fix)"
            )
        inspector = f"; {kernel.extension_error}" if kernel.extension_error else ""
        checks.append(
            (f"kernel ({kernel.description}), trivial cell {median:.1f} ms{inspector}", problem)
        )
    except KernelUnavailable as error:
        checks.append(("kernel on the server", f"did not start: {error}"))
    finally:
        await kernel.shutdown()
    return checks


class _QuietSink:
    def output(self, output: object) -> None:
        pass

    async def input_requested(self, prompt: str, password: bool) -> str:
        return ""


def list_sessions(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pairrepl sessions", description="List the sessions.")
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    options = parser.parse_args(args)

    from pairrepl.ledger import Ledger

    ledger = Ledger.open(project_root_from(options.project))
    try:
        sessions = ledger.sessions()
        if not sessions:
            print("No sessions yet. Start one with: pairrepl")
            return 0
        print(f"{'SESSION':<14}{'STARTED':<18}{'LAST':<18}{'CELLS':>6}  STATE")
        for info in sessions:
            state = "closed" if info.closed else "open/crashed"
            print(
                f"{info.id:<14}{_when(info.started_at):<18}{_when(info.last_at):<18}"
                f"{info.cells:>6}  {state}"
            )
    finally:
        ledger.close()
    return 0


def export(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl export", description="Write a session as a Jupyter notebook."
    )
    parser.add_argument("session", help="a session id (or a unique prefix of one)")
    parser.add_argument("--to", required=True, metavar="FILE.ipynb", help="the notebook to write")
    parser.add_argument("--project", help="the project folder (default: found from here)")
    options = parser.parse_args(args)
    target = Path(options.to)
    if target.suffix != ".ipynb":
        raise UsageError(f"--to must name a .ipynb file, not {options.to}.")

    from pairrepl.ledger import Ledger, SessionNotFound, export_notebook

    ledger = Ledger.open(project_root_from(options.project))
    try:
        session_id = ledger.resolve(options.session)
        export_notebook(ledger.entries(session_id), target)
    except SessionNotFound as error:
        raise UsageError(str(error)) from error
    finally:
        ledger.close()
    print(f"Wrote {target} (session {session_id}).")
    return 0


def blame(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl blame",
        description="Each line of a file with who wrote it: human, ai (verbatim) or ai-edited, "
        "and the request that led to it. Works from .pairrepl/provenance.jsonl and the file.",
    )
    parser.add_argument("file", help="a .py file of the project")
    parser.add_argument("--project", help="the project folder (default: found from here)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    options = parser.parse_args(args)

    import json

    from pairrepl.session.blame import BlameError, blame_file

    root = project_root_from(options.project)
    try:
        lines = blame_file(root, options.file)
    except BlameError as error:
        raise UsageError(str(error)) from error
    for line in lines:
        record = line.record
        if options.json:
            print(
                json.dumps(
                    {
                        "line": line.number,
                        "origin": line.origin,
                        "promotion_id": record.promotion_id if record else None,
                        "symbol": record.symbol if record else None,
                        "request": record.request if record else None,
                        "explanation": record.explanation if record else None,
                        "text": line.text,
                    }
                )
            )
            continue
        why = ""
        if record is not None:
            why = record.request or "(typed by the human)"
            why = f"{record.promotion_id[:8]} {_when(record.time)} {_clip(why, 40)}"
        print(f"{line.number:>5} {line.origin:<9} {why:<66} | {line.text}")
    return 0


def report(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl report",
        description="The project's understanding figures: promoted lines by origin, and how "
        "many of the AI's verbatim lines a human explained in their own words.",
    )
    parser.add_argument("--project", help="the project folder (default: found from here)")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only lines promoted since then")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    options = parser.parse_args(args)
    since = None
    if options.since:
        try:
            since = time.mktime(time.strptime(options.since, "%Y-%m-%d"))
        except ValueError as error:
            raise UsageError(
                f"--since takes a date like 2026-01-31, not {options.since!r}."
            ) from error

    import json

    from pairrepl.session.blame import project_report

    result = project_report(project_root_from(options.project), since=since)
    if options.json:
        print(json.dumps(result.to_payload(), indent=2))
        return 0
    if not result.files:
        print("Nothing promoted yet: .pairrepl/provenance.jsonl names no file.")
        return 0
    print(f"{'FILE':<40}{'LINES':>6}{'HUMAN':>7}{'AI':>6}{'EDITED':>8}{'CHANGED':>9}  AI EXPLAINED")
    for name, numbers in [*result.files.items(), ("(project)", result.total)]:
        print(
            f"{_clip(name, 39):<40}{numbers.promoted:>6}{numbers.human:>7}{numbers.ai:>6}"
            f"{numbers.ai_edited:>8}{numbers.changed_by_hand:>9}  {_share(numbers.explained_share)}"
        )
    share = _share(result.total.ai_verbatim_share)
    print(f"\nAI-verbatim share of promoted lines: {share}.")
    for name in result.missing_files:
        print(f"note: {name} is in provenance but not in the project any more.")
    if result.unreadable_lines:
        print(f"note: {result.unreadable_lines} line(s) of provenance.jsonl could not be read.")
    return 0


def install_kernel(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl install-kernel",
        description="Install a Jupyter kernelspec, 'Python 3 (pairrepl)', that starts "
        "ipykernel with this interpreter and the pairrepl magics loaded (%ai, %promote, ...).",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--user", action="store_true", help="for this user (the default; JUPYTER_DATA_DIR)"
    )
    where.add_argument(
        "--sys-prefix", action="store_true", help=f"into this environment ({sys.prefix})"
    )
    where.add_argument("--prefix", metavar="PATH", help="into PATH/share/jupyter/kernels")
    parser.add_argument("--name", default="pairrepl", help="the kernelspec's name (pairrepl)")
    parser.add_argument("--display-name", help="what the launcher shows")
    options = parser.parse_args(args)

    from pairrepl import __version__
    from pairrepl.kernel.kernelspec import DISPLAY_NAME, install_kernelspec

    prefix = sys.prefix if options.sys_prefix else options.prefix
    try:
        folder = install_kernelspec(
            __version__,
            name=options.name,
            display_name=options.display_name or DISPLAY_NAME,
            user=prefix is None,
            prefix=prefix,
        )
    except (OSError, ValueError) as error:
        raise UsageError(f"could not install the kernelspec: {error}") from error
    print(
        f"Installed kernelspec {options.name!r} in {folder}. It runs {sys.executable} with "
        f"the pairrepl magics loaded: pick '{options.display_name or DISPLAY_NAME}' in "
        f"JupyterLab, or run: jupyter console --kernel {options.name}"
    )
    return 0


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
