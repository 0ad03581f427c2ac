"""``pairrepl report`` (the understanding figures: tables, JSON, one HTML file) and
``pairrepl check`` (the team's thresholds on them: a gate for CI and pre-commit)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pairrepl.cli.options import CommandLineError, project_root_from
from pairrepl.core.understanding import Figures, UnderstandingReport, display_name

if TYPE_CHECKING:
    from pairrepl.session.understanding import CheckOutcome


def report(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl report",
        description="Do we still understand our code? Promoted lines by origin, how closely "
        "the AI's proposals were reviewed, how the AI's code was explained, who knows each "
        "module, and the same week by week. From provenance and the files; the ledger and "
        "git add what they know.",
    )
    parser.add_argument("--project", help="the project folder (default: found from here)")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only what happened since then")
    parser.add_argument("--json", action="store_true", help="everything, as JSON")
    parser.add_argument("--html", metavar="FILE", help="write one self-contained HTML page")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read everything again, without .pairrepl/report-cache.sqlite3 (the same figures)",
    )
    options = parser.parse_args(args)
    since = _date(options.since) if options.since else None
    html_path = Path(options.html) if options.html else None
    if html_path is not None and not html_path.parent.is_dir():
        raise CommandLineError(
            f"--html: no folder {html_path.parent} to write {html_path.name} in."
        )

    from pairrepl.session.errors import SessionError
    from pairrepl.session.understanding import project_understanding

    root = project_root_from(options.project)
    try:
        result, gathered = project_understanding(
            root, since=since, listing=options.json, cached=not options.no_cache
        )
    except SessionError as error:
        raise CommandLineError(str(error)) from error
    learner = _learner(root, options, result)
    if html_path is not None:
        from pairrepl.cli.report_html import report_html

        page = report_html(result, project=root.name, learner=learner)
        html_path.write_text(page, encoding="utf-8")
    if options.json:
        payload = {**result.to_payload(), "learner": learner, "sources": gathered.to_payload()}
        print(json.dumps(payload, indent=2))
        return 0
    if not result.files:
        print("Nothing promoted yet: .pairrepl/provenance.jsonl names no file.")
    else:
        print(report_text(result, ledger=gathered.ledger, learner=learner))
    for note in gathered.notes():
        print(f"note: {note}")
    if html_path is not None:
        print(f"Wrote {html_path}.")
    return 0


def check(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl check",
        description="Judge the promoted code against the thresholds of "
        "[tool.pairrepl.check] in pyproject.toml; exit 1 if one is not met. Works from "
        ".pairrepl/provenance.jsonl, the files and git alone (no ledger), so it runs in CI.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="only files under these")
    parser.add_argument("--project", help="the project folder (default: found from here)")
    parser.add_argument("--json", action="store_true", help="the results as JSON")
    options = parser.parse_args(args)
    for path in options.paths:
        if not Path(path).exists():
            raise CommandLineError(f"No file or folder {path}: give paths inside the project.")

    from pairrepl.session.errors import SessionError
    from pairrepl.session.understanding import check_project

    root = project_root_from(options.project)
    try:
        outcome = check_project(root, options.paths)
    except SessionError as error:
        raise CommandLineError(str(error)) from error
    if options.json:
        payload = {
            "passed": outcome.passed,
            "results": [result.to_payload() for result in outcome.results],
            "sources": outcome.gathered.to_payload(),
        }
        print(json.dumps(payload, indent=2))
    else:
        print(check_text(outcome))
    return 0 if outcome.passed else 1


def _learner(root: Path, options: argparse.Namespace, report: UnderstandingReport) -> str | None:
    """The person running the report, as the report names them, when their profile is
    the learner's (their own trend then comes first); else None."""
    from pairrepl.cli.options import read_settings
    from pairrepl.ledger import identity

    settings = read_settings(root, options)
    if settings.profile != "learner":
        return None
    return report.known_as(settings.person or identity(root))


