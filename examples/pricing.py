"""A small module to grow in a pairrepl session: load prices, then clean and summarise them."""

import csv
from pathlib import Path


def load(path: str | Path) -> list[dict[str, str]]:
    """The rows of a prices CSV, as dicts of strings."""
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))
