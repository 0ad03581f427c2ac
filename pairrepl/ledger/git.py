"""What git knows about who wrote the project's lines (and who is committing), where
git is there.

`line_authors` runs ``git blame --porcelain`` on each file asked for (a few at a
time) and keeps each line's author as "Name <email>"; lines not committed yet have no
author. No git, no repository, or a file git does not track: nothing, never an error,
so `report` and `check` work the same from a plain folder.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

GIT_TIMEOUT_S = 30.0
_PARALLEL_BLAMES = 4
_NOT_COMMITTED = "<not.committed.yet>"
# A line's header: "<sha> <line in the commit> <line now> [<lines in this group>]".
_HEADER = re.compile(r"^([0-9a-f]{40,64}) \d+ (\d+)")


def in_git_work_tree(root: Path) -> bool:
    if shutil.which("git") is None:
        return False
    done = _git(root, "rev-parse", "--is-inside-work-tree")
    return done is not None and done.strip() == "true"


def identity(root: Path) -> str | None:
    """Who commits here, as git would name them: "Name <email>" (None if git is not
    there or knows no user.name and no user.email)."""
    if shutil.which("git") is None:
        return None
    name = (_git(root, "config", "user.name") or "").strip()
    email = (_git(root, "config", "user.email") or "").strip()
    return f"{name} <{email}>".strip() if email else (name or None)


def line_authors(root: Path, files: Iterable[str]) -> dict[str, dict[int, str]]:
    """For each file (relative to `root`) that git tracks: line number -> its author."""
    if not in_git_work_tree(root):
        return {}
    wanted = sorted(set(files))
    with ThreadPoolExecutor(max_workers=_PARALLEL_BLAMES) as pool:
        blamed = pool.map(lambda file: _git(root, "blame", "--porcelain", "--", file), wanted)
        return {file: _authors(text) for file, text in zip(wanted, blamed, strict=True) if text}


def _authors(porcelain: str) -> dict[int, str]:
    """Line number -> "Name <email>" from ``git blame --porcelain`` output, where a
    commit's headers come only with the first line it wrote."""
    of_commit: dict[str, str] = {}  # sha -> its author
    names: dict[str, str] = {}
    authors: dict[int, str] = {}
    sha, line = "", 0
    for row in porcelain.splitlines():
        if row.startswith("\t"):  # the line's text
            if sha in of_commit:
                authors[line] = of_commit[sha]
        elif header := _HEADER.match(row):
            sha, line = header.group(1), int(header.group(2))
        elif row.startswith("author "):
            names[sha] = row[len("author ") :]
        elif row.startswith("author-mail ") and row != f"author-mail {_NOT_COMMITTED}":
            of_commit[sha] = f"{names.get(sha, '')} {row[len('author-mail ') :]}".strip()
    return authors


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
