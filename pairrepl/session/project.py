"""The tables of settings only a project keeps: ``[tool.pairrepl.report]`` and
``[tool.pairrepl.check]`` in its ``pyproject.toml`` (the understanding report's and
check's thresholds; no flag or variable sets them).

The settings every front end reads, layered (flags, environment, project, user file),
are ``session/settings.py``'s; these tables come through its reader of the project's
file (``project_table``), with the same ``SettingError``.
"""

from __future__ import annotations

from pathlib import Path

from pairrepl.core.checks import THRESHOLD_NAMES, CheckSettings, Thresholds
from pairrepl.core.review import RUBBER_STAMP_SECONDS
from pairrepl.session.settings import SettingError, project_table


def rubber_stamp_seconds(root: Path) -> float:
    """``[tool.pairrepl.report] rubber_stamp_seconds``: an accept this soon after the
    run, with no inspection, edit or follow-up, is a rubber stamp."""
    report = project_table(root, "report")
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
    table = dict(project_table(root, "check"))
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
