"""The Jupyter Server kernel REST API, as much of it as pairrepl needs.

Jupyter Server and Jupyter Enterprise Gateway serve the same API (``/api/kernelspecs``,
``/api/kernels``, ``/api/kernels/ID/{interrupt,restart,channels}``), so one small client
covers both. We use tornado's HTTP client: tornado is already here (jupyter_client and
ipykernel depend on it), and its websocket client opens the kernel channels
(``websocket.py``), so one library does both jobs.

Every failure becomes a ``KernelUnavailable`` subclass whose message is one line that
says what to do: a wrong token, a wrong URL, an unknown kernelspec or kernel id.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from pairrepl.kernel.backend import KernelUnavailable

#: The kernelspec pairrepl installs (``pairrepl install-kernel``): preferred when the
#: server has it, since it loads the namespace inspector from the package.
PAIRREPL_KERNELSPEC = "pairrepl"
#: Seconds to open a TCP connection to the server, and for a whole request.
CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 60.0  # starting a kernel on a busy gateway can take a while
#: Tries of a restart or shutdown that the server refuses while it restarts the kernel.
SERVER_BUSY_RETRIES = 8


class ServerUnreachable(KernelUnavailable):
    """Nothing answers at the URL (down, wrong host or port, network)."""


class ServerAuthFailed(KernelUnavailable):
    """The server answered 401/403: the token is wrong or missing, or (in the server's
    own words) something else was refused, such as Enterprise Gateway's kernel user."""


class NotAJupyterServer(KernelUnavailable):
    """Something answers at the URL, but not the Jupyter kernel API."""


class UnknownKernelSpec(KernelUnavailable):
    """The server has no kernelspec of that name."""


class UnknownKernel(KernelUnavailable):
    """The server has no kernel with that id (never had, shut down, or restarted)."""


class ServerError(KernelUnavailable):
    """The server answered with another error."""


@dataclass(frozen=True)
class KernelSpecs:
    default: str | None
    names: tuple[str, ...]

    def choose(self, wanted: str | None) -> str:
        """``wanted`` if the server has it; without one, pairrepl's kernelspec, else
        ``python3``, else the server's default."""
        if wanted is not None:
            if wanted not in self.names:
                raise UnknownKernelSpec(
                    f"the server has no kernelspec {wanted!r}; it has "
                    f"{', '.join(self.names) or 'none'} (choose one with --kernel NAME)"
                )
            return wanted
        for name in (PAIRREPL_KERNELSPEC, "python3", self.default):
            if name is not None and name in self.names:
                return name
        raise UnknownKernelSpec(
            "the server has no Python kernelspec to start (it has "
            f"{', '.join(self.names) or 'none'}); choose one with --kernel NAME"
        )


