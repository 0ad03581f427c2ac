"""End to end in a browser: `jupyter lab` on 127.0.0.1 with a token, Debian's Chromium
driven by playwright-core (labextension/node_modules), a notebook on the pairrepl kernel
with the replay provider (tests/lab/browser/panel.e2e.cjs says each step): ask in the
panel, insert, run, accept, promote with a form that survives a cell run; a no-op
promotion refused, then done as a test; a replacement confirmed; a reject answered while
a cell sleeps; a kernel restart the panel recovers from; both themes; a change of kernel;
blame. Then the files and provenance are checked here. Fails on browser console errors;
on a failure, its screenshot and those of the two themes go to tests/artifacts/. Behind
the ``browser`` marker: ``pytest -m browser tests/lab``.

By default JupyterLab is this environment's, with the committed build linked in. With
``PAIRREPL_LAB_VENV=DIR`` it is that venv's instead (JupyterLab and pairrepl installed there
from the wheel, e.g. by ``tests/lab/lab_venv.sh DIR 'jupyterlab==4.0.*'``): the kernel and
the extension are the wheel's, and `jupyter labextension list` there must say enabled OK."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from pairrepl.cli import main as pairrepl_cli
from tests.lab.labext import labextension_list, status
from tests.magics.conftest import MEAN, WHY, replay_script

CHECK = "assert mean([1.0, 2.0, 6.0]) == 3.0"
SAFER_MEAN = "def mean(values):\n    return sum(values) / max(len(values), 1)"

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "labextension"
SCRIPT = Path(__file__).parent / "browser/panel.e2e.cjs"
TOKEN = "pairrepl-e2e-token"
# Read on import: the autouse clean_environment fixture removes PAIRREPL_* variables.
LAB_VENV = os.environ.get("PAIRREPL_LAB_VENV")

pytestmark = [pytest.mark.browser, pytest.mark.timeout(480)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_panel_asks_inserts_accepts_and_promotes_in_chromium(
    project: Path, tmp_path: Path
) -> None:
    if not Path("/usr/bin/chromium").exists() or shutil.which("node") is None:
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium) and node")
    if not (LAB / "node_modules/playwright-core").is_dir():
        pytest.skip("needs playwright-core: cd labextension && npm ci")
    replay_script(
        project / "script.json",
        {"text": "A small function.", "propose_cell": {"code": MEAN, "rationale": WHY}},
        {"text": "A check.", "propose_cell": {"code": CHECK, "rationale": "It holds."}},
        {"text": "Safer.", "propose_cell": {"code": SAFER_MEAN, "rationale": "No ZeroDivision."}},
        {"text": "A constant.", "propose_cell": {"code": "SCALE = 10", "rationale": "Plots."}},
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.pairrepl]\nprovider = "replay"\nreplay = "script.json"\n'
    )
    if LAB_VENV:
        python = str(Path(LAB_VENV).absolute() / "bin/python")
        # The kernel runs the venv's pairrepl; the extension is the one the wheel installed.
        subprocess.run([python, "-m", "pairrepl", "install-kernel", "--user"], check=True)
        listing = labextension_list(python)
        where = (str(Path(LAB_VENV).absolute() / "share/jupyter/labextensions"), "enabled OK")
        assert status(listing) == where, listing
    else:
        python = sys.executable
        pytest.importorskip("jupyterlab", reason="needs the lab extra: pip install -e '.[lab]'")
        assert pairrepl_cli(["install-kernel", "--user"]) == 0
        data = Path(os.environ["JUPYTER_DATA_DIR"])
        (data / "labextensions").mkdir(parents=True, exist_ok=True)
        built = LAB / "build/pairrepl-labextension"
        (data / "labextensions/pairrepl-labextension").symlink_to(built)
    version = subprocess.run(
        [python, "-c", "import jupyterlab; print(jupyterlab.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"JupyterLab {version} from {python}")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("prices = [3.0, 1.0, 2.0]")]
    )
    notebook.metadata["kernelspec"] = {
        "name": "pairrepl",
        "display_name": "Python 3 (pairrepl)",
        "language": "python",
    }
    nbformat.write(notebook, project / "notebooks/panel.ipynb")

    # No toasts over the panel (Lab's "get notified about Jupyter news?" question).
    settings = tmp_path / "lab-settings"
    quiet = settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    quiet.parent.mkdir(parents=True)
    quiet.write_text(json.dumps({"fetchNews": "false", "doNotDisturbMode": True}))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    lab = subprocess.Popen(
        [
            python,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={project}",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={settings}",
            "--allow-root",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(project / "lab.log", "wb"),  # noqa: SIM115
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or lab.poll() is not None:
                    pytest.fail("jupyter lab did not start:\n" + (project / "lab.log").read_text())
                time.sleep(0.3)
        env = {**os.environ, "NODE_PATH": str(LAB / "node_modules")}
        artifacts, shots = ROOT / "tests/artifacts", tmp_path / "shots"
        command = ["node", str(SCRIPT), url, TOKEN, "notebooks/panel.ipynb"]
        try:
            done = subprocess.run(
                [*command, str(artifacts), str(shots)],
                env=env,
                capture_output=True,
                text=True,
                timeout=420,
            )
        except subprocess.TimeoutExpired as stuck:
            said = stuck.stdout.decode() if isinstance(stuck.stdout, bytes) else stuck.stdout
            pytest.fail(f"the browser script hung after:\n{said}")
        print(done.stdout)
        if done.returncode != 0 and shots.is_dir():
            shutil.copytree(shots, artifacts, dirs_exist_ok=True)
        assert done.returncode == 0, (
            f"JupyterLab {version}:\n"
            + done.stdout
            + done.stderr
            + (project / "lab.log").read_text()[-3000:]
        )
    finally:
        lab.terminate()
        lab.wait(timeout=30)

    assert (project / "stats_tools.py").read_text() == SAFER_MEAN + "\n"  # replaced, after a yes
    assert CHECK in (project / "tests/test_stats_tools.py").read_text()
    records = [json.loads(line) for line in (project / ".pairrepl/provenance.jsonl").open()]
    assert (records[0]["symbol"], records[0]["origin"]) == ("mean", "ai")
    assert records[0]["explanation"] == "adds the prices up and divides by their count"
