"""`pairrepl check`: the team's thresholds on the understanding figures, met or not.

Thresholds come from ``[tool.pairrepl.check]`` (read by the session layer), each
optional, for the project and per path: a path's thresholds override the project's
for the files under it (the longest matching path wins), and those files are then
judged together, apart from the rest. Shares are judged on the group's totals, the
number of people on each module of the group. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import PurePosixPath
from typing import Any

from pairrepl.core.understanding import UnderstandingReport

#: The group of files no path setting covers.
PROJECT_SCOPE = "(project)"


@dataclass(frozen=True)
class Thresholds:
    """Each None when not set. Shares are fractions from 0 to 1."""

    max_ai_verbatim_share: float | None = None  # of promoted lines, the AI's verbatim
    min_explained_share: float | None = None  # of AI-verbatim lines, explained by a human
    max_rubber_stamp_rate: float | None = None  # of accepted proposals
    min_people_per_module: int | None = None  # who promoted, explained or edited its code

    def overridden_by(self, other: Thresholds) -> Thresholds:
        return replace(
            self,
            **{
                f.name: getattr(other, f.name)
                for f in fields(other)
                if getattr(other, f.name) is not None
            },
        )

    @property
    def any_set(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


THRESHOLD_NAMES = tuple(f.name for f in fields(Thresholds))


@dataclass(frozen=True)
class CheckSettings:
    project: Thresholds = Thresholds()
    paths: Mapping[str, Thresholds] = field(default_factory=dict)  # path -> its overrides

    def scope_of(self, file: str) -> str:
        """The path setting that covers `file` (the longest), else `PROJECT_SCOPE`."""
        parts = PurePosixPath(file).parts
        best = PROJECT_SCOPE
        for path in self.paths:
            wanted = PurePosixPath(path).parts
            if parts[: len(wanted)] == wanted and (best == PROJECT_SCOPE or len(path) > len(best)):
                best = path
        return best

    def thresholds_of(self, scope: str) -> Thresholds:
        if scope == PROJECT_SCOPE:
            return self.project
        return self.project.overridden_by(self.paths[scope])


@dataclass(frozen=True)
class CheckResult:
    """One threshold on one group (or one module of it): met or not."""

    scope: str  # PROJECT_SCOPE or a path setting
    subject: str  # the scope itself, or a module of it
    threshold: str
    limit: float
    value: float | None  # None: nothing to measure (e.g. no AI-verbatim lines)
    detail: str

    @property
    def passed(self) -> bool:
        if self.value is None:
            return True
        if self.threshold.startswith("max_"):
            return self.value <= self.limit
        return self.value >= self.limit

    def to_payload(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "subject": self.subject,
            "threshold": self.threshold,
            "limit": self.limit,
            "value": self.value,
            "passed": self.passed,
            "detail": self.detail,
        }


def check(scope: str, thresholds: Thresholds, report: UnderstandingReport) -> list[CheckResult]:
    """Judge one group's report against its thresholds."""
    lines, reviews = report.total.lines, report.total.reviews
    results = []

    def result(name: str, limit: float, value: float | None, detail: str) -> None:
        results.append(CheckResult(scope, scope, name, limit, value, detail))

    if thresholds.max_ai_verbatim_share is not None:
        result(
            "max_ai_verbatim_share",
            thresholds.max_ai_verbatim_share,
            lines.ai_verbatim_share,
            f"{lines.ai} of {lines.promoted} promoted lines are the AI's, verbatim",
        )
    if thresholds.min_explained_share is not None:
        result(
            "min_explained_share",
            thresholds.min_explained_share,
            lines.explained_share,
            f"{lines.ai_explained} of {lines.ai} AI-verbatim lines explained",
        )
    if thresholds.max_rubber_stamp_rate is not None:
        result(
            "max_rubber_stamp_rate",
            thresholds.max_rubber_stamp_rate,
            reviews.rubber_stamp_rate,
            f"{reviews.rubber_stamped} of {reviews.accepted} reviewed accepts rubber-stamped",
        )
    if thresholds.min_people_per_module is not None:
        for name, module in report.modules.items():
            people = sorted(module.people)
            results.append(
                CheckResult(
                    scope,
                    name,
                    "min_people_per_module",
                    thresholds.min_people_per_module,
                    len(people) if module.lines.promoted else None,
                    ", ".join(people) or "no one recorded",
                )
            )
    return results
