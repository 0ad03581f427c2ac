"""The wheel ships the prebuilt JupyterLab extension under share/jupyter/labextensions/,
so users need no Node.js; installed from the wheel into a fresh venv, or editable from
this checkout (the README's first command), `jupyter labextension list` shows it enabled
and OK; and it asks only for JupyterLab 4.0 and later."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.lab.labext import labextension_list, status
from tests.packaging.conftest import borrow_site_packages, build_wheel, pip_no_deps, venv_python

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "labextension/build/pairrepl-labextension"
SHARE = "share/jupyter/labextensions/pairrepl-labextension"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_the_prebuilt_labextension(wheel: Path) -> None:
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


def test_the_dependencies_jupyter_checks_agree_with_the_shared_singletons() -> None:
    """`jupyter labextension list` judges compatibility by ``dependencies`` (not by
    ``sharedPackages``): with ``~4.5.11`` there, it said X on JupyterLab 4.0.13 and 4.6.6."""
    built = json.loads((BUILD / "package.json").read_text())
    shared = built["jupyterlab"]["sharedPackages"]
    for package, wanted in built["dependencies"].items():
        assert wanted == shared[package]["requiredVersion"], package
        assert wanted.startswith("^") and wanted.endswith(".0.0"), (package, wanted)


def test_installed_from_the_wheel_jupyter_lists_the_extension_enabled_and_ok(
    wheel: Path, tmp_path: Path
) -> None:
    """A fresh venv, the wheel pip-installed into it; its dependencies (JupyterLab among
    them) come from this environment's site-packages through a .pth file, to stay fast.
    The full install, with JupyterLab 4.0 and the newest, is the browser test's (README)."""
    assert_listed_after_installing(tmp_path / "venv", str(wheel))


def test_an_editable_install_lists_the_extension_enabled_and_ok(tmp_path: Path) -> None:
    """`pip install -e .` installs the committed build too (setuptools writes no
    data-files in editable mode by itself: editable_data.py)."""
    assert_listed_after_installing(tmp_path / "venv", "-e", str(ROOT))


def assert_listed_after_installing(venv: Path, *install: str) -> None:
    pytest.importorskip("jupyterlab", reason="needs the lab extra: pip install -e '.[lab]'")
    python = venv_python(venv)
    borrow_site_packages(python)
    pip_no_deps(python, *install)
    listing = labextension_list(python, {"PYTHONNOUSERSITE": "1"})
    assert status(listing) == (str(venv / "share/jupyter/labextensions"), "enabled OK"), listing
    assert "incompatible" not in listing and "not compatible" not in listing, listing
