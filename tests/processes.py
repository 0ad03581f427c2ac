"""Which processes are alive, read from /proc (Linux): no kernel may outlive its app."""

from __future__ import annotations

import contextlib
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


def tcp_ports_listened_on_by(pid: int) -> list[int]:
    """The TCP ports (IPv4 and IPv6) process ``pid`` listens on: its sockets' inodes
    (``/proc/PID/fd``) matched with the LISTEN rows of ``/proc/net/tcp`` and ``tcp6``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            listening = fields[3] == "0A"
            if listening and fields[9] in inodes:
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def sockets_of(pid: int) -> int:
    """How many sockets process ``pid`` holds open."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            count += fd.readlink().name.startswith("socket:[")
    return count
