"""The lab panel's tests share the magics' fixtures: a clean environment with every
Jupyter folder in tmp, a project folder, the kernelspec installed there."""

from tests.magics.conftest import clean_environment, project  # noqa: F401


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """The browser test runs only when asked for: ``pytest -m browser``."""
    import pytest

    if "browser" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="the browser test runs with: pytest -m browser tests/lab")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