class ServerApi:
    """REST calls to one Jupyter Server / Enterprise Gateway, authenticated by a token."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = normalize_url(url)
        self._token = token or None
        self._http: AsyncHTTPClient | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self._token}"} if self._token else {}

    def websocket_request(self, kernel_id: str, session_id: str) -> HTTPRequest:
        """The request that opens a kernel's channels (the legacy JSON protocol, which
        every Jupyter Server and Enterprise Gateway version speaks)."""
        scheme = "wss" if self.url.startswith("https:") else "ws"
        base = scheme + self.url[self.url.index(":") :]
        return HTTPRequest(
            f"{base}/api/kernels/{quote(kernel_id)}/channels?session_id={quote(session_id)}",
            headers=self.headers(),
            connect_timeout=CONNECT_TIMEOUT,
            request_timeout=REQUEST_TIMEOUT,
        )

    async def check(self) -> str:
        """Reachable, a Jupyter API, and the token accepted; returns the server version.
        The token goes with ``GET /api`` too: Jupyter Server answers it to anyone, but
        Enterprise Gateway refuses it without the token."""
        about = await self._call("GET", "/api")
        if not isinstance(about, Mapping) or "version" not in about:
            raise NotAJupyterServer(
                f"{self.url} answers, but not as a Jupyter Server (GET /api has no version); "
                "check the URL and its base path (e.g. http://host:8888/jupyter)"
            )
        await self.kernelspecs()  # needs the token: a wrong one fails here
        return str(about["version"])

    async def kernelspecs(self) -> KernelSpecs:
        specs = await self._call("GET", "/api/kernelspecs")
        names = tuple(sorted((specs or {}).get("kernelspecs") or {}))
        default = (specs or {}).get("default")
        return KernelSpecs(default if isinstance(default, str) else None, names)

    async def kernels(self) -> list[dict[str, Any]]:
        found = await self._call("GET", "/api/kernels")
        return [kernel for kernel in found or [] if isinstance(kernel, dict)]

    async def kernel(self, kernel_id: str) -> dict[str, Any] | None:
        """The kernel's model (``execution_state``, ``name``...), or None if the server
        does not have it."""
        try:
            model = await self._call("GET", f"/api/kernels/{quote(kernel_id)}")
        except _NotFound:
            return None
        return model if isinstance(model, dict) else None

    async def require_kernel(self, kernel_id: str) -> dict[str, Any]:
        model = await self.kernel(kernel_id)
        if model is None:
            ids = [str(kernel.get("id")) for kernel in await self.kernels()]
            listed = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "") if ids else "none"
            raise UnknownKernel(
                f"the server at {self.url} has no kernel {kernel_id} (its kernels: {listed}); "
                "check --kernel-id, or leave it out to start a new kernel"
            )
        return model

    async def start_kernel(self, name: str) -> dict[str, Any]:
        model = await self._call("POST", "/api/kernels", {"name": name})
        if not isinstance(model, dict) or "id" not in model:
            raise ServerError(f"the server at {self.url} did not say which kernel it started")
        return model

    async def interrupt(self, kernel_id: str) -> None:
        await self._kernel_call("POST", kernel_id, "/interrupt")

    async def restart(self, kernel_id: str) -> None:
        await self._retrying(self._kernel_call, "POST", kernel_id, "/restart")

    async def shutdown(self, kernel_id: str) -> None:
        await self._retrying(self._kernel_call, "DELETE", kernel_id, "")

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # Internals ------------------------------------------------------------------------

    async def _retrying(self, call: Any, *args: Any) -> None:
        """A server that is itself restarting a crashed kernel answers 500 to a restart
        or a shutdown of it for a moment (jupyter_client races there): try again."""
        for attempt in range(SERVER_BUSY_RETRIES):
            try:
                await call(*args)
                return
            except ServerError:
                if attempt == SERVER_BUSY_RETRIES - 1:
                    raise
                await asyncio.sleep(0.25 * (attempt + 1))

    async def _kernel_call(self, method: str, kernel_id: str, action: str) -> None:
        try:
            await self._call(method, f"/api/kernels/{quote(kernel_id)}{action}", {})
        except _NotFound:
            raise UnknownKernel(
                f"the server at {self.url} no longer has kernel {kernel_id}"
            ) from None

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        if self._http is None:
            self._http = AsyncHTTPClient(force_instance=True)
        request = HTTPRequest(
            self.url + path,
            method=method,
            headers={**self.headers(), "Accept": "application/json"},
            body=None if method in ("GET", "DELETE") else json.dumps(body or {}),
            connect_timeout=CONNECT_TIMEOUT,
            request_timeout=REQUEST_TIMEOUT,
        )
        try:
            response = await self._http.fetch(request)
        except HTTPClientError as error:
            raise self._http_error(method, path, error) from None
        except (OSError, ssl.SSLError) as error:  # refused, no such host, TLS
            raise ServerUnreachable(
                f"cannot reach a Jupyter Server at {self.url} ({_plain(error)}); "
                "check the URL and that the server runs"
            ) from None
        if not response.body:
            return None
        try:
            return json.loads(response.body)
        except ValueError:
            raise NotAJupyterServer(
                f"{self.url}{path} did not answer JSON; is {self.url} a Jupyter Server "
                "(check the base path)?"
            ) from None

    def _http_error(self, method: str, path: str, error: HTTPClientError) -> KernelUnavailable:
        code = error.code
        if code == 599:  # tornado's code for a timeout or a dropped connection
            return ServerUnreachable(
                f"cannot reach a Jupyter Server at {self.url} ({_plain(error)}); "
                "check the URL and that the server runs"
            )
        explained = _server_message(error, "")
        if code == 403 and self._token and explained.lower() not in ("", "forbidden"):
            # The token passed, then something else refused (Enterprise Gateway's check
            # of the kernel's user): its own words say more than a guess about the token.
            return ServerAuthFailed(
                f"the server at {self.url} refused {method} {path} (403): {explained}"
            )
        if code in (401, 403):
            how = "was refused" if self._token else "is missing"
            return ServerAuthFailed(
                f"the server at {self.url} answered {code}: the token {how}; pass the right "
                "one with --token or JUPYTER_TOKEN"
            )
        if code == 404:
            if path == "/api" or path == "/api/kernelspecs":
                return NotAJupyterServer(
                    f"{self.url} answers, but has no Jupyter kernel API ({method} {path}: 404); "
                    "check the URL and its base path (e.g. http://host:8888/jupyter)"
                )
            return _NotFound(path)
        return ServerError(
            f"the server at {self.url} answered {code} to {method} {path}: {_server_message(error)}"
        )


class _NotFound(KernelUnavailable):
    """A 404 on a kernel path; callers turn it into ``UnknownKernel`` or None."""


def normalize_url(url: str) -> str:
    """``host:8888`` → ``http://host:8888``; no trailing slash; a clear error otherwise."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerUnreachable(
            f"{url!r} is not a server URL; give one like http://host:8888 (with its base path)"
        )
    return url.split("?", 1)[0].rstrip("/")


def _plain(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0]


def _server_message(error: HTTPClientError, otherwise: str = "no details") -> str:
    """The server's own explanation, if its error body has one (Jupyter's is JSON)."""
    body = error.response.body if error.response is not None else b""
    try:
        found = json.loads(body or b"{}")
        message = found.get("message") or found.get("reason")  # Enterprise Gateway: reason
    except (ValueError, AttributeError):
        message = None
    if message:
        return str(message).splitlines()[0]
    return str(error.message or otherwise).splitlines()[0] if otherwise else ""
