"""kernel_ext/ on its own (the pairrepl-kernel distribution): stdlib and IPython only,
nothing heavy comes with it, and installed alone next to ipykernel it serves the app's
variables pane through ``--existing``."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from pairrepl.kernel import ExistingKernel

from .conftest import (
    HEAVY,
    ROOT,
    borrow_site_packages,
    pip_no_deps,
    run_python,
    venv_python,
)

PACKAGE = ROOT / "kernel_ext" / "pairrepl_kernel"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement)
    assert match, requirement
    return normalised(match.group(1))


def requirements_closure(roots: list[str]) -> tuple[set[str], set[str]]:
    """Every distribution ``roots`` pull in, by the installed packages' own metadata
    (extras left out; any other marker counted, so this is a superset); and those of
    them not installed here, whose own requirements could not be followed."""
    seen: set[str] = set()
    unfollowed: set[str] = set()
    pending = [normalised(root) for root in roots]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            unfollowed.add(name)
            continue
        pending += [requirement_name(r) for r in requires if "extra ==" not in r]
    return seen, unfollowed


def test_it_declares_ipython_alone_and_nothing_heavy_comes_with_it() -> None:
    project = tomllib.loads((ROOT / "kernel_ext/pyproject.toml").read_text())["project"]
    assert [requirement_name(r) for r in project["dependencies"]] == ["ipython"]
    closure, unfollowed = requirements_closure(["ipython", "ipykernel"])
    print(
        f"{len(closure)} distributions behind ipython + ipykernel; not installed here: "
        f"{sorted(unfollowed)}"
    )
    assert {"ipython", "ipykernel", "traitlets", "jupyter-client", "pyzmq"} <= closure
    assert not closure & {*HEAVY, "pairrepl"}, closure & {*HEAVY, "pairrepl"}


def test_every_module_imports_only_the_stdlib_ipython_and_itself() -> None:
    checked = 0
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: the package itself (it may be sent as source)
                    continue
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            for root in roots:
                checked += 1
                assert root in sys.stdlib_module_names or root == "IPython", (path.name, root)
    assert checked > 30


async def test_installed_alone_it_serves_the_variables_pane_through_existing(
    tmp_path: Path,
) -> None:
    python = venv_python(tmp_path / "venv")
    borrow_site_packages(python)  # ipykernel and IPython, from this environment
    pip_no_deps(python, str(ROOT / "kernel_ext"))
    probe = run_python(
        python,
        "import pairrepl_kernel, sys; print(pairrepl_kernel.__file__)\nimport pairrepl",
        tmp_path,
    )
    assert str(tmp_path / "venv") in probe.stdout, probe.stderr
    assert "No module named 'pairrepl'" in probe.stderr  # the light package alone

    spec = KernelSpec(
        argv=[str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="light",
        language="python",
    )

    class LightSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return spec

    manager = AsyncKernelManager(kernel_spec_manager=LightSpecs())
    with open(tmp_path / "kernel.log", "ab") as log:
        await manager.start_kernel(cwd=str(tmp_path), stdout=log, stderr=log)
    owner = manager.client()  # as Jupyter would: the kernel is up before anyone attaches
    owner.start_channels()
    await owner.wait_for_ready(timeout=60)
    owner.stop_channels()
    kernel = ExistingKernel(Path(manager.connection_file))
    try:
        await kernel.start()
        assert kernel.extension_error is None
        assert kernel.extension_notice == ""  # its own pairrepl_kernel, not our source
        reply = await kernel.execute("prices = [3.0, 1.0]\nimport sys", _Sink())
        assert reply.namespace is not None and reply.namespace.error is None
        assert reply.namespace.by_name()["prices"].repr == "[3.0, 1.0]"
        loaded = await kernel.execute(
            "print(sorted({m.split('.')[0] for m in sys.modules}))", sink := _Sink()
        )
        assert loaded.status.value == "ok"
        modules = set(json.loads(sink.text.replace("'", '"')))
        assert "pairrepl_kernel" in modules and "_pairrepl_kernel_sent" not in modules
        assert not modules & {"pairrepl", "textual", "anthropic", "openai", "libcst", "PIL"}
    finally:
        await kernel.shutdown()
        await manager.shutdown_kernel(now=True)


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def output(self, output: object) -> None:
        self.text += getattr(output, "text", "")

    async def input_requested(self, prompt: str, password: bool) -> str:
        return ""


@pytest.mark.install
def test_pip_install_kernel_ext_and_ipykernel_brings_nothing_heavy(tmp_path: Path) -> None:
    """`pip install ./kernel_ext ipykernel` into a bare venv, every dependency resolved
    from the package index, as on a GPU server."""
    python = venv_python(tmp_path / "venv", with_pip=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(ROOT / "kernel_ext"), "ipykernel"],
        check=True,
        timeout=900,
    )
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    installed = {normalised(item["name"]) for item in json.loads(listed)}
    print(f"{len(installed)} distributions installed: {sorted(installed)}")
    assert {"pairrepl-kernel", "ipykernel", "ipython"} <= installed
    assert not installed & {*HEAVY, "pairrepl"}
    probe = run_python(python, "import pairrepl_kernel.inspector, IPython", tmp_path)
    assert probe.returncode == 0, probe.stderr