def report_text(report: UnderstandingReport, *, ledger: str, learner: str | None = None) -> str:
    """The tables; with `learner` (a person in the learner profile), their own trend first."""
    total = report.total
    sections: list[str] = []
    own = report.person_weeks.get(learner or "")
    if learner and own:
        sections.append(
            f"Your trend, {display_name(learner)} (learner profile): the share of promoted "
            "code you wrote, and the questions you asked\n"
            + review_table("WEEK", list(own.items()), with_lines=True)
        )
    sections += [
        "Promoted lines now, by who wrote them\n"
        + table(
            ["FILE", "LINES", "HUMAN", "AI", "EDITED", "CHANGED", "AI EXPLAINED"],
            [
                [
                    name,
                    f.lines.promoted,
                    f.lines.human,
                    f.lines.ai,
                    f.lines.ai_edited,
                    f.lines.changed_by_hand,
                    share(f.lines.explained_share),
                ]
                for name, f in [*report.files.items(), ("(project)", total)]
            ],
        )
        + f"\nAI-verbatim share of promoted lines: {share(total.lines.ai_verbatim_share)}.",
        f"Review of accepted proposals (ledger: {ledger})\n"
        + review_table("FILE", [*report.files.items(), ("(project)", total)]),
        "Explanations (the explain-back gate)\n"
        + table(
            ["PERSON", "AI PROMOTIONS", "EXPLAINED", "PARAPHRASED", "MEDIAN WORDS"],
            [
                [
                    name,
                    f.explanations.ai_promotions,
                    f.explanations.explained,
                    f.explanations.paraphrased,
                    _number(f.explanations.to_payload()["median_words"]),
                ]
                for name, f in [*_by_name(report.people), ("(everyone)", total)]
            ],
        ),
        "Knowledge map: who knows each module's promoted code\n"
        + table(
            ["MODULE", "PEOPLE", "EXPLAINED ITS AI CODE", "FLAG"],
            [
                [
                    name,
                    len(module.people),
                    ", ".join(sorted(map(display_name, module.explained_ai_code))) or "-",
                    module.flag or "",
                ]
                for name, module in report.modules.items()
            ],
        ),
        "People\n" + review_table("PERSON", _by_name(report.people), with_lines=True),
        "Trend by week (UTC)\n" + review_table("WEEK", list(report.weeks.items()), with_lines=True),
    ]
    return "\n\n".join(sections)


def review_table(
    heading: str, groups: Sequence[tuple[str, Figures]], *, with_lines: bool = False
) -> str:
    lines_columns = ["LINES", "WRITTEN", "AI SHARE", "EXPLAINED", "ASKED"] if with_lines else []
    headers = [heading, *lines_columns]
    headers += ["ACCEPTED", "TO RUN", "TO ACCEPT", "INSPECTED", "EDITED", "FOLLOW-UP"]
    headers.append("RUBBER-STAMPED")
    rows = []
    for name, figures in groups:
        review = figures.reviews
        payload = review.to_payload()
        lines = figures.lines
        row: list[object] = [name]
        if with_lines:
            row += [
                lines.promoted,
                share(lines.written_share),
                share(lines.ai_verbatim_share),
                share(lines.explained_share),
                figures.questions,
            ]
        row += [
            review.accepted,
            seconds(payload["median_to_run_s"]),
            seconds(payload["median_run_to_accept_s"]),
            share(_of(review.inspected, review.accepted)),
            share(_of(review.edited, review.accepted)),
            share(_of(review.followed_up, review.accepted)),
            share(review.rubber_stamp_rate),
        ]
        rows.append(row)
    return table(headers, rows)


def check_text(outcome: CheckOutcome) -> str:
    if not outcome.results:
        if not any(
            [
                outcome.settings.project.any_set,
                *(t.any_set for t in outcome.settings.paths.values()),
            ]
        ):
            return (
                "No thresholds set: add a [tool.pairrepl.check] table to pyproject.toml "
                "(e.g. max_ai_verbatim_share = 0.5). Nothing to check."
            )
        return "Nothing to check: no promoted code under the paths given."
    rows = [
        [
            "ok" if result.passed else "FAIL",
            result.scope,
            "" if result.subject == result.scope else result.subject,
            result.threshold,
            _limit(result.threshold, result.limit),
            "no data" if result.value is None else _limit(result.threshold, result.value),
            result.detail,
        ]
        for result in outcome.results
    ]
    failed = sum(not result.passed for result in outcome.results)
    verdict = (
        f"{failed} of {len(outcome.results)} checks not met."
        if failed
        else f"All {len(outcome.results)} checks met."
    )
    headers = ["", "SCOPE", "MODULE", "THRESHOLD", "LIMIT", "VALUE", "DETAIL"]
    return table(headers, rows) + "\n" + verdict


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns as wide as their widest cell; text left-aligned, numbers right-aligned."""
    cells = [[_clip(str(cell)) for cell in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    numeric = [
        all(_looks_numeric(row[i]) for row in cells) and bool(cells) for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(headers), *(line(row) for row in cells)])


def share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def seconds(value: object) -> str:
    if not isinstance(value, int | float):
        return "-"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.0f} min"


def _by_name(people: Mapping[str, Figures]) -> list[tuple[str, Figures]]:
    return [(display_name(person), figures) for person, figures in people.items()]


def _of(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _number(value: object) -> str:
    return "-" if value is None else f"{value:g}"


def _limit(threshold: str, value: float) -> str:
    return f"{value:g}" if threshold.endswith("per_module") else f"{value:.0%}"


def _looks_numeric(text: str) -> bool:
    return text == "-" or text.replace(".", "").replace("%", "").replace(" s", "").isdigit()


def _clip(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _date(text: str) -> float:
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%d"))
    except ValueError as error:
        raise CommandLineError(f"--since takes a date like 2026-01-31, not {text!r}.") from error
