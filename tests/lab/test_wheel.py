"""The wheel ships the prebuilt JupyterLab extension under share/jupyter/labextensions/,
so users need no Node.js; and the committed build is the one the TypeScript makes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "labextension/build/pairrepl-labextension"
SHARE = "share/jupyter/labextensions/pairrepl-labextension"


def test_the_wheel_holds_the_prebuilt_labextension(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("pairrepl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = [name.split(".data/data/", 1)[1] for name in names if ".data/data/" in name]
    assert f"{SHARE}/package.json" in data
    entry = json.loads((BUILD / "package.json").read_text())["jupyterlab"]["_build"]["load"]
    assert f"{SHARE}/{entry}" in data  # the remoteEntry the package.json names
    built = {f"{SHARE}/static/{p.name}" for p in (BUILD / "static").iterdir()}
    assert built <= set(data)


def test_the_extension_shares_jupyterlab_4_singletons_with_any_jupyterlab_4() -> None:
    """Required versions from the oldest JupyterLab 4 on: no "Unsatisfied version" on 4.0."""
    entry = json.loads((BUILD / "package.json").read_text())["jupyterlab"]["_build"]["load"]
    text = (BUILD / entry).read_text()
    for package, wanted in (
        ("@jupyterlab/application", "^4.0.0"),
        ("@jupyterlab/notebook", "^4.0.0"),
        ("@jupyterlab/apputils", "^4.0.0"),
    ):
        assert f'shareKey:"{package}",import:null,requiredVersion:"{wanted}"' in text
