"""What every command shares: the usage error, the project root, and the options and
settings that choose a kernel and an AI provider."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pairrepl.errors import PairreplError

if TYPE_CHECKING:
    from pairrepl.kernel import KernelBackend, LocalKernel
    from pairrepl.session import SessionSettings
    from pairrepl.session.settings import Settings


class CommandLineError(PairreplError):
    """A mistake in the command line or its arguments; the message says how to fix it.
    (Not ``UsageError``: that is IPython's, which the magics raise.)"""


def project_root_from(argument: str | None) -> Path:
    """The project root for a folder given on the command line (or the current one), by
    the rule every front end uses (``pairrepl.ledger.find_project_root``)."""
    from pairrepl.ledger import find_project_root

    start = Path.cwd() if argument is None else Path(argument).expanduser()
    if not start.is_dir():
        raise CommandLineError(f"{argument} is not a folder; give the project folder to work in.")
    return find_project_root(start)


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
            raise CommandLineError(f"{', '.join(given)} only make sense with --server URL.")
        return
    if getattr(options, "existing", None):
        raise CommandLineError(
            "--existing and --server cannot be used together: choose one kernel."
        )
    if options.kernel and kernel_id:
        raise CommandLineError(
            "--kernel starts a new kernel, --kernel-id attaches to one: not both."
        )


def local_kernel(root: Path, log_path: Path) -> LocalKernel:
    """The kernel pairrepl starts and owns, in ``root``. It inherits none of the AI
    providers' key variables (the registry's): it runs the human's code, not the AI."""
    from pairrepl.agent.registry import key_variables
    from pairrepl.kernel.local import LocalKernel

    return LocalKernel(root, log_path, withheld_variables=key_variables())


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
    or kernel asked for. Any problem is a one-line CommandLineError, never a traceback."""

    import asyncio  # here: report, check and blame never start an event loop

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
        raise CommandLineError(str(error)) from None


def add_provider_options(parser: argparse.ArgumentParser) -> None:
    from pairrepl.agent.registry import PROVIDERS

    keys = ", ".join(
        variable
        for provider in PROVIDERS.values()
        for variable in (*provider.key_variables[:1], provider.base_url_variable)
        if variable
    )
    ai = parser.add_argument_group(
        "AI provider",
        f"flags win over env vars ({keys}, PAIRREPL_PROVIDER, PAIRREPL_MODEL, ...), which "
        "win over [tool.pairrepl] in the project's pyproject.toml, then "
        "~/.config/pairrepl/config.toml",
    )
    ai.add_argument("--provider", choices=tuple(PROVIDERS))
    ai.add_argument("--model")
    ai.add_argument("--base-url", help="an OpenAI-compatible server (Ollama, vLLM, llama.cpp)")
    ai.add_argument("--replay", metavar="SCRIPT", help="play a recorded script (no model)")


#: Each flag that is a setting: (its dest in the parsed options, the setting it sets).
SETTING_FLAGS = {
    "--provider": ("provider", "provider"),
    "--model": ("model", "model"),
    "--base-url": ("base_url", "base_url"),
    "--replay": ("replay", "replay"),
    "--budget": ("budget", "context_budget"),
    "--hint": ("hint", "hint"),
    "--profile": ("profile", "profile"),
}


def read_settings(root: Path, options: argparse.Namespace) -> Settings:
    """The settings: these options' flags > env > [tool.pairrepl] > the user's file.
    Prints the warnings; a value that does not fit is a one-line ``CommandLineError``."""
    from pairrepl.session.settings import Given, SettingError
    from pairrepl.session.settings import read_settings as read

    given = {
        setting: Given(value, flag)
        for flag, (dest, setting) in SETTING_FLAGS.items()
        if (value := getattr(options, dest, None)) not in (None, False)
    }
    try:
        settings = read(root, given)
    except SettingError as error:
        raise CommandLineError(str(error)) from None
    for warning in settings.warnings:
        print(f"pairrepl: {warning}", file=sys.stderr)
    return settings


def session_settings(settings: Settings) -> SessionSettings:
    """What the app's session takes from the settings: the agent (if a provider is
    chosen; a chosen one that cannot be made is a ``CommandLineError``), the budget, the
    promotion rules."""
    from pairrepl.session import SessionSettings
    from pairrepl.session.settings import SettingError, how_to_configure

    try:
        agent = settings.make_agent() if settings.provider is not None else None
    except SettingError as error:
        raise CommandLineError(str(error)) from None
    return SessionSettings(
        agent=agent,
        no_agent_reason=how_to_configure(settings.user_file),
        context_limits=settings.context_limits(),
        promotion=settings.promotion(),
        person=settings.person,
    )


def when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
