"""Code that runs inside the kernel process (``%load_ext pairrepl.kernel_ext``).

Imports only the stdlib and IPython: the kernel must never load the agent layer (it
would hold API keys) nor anything that expects the front end's process.
"""

from __future__ import annotations

from typing import Any

from pairrepl.kernel_ext.namespace import SUMMARY_FUNCTION_NAME, install, uninstall

__all__ = ["SUMMARY_FUNCTION_NAME", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ip: Any) -> None:
    install(ip)


def unload_ipython_extension(ip: Any) -> None:
    uninstall(ip)
