#!/usr/bin/env bash
# A venv with Jupyter Enterprise Gateway, for the kernel contract suite against a real
# gateway (pytest -m gateway tests/kernel). It cannot share pairrepl's venv: Enterprise
# Gateway 3.x pins jupyter_client 6 and jupyter_server 1.
#   tests/gateway_venv.sh [VENV]      (default: .venv-gateway; then PAIRREPL_GATEWAY_VENV=VENV)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv-gateway}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q 'jupyter_enterprise_gateway>=3.2,<4'
"$venv/bin/python" -c "import enterprise_gateway; print('Enterprise Gateway', enterprise_gateway.__version__, 'in $venv')"
