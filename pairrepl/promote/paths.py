"""Where promoted code lives, by name: a file's module name, its tests' file, and
whether a new file's name would cause trouble.

A test promotion needs `from <module> import ...` inside the test and the test file it
goes into: the project's own (`tests/test_make.py` for `src/attr/_make.py`, found among
the files under pytest's `testpaths`), else `<first testpath>/test_<module>.py`.

A new file can shadow a module by its name (`json.py` in the project root: the kernel's
`import json` then loads it) or look like another name (`hеlpers.py` with a Cyrillic
`е`); `new_target_trouble` says so, so the session can ask before writing it.
"""

from __future__ import annotations

import configparser
import contextlib
import importlib.util
import keyword
import site
import sys
import sysconfig
import tomllib
import unicodedata
from pathlib import Path, PurePosixPath

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


def test_file_for(root: Path, module_path: str) -> str:
    """The test file (relative to `root`) that tests the module at `module_path`: an
    existing file among pytest's `testpaths` named for it (`test_<name>.py`, also without
    the name's leading underscores, or `<name>_test.py`; one in a folder named like the
    module's package first), else `test_<name>.py` in the first testpath.

    Raises `PromotionRefused` if `module_path` has no module name.
    """
    module_name = module_name_for(module_path)
    parts = module_name.split(".")
    stem = parts[-1]
    bare = stem.lstrip("_") or stem
    wanted = dict.fromkeys(
        [f"test_{stem}.py", f"test_{bare}.py", f"{stem}_test.py", f"{bare}_test.py"]
    )
    folders = test_paths(root)
    for folder in folders:
        found = sorted(
            (path for name in wanted for path in (root / folder).rglob(name) if path.is_file()),
            key=lambda path: (not set(parts[:-1]) & set(path.parent.parts), len(path.parts)),
        )
        if found:
            return found[0].relative_to(root).as_posix()
    return f"{folders[0]}/test_{bare}.py"


def test_paths(root: Path) -> list[str]:
    """pytest's `testpaths` for the project (pyproject.toml, pytest.ini, tox.ini or
    setup.cfg, as pytest looks for them), the folders only; `["tests"]` when none."""
    folders: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            options = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            options = {}
        value = options.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("testpaths")
        folders = [value] if isinstance(value, str) else list(value or [])
    for name, section in (
        ("pytest.ini", "pytest"),
        ("tox.ini", "pytest"),
        ("setup.cfg", "tool:pytest"),
    ):
        if folders or not (root / name).is_file():
            continue
        parser = configparser.ConfigParser()
        try:
            parser.read(root / name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        folders = parser.get(section, "testpaths", fallback="").split()
    usable = [
        folder.strip("/")
        for folder in folders
        if isinstance(folder, str)
        and not any(c in folder for c in "*?[")
        and (root / folder).resolve().is_relative_to(root.resolve())
        and not (root / folder).is_file()
    ]
    return usable or ["tests"]


# Not tests, although their names start with "test_".
test_file_for.__test__ = False  # type: ignore[attr-defined]
test_paths.__test__ = False  # type: ignore[attr-defined]


def new_target_trouble(root: Path, relative_path: str, *, as_test: bool = False) -> str | None:
    """Why creating `relative_path` (a .py file under `root`) could mislead, or None.

    Only what does not exist yet is judged: a new top-level module whose name is a
    standard-library module or one installed outside the project (its `import` would
    load the project's file instead, or the other way round; not for a test file, which
    pytest finds by its path), and new folder or file names with characters that look
    like others (letters of another script among Latin ones, fullwidth forms, combining
    marks: what Python's NFKC normalization of names changes, or a reader mistakes).
    """
    path = PurePosixPath(relative_path.replace("\\", "/"))
    new_parts = [
        part
        for depth, part in enumerate(path.parts)
        if not (root.joinpath(*path.parts[: depth + 1])).exists()
    ]
    for part in new_parts:
        odd = _confusable(part.removesuffix(".py"))
        if odd:
            return (
                f"the name {part!r} has characters that look like others ({odd}); "
                "an ASCII name is safer"
            )
    if as_test:
        return None
    try:
        module_name = module_name_for(relative_path)
    except PromotionRefused:
        return None
    top = module_name.split(".")[0]
    top_path = root / ("src" if path.parts[0] == "src" and len(path.parts) > 1 else "") / top
    if top_path.exists() or top_path.with_suffix(".py").exists():
        return None  # the project already has this module: nothing new is shadowed
    if top in sys.stdlib_module_names:
        return f"{top} is a standard-library module: a project file named so hides it"
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    where = spec.origin if spec is not None else None
    if spec is not None and spec.submodule_search_locations:
        where = next(iter(spec.submodule_search_locations), where)
    if where and _installed(Path(where).resolve()):
        return f"{top} is an installed module ({where}): a project file named so hides it"
    return None


def _installed(location: Path) -> bool:
    """Whether ``location`` lies where installed packages do (this interpreter's
    site-packages, the user's, the standard library): not merely on ``sys.path``, which
    in a kernel also holds the folders of the projects promoted into."""
    paths = sysconfig.get_paths()
    folders = {paths[name] for name in ("purelib", "platlib", "stdlib", "platstdlib")}
    with contextlib.suppress(Exception):
        folders.add(site.getusersitepackages())
    return any(location.is_relative_to(Path(folder).resolve()) for folder in folders)


def _confusable(name: str) -> str:
    """The characters of `name` that make it look like another name ("" if none)."""
    odd: list[str] = []
    scripts = {_script(char) for char in name if char.isalpha()}
    mixed = "LATIN" in scripts and len(scripts) > 1
    for char in name:
        if ord(char) < 128:
            continue
        if (
            unicodedata.combining(char)
            or unicodedata.normalize("NFKC", char) != char
            or (mixed and _script(char) != "LATIN")
        ):
            odd.append(f"U+{ord(char):04X} {unicodedata.name(char, '?')}")
    return ", ".join(dict.fromkeys(odd))


def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split()[0]


def check_module_name(module_name: str) -> None:
    """`PromotionRefused` unless `module_name` is a dotted name of identifiers."""
    if not module_name or not all(_is_identifier(part) for part in module_name.split(".")):
        raise PromotionRefused(f"{module_name!r} is not a module name.")


def _is_identifier(part: str) -> bool:
    return part.isidentifier() and not keyword.iskeyword(part)
