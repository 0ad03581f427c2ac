"""The commands that read what pairrepl recorded: ``sessions`` and ``export`` (the ledger),
``blame`` (provenance.jsonl and the file). ``report`` and ``check`` are in understanding.py.
They only read: none of them creates ``.pairrepl/`` where there is none."""

from __future__ import annotations

import argparse
from pathlib import Path

from pairrepl.cli.options import CommandLineError, project_root_from, when


def list_sessions(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pairrepl sessions", description="List the sessions.")
    parser.add_argument("project", nargs="?", help="the project folder (default: found from here)")
    parser.add_argument(
        "--all",
        action="store_true",
        help="list sessions that ran no cell too (each start makes one)",
    )
    options = parser.parse_args(args)

    from pairrepl.ledger import Ledger

    ledger = Ledger.open_existing(project_root_from(options.project))
    if ledger is None:
        print("No sessions yet. Start one with: pairrepl")
        return 0
    try:
        recorded = ledger.sessions()
        sessions = [info for info in recorded if options.all or info.cells]
        if not sessions:
            print("No sessions yet. Start one with: pairrepl")
            if recorded:
                print(f"({len(recorded)} without cells: pairrepl sessions --all lists them)")
            return 0
        print(f"{'SESSION':<14}{'STARTED':<18}{'LAST':<18}{'CELLS':>6}  STATE")
        for info in sessions:
            state = "closed" if info.closed else "open/crashed"
            print(
                f"{info.id:<14}{when(info.started_at):<18}{when(info.last_at):<18}"
                f"{info.cells:>6}  {state}"
            )
        if len(sessions) < len(recorded):
            hidden = len(recorded) - len(sessions)
            print(f"({hidden} without cells not shown: --all lists them)")
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

    root = project_root_from(options.project)
    ledger = Ledger.open_existing(root)
    if ledger is None:
        raise CommandLineError(
            f"There are no sessions in {root} yet (it has no .pairrepl/). "
            "Start one with `pairrepl`."
        )
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
        description="Each line of a file with who wrote it: human, ai (verbatim), ai-edited, or "
        "changed (edited by hand since), "
        "and the request that led to it. Works from .pairrepl/provenance.jsonl and the file.",
    )
    parser.add_argument("file", help="a .py file of the project")
    parser.add_argument("--project", help="the project folder (default: the file's project)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    options = parser.parse_args(args)

    import json

    from pairrepl.session.blame import BlameError, blame_file

    root = project_root_from(options.project or _folder_of(options.file))
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


def _folder_of(file: str) -> str | None:
    """The folder of a file given on the command line, where its project is found from
    (None: the file is not there; the current folder's project then says so)."""
    path = Path(file).expanduser()
    return str(path.resolve().parent) if path.is_file() else None


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
