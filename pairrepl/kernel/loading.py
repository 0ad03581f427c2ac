"""Putting ``pairrepl_kernel`` into a kernel: the kernel's own copy, or ours as a fallback.

When the app attaches to a kernel, it asks the kernel's own ``pairrepl_kernel`` to
connect (``CONNECT``), saying which protocol it speaks (``PROTOCOL_VERSION`` of the copy
pairrepl ships). The answer is one of:

- the same protocol: the kernel's package is loaded; nothing to say;
- another protocol, or no such package in the kernel's environment: the app sends its
  own copy as source text (``install_from_source``), under a private package name so it
  shadows nothing there, and says so on screen in one line with the exact
  ``pip install`` that makes the kernel's environment match (``fallback_notice``);
- neither loads (the kernel is not IPython, ``get_ipython`` is shadowed): the namespace
  pane says why (``summary.NOT_LOADED``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pairrepl_kernel
from pairrepl.kernel.summary import EXPRESSION_KEY, json_value

#: The distribution to install where the kernel runs.
DISTRIBUTION = "pairrepl-kernel"
#: The name our copy of the package is sent under: never the installed package's.
SENT_PACKAGE = "_pairrepl_kernel_sent"
#: The package's modules in the order they import each other; ``__init__`` comes last.
SOURCE_MODULES = (
    "bounds",
    "devices",
    "values",
    "drivers",
    "large_values",
    "namespace",
    "inspector",
    "thread_output",
    "promoted",
)

_SPOKEN = pairrepl_kernel.PROTOCOL_VERSION
#: The kernel's own package: connect, speaking our protocol. Binds no user names, and
#: works again after ``%reset`` wiped the hidden functions.
CONNECT = f"__import__('pairrepl_kernel').connect(get_ipython(), {_SPOKEN})"
#: The copy ``install_from_source`` put into the kernel.
CONNECT_SENT = f"__import__('sys').modules[{SENT_PACKAGE!r}].connect(get_ipython(), {_SPOKEN})"


@dataclasses.dataclass(frozen=True)
class Connected:
    """What a kernel's ``pairrepl_kernel.connect`` answered, or why it could not."""

    loaded: bool
    protocol: int | None = None  # the kernel's package's, when it has one
    version: str | None = None
    python: str | None = None  # the kernel's interpreter
    missing: bool = False  # no pairrepl_kernel importable in the kernel
    error: str | None = None  # why connect failed, in the kernel's words

    @classmethod
    def read(cls, reply: Mapping[str, Any] | None) -> Connected:
        """From the execute reply of a request that evaluated ``CONNECT``."""
        expressions = (reply or {}).get("user_expressions") or {}
        result = expressions.get(EXPRESSION_KEY)
        if not isinstance(result, Mapping):
            status = (reply or {}).get("status")
            return cls(False, error=f"{(reply or {}).get('ename') or status or 'no reply'}")
        if result.get("status") != "ok":
            ename = str(result.get("ename"))
            return cls(
                False,
                missing=ename in ("ModuleNotFoundError", "KeyError"),
                error=f"{ename}: {result.get('evalue')}",
            )
        try:
            answer = json_value(result.get("data") or {})
        except (ValueError, TypeError, SyntaxError, KeyError) as error:
            return cls(False, error=f"unreadable answer: {error!r}")
        if not isinstance(answer, Mapping):
            return cls(False, error="unreadable answer")
        protocol = answer.get("protocol")
        return cls(
            bool(answer.get("loaded")),
            protocol=protocol if isinstance(protocol, int) else None,
            version=str(answer.get("version") or "") or None,
            python=str(answer.get("python") or "") or None,
        )


def fallback_notice(own: Connected, sent: Connected) -> str:
    """One line: why the app sent its copy, and the exact command that makes it needless."""
    python = sent.python or "python"
    install = f"{python} -m pip install '{DISTRIBUTION}=={pairrepl_kernel.__version__}'"
    if own.missing:
        why = f"{DISTRIBUTION} is not installed for this kernel's Python ({python})"
    elif own.protocol is not None:
        why = (
            f"this kernel's {DISTRIBUTION} {own.version or '?'} speaks protocol "
            f"{own.protocol}, this pairrepl speaks {_SPOKEN}"
        )
    else:
        why = f"this kernel's {DISTRIBUTION} could not connect ({own.error})"
    return f"{why}: pairrepl sent its own copy as source text (a fallback). Install: {install}"


def install_from_source() -> str:
    """Code that runs our copy of ``pairrepl_kernel`` in the kernel from its source text,
    as the package ``SENT_PACKAGE`` (its modules import each other relatively)."""
    folder = Path(str(pairrepl_kernel.__file__)).parent
    lines = [
        "import sys as _pairrepl_sys, types as _pairrepl_types",
        f"_pairrepl_package = _pairrepl_types.ModuleType({SENT_PACKAGE!r})",
        "_pairrepl_package.__path__ = []",
        f"_pairrepl_package.__package__ = {SENT_PACKAGE!r}",
        f"_pairrepl_sys.modules[{SENT_PACKAGE!r}] = _pairrepl_package",
    ]
    for name in SOURCE_MODULES:
        module = f"{SENT_PACKAGE}.{name}"
        lines += [
            f"_pairrepl_module = _pairrepl_types.ModuleType({module!r})",
            f"_pairrepl_module.__package__ = {SENT_PACKAGE!r}",
            f"_pairrepl_sys.modules[{module!r}] = _pairrepl_module",
            f"_pairrepl_package.{name} = _pairrepl_module",
            _exec_line(folder / f"{name}.py", "_pairrepl_module"),
        ]
    lines += [
        _exec_line(folder / "__init__.py", "_pairrepl_package"),
        "del _pairrepl_sys, _pairrepl_types, _pairrepl_package, _pairrepl_module",
    ]
    return "\n".join(lines)


def _exec_line(path: Path, module: str) -> str:
    source = path.read_text(encoding="utf-8")
    filename = f"pairrepl_kernel/{path.name} (sent by pairrepl)"
    return f"exec(compile({source!r}, {filename!r}, 'exec'), {module}.__dict__)"
