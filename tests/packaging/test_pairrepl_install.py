"""pairrepl ships its in-kernel package (kernel_ext/pairrepl_kernel) in the wheel and in
an editable install, so `pip install .` and the README's `pip install -e .` work from a
clean clone, with nothing else to install. Each builds pairrepl (a minute or more), so all
are behind the ``install`` marker, which `bash .ci/run` runs."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, borrow_site_packages, build_wheel, pip_no_deps, run_python, venv_python

IMPORTS = (
    "import pairrepl_kernel, pairrepl.kernel.loading, pairrepl.cli\nprint(pairrepl_kernel.__file__)"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.install
def test_the_wheel_holds_both_packages_and_installs_alone(wheel: Path, tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "kernel_ext/pairrepl_kernel").iterdir() if p.is_file()}
    assert {f"pairrepl_kernel/{name}" for name in shipped} <= names
    assert "pairrepl/kernel/loading.py" in names and "pairrepl/cli/__init__.py" in names
    python = venv_python(tmp_path / "venv")
    borrow_site_packages(python)
    pip_no_deps(python, "--no-index", str(wheel))
    probe = run_python(python, IMPORTS, tmp_path)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.startswith(str(tmp_path / "venv"))


@pytest.mark.install
def test_an_editable_install_finds_the_kernel_package_in_kernel_ext(tmp_path: Path) -> None:
    python = venv_python(tmp_path / "venv")
    borrow_site_packages(python)
    pip_no_deps(python, "-e", str(ROOT))
    probe = run_python(python, IMPORTS, tmp_path)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == str(ROOT / "kernel_ext/pairrepl_kernel/__init__.py")


@pytest.mark.install
@pytest.mark.parametrize("editable", [False, True], ids=["pip install .", "pip install -e ."])
def test_pip_install_from_the_clone_resolves_and_runs(tmp_path: Path, editable: bool) -> None:
    """Every dependency from the package index into a bare venv, as the README says."""
    python = venv_python(tmp_path / "venv", with_pip=True)
    target = ["-e", str(ROOT)] if editable else [str(ROOT)]
    subprocess.run([str(python), "-m", "pip", "install", "-q", *target], check=True, timeout=1200)
    probe = run_python(python, IMPORTS, tmp_path)
    assert probe.returncode == 0, probe.stderr
    shown = subprocess.run(
        [str(tmp_path / "venv/bin/pairrepl"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and "usage" in shown.stdout.lower(), shown.stderr
