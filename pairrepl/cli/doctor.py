"""``pairrepl doctor``: check the kernel, the ledger, the provider (and a server), in plain words.

For the AI provider it also says what the model's server takes (tools, token counts in
the stream, images: ``agent/probe.py``), and pairrepl remembers that for its address.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from pairrepl.cli.options import (
    CommandLineError,
    add_provider_options,
    add_server_options,
    check_server_options,
    local_kernel,
    project_root_from,
    read_settings,
    server_token,
)


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

    checks, server_takes = asyncio.run(_doctor_checks(root, options))
    for name, problem in checks:
        print(
            f"{'ok  ' if problem is None else 'FAIL'}  {name}" + (f": {problem}" if problem else "")
        )
    for line in server_takes:  # what the model's server takes, under the provider's line
        print(f"      {line}")
    return 0 if all(problem is None for _, problem in checks) else 1


async def _doctor_checks(
    root: Path, options: argparse.Namespace
) -> tuple[list[tuple[str, str | None]], list[str]]:
    from pairrepl.agent.probe import probe_server
    from pairrepl.kernel import KernelUnavailable
    from pairrepl.ledger import Ledger

    checks: list[tuple[str, str | None]] = []
    path = root / ".pairrepl" / "ledger.sqlite3"
    try:
        with Ledger.open(root) as ledger:
            ledger.sessions()
            problems = ledger.integrity_problems()
        damaged = (
            f"damaged ({'; '.join(problems[:3])}): move it aside (mv {path} {path}.broken; "
            "the old file stays for recovery) and pairrepl starts a new one"
        )
        checks.append((f"ledger {path}", damaged if problems else None))
    except Exception as error:
        checks.append(("ledger", str(error)))

    if options.server is not None:
        checks += await _server_checks(options)
    else:
        kernel = local_kernel(root, root / ".pairrepl" / "doctor-kernel.log")
        try:
            await kernel.start()
            checks.append((f"kernel ({kernel.description})", None))
        except (KernelUnavailable, OSError) as error:
            checks.append(("kernel", f"did not start: {error}"))
        finally:
            await kernel.shutdown()

    try:
        settings = read_settings(root, options)
    except CommandLineError as error:  # a value that does not fit, and where it came from
        checks.append(("settings", str(error)))
        return checks, []
    where = "; ".join(f"{name} from {source}" for name, source in settings.sources.items())
    checks.append((f"settings ({where or 'all defaults'})", None))
    problem = settings.provider_problem()
    if problem is not None:
        checks.append(("AI provider", problem))
        return checks, []
    provider = settings.make_provider()
    try:
        answers, *server_takes = await probe_server(provider)
    finally:
        await provider.aclose()
    checks.append(
        (f"AI provider {settings.describe_provider()}", None if answers.taken else answers.detail)
    )
    return checks, [probe.line() for probe in server_takes]


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
        said = kernel.extension_error or kernel.extension_notice  # e.g. install pairrepl-kernel
        inspector = f"; {said}" if said else ""
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
