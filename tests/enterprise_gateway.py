"""A real Jupyter Enterprise Gateway on 127.0.0.1, its kernels local processes.

Enterprise Gateway 3.x pins jupyter_client 6 and jupyter_server 1, older than pairrepl
needs, so it lives in a venv of its own (``tests/gateway_venv.sh``, which ``.ci/run``
runs; ``PAIRREPL_GATEWAY_VENV`` points elsewhere). Its kernels run this interpreter
(a ``python3`` kernelspec in the gateway's data dir), so they have pairrepl_kernel.
Started like ``JupyterServer`` (clean Jupyter dirs in a temp folder, a random token).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.jupyter_server import JupyterServer

ROOT = Path(__file__).resolve().parents[1]
VENV_VARIABLE = "PAIRREPL_GATEWAY_VENV"


def gateway_python() -> Path | None:
    """The gateway venv's interpreter, if that venv exists."""
    # absolute: the gateway starts in its own folder (a relative path would not be found)
    venv = Path(os.environ.get(VENV_VARIABLE) or ROOT / ".venv-gateway").absolute()
    python = venv / "bin" / "python"
    return python if python.exists() else None


class EnterpriseGateway(JupyterServer):
    def __init__(self, directory: Path, python: Path, options: Sequence[str] = ()) -> None:
        super().__init__(directory)
        self.python = python
        self.options = list(options)  # more of the gateway's command line
        self.log_path = self.directory / "enterprise-gateway.log"

    def environment(self) -> dict[str, str]:
        env = super().environment()
        kernelspec = Path(env["JUPYTER_DATA_DIR"]) / "kernels" / "python3"
        kernelspec.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3",
            "language": "python",
        }
        (kernelspec / "kernel.json").write_text(json.dumps(spec))
        env["JUPYTER_PATH"] = env["JUPYTER_DATA_DIR"]
        return env

    def arguments(self) -> list[str]:
        args = [
            str(self.python),
            "-m",
            "enterprise_gateway",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port_retries=0",
            f"--EnterpriseGatewayApp.auth_token={self.token}",
        ]
        if self.time_to_dead is not None:  # as the Jupyter Server of the tests
            args.append(f"--KernelRestarter.time_to_dead={self.time_to_dead}")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # The gateway refuses kernels for root by default (unauthorized_users).
            args.append("--EnterpriseGatewayApp.unauthorized_users=nobody-in-particular")
        return args + self.options
