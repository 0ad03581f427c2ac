"""The Textual front end: ``PairreplApp`` draws a ``Session`` and turns keys into its calls.

It imports only ``pairrepl.session`` and ``pairrepl.core`` (an import-linter contract):
which kernel and which ledger is the choice of ``pairrepl.cli``, handed in as ``open_session``.
"""

from pairrepl.tui.app import PairreplApp

__all__ = ["PairreplApp"]
