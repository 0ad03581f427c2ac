"""Which model to talk to, and with what key, from four places in a fixed order.

Highest first: explicit values (CLI flags) > environment variables > ``[tool.pairrepl]``
in the project's ``pyproject.toml`` > ``~/.config/pairrepl/config.toml``. Each setting
is taken from the highest place that has it, and ``sources`` says where it came from
(``pairrepl doctor`` shows it).

API keys never come from files in the project: a ``pyproject.toml`` is committed, and a
key in it would be a leaked key. They come from flags, the environment, or the user's
own config file. With nothing configured the app still works as a REPL: the config is
"no provider", with a message saying how to set one up, and nothing raises.

Settings: ``provider`` (anthropic | openai | replay), ``model``, ``base_url`` (for an
OpenAI-compatible server), ``replay`` (a script file), ``timeout``, ``max_tokens`` (the
most a reply may use, reasoning and thinking included: ``PAIRREPL_MAX_TOKENS``), ``prices``
(a table of the project's own prices by model, ``agent/pricing.py``); in the user file also
``anthropic_api_key`` / ``openai_api_key`` (or ``api_key`` in an ``[anthropic]`` or
``[openai]`` table).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pairrepl.agent.base_url import normalise_base_url
from pairrepl.agent.pricing import Price, read_prices
from pairrepl.agent.protocol import DEFAULT_MAX_TOKENS, AgentError, Provider, ProviderSettings
from pairrepl.agent.redaction import looks_secret
from pairrepl.agent.registry import PROVIDERS, provider_class
from pairrepl.agent.server_features import user_config_dir

if TYPE_CHECKING:
    from pairrepl.agent.agent import Agent

HOW_TO_CONFIGURE = (
    "No AI provider is configured; pairrepl works as a plain REPL until one is. To add one, "
    "set ANTHROPIC_API_KEY or OPENAI_API_KEY in your environment (OPENAI_BASE_URL for a local "
    "OpenAI-compatible server such as Ollama), or pass --provider/--model, or put "
    'provider = "..." and model = "..." under [tool.pairrepl] in pyproject.toml '
    "(keys go in the environment or ~/.config/pairrepl/config.toml, never in the project). "
    "To try it offline: --provider replay --replay examples/demo.replay.json."
)


@dataclass(frozen=True)
class ProviderConfig:
    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    replay: str | None = None
    timeout_s: float = 60.0
    max_tokens: int = DEFAULT_MAX_TOKENS
    prices: Mapping[str, Price] = field(default_factory=dict)  # the project's own, by model
    sources: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None  # why no provider can be made, and how to fix it
    warnings: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return self.provider is not None and self.problem is None

    def describe(self) -> str:
        """One line for a status bar or ``doctor``; says where the key is from, never what."""
        if not self.configured:
            return "no provider"
        if self.provider == "replay":
            return f"replay:{Path(self.replay or '').name}"
        key = f"key from {self.sources['api_key']}" if self.api_key else "no key"
        where = f" at {self.base_url}" if self.base_url else ""
        return f"{self.provider}:{self.model}{where} ({key})"


def resolve_config(
    project_root: str | Path | None = None,
    *,
    provider: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    replay: str | None = None,
    environ: Mapping[str, str] | None = None,
    user_config: str | Path | None = None,
) -> ProviderConfig:
    """The provider settings, from flags > environment > pyproject > user config."""
    environ = os.environ if environ is None else environ
    warnings: list[str] = []
    project = _project_settings(project_root, warnings)
    user_path = Path(user_config) if user_config is not None else _user_config_path(environ)
    user = _read_toml(user_path, warnings)
    flags = {"provider": provider, "model": model, "base_url": base_url, "replay": replay}
    sources: dict[str, str] = {}

    def pick(name: str, variable: str) -> Any:
        """The first setting of ``name``: flag, env ``variable``, pyproject, user file."""
        for source, value in (
            ("flag", flags.get(name)),
            (f"env {variable}", environ.get(variable)),
            ("pyproject.toml", project.get(name)),
            (str(user_path), user.get(name)),
        ):
            if value not in (None, ""):
                sources[name] = source
                return value
        return None

    chosen = pick("provider", "PAIRREPL_PROVIDER")
    if chosen is None:
        chosen = _infer_provider(environ, user)
        if chosen is not None:
            sources["provider"] = "inferred from the environment"
    if chosen is None:
        return ProviderConfig(problem=HOW_TO_CONFIGURE, warnings=tuple(warnings))
    chosen = str(chosen).lower()
    if chosen not in PROVIDERS:
        return ProviderConfig(
            problem=f"Unknown provider {chosen!r} (from {sources['provider']}); "
            f"use one of: {', '.join(PROVIDERS)}.",
            warnings=tuple(warnings),
        )
    timeout = float(pick("timeout", "PAIRREPL_TIMEOUT") or 60.0)
    prices: dict[str, Price] = {}
    for where, table in (
        (str(user_path), user.get("prices")),
        ("pyproject.toml", project.get("prices")),
    ):
        if table is None:
            continue
        read, problem = read_prices(table, where)
        if problem is not None:
            return ProviderConfig(
                provider=chosen, problem=problem, sources=sources, warnings=tuple(warnings)
            )
        prices.update(read)  # the project's win over the user's
    max_tokens = _positive_int(pick("max_tokens", "PAIRREPL_MAX_TOKENS"), DEFAULT_MAX_TOKENS)
    if max_tokens is None:
        return ProviderConfig(
            provider=chosen,
            problem=f"max_tokens (from {sources['max_tokens']}) must be a whole number of "
            "tokens above 0, such as 4096.",
            sources=sources,
            warnings=tuple(warnings),
        )

    if chosen == "replay":
        script = pick("replay", "PAIRREPL_REPLAY")
        if script is None:
            return ProviderConfig(
                provider=chosen,
                problem="The replay provider needs a script: --replay FILE.",
                sources=sources,
                warnings=tuple(warnings),
            )
        return ProviderConfig(
            provider=chosen, replay=str(script), sources=sources, warnings=tuple(warnings)
        )

    chosen_class = provider_class(chosen)
    url = pick("base_url", chosen_class.base_url_variable or "PAIRREPL_BASE_URL")
    if url is not None:
        try:
            url = normalise_base_url(str(url))
        except ValueError as error:
            return ProviderConfig(
                provider=chosen,
                problem=f"The base URL {url!r} (from {sources['base_url']}): {error}.",
                sources=sources,
                warnings=tuple(warnings),
            )
    key_variable = chosen_class.key_variables[0]
    key = None
    for source, value in (
        ("flag", api_key),
        (f"env {key_variable}", environ.get(key_variable)),
        (str(user_path), _user_key(user, chosen)),
    ):
        if value:
            key, sources["api_key"] = str(value), source
            break
    problem = None
    if key is None and chosen_class.needs_key(url):
        problem = (
            f"The {chosen} provider needs an API key: set {key_variable} in your environment, "
            f"or {chosen}_api_key in {user_path}."
        )
    return ProviderConfig(
        provider=chosen,
        model=str(pick("model", "PAIRREPL_MODEL") or chosen_class.default_model),
        base_url=None if url is None else str(url),
        api_key=key,
        timeout_s=timeout,
        max_tokens=max_tokens,
        prices=prices,
        sources=sources,
        problem=problem,
        warnings=tuple(warnings),
    )


def make_provider(config: ProviderConfig) -> Provider:
    """The provider ``config`` describes; ``AgentError`` (with how to fix it) if none."""
    if not config.configured or config.provider is None:
        raise AgentError(config.problem or HOW_TO_CONFIGURE)
    settings = ProviderSettings(
        model=config.model,
        api_key=config.api_key or "",
        base_url=config.base_url,
        timeout_s=config.timeout_s,
        script=config.replay,
        prices=config.prices,
    )
    return provider_class(config.provider).from_settings(settings)


def make_agent(config: ProviderConfig) -> Agent:
    """The agent for ``config``: its provider, with the configured token limit."""
    from pairrepl.agent.agent import Agent

    return Agent(make_provider(config), max_tokens=config.max_tokens)


def _positive_int(value: object, default: int) -> int | None:
    """``value`` as a count above 0 (``default`` when unset); None when it is not one."""
    if value is None:
        return default
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if number > 0 else None


def _infer_provider(environ: Mapping[str, str], user: Mapping[str, Any]) -> str | None:
    for name, provider in PROVIDERS.items():
        if any(environ.get(variable) for variable in provider.key_variables[:1]):
            return name
        url = environ.get(provider.base_url_variable or "")
        if url and not provider.needs_key(url):  # a local server that takes no key
            return name
    for name in PROVIDERS:
        if _user_key(user, name):
            return name
    return None


def _project_settings(project_root: str | Path | None, warnings: list[str]) -> dict[str, Any]:
    if project_root is None:
        return {}
    data = _read_toml(Path(project_root) / "pyproject.toml", warnings)
    settings = data.get("tool", {}).get("pairrepl", {})
    if not isinstance(settings, dict):
        return {}
    leaked = sorted(name for name in settings if looks_secret(name))
    if leaked:
        warnings.append(
            f"Ignored {', '.join(leaked)} in pyproject.toml: API keys never come from project "
            "files (they get committed). Use the environment or ~/.config/pairrepl/config.toml."
        )
    return {name: value for name, value in settings.items() if name not in leaked}


def _user_config_path(environ: Mapping[str, str]) -> Path:
    return user_config_dir(environ) / "config.toml"


def _user_key(user: Mapping[str, Any], provider: str) -> str | None:
    table = user.get(provider)
    if isinstance(table, dict) and table.get("api_key"):
        return str(table["api_key"])
    value = user.get(f"{provider}_api_key")
    return str(value) if value else None


def _read_toml(path: Path, warnings: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        warnings.append(f"Could not read {path}: {error}")
        return {}
