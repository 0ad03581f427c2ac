"""A small module to grow in a pairrepl session: load prices, then clean and summarise them."""

import csv
from pathlib import Path


def load_prices(path: str | Path) -> list[str | None]:
    """The price column of a prices CSV as written: strings, or None where it is empty."""
    with open(path, newline="") as handle:
        return [row["price"] or None for row in csv.DictReader(handle)]
