"""The repository's documents stand alone: every document a file names exists here, and
the invariants of docs/architecture.md are the ones the code cites.

Read from every file git has (tracked, or new and not ignored) except generated ones:
a `.md` file or a `docs/` path named in code, docs or settings must exist in the
repository (relative to its root or to the naming file), a `#anchor` after a Markdown
file must be one of its headings, and nothing may point into a sibling folder of the
clone. See docs/architecture.md#the-invariants-each-has-a-test for the naming rule.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = "docs/architecture.md"

# Written by tools, not by us: the built labextension and npm's lock.
GENERATED = ("labextension/build/", "labextension/package-lock.json")
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")
MARKDOWN_NAME = re.compile(r"(?<![\w/.-])((?:\.\./|\./)?[\w./-]*[\w-]\.md)\b(?:#([\w-]+))?")
DOCS_PATH = re.compile(r"(?<![\w/.-])(docs/[\w./-]*[\w-])")
SIBLING_FOLDER = re.compile(r"\.\./shared\b")
INVARIANT_ROW = re.compile(r"^\| `([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)` \|", re.MULTILINE)
INVARIANT_CITED = re.compile(r"\binvariant\s+(?:#\s*)?`?([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)")


@cache
def repository_files() -> tuple[str, ...]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return tuple(name for name in listed if (ROOT / name).is_file())


@cache
def repository_paths() -> frozenset[str]:
    """Every file and folder in the repository, as paths relative to its root."""
    paths: set[str] = set()
    for name in repository_files():
        path = PurePosixPath(name)
        paths.add(str(path))
        paths.update(str(parent) for parent in path.parents if str(parent) != ".")
    return frozenset(paths)


@cache
def texts() -> dict[str, str]:
    found = {}
    for name in repository_files():
        if name.startswith(GENERATED):
            continue
        try:
            found[name] = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a binary file
    return found


def resolve(named: str, by: str) -> str | None:
    """The repository path that ``named`` (written in file ``by``) means, if any."""
    for base in (PurePosixPath("."), PurePosixPath(by).parent):
        parts: list[str] = []
        for part in (base / named.rstrip("/")).parts:
            if part == "..":
                if not parts:
                    break  # above the repository
                parts.pop()
            elif part != ".":
                parts.append(part)
        else:
            path = "/".join(parts)
            if path in repository_paths():
                return path
    return None


def slug(heading: str) -> str:
    """A Markdown heading's anchor, as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    text = (ROOT / markdown).read_text(encoding="utf-8")
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def test_every_document_a_file_names_exists_in_the_repository() -> None:
    wrong, checked = [], 0
    for name, text in texts().items():
        text = URL.sub("", text)
        for match in MARKDOWN_NAME.finditer(text):
            checked += 1
            named, anchor = match.groups()
            target = resolve(named, name)
            if target is None:
                wrong.append(f"{name}: {named} is not in the repository")
            elif anchor and anchor not in anchors(target):
                wrong.append(f"{name}: {target} has no heading #{anchor}")
        for match in DOCS_PATH.finditer(text):
            named = match.group(1)
            if named.endswith(".md"):
                continue  # checked above, with its anchor
            checked += 1
            if resolve(named, name) is None:
                wrong.append(f"{name}: {named} is not in the repository")
        wrong.extend(f"{name}: names {m.group()}" for m in SIBLING_FOLDER.finditer(text))
    assert checked > 20, f"only {checked} names of documents found: is the scan broken?"
    assert not wrong, "\n".join(wrong)


def test_the_architectures_invariants_are_the_ones_the_code_cites() -> None:
    named = set(INVARIANT_ROW.findall((ROOT / ARCHITECTURE).read_text(encoding="utf-8")))
    assert len(named) >= 8, named
    cited_by: dict[str, set[str]] = {}
    for name, text in texts().items():
        for invariant in INVARIANT_CITED.findall(text):
            cited_by.setdefault(invariant, set()).add(name)
    unknown = {
        invariant: sorted(files) for invariant, files in cited_by.items() if invariant not in named
    }
    assert not unknown, f"cited, but not an invariant in {ARCHITECTURE}: {unknown}"
    in_code = {
        invariant
        for invariant, files in cited_by.items()
        if any(file.startswith("pairrepl/") or file == "pyproject.toml" for file in files)
    }
    assert named <= in_code, f"no code cites: {sorted(named - in_code)}"
