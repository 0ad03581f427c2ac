"""Fixtures for more than one test folder."""

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
