"""The "Python 3 (pairrepl)" kernelspec: ipykernel with the pairrepl magics loaded.

JupyterLab users pick it in the launcher and get ``%ai``, ``%promote`` and the rest
without typing ``%load_ext pairrepl``. The kernelspec runs ``kernel/launch.py``
(copied into its folder) with the interpreter that installed it, and records which
pairrepl version wrote it, so a kernel can say when the two drift apart.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from pairrepl.kernel import launch

KERNEL_NAME = "pairrepl"
DISPLAY_NAME = "Python 3 (pairrepl)"
# Never the name of a package the kernel imports ("pairrepl.py", "pairrepl_kernel.py"):
# the launcher's folder comes first on the kernel's sys.path, so it would shadow it.
LAUNCHER_NAME = "pairrepl_launcher.py"


def kernel_json(python: str, version: str, display_name: str = DISPLAY_NAME) -> dict[str, object]:
    """``version``: the pairrepl that writes the kernelspec (the kernel compares its own)."""
    return {
        "argv": [python, f"{{resource_dir}}/{LAUNCHER_NAME}", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "env": {launch.VERSION_VARIABLE: version},
        "metadata": {"debugger": True, "pairrepl_version": version},
    }


def install_kernelspec(
    version: str,
    *,
    name: str = KERNEL_NAME,
    display_name: str = DISPLAY_NAME,
    user: bool = False,
    prefix: str | None = None,
    python: str | None = None,
) -> Path:
    """Install (or replace) the kernelspec; returns the folder it was written to.

    ``user``: the user's Jupyter data folder (``JUPYTER_DATA_DIR`` if set); ``prefix``:
    ``PREFIX/share/jupyter/kernels`` (``sys.prefix`` for a virtualenv's own Jupyter);
    neither: the system-wide folder.
    """
    with tempfile.TemporaryDirectory(prefix="pairrepl-kernelspec-") as folder:
        source = Path(folder)
        spec = kernel_json(python or sys.executable, version, display_name)
        (source / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        shutil.copyfile(str(launch.__file__), source / LAUNCHER_NAME)
        _copy_logos(source)
        installed = KernelSpecManager().install_kernel_spec(
            str(source), kernel_name=name, user=user, prefix=prefix
        )
    return Path(installed)


def _copy_logos(target: Path) -> None:
    try:
        from ipykernel.kernelspec import RESOURCES
    except ImportError:
        return
    for logo in Path(RESOURCES).glob("logo-*"):
        shutil.copyfile(logo, target / logo.name)
