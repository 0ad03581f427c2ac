"""``pairrepl report --html FILE``: the understanding figures as one self-contained page.

No network and no script: the style is inline and the charts are inline SVG (the trend
week by week, promoted lines per module, the knowledge map), so the file can be opened
anywhere or attached to a review as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from html import escape

from pairrepl.core.understanding import (
    Figures,
    UnderstandingReport,
    display_name,
)

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 68em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { padding: .2em .7em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child, table.words th, table.words td { text-align: left; }
td.flag { color: #b00020; text-align: left; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
.note { color: #666; }
"""

# One colour per series, readable by most colour-blind readers (Okabe and Ito).
_COLOURS = {
    "human": "#0072B2",
    "ai-edited": "#56B4E9",
    "ai": "#E69F00",
    "changed by hand": "#009E73",
    "AI-verbatim share": "#E69F00",
    "explained share": "#009E73",
    "rubber-stamp rate": "#D55E00",
    "share you wrote": "#0072B2",
}


def report_html(report: UnderstandingReport, *, project: str, learner: str | None = None) -> str:
    """The page; with `learner` (a person in the learner profile), their own trend first."""
    total = report.total
    made = time.strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>pairrepl report: {escape(project)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Understanding report: {escape(project)}</h1>",
        f'<p class="note">Made by pairrepl on {made} from provenance, the files, the ledger '
        "and git, where each is there. Weeks are ISO weeks in UTC.</p>",
        _summary(total),
        *_learner_trend(report, learner),
        "<h2>Trend by week</h2>",
        trend_chart(report.weeks, TEAM_TREND),
        _figures_table("WEEK", list(report.weeks.items())),
        "<h2>Promoted lines per module</h2>",
        module_chart(report),
        "<h2>Knowledge map</h2>",
        '<p class="note">Who promoted, explained or (per git) edited each module\'s promoted '
        "code. A module whose AI code one person or no one explained is flagged.</p>",
        knowledge_map(report),
        _knowledge_table(report),
        "<h2>Files</h2>",
        _figures_table("FILE", [*report.files.items(), ("(project)", total)]),
        "<h2>People</h2>",
        _figures_table("PERSON", [(display_name(p), f) for p, f in report.people.items()]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _learner_trend(report: UnderstandingReport, learner: str | None) -> list[str]:
    weeks = report.person_weeks.get(learner or "")
    if not weeks:
        return []
    return [
        f"<h2>Your trend: {escape(display_name(learner or ''))} (learner profile)</h2>",
        trend_chart(weeks, LEARNER_TREND, "learner-trend-chart"),
        _figures_table("WEEK", list(weeks.items())),
    ]


def _summary(total: Figures) -> str:
    lines, reviews = total.lines, total.reviews
    return (
        f"<p>{lines.promoted} promoted lines: {_share(lines.ai_verbatim_share)} the AI's "
        f"verbatim, {_share(lines.explained_share)} of those explained. "
        f"{reviews.accepted} accepted proposals, {_share(reviews.rubber_stamp_rate)} "
        f"rubber-stamped.</p>"
    )


#: The shares the trend charts draw, each from a week's figures.
TEAM_TREND: dict[str, Callable[[Figures], float | None]] = {
    "AI-verbatim share": lambda f: f.lines.ai_verbatim_share,
    "explained share": lambda f: f.lines.explained_share,
    "rubber-stamp rate": lambda f: f.reviews.rubber_stamp_rate,
}
LEARNER_TREND: dict[str, Callable[[Figures], float | None]] = {
    "share you wrote": lambda f: f.lines.written_share,
    "AI-verbatim share": lambda f: f.lines.ai_verbatim_share,
}


def trend_chart(
    by_week: Mapping[str, Figures],
    shares: Mapping[str, Callable[[Figures], float | None]],
    chart_id: str = "trend-chart",
) -> str:
    """Shares week by week, as lines on a 0-100% scale (broken where a week has nothing
    to measure)."""
    weeks = list(by_week)
    series = {name: [share(f) for f in by_week.values()] for name, share in shares.items()}
    width, height, left, right, top, plot_h = 760, 260, 48, 60, 16, 180
    step = (width - left - right) / max(len(weeks) - 1, 1)
    body = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - tick)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>'
        )
    every = len(weeks) // 10 + 1  # at most about ten week labels
    for index, week in enumerate(weeks[::every]):
        x = left + index * every * step
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{week}</text>')
    for row, (name, values) in enumerate(series.items()):
        colour = _COLOURS[name]
        run: list[str] = []
        for index, value in enumerate([*values, None]):
            if value is None:
                if len(run) > 1:
                    body.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        'stroke-width="2"/>'
                    )
                run = []
                continue
            x, y = left + index * step, top + plot_h * (1 - value)
            run.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)}, {weeks[index]}: {value:.0%}</title></circle>"
            )
        body.append(_legend(left + row * 200, height - 22, colour, name))
    return _svg(chart_id, "The understanding figures week by week", width, height, body)


