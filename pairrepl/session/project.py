"""The settings a project keeps in its ``pyproject.toml`` (``[tool.pairrepl]``).

Shared by every front end (the ``pairrepl`` command, the magics), so the TUI and a
notebook promote into the same files with the same rules. The project root itself is
found by ``pairrepl.ledger.find_project_root``, as the ledger is.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from pairrepl.core.checks import THRESHOLD_NAMES, CheckSettings, Thresholds
from pairrepl.core.review import RUBBER_STAMP_SECONDS
from pairrepl.session.errors import SessionError
from pairrepl.session.promotion import PromotionSettings

if TYPE_CHECKING:
    from pairrepl.agent import ProviderConfig


class SettingError(SessionError):
    """A ``[tool.pairrepl]`` setting that cannot be used; the message says how to fix it."""


def project_setting(root: Path, name: str) -> object:
    """``[tool.pairrepl] name`` from the project's pyproject.toml, or None."""
    try:
        with (root / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle).get("tool", {}).get("pairrepl", {}).get(name)
    except (OSError, tomllib.TOMLDecodeError):
        return None


def promotion_settings(root: Path) -> PromotionSettings:
    """``promote_to`` and ``explain_back`` from ``[tool.pairrepl]``."""
    target = project_setting(root, "promote_to")
    explain_back = project_setting(root, "explain_back")
    if target is not None and not isinstance(target, str):
        raise SettingError(f"[tool.pairrepl] promote_to must be a path, not {target!r}.")
    if explain_back is not None and not isinstance(explain_back, bool):
        raise SettingError(
            f"[tool.pairrepl] explain_back must be true or false, not {explain_back!r}."
        )
    return PromotionSettings(
        default_target=target, explain_back=True if explain_back is None else explain_back
    )


def context_budget(root: Path, override: int | None = None) -> int | None:
    """The AI's context budget in tokens: ``override``, else ``[tool.pairrepl]
    context_budget``, else None (the default)."""
    budget = override if override is not None else project_setting(root, "context_budget")
    if budget is None:
        return None
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 500:
        raise SettingError(
            f"The context budget must be a number of tokens of 500 or more, not {budget!r}."
        )
    return budget


def provider_config(
    root: Path,
    *,
    provider: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    replay: str | None = None,
) -> ProviderConfig:
    """The AI provider from flags, env, the project and the user's config, in that order.

    Reads API keys from the environment: call it only when the human asked for the AI.
    """
    from pairrepl.agent import resolve_config

    config = resolve_config(root, provider=provider, model=model, base_url=base_url, replay=replay)
    if config.replay and not Path(config.replay).is_file():
        # a script named in the project's pyproject.toml is relative to the project
        config = dataclasses.replace(config, replay=str(root / config.replay))
    return config


def rubber_stamp_seconds(root: Path) -> float:
    """``[tool.pairrepl.report] rubber_stamp_seconds``: an accept this soon after the
    run, with no inspection, edit or follow-up, is a rubber stamp."""
    report = _table(root, "report")
    seconds = report.get("rubber_stamp_seconds", RUBBER_STAMP_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise SettingError(
            "[tool.pairrepl.report] rubber_stamp_seconds must be a number of seconds, "
            f"not {seconds!r}."
        )
    return float(seconds)


def check_settings(root: Path) -> CheckSettings:
    """The thresholds of ``[tool.pairrepl.check]``, for the project and (in its
    ``paths`` table) per path; every mistake is a one-line `SettingError`."""
    table = dict(_table(root, "check"))
    paths = table.pop("paths", {})
    if not isinstance(paths, dict):
        raise SettingError(
            '[tool.pairrepl.check] paths must be a table: [tool.pairrepl.check.paths."src/app"]'
        )
    return CheckSettings(
        _thresholds("[tool.pairrepl.check]", table),
        {
            str(path).strip("/"): _thresholds(f'[tool.pairrepl.check.paths."{path}"]', values)
            for path, values in paths.items()
        },
    )


def _thresholds(where: str, values: object) -> Thresholds:
    if not isinstance(values, dict):
        raise SettingError(f"{where} must be a table of thresholds, not {values!r}.")
    unknown = sorted(set(values) - set(THRESHOLD_NAMES))
    if unknown:
        raise SettingError(
            f"{where} has no threshold {unknown[0]!r}; the thresholds are "
            f"{', '.join(THRESHOLD_NAMES)}."
        )
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingError(f"{where} {name} must be a number, not {value!r}.")
        if name.endswith("_share") or name.endswith("_rate"):
            if not 0 <= value <= 1:
                raise SettingError(f"{where} {name} is a share from 0 to 1, not {value!r}.")
        elif not isinstance(value, int) or value < 1:
            raise SettingError(f"{where} {name} must be a whole number of people, not {value!r}.")
    return Thresholds(**values)


def _table(root: Path, name: str) -> dict[str, object]:
    table = project_setting(root, name)
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise SettingError(f"[tool.pairrepl.{name}] must be a table, not {table!r}.")
    return table
