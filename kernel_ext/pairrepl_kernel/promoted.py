"""After a promotion: import the module again in the kernel and compare it with the session.

The human promoted definitions that live in the kernel's namespace (they ran there). The
file now holds them too; this says, per name, whether the live object and the file
agree. It never rebinds the user's names: the session's objects stay what they were, and
where a reload cannot make them equivalent (a class: objects made from the session's
class are not instances of the reloaded one) it says so instead of pretending. Functions
are compared by their source as Python parses it (the bytecode of the same text can
differ between a cell and a module); a value that has no equality of its own, or whose
comparison fails, is "not comparable", never "differs".

Stdlib only, self-contained (the adapter may send this file's source to a kernel that
has no pairrepl installed).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import sys
import textwrap
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
        same = _same_class_source(live, in_file)
        return (
            ("agrees in code" if same else "differs from the file")
            + f"; but objects made from the session's {name} are not instances of "
            f"{module.__name__}.{name} (a reload cannot change that): re-create them to use "
            f"the file's class"
        )
    if callable(live) and callable(in_file) and _code_of(live) and _code_of(in_file):
        if _same_function(live, in_file):
            return "agrees: same code as the file"
        return "differs: the session's function is not the file's text (re-run the cell?)"
    if getattr(type(live), "__eq__", None) is object.__eq__:
        return (
            f"not comparable: a {type(live).__name__} has no equality of its own; the "
            "session's object is not the module's"
        )
    try:
        equal = bool(live == in_file)
    except Exception as error:
        return f"not comparable: comparing them raised {type(error).__name__}"
    return "agrees: equal values" if equal else "differs: the session's value is not the file's"


def _code_of(function: Any) -> types.CodeType | None:
    """The code of a function, through decorators that keep ``__wrapped__``
    (``functools.wraps``, ``lru_cache``)."""
    try:
        code = getattr(inspect.unwrap(function), "__code__", None)
    except ValueError:  # a __wrapped__ cycle
        return None
    return code if isinstance(code, types.CodeType) else None


def _same_function(a: Any, b: Any) -> bool:
    """Same source, as Python's parser reads it (line numbers, comments and layout aside);
    the bytecode when a source cannot be read. The bytecode alone is not enough: Python
    3.11 compiles ``mod.attr()`` differently when ``import mod`` is in the same unit (a
    cell that holds both, and the file), although nothing about the function differs."""
    left, right = _source_tree(a), _source_tree(b)
    if left is not None and right is not None:
        return left == right
    code_a, code_b = _code_of(a), _code_of(b)
    return code_a is not None and code_b is not None and _same_code(code_a, code_b)


def _source_tree(function: Any) -> str | None:
    try:
        source = inspect.getsource(inspect.unwrap(function))
        return ast.dump(ast.parse(textwrap.dedent(source)))
    except (OSError, TypeError, ValueError, SyntaxError):
        return None


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


def _same_class_source(a: type, b: type) -> bool:
    """Same attributes, and the functions among them the same (see `_same_function`)."""
    if set(vars(a)) != set(vars(b)):
        return False
    for key, value in vars(a).items():
        other = vars(b)[key]
        both_functions = _code_of(value) is not None and _code_of(other) is not None
        if both_functions and not _same_function(value, other):
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
