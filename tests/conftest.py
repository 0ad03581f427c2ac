"""Fixtures for more than one test folder, and the markers that run only when asked for."""

from collections.abc import Iterator

import pytest

from tests.enterprise_gateway import VENV_VARIABLE, EnterpriseGateway, gateway_python
from tests.jupyter_server import JupyterServer


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """One real jupyter server for the whole run (started only if a test asks for it)."""
    with JupyterServer(tmp_path_factory.mktemp("jupyter-server")) as server:
        yield server


@pytest.fixture(scope="session")
def enterprise_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """One real Jupyter Enterprise Gateway for the whole run (``pytest -m gateway``)."""
    python = gateway_python()
    if python is None:
        pytest.fail(
            "no Enterprise Gateway venv: run tests/gateway_venv.sh (or set "
            f"{VENV_VARIABLE} to a venv with jupyter_enterprise_gateway)"
        )
    with EnterpriseGateway(tmp_path_factory.mktemp("enterprise-gateway"), python) as gateway:
        yield gateway


#: Tests that run only when their marker is selected (``pytest -m NAME``; ``.ci/run``
#: runs each): why, and the command.
OPT_IN_MARKERS = {
    "browser": "JupyterLab in headless Chromium: pytest -m browser tests/lab",
    "install": "resolves from the package index: pytest -m install tests/packaging",
    "gateway": "a real Enterprise Gateway: pytest -m gateway tests/kernel",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = config.getoption("markexpr") or ""
    for marker, reason in OPT_IN_MARKERS.items():
        if marker in selected:
            continue
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
