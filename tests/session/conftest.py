"""A real session: a real ipykernel through jupyter_client and a real SQLite ledger."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pairrepl.cli.options import local_kernel as cli_local_kernel
from pairrepl.kernel import LocalKernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session


def local_kernel(root: Path) -> LocalKernel:
    """A kernel as the app starts one (``pairrepl.cli`` wires it)."""
    return cli_local_kernel(root, root / ".pairrepl" / "kernel.log")


@pytest.fixture
async def ledger(tmp_path: Path) -> AsyncIterator[Ledger]:
    ledger = Ledger.open(tmp_path)
    yield ledger
    ledger.close()


@pytest.fixture
async def session(tmp_path: Path, ledger: Ledger) -> AsyncIterator[Session]:
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger)
    yield session
    await session.close()
