"""pairrepl: a stateful REPL for pair programming with an AI, where the human stays the engineer."""

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ip: Any) -> None:
    """``%load_ext pairrepl``: the magics (imported only now, so ``import pairrepl`` stays light)."""
    from pairrepl.magics import load_ipython_extension as load

    load(ip)


def unload_ipython_extension(ip: Any) -> None:
    from pairrepl.magics import unload_ipython_extension as unload

    unload(ip)
