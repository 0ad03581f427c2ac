"""pairrepl: a stateful REPL for pair programming with an AI, where the human stays the engineer."""

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ip: Any) -> None:
    """``%load_ext pairrepl``: the magics, imported only now (``import pairrepl`` stays light;
    importing them by name keeps the type checker of ``core`` from following them)."""
    importlib.import_module("pairrepl.magics").load_ipython_extension(ip)


def unload_ipython_extension(ip: Any) -> None:
    importlib.import_module("pairrepl.magics").unload_ipython_extension(ip)
