"""Which processes are alive, read from /proc (Linux): no kernel may outlive its app."""

from __future__ import annotations

from pathlib import Path


def process_running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has exited; only its parent has yet to reap it)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def kernels_running_in(folder: Path) -> list[int]:
    """Pids of ipykernel processes whose working folder is ``folder``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if (
                "ipykernel" in (proc / "cmdline").read_text()
                and (proc / "cwd").resolve() == folder.resolve()
                and process_running(int(proc.name))
            ):
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return found
