#!/usr/bin/env bash
# A venv for the browser test on a given JupyterLab: the pairrepl wheel (built from this
# checkout, so with the committed labextension/build) and JupyterLab as SPEC says.
# Usage: tests/lab/lab_venv.sh DIR [SPEC]   (SPEC defaults to the newest: 'jupyterlab')
#   tests/lab/lab_venv.sh /tmp/lab-oldest 'jupyterlab==4.0.0'
#   PAIRREPL_LAB_VENV=/tmp/lab-oldest .venv/bin/python -m pytest -m browser tests/lab
set -euo pipefail
dir=$1
spec=${2:-jupyterlab}
root="$(cd "$(dirname "$0")/../.." && pwd)"
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
python3 -m pip wheel -q --no-deps -w "$wheels" "$root"
python3 -m venv "$dir"
"$dir/bin/python" -m pip install -q "$spec" "$wheels"/pairrepl-*.whl
"$dir/bin/python" -c 'import jupyterlab; print("JupyterLab", jupyterlab.__version__, "in '"$dir"'")'
