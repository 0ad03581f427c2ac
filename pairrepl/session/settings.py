"""Every setting pairrepl reads, from every place it can be set, by one reader.

Highest first; each setting is taken from the highest place that has it:

1. **given**: the command line's flags (``--model``); in a kernel, ``%pairrepl_config``,
   ``%config PairreplMagics.model = ...`` and ``ipython_config.py``, and ``%ai --model``
   for one request;
2. **the environment**: ``PAIRREPL_<NAME>`` (``PAIRREPL_TIMEOUT``), except the server's
   address and the API key, which are the chosen provider's own variables
   (``OPENAI_BASE_URL``, ``ANTHROPIC_API_KEY``: the provider registry's);
3. ``[tool.pairrepl]`` in the project's ``pyproject.toml``;
4. the user's file, ``$XDG_CONFIG_HOME/pairrepl/config.toml`` (``~/.config/...``), where
   keys may also be ``<provider>_api_key`` or ``api_key`` in a ``[<provider>]`` table.

``Settings`` is the typed model: ``KINDS`` says what each setting takes and reads a value
into it ("8000" → 8000, "on" → True), and ``sources`` keeps where each value came from
(``pairrepl doctor`` and ``%pairrepl_config`` show them). A value that does not fit is a
``SettingError`` in one line, naming where it came from and what is expected; all of
them at once, if there are several. (pydantic would do the reading, but importing it and
building the model took 190-240 ms of CPU at app start, and pydantic-settings more:
docs/benchmarks.md, "Settings: a hand-written reader".) API keys never come from the project's files (a
``pyproject.toml`` is committed: a key in it would be a leaked key); one found there is
ignored, with a warning. With no provider the settings are still valid: pairrepl works as
a plain REPL and says how to choose one.

The app reads the settings once, at start. In a kernel they are read again for each
request and each ``%pairrepl_config``: a notebook often sets ``os.environ["..._API_KEY"]``
in a cell after the extension loaded.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pairrepl.agent import Agent, AgentError, ContextLimits, Provider, ProviderSettings
from pairrepl.agent.base_url import normalise_base_url
from pairrepl.agent.pricing import Price, read_prices
from pairrepl.agent.protocol import DEFAULT_MAX_TOKENS
from pairrepl.agent.redaction import looks_secret
from pairrepl.agent.registry import PROVIDERS, provider_names
from pairrepl.agent.server_features import user_config_dir
from pairrepl.session.errors import SessionError
from pairrepl.session.promotion import PromotionSettings

#: Where a setting nobody set comes from.
DEFAULT = "default"
PROJECT_FILE = "[tool.pairrepl] in pyproject.toml"


class SettingError(SessionError):
    """A setting that cannot be used: the message says where it came from, and what fits."""


@dataclass(frozen=True)
class Given:
    """A value set above the environment, and where: ``Given("openai", "--provider")``."""

    value: object
    source: str


@dataclass(frozen=True)
class Kind:
    """What one setting takes: in words (for the message when a value does not fit), and
    the function that reads a value into it (``ValueError`` when it does not fit)."""

    expects: str
    read: Callable[[object], object]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _switch(value: object) -> bool:
    """True or false; in a variable or ``%pairrepl_config``, also on/off, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    words = {"true": True, "on": True, "yes": True, "1": True}
    words |= {"false": False, "off": False, "no": False, "0": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise ValueError("not a switch")


def _number(above: float) -> Callable[[object], float]:
    def read(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("not a number")
        number = float(value)  # ValueError for "abc"
        if not number > above:  # also refuses nan
            raise ValueError("out of range")
        return number

    return read


def _whole(least: int) -> Callable[[object], int]:
    def read(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("not a whole number")
        number = int(value)  # ValueError for "8k" or "8000.5"
        if number < least:
            raise ValueError("out of range")
        return number

    return read


#: The profiles: how much the tool does for the human. ``learner`` (people early in their
#: career or new to a codebase): hints by default, the AI's code never promoted as it
#: stands, the explain-back gate on everything promoted.
PROFILES = ("standard", "learner")


def _profile(value: object) -> str:
    name = _text(value).strip().lower()
    if name not in PROFILES:
        raise ValueError("not a profile")
    return name


def _provider(value: object) -> str:
    name = _text(value).strip().lower()
    if name not in PROVIDERS:
        raise ValueError("not a provider")
    return name


#: Every setting, and what it takes; ``Settings`` holds them read.
KINDS = {
    "provider": Kind(f"one of {', '.join(provider_names())}", _provider),
    "model": Kind("a model name, such as gpt-5.4-mini", _text),
    "base_url": Kind(
        "an http:// or https:// address, such as http://localhost:11434/v1",
        lambda value: normalise_base_url(_text(value)),
    ),
    "replay": Kind("the path of a replay script", _text),
    "timeout": Kind("a number of seconds above 0", _number(above=0)),
    "max_tokens": Kind(
        "a whole number of tokens above 0, such as 4096 (a reply's reasoning or thinking "
        "counts against it)",
        _whole(least=1),
    ),
    "context_budget": Kind("a whole number of tokens, 500 or more", _whole(least=500)),
    "promote_to": Kind("the path of a .py file, relative to the project root", _text),
    "explain_back": Kind("true or false", _switch),
    "hint": Kind("on or off (true or false)", _switch),
    "profile": Kind(" or ".join(PROFILES), _profile),
    "person": Kind("who you are, as git names you: Ada Lovelace <ada@example.org>", _text),
    "api_key": Kind("an API key (text)", _text),
}


@dataclass(frozen=True)
class Settings:
    """Every setting, read and checked (``read_settings`` makes one; ``KINDS`` says what
    each takes), and where each value that was set came from."""

    provider: str | None = None
    model: str | None = None  # None: the provider's default model
    base_url: str | None = None  # normalised; None: the provider's own server
    replay: str | None = None
    timeout: float = 60.0
    max_tokens: int = DEFAULT_MAX_TOKENS
    context_budget: int | None = None  # None: ContextLimits' default
    promote_to: str | None = None
    explain_back: bool = True
    hint: bool = False
    profile: str = "standard"
    person: str | None = None  # None: git's identity in the project (session/person.py)
    api_key: str | None = field(default=None, repr=False)
    #: the project's own prices by model (``[tool.pairrepl.prices]``, ``[prices]`` in the
    #: user's file; the project's win): a table, so not above, nor in any flag or variable
    prices: Mapping[str, Price] = field(default_factory=dict)

    # About the values, not settings themselves:
    #: where each value that was set came from ("--model", "env PAIRREPL_TIMEOUT", ...);
    sources: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    user_file: str = ""  # where the user's own settings (and keys) go

    # -- what the rest of pairrepl needs from them ----------------------------------------

    def source_of(self, name: str) -> str:
        return self.sources.get(name, DEFAULT)

    def promotion(self) -> PromotionSettings:
        return PromotionSettings(
            default_target=self.promote_to,
            explain_back=self.explain_back,
            learner=self.profile == "learner",
        )

    def context_limits(self) -> ContextLimits:
        if self.context_budget is None:
            return ContextLimits()
        return ContextLimits(budget_tokens=self.context_budget)

    def make_provider(self) -> Provider:
        """The provider these settings choose; ``SettingError`` saying what to do if none
        can be made (none chosen, a key missing, a replay script that does not parse)."""
        if self.provider is None:
            raise SettingError(how_to_configure(self.user_file))
        provider = PROVIDERS[self.provider]
        if provider.needs_key(self.base_url) and self.api_key is None:
            raise SettingError(
                f"The {self.provider} provider needs an API key: set "
                f"{provider.key_variables[0]} in your environment, or "
                f"{self.provider}_api_key in {self.user_file}."
            )
        try:
            return provider.from_settings(
                ProviderSettings(
                    model=self.model,
                    api_key=self.api_key or "",
                    base_url=self.base_url,
                    timeout_s=self.timeout,
                    script=self.replay,
                    prices=self.prices,
                )
            )
        except AgentError as error:
            raise SettingError(str(error)) from None

    def make_agent(self) -> Agent:
        return Agent(self.make_provider(), max_tokens=self.max_tokens)

    def provider_problem(self) -> str | None:
        """Why no provider can be made from these settings (and what to do), or None."""
        try:
            self.make_provider()
        except SettingError as error:
            return str(error)
        return None

    def describe_provider(self) -> str:
        """One line for ``doctor`` or ``%pairrepl_config``: what answers, and where the key
        is from (never what it is)."""
        if self.provider is None or self.provider_problem() is not None:
            return "no provider"
        if self.provider == "replay":
            return f"replay:{Path(self.replay or '').name}"
        model = self.model or PROVIDERS[self.provider].default_model
        where = f" at {self.base_url}" if self.base_url else ""
        key = f"key from {self.source_of('api_key')}" if self.api_key else "no key"
        return f"{self.provider}:{model}{where} ({key})"


#: What can be set where it is typed: every setting but the key (it would be kept there).
SETTING_NAMES = tuple(name for name in KINDS if name != "api_key")


#: The providers one may choose (the registry's names), for the front ends' usage texts.
PROVIDER_NAMES = provider_names()


def expected(name: str) -> str:
    """What setting ``name`` takes, in words ("a number of seconds above 0")."""
    return KINDS[name].expects


def how_to_configure(user_file: str) -> str:
    """What to do when no provider is chosen, from the registry's variables."""
    keys = [p.key_variables[0] for p in PROVIDERS.values() if p.key_variables]
    servers = [p.base_url_variable for p in PROVIDERS.values() if p.base_url_variable]
    return (
        "No AI provider is configured; pairrepl works as a plain REPL until one is. To add "
        f"one, set {' or '.join(keys)} in your environment ({' or '.join(servers)} for "
        "another server, such as a local Ollama), or pass --provider/--model, or put "
        'provider = "..." and model = "..." under [tool.pairrepl] in pyproject.toml (keys go '
        f"in the environment or {user_file}, never in the project). To "
        "try it offline: --provider replay --replay examples/demo.replay.json."
    )


def read_settings(
    project_root: Path | None,
    given: Mapping[str, Given] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    user_file: Path | None = None,
) -> Settings:
    """The settings from ``given`` > the environment > the project > the user's file.

    Raises ``SettingError`` (one line: the value, where it came from, what fits).
    """
    environ = os.environ if environ is None else environ
    warnings: list[str] = []
    user_path = user_file or user_config_path(environ)
    user_table = _read_toml(user_path, warnings)
    layers = (
        dict(given or {}),
        _project_layer(project_root, warnings, user_path),
        {name: Given(value, str(user_path)) for name, value in user_table.items()},
    )

    def first(name: str, variable: str | None) -> Given | None:
        from_env = Given(environ.get(variable), f"env {variable}") if variable else None
        for found in (layers[0].get(name), from_env, layers[1].get(name), layers[2].get(name)):
            if found is not None and found.value not in (None, ""):
                return found
        return None

    picked = {"provider": first("provider", "PAIRREPL_PROVIDER")}
    if picked["provider"] is None:
        picked["provider"] = _inferred_provider(environ, user_table, user_path)
    provider = PROVIDERS.get(str(picked["provider"].value).lower()) if picked["provider"] else None
    for name in SETTING_NAMES:
        if name == "base_url":
            picked[name] = first(name, provider.base_url_variable) if provider else None
        elif name != "provider":
            picked[name] = first(name, f"PAIRREPL_{name.upper()}")
    if provider is not None and provider.key_variables:
        picked["api_key"] = _api_key(provider, environ, user_table, user_path)
    found = {name: value for name, value in picked.items() if value is not None}
    profile = found.get("profile")
    if profile is not None and "hint" not in found and str(profile.value).strip() == "learner":
        found["hint"] = Given(True, f"profile learner ({profile.source})")  # hints by default
    warnings += _unknown_names(layers[1:])
    problems = []
    values: dict[str, object] = {}
    for name, value in found.items():
        try:
            values[name] = KINDS[name].read(value.value)
        except ValueError:
            problems.append(_misfit(name, value))
    prices: dict[str, Price] = {}
    for table in (layers[2].get("prices"), layers[1].get("prices")):  # the project's win
        if table is not None:
            read, problem = read_prices(table.value, table.source)
            problems += [problem.rstrip(".")] if problem else []
            prices.update(read)
    if problems:
        raise SettingError("; ".join(problems) + ".")
    settings = Settings(
        prices=prices,
        **values,  # type: ignore[arg-type]  # each as KINDS read it: the field's type
        sources={name: value.source for name, value in found.items()},
        warnings=tuple(warnings),
        user_file=str(user_path),
    )
    if settings.replay and project_root and not Path(settings.replay).is_file():
        # a script named in the project's pyproject.toml is relative to the project
        settings = replace(settings, replay=str(Path(project_root, settings.replay)))
    return settings


def check_setting(name: str, value: object, source: str) -> object:
    """``value`` for setting ``name``, converted (``"8000"`` → 8000, ``"on"`` → True);
    ``SettingError`` naming ``source`` if it does not fit. ``None`` (or "") unsets it."""
    if name not in SETTING_NAMES:
        raise SettingError(
            f"There is no setting {name!r} (from {source}); the settings are "
            f"{', '.join(SETTING_NAMES)}."
        )
    if value in (None, ""):
        return None
    try:
        return KINDS[name].read(value)
    except ValueError:
        raise SettingError(_misfit(name, Given(value, source)) + ".") from None


def project_table(root: Path, name: str) -> dict[str, object]:
    """``[tool.pairrepl.<name>]``: a table only the project sets (no flag or variable
    does: the report's thresholds, ``session/project.py``); {} if there is none.
    ``SettingError`` if it is not a table."""
    table = _project_layer(root, [], Path()).get(name)
    if table is None:
        return {}
    if not isinstance(table.value, dict):
        raise SettingError(f"[tool.pairrepl.{name}] must be a table, not {table.value!r}.")
    return table.value


def user_config_path(environ: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/pairrepl/config.toml``, else ``~/.config/pairrepl/config.toml``."""
    return user_config_dir(environ) / "config.toml"


# -- inside ---------------------------------------------------------------------------


def _misfit(name: str, given: Given) -> str:
    """``timeout = 'abc' (from env PAIRREPL_TIMEOUT) is not a number of seconds above 0``"""
    shown = "(hidden)" if name == "api_key" else repr(given.value)
    return f"{name} = {shown} (from {given.source}) is not {expected(name)}"


def _project_layer(root: Path | None, warnings: list[str], user_path: Path) -> dict[str, Given]:
    """``[tool.pairrepl]``, less anything that looks like a key (with a warning)."""
    if root is None:
        return {}
    table = _read_toml(Path(root) / "pyproject.toml", warnings).get("tool", {}).get("pairrepl", {})
    if not isinstance(table, dict):
        warnings.append(f"Ignored {PROJECT_FILE}: it is not a table.")
        return {}
    leaked = sorted(name for name in table if looks_secret(name))
    if leaked:
        warnings.append(
            f"Ignored {', '.join(leaked)} in pyproject.toml: API keys never come from project "
            f"files (they get committed). Use the environment or {user_path}."
        )
    return {name: Given(value, PROJECT_FILE) for name, value in table.items() if name not in leaked}


def _inferred_provider(
    environ: Mapping[str, str], user: Mapping[str, Any], user_path: Path
) -> Given | None:
    """With no provider named: the first whose key is set (the environment first), or
    whose server is set where it needs no key (a local Ollama)."""
    for name, provider in PROVIDERS.items():
        for variable in provider.key_variables[:1]:
            if environ.get(variable):
                return Given(name, f"inferred from env {variable}")
        url = environ.get(provider.base_url_variable or "")
        if url and not provider.needs_key(_normalised_or_none(url)):
            return Given(name, f"inferred from env {provider.base_url_variable}")
    for name in PROVIDERS:
        if _user_key(user, name):
            return Given(name, f"inferred from {user_path}")
    return None


def _normalised_or_none(url: str) -> str | None:
    try:
        return normalise_base_url(url)
    except ValueError:
        return None


def _api_key(
    provider: type[Provider], environ: Mapping[str, str], user: Mapping[str, Any], user_path: Path
) -> Given | None:
    variable = provider.key_variables[0]
    if environ.get(variable):
        return Given(environ[variable], f"env {variable}")
    key = _user_key(user, provider.name)
    return Given(key, str(user_path)) if key else None


def _user_key(user: Mapping[str, Any], provider: str) -> str | None:
    table = user.get(provider)
    if isinstance(table, dict) and table.get("api_key"):
        return str(table["api_key"])
    value = user.get(f"{provider}_api_key")
    return str(value) if value else None


def _unknown_names(files: tuple[dict[str, Given], ...]) -> list[str]:
    """A warning per name in a file that is no setting (a typo is otherwise silent).
    Tables are left alone: other parts of pairrepl may keep theirs there."""
    known = {*SETTING_NAMES, *PROVIDERS, *(f"{name}_api_key" for name in PROVIDERS)}
    warnings = []
    for layer in files:
        for name, given in layer.items():
            if name not in known and not isinstance(given.value, dict):
                warnings.append(
                    f"Ignored {name} in {given.source}: there is no such setting (the "
                    f"settings are {', '.join(SETTING_NAMES)})."
                )
    return warnings


def _read_toml(path: Path, warnings: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        warnings.append(f"Could not read {path}: {error}")
        return {}
