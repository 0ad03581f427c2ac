"""The commands that read what pairrepl recorded: ``sessions`` and ``export`` (the ledger),
``blame`` and ``report`` (provenance.jsonl and the files)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from pairrepl.cli.options import CommandLineError, project_root_from, when


def list_sessions(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pairrepl sessions", description="List the sessions.")
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    options = parser.parse_args(args)

    from pairrepl.ledger import Ledger

    ledger = Ledger.open(project_root_from(options.project))
    try:
        sessions = ledger.sessions()
        if not sessions:
            print("No sessions yet. Start one with: pairrepl")
            return 0
        print(f"{'SESSION':<14}{'STARTED':<18}{'LAST':<18}{'CELLS':>6}  STATE")
        for info in sessions:
            state = "closed" if info.closed else "open/crashed"
            print(
                f"{info.id:<14}{when(info.started_at):<18}{when(info.last_at):<18}"
                f"{info.cells:>6}  {state}"
            )
    finally:
        ledger.close()
    return 0


def export(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl export", description="Write a session as a Jupyter notebook."
    )
    parser.add_argument("session", help="a session id (or a unique prefix of one)")
    parser.add_argument("--to", required=True, metavar="FILE.ipynb", help="the notebook to write")
    parser.add_argument("--project", help="the project folder (default: found from here)")
    options = parser.parse_args(args)
    target = Path(options.to)
    if target.suffix != ".ipynb":
        raise CommandLineError(f"--to must name a .ipynb file, not {options.to}.")

    from pairrepl.ledger import Ledger, SessionNotFound, export_notebook

    ledger = Ledger.open(project_root_from(options.project))
    try:
        session_id = ledger.resolve(options.session)
        export_notebook(ledger.entries(session_id), target)
    except SessionNotFound as error:
        raise CommandLineError(str(error)) from error
    finally:
        ledger.close()
    print(f"Wrote {target} (session {session_id}).")
    return 0


def blame(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl blame",
        description="Each line of a file with who wrote it: human, ai (verbatim) or ai-edited, "
        "and the request that led to it. Works from .pairrepl/provenance.jsonl and the file.",
    )
    parser.add_argument("file", help="a .py file of the project")
    parser.add_argument("--project", help="the project folder (default: found from here)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    options = parser.parse_args(args)

    import json

    from pairrepl.session.blame import BlameError, blame_file

    root = project_root_from(options.project)
    try:
        lines = blame_file(root, options.file)
    except BlameError as error:
        raise CommandLineError(str(error)) from error
    for line in lines:
        record = line.record
        if options.json:
            print(
                json.dumps(
                    {
                        "line": line.number,
                        "origin": line.origin,
                        "promotion_id": record.promotion_id if record else None,
                        "symbol": record.symbol if record else None,
                        "request": record.request if record else None,
                        "explanation": record.explanation if record else None,
                        "text": line.text,
                    }
                )
            )
            continue
        why = ""
        if record is not None:
            why = record.request or "(typed by the human)"
            why = f"{record.promotion_id[:8]} {when(record.time)} {_clip(why, 40)}"
        print(f"{line.number:>5} {line.origin:<9} {why:<66} | {line.text}")
    return 0


def report(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="pairrepl report",
        description="The project's understanding figures: promoted lines by origin, and how "
        "many of the AI's verbatim lines a human explained in their own words.",
    )
    parser.add_argument("--project", help="the project folder (default: found from here)")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only lines promoted since then")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    options = parser.parse_args(args)
    since = None
    if options.since:
        try:
            since = time.mktime(time.strptime(options.since, "%Y-%m-%d"))
        except ValueError as error:
            raise CommandLineError(
                f"--since takes a date like 2026-01-31, not {options.since!r}."
            ) from error

    import json

    from pairrepl.session.blame import project_report

    result = project_report(project_root_from(options.project), since=since)
    if options.json:
        print(json.dumps(result.to_payload(), indent=2))
        return 0
    if not result.files:
        print("Nothing promoted yet: .pairrepl/provenance.jsonl names no file.")
        return 0
    print(f"{'FILE':<40}{'LINES':>6}{'HUMAN':>7}{'AI':>6}{'EDITED':>8}{'CHANGED':>9}  AI EXPLAINED")
    for name, numbers in [*result.files.items(), ("(project)", result.total)]:
        print(
            f"{_clip(name, 39):<40}{numbers.promoted:>6}{numbers.human:>7}{numbers.ai:>6}"
            f"{numbers.ai_edited:>8}{numbers.changed_by_hand:>9}  {_share(numbers.explained_share)}"
        )
    share = _share(result.total.ai_verbatim_share)
    print(f"\nAI-verbatim share of promoted lines: {share}.")
    for name in result.missing_files:
        print(f"note: {name} is in provenance but not in the project any more.")
    if result.unreadable_lines:
        print(f"note: {result.unreadable_lines} line(s) of provenance.jsonl could not be read.")
    return 0


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
