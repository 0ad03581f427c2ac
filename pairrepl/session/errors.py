"""The error every use case raises when the human asks for something that cannot be done."""

from pairrepl.errors import PairreplError


class SessionError(PairreplError):
    """Something the human asked for cannot be done now; the message says why and what to do."""
