"""SDK exceptions -> ``ProviderError`` with a plain sentence, for both SDKs.

The anthropic and openai SDKs raise look-alike exception families (``APIStatusError``
with ``status_code``, ``APITimeoutError``, ``APIConnectionError``) and, mid-stream, raw
transport errors. We classify by class *name* and attributes so this module imports
neither SDK (they load lazily) and one table serves both.

``service`` names who answered ("OpenAI", "the server at 127.0.0.1:8080"), and the
server's own words go into the sentence: they usually say what to fix ("tools param
requires --jinja flag"). Error bodies come in several shapes: OpenAI's and Azure's
``{"error": {"message", "type", "code"}}``, Anthropic's ``{"type": "error", "error":
{...}}``, vLLM's older top-level ``{"message", "type", "code"}``, and a bare string
(``{"error": "..."}``: Ollama, LM Studio).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

from pairrepl.agent.protocol import ErrorKind, ProviderError

_OVERLOADED_TYPES = {"overloaded_error", "overloaded"}
_RATE_LIMIT_TYPES = {"rate_limit_error", "rate_limit_exceeded"}


def classify_exception(
    error: BaseException, service: str, *, mid_stream: bool = False
) -> ProviderError:
    """A ``ProviderError`` for any exception an SDK call or its stream raised."""
    if isinstance(error, ProviderError):
        return error
    names = {cls.__name__ for cls in type(error).__mro__}
    status = getattr(error, "status_code", None)
    body = getattr(error, "body", None)
    error_type = _error_type(body) or getattr(error, "type", None) or ""
    server_words = _server_message(body)

    overloaded_503 = status == 503 and "overload" in server_words.lower()  # OpenAI's word
    if error_type in _OVERLOADED_TYPES or status == 529 or overloaded_503:
        return ProviderError(
            ErrorKind.OVERLOADED,
            _sentence(f"{service} is overloaded right now; try again in a moment."),
            retry_after=_retry_after(error),
            status=status,
        )
    if status == 429 or error_type in _RATE_LIMIT_TYPES:
        after = _retry_after(error)
        when = f" in {after:g} s" if after is not None else " shortly"
        return ProviderError(
            ErrorKind.RATE_LIMITED,
            _sentence(f"{service} is rate-limiting requests (429); try again{when}.")
            + _quoting(server_words),
            retry_after=after,
            status=status,
        )
    if status in (401, 403) or "AuthenticationError" in names:
        return ProviderError(
            ErrorKind.AUTH,
            _sentence(f"{service} refused the API key ({status}).")
            + _quoting(server_words)
            + " Check the key in your environment or pairrepl config "
            "(`pairrepl doctor` tells you which one is used).",
            status=status,
        )
    if isinstance(status, int) and status >= 500:
        if server_words:  # its own words usually say what is wrong, and "later" may not help
            text = _sentence(f"{service} had an internal error ({status}): {server_words}")
        else:
            text = _sentence(f"{service} had an internal error ({status}); try again later.")
        return ProviderError(ErrorKind.SERVER, text, status=status, server_message=server_words)
    if isinstance(status, int) and 400 <= status < 500:
        detail = f": {server_words}" if server_words else ""
        return ProviderError(
            ErrorKind.BAD_REQUEST,
            _sentence(f"{service} rejected the request ({status}){detail}"),
            status=status,
            server_message=server_words,
        )
    if names & {
        "APITimeoutError",
        "TimeoutException",
        "ReadTimeout",
        "ConnectTimeout",
        "TimeoutError",
    }:
        return ProviderError(
            ErrorKind.TIMEOUT, _sentence(f"{service} did not answer in time (timed out).")
        )
    if mid_stream or names & {"RemoteProtocolError", "ReadError"}:
        if "APIError" in names and (error_type or server_words):
            return ProviderError(
                ErrorKind.STREAM_ERROR,
                _sentence(
                    f"{service} reported an error in the middle of the reply: "
                    f"{server_words or error_type}"
                ),
                server_message=server_words,
            )
        return ProviderError(
            ErrorKind.CUT,
            f"The reply from {service} stopped before it was complete (connection lost).",
        )
    if "APIConnectionError" in names or isinstance(error, OSError):
        return ProviderError(ErrorKind.CONNECTION, f"Could not connect to {service}.")
    return unreadable_reply(service, error)


def unreadable_reply(service: str, error: BaseException) -> ProviderError:
    """The reply arrived but made no sense to us: say so, naming what broke."""
    return ProviderError(
        ErrorKind.STREAM_ERROR,
        _sentence(
            f"{service} sent a reply pairrepl could not read "
            f"({type(error).__name__}: {str(error)[:200]}); nothing was proposed."
        ),
    )


def _sentence(text: str) -> str:
    """``service`` may open a sentence: "the server at ..." -> "The server at ..."."""
    return text[:1].upper() + text[1:]


def _quoting(server_words: str) -> str:
    return f" It said: {server_words}" if server_words else ""


def _error_type(body: object) -> str | None:
    """``error.type`` (Anthropic, or an OpenAI mid-stream body), or ``type`` at the top."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping) and isinstance(inner.get("type"), str):
            return str(inner["type"])
        if isinstance(body.get("type"), str) and body.get("type") != "error":
            return str(body["type"])
        if isinstance(body.get("code"), str):
            return str(body["code"])
    return None


def _server_message(body: object) -> str:
    """The server's own words, from any of the body shapes (see the module docstring)."""
    if isinstance(body, str):
        return body.strip()[:300]
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, str):
            return inner.strip()[:300]
        if isinstance(inner, Mapping) and isinstance(inner.get("message"), str):
            return str(inner["message"]).strip()[:300]
    return ""


def _retry_after(error: BaseException) -> float | None:
    response: Any = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    return parse_retry_after(headers)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``retry-after`` (seconds or a date)."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(float(milliseconds) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)
