"""The project root, the ``.pairrepl/`` folder under it, and the ``.gitignore`` that guards it.

The ledger and spilled outputs are private to one machine (they hold everything the
human ran and saw); ``provenance.jsonl`` is meant to be committed so the team can see who
wrote what. The ``.gitignore`` says exactly that. It is written only when missing, so a
user who edited it keeps their edit.
"""

from __future__ import annotations

from pathlib import Path

STATE_DIR_NAME = ".pairrepl"
#: What makes a folder a project's root, wherever it is above the starting folder.
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")

GITIGNORE_TEXT = """\
# Written by pairrepl. The session ledger and spilled outputs stay on this machine;
# provenance.jsonl (who wrote which promoted code) is meant to be committed.
*
!.gitignore
!provenance.jsonl
"""


def find_project_root(start: Path) -> Path:
    """The project root for a front end that starts in ``start``: the one rule.

    ``start`` itself if it holds a ``.pairrepl/`` (pairrepl already worked there) or one of
    ``PROJECT_MARKERS``; else the nearest folder above it holding one of
    ``PROJECT_MARKERS``; else ``start``. A ``.pairrepl/`` counts only in ``start``: one left
    in a parent folder (a home or temporary folder) must not capture every folder below.

    Every front end finds its ledger this way (the ``pairrepl`` command from the folder
    it is given or the current one, the magics from the kernel's working directory), so
    they share one.
    """
    start = start.resolve()
    if (start / STATE_DIR_NAME).is_dir():
        return start
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return start


def ensure_state_dir(project_root: Path) -> Path:
    """Create ``<project_root>/.pairrepl/`` and its ``.gitignore`` if needed; return the folder."""
    state_dir = project_root / STATE_DIR_NAME
    state_dir.mkdir(parents=True, exist_ok=True)
    try:
        # "x": create only if absent, atomically, so two processes never both write it
        # and an existing (perhaps edited) file is never touched.
        with (state_dir / ".gitignore").open("x", encoding="utf-8") as gitignore:
            gitignore.write(GITIGNORE_TEXT)
    except FileExistsError:
        pass
    return state_dir
