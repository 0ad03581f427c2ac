"""Fixtures for the ledger tests: a real ledger in a temporary project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pairrepl.ledger import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path) as opened:
        yield opened
