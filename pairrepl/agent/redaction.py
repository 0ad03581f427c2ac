"""Keeping secrets out of what is sent to a model (invariant CONTEXT-IS-BOUNDED-AND-CLEAN).

Four nets, each cheap, used together:

1. **By name.** A variable, dict key, keyword argument or environment variable whose name
   looks secret (``looks_secret``: ``api_key``, ``GITHUB_TOKEN``, ``client_secret``,
   ``db_password``) has its *value* replaced by ``<redacted>``: in namespace summaries,
   in ``$name`` views, in cell text (``API_KEY = "..."``), in outputs
   (``{'api_key': '...'}``). Only bindings count: a string that merely follows a name
   holding "key" (``KeyError: 'close'``, ``pd.Grouper(key='ticker')``) is data the model
   needs, not a secret.
2. **By value.** Every value learnt to be secret (from the net above, the environment's
   secret-looking variables, and the provider's API key) is scrubbed wherever else it
   shows up, e.g. printed by a cell.
3. **By form.** Values that *are* secrets whatever they are called: well-known token
   formats (``sk-…``, ``ghp_…``, ``AKIA…``, ``xoxb-…``, JWTs, PEM private keys…) and the
   password in a URL (``postgres://user:password@host/db``).
4. **The environment.** Other environment values long enough to be meaningful are
   replaced by ``<env:NAME>`` (``/home/ada/proj`` becomes ``<env:HOME>/proj``), so a
   cell that prints ``os.environ`` sends no values. (Not ``$NAME``: in a request,
   ``$name`` asks for a view of a live object.)

The agent runs the last three over the whole request just before it leaves, whatever
built it, so a forgotten path cannot leak the API key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from pairrepl.core import NamespaceSummary, VariableSummary

REDACTED = "<redacted>"

# A cheap first look: text without any of these holds no secret-looking name at all.
_MAYBE_SECRET_NAME = re.compile("key|token|secret|passw|credential|auth", re.IGNORECASE)
_STRONG_WORDS = ("password", "passwd", "passphrase", "secret", "credential", "apikey")
# Names ending in "key" that are about data, not access: sort_key, primary_key, group_key.
# fmt: off
_DATA_KEYS = {
    "sort", "group", "groupby", "primary", "foreign", "partition", "join", "lookup",
    "cache", "dict", "index", "hash", "merge", "row", "column", "col", "map", "hot",
    "short", "composite", "natural", "object", "next", "last", "first", "min", "max",
    "match"
}
# fmt: on
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


# Values shorter than this are never scrubbed by value: "1" or "true" are not secrets, and
# replacing them everywhere would garble the context.
_MIN_SECRET_LENGTH = 4
_MIN_ENV_LENGTH = 8
_PLAIN_WORD = re.compile(r"[A-Za-z]+|\d+")

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_STRING = r"""(?:[rRbBuUfF]{0,2})(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")"""
# Only string literals: secrets are strings, and `max_tokens=2048` must stay readable.
# `name = "literal"` / `name: str = "literal"` / `name="literal"` (a keyword argument) /
# `'name': 'literal'` (a dict, in code or in a repr) / `os.environ["NAME"] = "literal"`.
_ASSIGNMENT = re.compile(
    rf"""(?P<target>(?P<quote>['"]?)(?P<name>{_NAME})(?P=quote)\]?)"""
    rf"""(?P<between>\s*(?::\s*[\w\[\], .|]+?\s*)?(?:=|:)\s*)(?P<value>{_STRING})"""
)


# Tokens recognisable by their form alone (the services' documented prefixes), and the
# password part of a URL's user information.
_KNOWN_TOKEN = re.compile(
    r"\b(?:"
    r"sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"  # OpenAI, Anthropic
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"  # GitHub
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
    r"|(?:sk|rk)_live_[0-9A-Za-z]{20,}"  # Stripe
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JSON web tokens
    r")"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@/\s]+(?=@)")


def scrub_known_secrets(text: str) -> str:
    """``text`` with well-known token formats and URL passwords replaced."""
    text = _KNOWN_TOKEN.sub(REDACTED, text)
    return _URL_PASSWORD.sub(lambda match: match["head"] + REDACTED, text)


@lru_cache(maxsize=16_384)  # the same names come back in every request's namespace
def looks_secret(name: str) -> bool:
    """True for names whose values must never be sent (``api_key``, ``GITHUB_TOKEN``,
    ``clientSecret``, ``PGPASSWORD``); not for names that merely hold "key" or "token"
    (``key``, ``keys``, ``KeyError``, ``sort_key``, ``monkey``, ``max_tokens``).

    pairrepl_kernel/values.py applies the same rule inside the kernel (it may import
    nothing of pairrepl); a test checks that the two agree.
    """
    lowered = name.lower()
    if any(word in lowered for word in _STRONG_WORDS):
        return True
    words = [word for word in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if word]
    if not words:
        return False
    if words[-1].endswith("token") or words[-1] in ("auth", "authorization"):
        return True
    # "key" is a secret's name only with a word before it that is not about data.
    return len(words) >= 2 and words[-1] == "key" and words[-2] not in _DATA_KEYS


@dataclass
class Redactor:
    """Scrubs secrets from text; learns secret values as it meets them."""

    secret_values: set[str] = field(default_factory=set)
    environment: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(
        cls, extra_secrets: Iterable[str | None] = (), environ: Mapping[str, str] | None = None
    ) -> Redactor:
        environ = dict(os.environ if environ is None else environ)
        redactor = cls(environment=environ)
        redactor.add_secrets(value for name, value in environ.items() if looks_secret(name))
        redactor.add_secrets(extra_secrets)
        return redactor

    def add_secrets(self, values: Iterable[str | None]) -> None:
        for value in values:
            if value and len(value.strip()) >= _MIN_SECRET_LENGTH and REDACTED not in value:
                self.secret_values.add(value.strip())

    # --- text -------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """Remove secret values by name, by value, and environment values, from any text."""
        if not text:
            return text
        text = scrub_known_secrets(self._scrub_assignments(text))
        for value in sorted(self.secret_values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        for value, replacement in self._environment_replacements:
            if value in text:
                text = text.replace(value, replacement)
        return text

    @cached_property
    def _environment_replacements(self) -> list[tuple[str, str]]:
        """(value, what replaces it) for the environment values worth scrubbing, longest
        first; worked out once, as ``scrub`` runs for every piece of every context."""
        worth = [
            (name, value) for name, value in self.environment.items() if _worth_scrubbing_env(value)
        ]
        worth.sort(key=lambda item: -len(item[1]))
        return [
            (value, REDACTED if looks_secret(name) else f"<env:{name}>") for name, value in worth
        ]

    def _scrub_assignments(self, text: str) -> str:
        if not _MAYBE_SECRET_NAME.search(text):  # no secret-looking name: nothing to scrub
            return text

        def replace_value(match: re.Match[str]) -> str:
            if not looks_secret(match["name"]):
                return match[0]
            self.add_secrets([_unquote(match["value"])])
            return f"{match['target']}{match['between']}'{REDACTED}'"

        return _ASSIGNMENT.sub(replace_value, text)

    def learn(self, texts: Iterable[str]) -> None:
        """Learn secret values assigned in ``texts`` (cell code), so that a later output
        printing one is scrubbed even when it comes first in the context."""
        for text in texts:
            self.add_secrets(assigned_secrets(text))

    # --- structured things ------------------------------------------------------------

    def namespace(self, summary: NamespaceSummary) -> NamespaceSummary:
        """The summary with secret-named values hidden and every repr scrubbed."""
        self.add_secrets(_string_value(v.repr) for v in summary.variables if looks_secret(v.name))
        return replace(summary, variables=tuple(self._variable(v) for v in summary.variables))

    def _variable(self, variable: VariableSummary) -> VariableSummary:
        if looks_secret(variable.name):
            return replace(variable, repr=REDACTED, fingerprint=None)
        return replace(variable, repr=self.scrub(variable.repr))

    def object_view(self, name: str, text: str) -> str:
        """A ``$name`` view: hidden entirely when the name looks secret."""
        if looks_secret(name):
            self.add_secrets([_string_value(text)])
            return f"{REDACTED} (the name {name!r} looks secret; its value is never sent)"
        return self.scrub(text)


def _worth_scrubbing_env(value: str) -> bool:
    return len(value) >= _MIN_ENV_LENGTH and not _PLAIN_WORD.fullmatch(value)


def _string_value(text: str) -> str | None:
    """The string inside a repr like ``'abc'``; None for anything else (numbers, objects)."""
    text = text.strip()
    unquoted = _unquote(text)
    return unquoted if unquoted != text else None


@lru_cache(maxsize=16_384)
def assigned_secrets(code: str) -> tuple[str, ...]:
    """The values ``code`` assigns to secret-looking names. Cached: every request reads
    every cell of the session again, and a cell's code never changes."""
    if not _MAYBE_SECRET_NAME.search(code):
        return ()
    return tuple(
        _unquote(match["value"])
        for match in _ASSIGNMENT.finditer(code)
        if looks_secret(match["name"])
    )


def _unquote(text: str) -> str:
    text = text.strip()
    match = re.fullmatch(r"""[rRbBuUfF]{0,2}(['"]{3}|['"])([\s\S]*)\1""", text)
    return match.group(2) if match else text
