"""The lab panel's tests share the magics' fixtures: a clean environment with every
Jupyter folder in tmp, a project folder, the kernelspec installed there."""

from tests.magics.conftest import clean_environment, project  # noqa: F401
