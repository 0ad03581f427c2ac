"""What git knows about who wrote the project's lines (and who is committing), where
git is there.

`line_authors` runs ``git blame --incremental`` on each file asked for (a few at a
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
# A group's header: "<sha> <line in the commit> <line now> <lines in this group>".
_GROUP = re.compile(r"^([0-9a-f]{40,64}) \d+ (\d+) (\d+)$")


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
        blamed = pool.map(lambda file: _git(root, "blame", "--incremental", "--", file), wanted)
        return {file: _authors(text) for file, text in zip(wanted, blamed, strict=True) if text}


def _authors(incremental: str) -> dict[int, str]:
    """Line number -> "Name <email>" from ``git blame --incremental`` output: one group
    of lines per commit and place (a header, the commit's details the first time it is
    named, then its file name), so a file of few commits is a few lines to read."""
    of_commit: dict[str, str] = {}  # sha -> its author
    names: dict[str, str] = {}
    authors: dict[int, str] = {}
    sha, first, count = "", 0, 0
    for row in incremental.splitlines():
        if header := _GROUP.match(row):
            sha, first, count = header.group(1), int(header.group(2)), int(header.group(3))
        elif row.startswith("author "):
            names[sha] = row[len("author ") :]
        elif row.startswith("author-mail ") and row != f"author-mail {_NOT_COMMITTED}":
            of_commit[sha] = f"{names.get(sha, '')} {row[len('author-mail ') :]}".strip()
        elif row.startswith("filename ") and sha in of_commit:  # a group's last line
            author = of_commit[sha]
            authors.update((line, author) for line in range(first, first + count))
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
