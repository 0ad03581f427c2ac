"""One spelling for a server's address, so that comparing two addresses means something.

``https://api.openai.com/v1/``, ``HTTPS://API.OpenAI.com/v1`` and
``https://api.openai.com:443/v1`` are the same server. Compared as typed, a trailing slash
once made pairrepl take OpenAI itself for an unknown compatible server (no price,
``max_tokens`` instead of ``max_completion_tokens``, no images). So a base URL is
normalised where it comes in (the settings, a provider's constructor) and compared only
in that form.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"http": "80", "https": "443"}


def normalise_base_url(url: str) -> str:
    """``url`` with its scheme and host in lower case, without the scheme's default port,
    trailing slashes or surrounding blanks. The path keeps its case (servers may care).

    Raises ``ValueError`` (saying what is expected) for anything but an http(s) address.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    userinfo, at, host = parts.netloc.rpartition("@")
    host = host.lower()
    if scheme not in DEFAULT_PORTS or not host or host.startswith(":"):
        raise ValueError(
            "expected an http:// or https:// address, such as http://localhost:11434/v1"
        )
    host = host.removesuffix(f":{DEFAULT_PORTS[scheme]}")
    return urlunsplit(
        (scheme, f"{userinfo}{at}{host}", parts.path.rstrip("/"), parts.query, parts.fragment)
    )


def host_of(url: str) -> str:
    """``host[:port]`` of a normalised base URL (what a label shows of a server)."""
    return urlsplit(url).netloc.rpartition("@")[2]
