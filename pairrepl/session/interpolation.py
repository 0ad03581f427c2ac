"""``{name}``, ``{In[3]}``, ``{Out[3]}`` and ``{Err[3]}`` in a request, as jupyter-ai's
magics take them: the value is put into the text the AI reads.

Only those four forms are replaced; any other brace (a dict literal, a format string in
code pasted into the request) is left exactly as typed, and so is a name that is not
defined. A value is its ``str()``, cut to ``VALUE_CHARS``; a name that looks secret is
never put in (``<redacted>``), as in every other view the AI gets. ``$name`` (a fuller
view of a live object, taken by the session) is another thing and stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pairrepl.agent import looks_secret

VALUE_CHARS = 4000
REDACTED = "<redacted>"

_PLACEHOLDER = re.compile(
    r"\{(?:(?P<history>In|Out|Err)\[(?P<count>\d+)\]|(?P<name>[A-Za-z_]\w*))\}"
)


def interpolate(
    request: str,
    namespace: Mapping[str, Any],
    error_of: Callable[[int], str | None],
) -> str:
    """``request`` with its placeholders replaced (``error_of(n)``: the error In[n] raised)."""

    def value(match: re.Match[str]) -> str:
        if match["name"] is not None:
            name = match["name"]
            if name not in namespace:
                return match[0]
            return REDACTED if looks_secret(name) else _text(namespace[name])
        count = int(match["count"])
        if match["history"] == "Err":
            error = error_of(count)
            return match[0] if error is None else _text(error)
        found = _history(namespace, match["history"], count)
        return match[0] if found is None else _text(found)

    return _PLACEHOLDER.sub(value, request)


def _history(namespace: Mapping[str, Any], which: str, count: int) -> Any:
    """IPython's ``In[n]`` (a list) or ``Out[n]`` (a dict), or None when there is none."""
    table = namespace.get(which)
    try:
        return table[count] if table is not None else None
    except (IndexError, KeyError, TypeError):
        return None


def _text(value: Any) -> str:
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception as error:  # a hostile __str__ must not break the request
        text = f"<str() failed: {type(error).__name__}>"
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"
