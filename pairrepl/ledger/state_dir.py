"""The project root, the ``.pairrepl/`` folder under it, and the ``.gitignore`` that guards it.

The ledger and spilled outputs are private to one machine and one person: they hold
everything the human ran and saw, keys typed into a cell included. So the folder is made
(and kept) ``0700`` and the files pairrepl writes in it ``0600`` (``private_file``),
whatever the umask. ``provenance.jsonl`` is meant to be committed so the team can see
who wrote what: it keeps the mode git gives it. The ``.gitignore`` says exactly that. It
is written only when missing, so a user who edited it keeps their edit.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_state_dir(project_root: Path) -> Path:
    """Create ``<project_root>/.pairrepl/`` (private) and its ``.gitignore`` if needed;
    return the folder. An existing folder of ours is made private again."""
    state_dir = project_root / STATE_DIR_NAME
    state_dir.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    _make_private(state_dir, PRIVATE_DIR_MODE)
    try:
        # "x": create only if absent, atomically, so two processes never both write it
        # and an existing (perhaps edited) file is never touched.
        with (state_dir / ".gitignore").open("x", encoding="utf-8") as gitignore:
            gitignore.write(GITIGNORE_TEXT)
    except FileExistsError:
        pass
    return state_dir


def private_file(path: Path) -> Path:
    """Create ``path`` readable by its owner only, or make an existing file of ours so
    (the ledger, its WAL and SHM, the kernel's log, spilled outputs). Returns ``path``."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
    _make_private(path, PRIVATE_FILE_MODE)
    return path


def _make_private(path: Path, mode: int) -> None:
    # Only what we own: a folder shared on purpose by someone else stays as they set it.
    with contextlib.suppress(OSError):
        if path.stat().st_uid == os.getuid():
            path.chmod(mode)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` whole or not at all: a temporary file beside it,
    fsynced, renamed over it, and the folder fsynced so the rename itself lasts."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # where the platform lets a folder be opened
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
