"""What a model server accepts, learned when it refuses something, remembered per address.

OpenAI-compatible servers differ in what they take: Ollama refuses ``tools`` for models
whose template has none ("does not support tools"), vLLM without
``--enable-auto-tool-choice`` refuses them too, llama.cpp without ``--jinja`` fails with
a 500 ("tools param requires --jinja flag"), Azure and older servers refuse
``stream_options``. ``refused_feature`` reads which one from the server's own words; the
agent then asks once more without it (``Agent``: a fenced code block instead of the
tool), says so on screen, and the provider stops sending it. ``FeatureMemory`` keeps what
each base URL refused in the user's config folder (``servers.json`` next to
``config.toml``), so the next session goes straight to what works; ``pairrepl doctor``
probes a server again and rewrites its entry.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from pairrepl.agent.protocol import ErrorKind, ProviderError


@dataclass(frozen=True)
class ServerFeatures:
    """What a server takes. ``images`` is None until known: compatible servers get no
    images then (many refuse the whole request for one)."""

    tools: bool = True  # function tools (propose_cell); without, a fenced block is asked for
    stream_usage: bool = True  # stream_options.include_usage: token counts when streaming
    parallel_tool_calls: bool = True  # the parallel_tool_calls: false flag
    images: bool | None = None

    def without(self, feature: str) -> ServerFeatures:
        return replace(self, **{feature: False})

    @property
    def refused(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is False)


# What a server's words say it refused. parallel_tool_calls before tools: it names both.
_REFUSALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("stream_usage", re.compile(r"stream_options", re.IGNORECASE)),
    ("parallel_tool_calls", re.compile(r"parallel_tool_calls", re.IGNORECASE)),
    (
        "tools",
        re.compile(
            r"does not support tools|tools param requires|enable-auto-tool-choice"
            r"|unsupported param: tools|tool[ _-]?(?:call(?:ing)?|choice|use|s)?"
            r" (?:is |are )?not supported",
            re.IGNORECASE,
        ),
    ),
)

FEATURE_WORDS = {  # how each is named on screen
    "tools": "tools (function calling)",
    "stream_usage": "stream_options (token counts in the stream)",
    "parallel_tool_calls": "the parallel_tool_calls flag",
    "images": "images",
}


def refused_feature(error: ProviderError) -> str | None:
    """The feature a server's refusal names (``ServerFeatures`` field), or None."""
    if error.kind not in (ErrorKind.BAD_REQUEST, ErrorKind.SERVER) or not error.server_message:
        return None
    for feature, words in _REFUSALS:
        if words.search(error.server_message):
            return feature
    return None


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/pairrepl``, else ``~/.config/pairrepl``: the user's own settings."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(
        Path(environ.get("HOME", "~")).expanduser() / ".config"
    )
    return Path(base) / "pairrepl"


class FeatureMemory:
    """What each base URL was found to take, in a JSON file (no file: this process only).

    ``{"http://127.0.0.1:8080/v1": {"tools": false, ..., "learned": "2026-12-04",
    "why": "tools param requires --jinja flag"}}``. A file that cannot be read or
    written is ignored: remembering saves a request, it is never worth an error.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._entries: dict[str, dict[str, object]] = self._read()

    @classmethod
    def for_user(cls, environ: Mapping[str, str] | None = None) -> FeatureMemory:
        return cls(user_config_dir(environ) / "servers.json")

    def recall(self, base_url: str) -> ServerFeatures:
        entry = self._entries.get(base_url, {})
        known = {f.name: entry[f.name] for f in fields(ServerFeatures) if f.name in entry}
        return ServerFeatures(**known)  # type: ignore[arg-type]

    def when(self, base_url: str) -> str:
        """When the entry for ``base_url`` was learned ("" if never)."""
        return str(self._entries.get(base_url, {}).get("learned", ""))

    def remember(self, base_url: str, features: ServerFeatures, why: str) -> None:
        learned = datetime.date.today().isoformat()
        self._entries[base_url] = {**asdict(features), "learned": learned, "why": why[:300]}
        self._write()

    def _read(self) -> dict[str, dict[str, object]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return {url: entry for url, entry in data.items() if isinstance(entry, dict)}

    def _write(self) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "w") as file:
                json.dump(self._entries, file, indent=2, sort_keys=True)
            os.replace(temporary, self.path)
