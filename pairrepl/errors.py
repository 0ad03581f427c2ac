"""The one root of pairrepl's own errors.

Every error pairrepl raises on purpose derives from ``PairreplError``; its message is one
line that says what happened and what to do. Front ends catch ``SessionError`` (the
session translates the domain's errors, such as ``IllegalTransition``, into it); the
command line catches ``PairreplError`` for anything raised before a session exists.
Anything else that escapes is a bug.

This module imports nothing, so every layer but ``core`` may use it (``pairrepl_kernel``
is not part of pairrepl: it runs inside kernels that may have no pairrepl at all).
"""


class PairreplError(Exception):
    """Something pairrepl was asked to do cannot be done; the message says why and what to do."""
