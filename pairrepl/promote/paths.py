"""Where promoted code lives, by name: a file's module name, and its tests' file.

A test promotion needs both: `from <module> import ...` inside the test, and the
`tests/test_<module>.py` it goes into (the issue's "matching" test file).
"""

from __future__ import annotations

import keyword
from pathlib import PurePosixPath

from pairrepl.promote.errors import PromotionRefused


def module_name_for(relative_path: str) -> str:
    """The dotted module name of a `.py` file given relative to the project root.

    `"src/pkg/mod.py"` -> `"pkg.mod"` (a leading `src/` is the src layout),
    `"pkg/__init__.py"` -> `"pkg"`, `"mod.py"` -> `"mod"`; `./` and Windows
    separators are accepted. Raises `PromotionRefused` for a path that cannot be
    imported by that name: not `.py`, absolute, with `..`, or with a part that is not
    an identifier (`my-scripts/x.py`).
    """
    path = PurePosixPath(relative_path.replace("\\", "/"))
    if path.is_absolute() or path.suffix != ".py" or ".." in path.parts:
        raise PromotionRefused(
            f"{relative_path!r} is not a .py file relative to the project root, "
            f"so it has no module name."
        )
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if len(parts) > 1 and parts[0] == "src":
        parts.pop(0)
    if not parts or not all(_is_identifier(part) for part in parts):
        raise PromotionRefused(
            f"{relative_path!r} cannot be imported by name: each part of a module path "
            f"must be a Python identifier."
        )
    return ".".join(parts)


def test_target_for(module_name: str) -> str:
    """The test file that matches a module: `"pkg.mod"` -> `"tests/test_mod.py"`.

    Raises `PromotionRefused` if `module_name` is not a dotted name.
    """
    check_module_name(module_name)
    return f"tests/test_{module_name.rsplit('.', 1)[-1]}.py"


# Not a test, although its name starts with "test_" (pytest collects modules that import it).
test_target_for.__test__ = False  # type: ignore[attr-defined]


def check_module_name(module_name: str) -> None:
    """`PromotionRefused` unless `module_name` is a dotted name of identifiers."""
    if not module_name or not all(_is_identifier(part) for part in module_name.split(".")):
        raise PromotionRefused(f"{module_name!r} is not a module name.")


def _is_identifier(part: str) -> bool:
    return part.isidentifier() and not keyword.iskeyword(part)
