"""Fixtures for the magics: a project folder, a clean environment, a real InteractiveShell.

Every test runs with OPENAI_*, ANTHROPIC_*, PAIRREPL_* and JUPYTER_* cleared, and with
IPython's, Jupyter's and pairrepl's user folders in tmp: nothing of the developer's
machine (a real key, an installed kernelspec) leaks in, and nothing is written to home.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

MEAN = "def mean(values):\n    return sum(values) / len(values)"
WHY = "Average of the list."


def replay_script(path: Path, *turns: dict[str, object]) -> Path:
    path.write_text(json.dumps({"format": "pairrepl-replay/1", "turns": list(turns)}))
    return path


def oversized_code() -> str:
    return "\n".join(f"v{i} = {i}" for i in range(40))


@pytest.fixture(autouse=True)
def clean_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "ANTHROPIC_", "PAIRREPL_", "JUPYTER_")):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("IPYTHONDIR", str(home / "ipython"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(home / "jupyter-config"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(home / "jupyter-data"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(home / "jupyter-runtime"))
    monkeypatch.setenv("JUPYTER_PATH", str(home / "jupyter-data"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (it has a pyproject.toml) and the current directory inside it."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    monkeypatch.chdir(root / "notebooks")  # the root is found from here upward
    return root


@contextlib.contextmanager
def interactive_shell(config: Config | None = None) -> Iterator[InteractiveShell]:
    """A real InteractiveShell with ``config`` (as ``ipython_config.py`` would give it),
    history in memory; pairrepl unloaded and the shell cleared afterwards."""
    InteractiveShell.clear_instance()
    config = config or Config()
    config.HistoryManager.hist_file = ":memory:"
    ip = InteractiveShell.instance(config=config)
    try:
        yield ip
    finally:
        if "pairrepl" in ip.extension_manager.loaded:
            ip.extension_manager.unload_extension("pairrepl")
        InteractiveShell.clear_instance()


@pytest.fixture
def shell(project: Path) -> Iterator[InteractiveShell]:
    with interactive_shell() as ip:
        yield ip
