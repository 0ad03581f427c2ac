"""After a promotion: import the module again in the kernel and compare it with the session.

The human promoted definitions that live in the kernel's namespace (they ran there). The
file now holds them too; this says, per name, whether the live object and the file
agree. It never rebinds the user's names: the session's objects stay what they were, and
where a reload cannot make them equivalent (a class: objects made from the session's
class are not instances of the reloaded one) it says so instead of pretending.

Stdlib only, self-contained (the adapter may send this file's source to a kernel that
has no pairrepl installed).
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from typing import Any

RELOAD_FUNCTION_NAME = "_pairrepl_reload_promoted"

_MISSING = object()


def reload_promoted(
    user_ns: dict[str, Any], module_name: str, names: list[str], search_paths: list[str]
) -> dict[str, Any]:
    """Import (or re-import) ``module_name``; for each name, how the session's object
    compares with the module's. A failing import is reported, not raised."""
    for path in reversed(search_paths):
        if path not in sys.path:
            sys.path.insert(0, path)
    importlib.invalidate_caches()
    try:
        if module_name in sys.modules:
            module = importlib.reload(sys.modules[module_name])
            action = "reloaded"
        else:
            module = importlib.import_module(module_name)
            action = "imported"
    except BaseException as error:  # the user's module: anything can happen on import
        return {"module": module_name, "error": f"{type(error).__name__}: {error}"}
    return {
        "module": module_name,
        "action": action,
        "names": {name: _compare(user_ns, module, name) for name in names},
    }


def _compare(user_ns: dict[str, Any], module: types.ModuleType, name: str) -> str:
    in_file = getattr(module, name, _MISSING)
    live = user_ns.get(name, _MISSING)
    if in_file is _MISSING:
        return "missing: the module has no such name after the import"
    if live is _MISSING:
        return "file only: the session has no such name"
    if live is in_file:
        return "agrees: the session's name is the module's object"
    if isinstance(live, type) and isinstance(in_file, type):
        same = _same_class_code(live, in_file)
        return (
            ("agrees in code" if same else "differs from the file")
            + f"; but objects made from the session's {name} are not instances of "
            f"{module.__name__}.{name} (a reload cannot change that): re-create them to use "
            f"the file's class"
        )
    live_code = getattr(live, "__code__", None)
    file_code = getattr(in_file, "__code__", None)
    if isinstance(live_code, types.CodeType) and isinstance(file_code, types.CodeType):
        if _same_code(live_code, file_code):
            return "agrees: same code as the file"
        return "differs: the session's function is not the file's text (re-run the cell?)"
    try:
        equal = bool(live == in_file)
    except Exception:
        equal = False
    return "agrees: equal values" if equal else "differs: the session's value is not the file's"


def _same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """Same bytecode, names and constants (nested code compared the same way); line
    numbers and file names are ignored, as they differ between a cell and a file."""
    if a.co_code != b.co_code or a.co_names != b.co_names or a.co_varnames != b.co_varnames:
        return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    for left, right in zip(a.co_consts, b.co_consts, strict=True):
        if isinstance(left, types.CodeType) and isinstance(right, types.CodeType):
            if not _same_code(left, right):
                return False
        elif type(left) is not type(right) or left != right:
            return False
    return True


def _same_class_code(a: type, b: type) -> bool:
    if set(vars(a)) != set(vars(b)):
        return False
    for key, value in vars(a).items():
        other = vars(b)[key]
        code, other_code = getattr(value, "__code__", None), getattr(other, "__code__", None)
        both_code = isinstance(code, types.CodeType) and isinstance(other_code, types.CodeType)
        if both_code and not _same_code(code, other_code):  # type: ignore[arg-type]
            return False
    return True


def install(ip: Any) -> None:
    def reload_for_pairrepl(module_name: str, names: list[str], search_paths: list[str]) -> str:
        """JSON text: the adapter reads it back from the user expression's text/plain."""
        return json.dumps(reload_promoted(ip.user_ns, module_name, names, search_paths))

    ip.user_ns[RELOAD_FUNCTION_NAME] = reload_for_pairrepl
    ip.user_ns_hidden[RELOAD_FUNCTION_NAME] = reload_for_pairrepl


def uninstall(ip: Any) -> None:
    ip.user_ns.pop(RELOAD_FUNCTION_NAME, None)
    ip.user_ns_hidden.pop(RELOAD_FUNCTION_NAME, None)
