"""Fresh virtual environments for the packaging tests.

The default tests install with ``--no-deps`` into a venv whose only other packages are
this environment's site-packages, through a ``.pth`` file of plain path lines (so the
editable pairrepl of this checkout is *not* importable there): cheap, and what is
installed is exactly what the package ships. The tests marked ``install`` resolve every
dependency from the package index into a bare venv, as a user's ``pip install`` does
(a few minutes; ``bash .ci/run`` runs them: ``pytest -m install tests/packaging``).
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What a kernel-only install must never bring (the issue's list), by distribution name.
HEAVY = ("textual", "anthropic", "openai", "libcst", "pillow")


def build_wheel(folder: Path) -> Path:
    """pairrepl's wheel, built from this checkout into ``folder``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT)],
        check=True,
        timeout=300,
    )
    (built,) = folder.glob("pairrepl-*.whl")
    return built


def venv_python(folder: Path, *, with_pip: bool = False) -> Path:
    options = [] if with_pip else ["--without-pip"]
    subprocess.run([sys.executable, "-m", "venv", *options, str(folder)], check=True)
    return folder / "bin" / "python"


def site_packages(python: Path) -> Path:
    return Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )


def borrow_site_packages(python: Path) -> None:
    """This environment's installed packages, importable in the venv at ``python``; its
    editable installs (processed from .pth files only in a real site dir) are not."""
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages(python) / "_outer.pth").write_text("".join(f"{p}\n" for p in sorted(paths)))


def pip_no_deps(python: Path, *arguments: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            *arguments,
        ],
        check=True,
        timeout=300,
    )


def run_python(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
    )
