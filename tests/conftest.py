"""Fixtures for more than one test folder."""

from collections.abc import Iterator

import pytest

from tests.jupyter_server import JupyterServer


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """One real jupyter server for the whole run (started only if a test asks for it)."""
    with JupyterServer(tmp_path_factory.mktemp("jupyter-server")) as server:
        yield server
