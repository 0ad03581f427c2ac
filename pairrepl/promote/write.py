"""Write a promotion's text into the project, or refuse without touching anything.

The rules (invariant PROMOTION-NEVER-DESTROYS-SOURCE), each a `PromotionRefused` raised
before any byte is written: the target must be a `.py` file inside the project root (no
absolute paths, no `..` or symlinks that leave the root: the path is resolved, then
checked); the file must still hold exactly the text the plan was made from (sha256); the
new text must parse.
The write is atomic: a temp file in the same folder, fsync, rename over the target; the
target's mode is kept. A target that does not exist yet is created, with its folders
(the write says which folders it made, so an undo can remove them again:
`remove_created`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pairrepl.core.cells import code_hash
from pairrepl.promote.errors import PromotionRefused

if TYPE_CHECKING:
    from pairrepl.promote.plan import PromotionPlan  # libcst: not imported by reads

DEFAULT_NEW_FILE_MODE = 0o666  # less the umask, like any file the user creates


def resolve_target(root: Path, target: str) -> Path:
    """The real path of `target` (relative to `root`), refusing anything outside it."""
    if not target.strip():
        raise PromotionRefused("No target file was given.")
    if Path(target).is_absolute():
        raise PromotionRefused(
            f"Refusing {target!r}: give the target relative to the project root {root}."
        )
    real_root = root.resolve()
    resolved = (real_root / target).resolve()
    if not resolved.is_relative_to(real_root):
        raise PromotionRefused(
            f"Refusing {target!r}: it resolves to {resolved}, outside the project root {real_root}."
        )
    if Path(target).suffix != ".py" or resolved.suffix != ".py":
        raise PromotionRefused(f"Refusing {target!r}: only .py files are promoted into.")
    if resolved.exists() and not resolved.is_file():
        raise PromotionRefused(f"Refusing {target!r}: it is not a regular file.")
    return resolved


def read_target(root: Path, target: str) -> str:
    """The target's current text, exactly (no newline translation); "" if it is new."""
    path = resolve_target(root, target)
    return _read_exact(path)


def write_promotion(
    root: Path, target: str, plan: PromotionPlan, expected_hash: str
) -> tuple[str, ...]:
    """Write `plan.new_text` to `target`, if the file still holds the planned-from text.
    Returns the folders it created (see `write_module_text`)."""
    if plan.original_hash != expected_hash:
        raise PromotionRefused(
            f"Refusing to write {target!r}: the plan was made from a different text than "
            f"the one expected on disk; plan the promotion again."
        )
    return write_module_text(root, target, plan.new_text, expected_hash)


def write_module_text(
    root: Path, target: str, new_text: str, expected_hash: str
) -> tuple[str, ...]:
    """Atomically replace `target`'s text, if its current text hashes to `expected_hash`.
    Returns the folders it created for a new file, relative to `root`, deepest last.

    The one writer behind promotion and undo.
    """
    path = resolve_target(root, target)
    current = _read_exact(path)
    if code_hash(current) != expected_hash:
        raise PromotionRefused(
            f"Refusing to write {target!r}: it changed on disk since pairrepl read it. "
            f"Nothing was written; review the file and promote again."
        )
    _check_parses(new_text, current, target)
    created = missing_folders(root, target)
    _atomic_write(path, new_text)
    return created


def missing_folders(root: Path, target: str) -> tuple[str, ...]:
    """The folders writing `target` would create, relative to `root`, deepest last."""
    real_root = root.resolve()
    path = resolve_target(root, target)
    missing = [folder for folder in path.parents if not folder.exists()]
    return tuple(folder.relative_to(real_root).as_posix() for folder in reversed(missing))


def remove_created(root: Path, target: str, folders: tuple[str, ...]) -> None:
    """Remove a file a promotion created (if it is still there), then the `folders` it
    created for it that are empty again, deepest first. A folder that holds only the
    byte-code cache of what was removed counts as empty; anything else stays."""
    real_root = root.resolve()
    path = resolve_target(root, target)
    path.unlink(missing_ok=True)
    for relative in reversed(folders):
        folder = (real_root / relative).resolve()
        if folder == real_root or not folder.is_relative_to(real_root) or not folder.is_dir():
            continue
        cache = folder / "__pycache__"
        only_cache = {entry.name for entry in folder.iterdir()} == {"__pycache__"}
        if only_cache and all(entry.suffix == ".pyc" for entry in cache.iterdir()):
            for entry in cache.iterdir():
                entry.unlink()
            cache.rmdir()
        with contextlib.suppress(OSError):  # not empty: something else lives there now
            folder.rmdir()


def _read_exact(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise PromotionRefused(f"Refusing {path}: it is not UTF-8 text ({error}).") from error


def _check_parses(text: str, current: str, target: str) -> None:
    """Python's own compiler has the last word (libcst wrote the text; a second libcst
    parse of a whole module would double the wait for little). When the file as it is
    does not compile either, the running Python is too old for it: say which."""
    try:
        compile(text, target, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        already = _compile_error(current, target) if current else None
        if already is not None:
            version = ".".join(map(str, sys.version_info[:2]))
            where = f" (line {already.lineno})" if isinstance(already, SyntaxError) else ""
            raise PromotionRefused(
                f"Refusing to write {target!r}: Python {version}, which runs pairrepl, cannot "
                f"compile it as it is now{where}: {getattr(already, 'msg', already)}. It may "
                f"use newer syntax; run pairrepl with the Python the project needs. The file "
                f"is unchanged."
            ) from error
        raise PromotionRefused(
            f"Refusing to write {target!r}: the result would not parse ({error}). "
            f"The file is unchanged."
        ) from error


def _compile_error(text: str, target: str) -> SyntaxError | ValueError | None:
    try:
        compile(text, target, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        return error
    return None


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, fsync it, then rename it over.

    An existing file keeps its mode. A new one gets ``DEFAULT_NEW_FILE_MODE`` less the
    umask, applied by the operating system as it creates the temporary file: reading the
    umask would mean setting it, which races with every other thread creating files.
    """
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_name = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DEFAULT_NEW_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