def module_chart(report: UnderstandingReport) -> str:
    """Each module's promoted lines now, stacked by who wrote them."""
    rows = [(name, module.lines) for name, module in report.modules.items()]
    label_w, bar_w, row_h = 220, 440, 22
    height = 30 + row_h * max(len(rows), 1) + 30
    most = max([lines.promoted for _, lines in rows] or [1]) or 1
    body = []
    for index, (name, lines) in enumerate(rows):
        y = 20 + index * row_h
        body.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{escape(_clip(name))}</text>'
        )
        x = float(label_w)
        parts = (
            ("human", lines.human),
            ("ai-edited", lines.ai_edited),
            ("ai", lines.ai),
            ("changed by hand", lines.changed_by_hand),
        )
        for part, count in parts:
            if not count:
                continue
            w = bar_w * count / most
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{_COLOURS[part]}"><title>{escape(name)}: {count} lines {part}</title></rect>'
            )
            x += w
        body.append(f'<text x="{x + 6:.1f}" y="{y + 14}">{lines.promoted}</text>')
    for index, part in enumerate(("human", "ai-edited", "ai", "changed by hand")):
        body.append(_legend(label_w + index * 120, height - 16, _COLOURS[part], part))
    width = label_w + bar_w + 80
    return _svg("module-chart", "Promoted lines per module, by origin", width, height, body)


def knowledge_map(report: UnderstandingReport) -> str:
    """Modules by people: a dark square for who explained its AI code, a mid one for
    who promoted or explained any of it, a light one for a git author of its lines."""
    modules = list(report.modules.items())
    people = sorted({person for _, module in modules for person in module.people})
    label_w, cell, top = 220, 26, 110
    width = label_w + cell * max(len(people), 1) + 340
    height = top + cell * max(len(modules), 1) + 30
    body = []
    for column, person in enumerate(people):
        x = label_w + column * cell + cell / 2
        body.append(
            f'<text transform="translate({x:.1f},{top - 8}) rotate(-45)">{escape(_clip(display_name(person), 24))}</text>'
        )
    for row, (name, module) in enumerate(modules):
        y = top + row * cell
        body.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(_clip(name))}</text>'
        )
        for column, person in enumerate(people):
            if person in module.explained_ai_code:
                shade, role = "#08306b", "explained its AI code"
            elif person in module.promoted_by | module.explained_by:
                shade, role = "#4292c6", "promoted or explained its code"
            elif person in module.git_authors:
                shade, role = "#c6dbef", "git author of its promoted lines"
            else:
                continue
            x = label_w + column * cell
            body.append(
                f'<rect x="{x + 2}" y="{y + 2}" width="{cell - 4}" height="{cell - 4}" fill="{shade}">'
                f"<title>{escape(person)}: {role} ({escape(name)})</title></rect>"
            )
        note = module.flag or f"{len(module.people)} people"
        colour = "#b00020" if module.flag else "#333"
        x = label_w + cell * max(len(people), 1) + 10
        body.append(f'<text x="{x}" y="{y + 17}" style="fill:{colour}">{escape(note)}</text>')
    return _svg("knowledge-map", "Who knows each module's promoted code", width, height, body)


def _figures_table(heading: str, groups: Sequence[tuple[str, Figures]]) -> str:
    headers = [heading, "lines", "written", "AI share", "explained", "asked", "accepted"]
    headers += ["inspected"]
    headers += ["edited", "follow-up", "rubber-stamped", "paraphrased"]
    rows = []
    for name, figures in groups:
        lines, reviews, explained = figures.lines, figures.reviews, figures.explanations
        rows.append(
            [
                name,
                str(lines.promoted),
                _share(lines.written_share),
                _share(lines.ai_verbatim_share),
                _share(lines.explained_share),
                str(figures.questions),
                str(reviews.accepted),
                str(reviews.inspected),
                str(reviews.edited),
                str(reviews.followed_up),
                _share(reviews.rubber_stamp_rate),
                f"{explained.paraphrased} of {explained.explained}",
            ]
        )
    return _table(headers, rows)


def _knowledge_table(report: UnderstandingReport) -> str:
    rows = [
        [
            name,
            _names(module.people),
            _names(module.explained_ai_code),
            module.flag or "",
        ]
        for name, module in report.modules.items()
    ]
    return _table(
        ["module", "people", "explained its AI code", "flag"], rows, flag_column=3, words=True
    )


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    flag_column: int = -1,
    words: bool = False,
) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    flagged = '<td class="flag">'
    body = "".join(
        "<tr>"
        + "".join(
            f"{flagged if index == flag_column else '<td>'}{escape(cell)}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    kind = ' class="words"' if words else ""
    return f"<table{kind}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _svg(chart_id: str, title: str, width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg id="{chart_id}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(x: float, y: float, colour: str, name: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>'
        f'<text x="{x + 14:.1f}" y="{y:.1f}">{escape(name)}</text>'
    )


def _names(people: set[str]) -> str:
    return ", ".join(sorted(display_name(person) for person in people)) or "-"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _clip(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
