"""What `jupyter labextension list` says of pairrepl's extension in a given Python
environment, as the words after its name and version ("enabled OK", "enabled X", ...)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

NAME = "pairrepl-labextension"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def labextension_list(python: Path | str, env: dict[str, str] | None = None) -> str:
    """The whole output (stdout and stderr, colours removed) of `jupyter labextension list`
    run by ``python``: ``python -m jupyterlab.labextensions list``, so the listing is that
    environment's, whatever ``jupyter`` is first on PATH."""
    done = subprocess.run(
        [str(python), "-m", "jupyterlab.labextensions", "list"],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return _ANSI.sub("", done.stdout + done.stderr)


def status(listing: str) -> tuple[str, str] | None:
    """(the folder it is listed under, "enabled OK" or whatever the listing says), or None."""
    folder = ""
    for line in listing.splitlines():
        if line and not line[0].isspace() and line.rstrip().endswith("labextensions"):
            folder = line.strip()
        words = line.split()
        if words[:1] == [NAME]:
            return folder, " ".join(words[2:])
    return None
