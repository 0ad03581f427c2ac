"""A real ``jupyter server`` for tests and benchmarks, and a TCP proxy to cut its link.

``JupyterServer`` runs the server as a subprocess on 127.0.0.1, a free port and a random
token, with its runtime, config and data dirs in a temp folder (nothing of the user's
Jupyter setup leaks in, nothing is left behind), ``--allow-root`` when we are root. It
can be stopped and started again on the same port, as a server restart is.

``TcpProxy`` sits between a client and the server, in the test's event loop, so a test
can drop every connection (``cut``) or refuse new ones for a while (``refuse``): a
network failure while the server and its kernels live on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

#: Seconds between the server's liveness polls of a kernel process (3 by default):
#: shorter, so a killed kernel is noticed quickly in tests.
TEST_TIME_TO_DEAD = 1.0

# By default the server's iopub data rate limit is off (``limit_output_rate``): a test of
# our adapter should not depend on how fast this shared machine prints.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class JupyterServer:
    def __init__(
        self,
        directory: Path,
        *,
        port: int | None = None,
        token: str | None = None,
        config: Path | None = None,
        time_to_dead: float | None = TEST_TIME_TO_DEAD,
        limit_output_rate: bool = False,
    ) -> None:
        self.directory = Path(directory)
        self.port = port or free_port()
        self.token = token or secrets.token_hex(16)
        self.config = config
        self.time_to_dead = time_to_dead
        self.limit_output_rate = limit_output_rate
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.directory / "jupyter-server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("runtime", "config", "data"):
            folder = self.directory / f"jupyter-{name}"
            folder.mkdir(parents=True, exist_ok=True)
            env[f"JUPYTER_{name.upper()}_DIR"] = str(folder)
        env.pop("JUPYTER_TOKEN", None)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        return env

    def arguments(self) -> list[str]:
        """The server's command line."""
        args = [
            sys.executable,
            "-m",
            "jupyter_server",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.directory}",
        ]
        if self.time_to_dead is not None:
            args.append(f"--KernelRestarter.time_to_dead={self.time_to_dead}")
        if not self.limit_output_rate:  # the server drops output past 1 MB/s by default
            args.append("--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=0")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        if self.config is not None:
            args.append(f"--config={self.config}")
        return args

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it
        self.process = subprocess.Popen(
            self.arguments(),
            cwd=self.directory,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter server exited: {self.log_path.read_text()[-2000:]}")
            try:
                self.get("/api")  # with the token: a gateway answers nothing without it
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"jupyter server did not answer in {timeout}s")

    def stop(self) -> None:
        """A clean stop (SIGTERM): the server shuts its kernels down, as a real restart does."""
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def get(self, path: str) -> object:
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def __enter__(self) -> JupyterServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class TcpProxy:
    """127.0.0.1:``port`` → 127.0.0.1:``target``, in the running event loop."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen (again); a no-op while listening."""
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def refuse(self) -> None:
        """Stop listening and drop every connection: the server looks down."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.cut()

    def cut(self) -> None:
        """Drop every open connection (both ends see it closed)."""
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._writers.clear()

    async def close(self) -> None:
        await self.refuse()
        for task in list(self._tasks):
            task.cancel()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                sink.transport.abort()
            self._writers.discard(sink)
