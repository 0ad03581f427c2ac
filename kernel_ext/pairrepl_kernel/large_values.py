"""A huge result or display is cut here, in the kernel, before it is sent.

The app caps every output it receives (``pairrepl/session/sink.py``), but a 50 MB
``text/plain`` still travels whole: decoding that one message holds the app's event
loop for most of a second. So for the cells the app sends (``drivers``), a value of
more than ``CUT_CHARS`` characters is cut to its first and last ``KEEP_CHARS`` around a
line that names the file holding all of it, written here, on the kernel's machine:
under ``.pairrepl/outputs/kernel/`` of the kernel's working folder when it has one (a
local kernel runs in the project), else under the temporary folder. The app's own cap
then applies to what arrives. Cells of other front ends (a notebook on the same kernel)
are left as they are.
"""

from __future__ import annotations

import getpass
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from . import drivers

CUT_CHARS = 1_000_000
KEEP_CHARS = 200_000
_FORMAT = "_pairrepl_original_format"


def install(ip: Any) -> None:
    """Wrap the shell's display formatter (once) so it cuts huge values for the app."""
    formatter = ip.display_formatter
    if hasattr(formatter, _FORMAT):
        return
    original = formatter.format

    def format(obj: Any, include: Any = None, exclude: Any = None) -> Any:
        data, metadata = original(obj, include=include, exclude=exclude)
        if drivers.sent_by_driver(ip) and isinstance(data, dict):
            data = {mime: cut(mime, value) for mime, value in data.items()}
        return data, metadata

    setattr(formatter, _FORMAT, original)
    formatter.format = format


def uninstall(ip: Any) -> None:
    formatter = ip.display_formatter
    original = getattr(formatter, _FORMAT, None)
    if original is not None:
        formatter.format = original
        delattr(formatter, _FORMAT)


def cut(mime_type: str, value: Any) -> Any:
    """``value`` as sent: itself when small (or not text: an image cut in two is no
    image; the app replaces a huge one), else its ends around a line naming the file
    that holds all of it."""
    if not isinstance(value, str) or len(value) <= CUT_CHARS or not _is_text(mime_type):
        return value
    path = _spill(mime_type, value)
    where = f"the full value is in {path} on the kernel's machine" if path else "not kept"
    omitted = len(value) - 2 * KEEP_CHARS
    note = f"\n… {omitted:,} characters cut in the kernel before sending; {where} …\n"
    return value[:KEEP_CHARS] + note + value[-KEEP_CHARS:]


def _is_text(mime_type: str) -> bool:
    return mime_type.startswith("text/") or mime_type.endswith(("json", "javascript", "+xml"))


def _spill(mime_type: str, value: str) -> str | None:
    """Write ``value`` to a private file; its path, or None when it cannot be written."""
    name = f"{uuid.uuid4().hex[:12]}-{mime_type.replace('/', '_')}.txt"
    folders = [Path(tempfile.gettempdir()) / f"pairrepl-outputs-{getpass.getuser()}"]
    project_state = Path.cwd() / ".pairrepl"
    if project_state.is_dir():  # a local kernel runs in its project: keep it beside the rest
        folders.insert(0, project_state / "outputs" / "kernel")
    for folder in folders:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / name
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(value)
            return str(path)
        except OSError:
            continue
    return None
