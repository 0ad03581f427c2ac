"""write_promotion and undo_text against real files in a temporary project."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from pairrepl.core.cells import code_hash
from pairrepl.promote import (
    PromotionPlan,
    PromotionRefused,
    plan_promotion,
    read_target,
    remove_created,
    undo_text,
    write_module_text,
    write_promotion,
)

ORIGINAL = "# tools\nX = 1\n\n\ndef f():\n    return X\n"
CELL = "def g():\n    return 2\nprint(g())\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "tools.py").write_bytes(ORIGINAL.encode())
    return root


def plan_for(root: Path, target: str, cell: str = CELL) -> PromotionPlan:
    return plan_promotion(cell, read_target(root, target), target_name=target)


def test_a_promotion_is_written_and_keeps_the_mode(project: Path) -> None:
    path = project / "pkg" / "tools.py"
    path.chmod(0o640)
    plan = plan_for(project, "pkg/tools.py")
    write_promotion(project, "pkg/tools.py", plan, code_hash(ORIGINAL))
    assert path.read_bytes().decode() == plan.new_text
    assert plan.new_text.startswith(ORIGINAL)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in path.parent.iterdir()] == ["tools.py"]  # no temp file left


def test_a_new_target_is_created_with_its_folders_and_the_umask_s_mode(project: Path) -> None:
    plan = plan_for(project, "pkg/sub/new.py")
    assert plan.original_text == ""
    before = os.umask(0o027)
    try:
        write_promotion(project, "pkg/sub/new.py", plan, code_hash(""))
        assert os.umask(0o027) == 0o027  # the write left the process's umask alone
    finally:
        os.umask(before)
    path = project / "pkg" / "sub" / "new.py"
    assert path.read_text() == "def g():\n    return 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0o666 less that umask


def test_crlf_bytes_survive_a_round_trip(project: Path) -> None:
    path = project / "pkg" / "tools.py"
    path.write_bytes(b"X = 1\r\n")
    plan = plan_for(project, "pkg/tools.py")
    write_promotion(project, "pkg/tools.py", plan, code_hash("X = 1\r\n"))
    assert path.read_bytes() == b"X = 1\r\n\r\n\r\ndef g():\r\n    return 2\r\n"


def assert_refused(
    root: Path, target: str, plan: PromotionPlan, expected_hash: str, match: str
) -> None:
    path = root / "pkg" / "tools.py"
    before = path.read_bytes()
    listing = sorted(p.relative_to(root) for p in root.rglob("*"))
    with pytest.raises(PromotionRefused, match=match):
        write_promotion(root, target, plan, expected_hash)
    assert path.read_bytes() == before
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == listing


@pytest.mark.parametrize("target", ["../outside.py", "pkg/../../outside.py"])
def test_paths_outside_the_root_are_refused(project: Path, target: str) -> None:
    plan = plan_promotion(CELL, "")
    assert_refused(project, target, plan, code_hash(""), "outside the project root")
    assert not (project.parent / "outside.py").exists()


def test_an_absolute_path_is_refused(project: Path) -> None:
    plan = plan_promotion(CELL, ORIGINAL)
    target = str(project / "pkg" / "tools.py")
    assert_refused(project, target, plan, code_hash(ORIGINAL), "relative to the project root")


def test_a_symlink_that_leaves_the_root_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "victim.py").write_text("V = 1\n")
    (project / "link").symlink_to(outside)
    (project / "pkg" / "alias.py").symlink_to(outside / "victim.py")
    plan = plan_promotion(CELL, "V = 1\n")
    for target in ("link/victim.py", "pkg/alias.py"):
        assert_refused(project, target, plan, code_hash("V = 1\n"), "outside the project root")
    assert (outside / "victim.py").read_text() == "V = 1\n"


def test_a_symlink_inside_the_root_writes_the_real_file(project: Path) -> None:
    (project / "alias.py").symlink_to(project / "pkg" / "tools.py")
    plan = plan_for(project, "alias.py")
    write_promotion(project, "alias.py", plan, code_hash(ORIGINAL))
    assert (project / "alias.py").is_symlink()
    assert (project / "pkg" / "tools.py").read_text() == plan.new_text


@pytest.mark.parametrize("target", ["pkg/notes.txt", "pkg/tools", "pkg/tools.pyc", ""])
def test_targets_that_are_not_py_files_are_refused(project: Path, target: str) -> None:
    plan = plan_promotion(CELL, "")
    assert_refused(project, target, plan, code_hash(""), "only .py files|No target")


def test_a_folder_named_like_a_module_is_refused(project: Path) -> None:
    (project / "pkg" / "dir.py").mkdir()
    plan = plan_promotion(CELL, "")
    assert_refused(project, "pkg/dir.py", plan, code_hash(""), "not a regular file")


def test_a_file_changed_on_disk_since_it_was_read_is_refused(project: Path) -> None:
    plan = plan_for(project, "pkg/tools.py")
    path = project / "pkg" / "tools.py"
    edited = ORIGINAL + "# the human typed this meanwhile\n"
    path.write_text(edited)
    assert_refused(project, "pkg/tools.py", plan, code_hash(ORIGINAL), "changed on disk")
    assert path.read_text() == edited


def test_a_plan_made_from_other_text_than_expected_is_refused(project: Path) -> None:
    plan = plan_promotion(CELL, "X = 2\n")
    assert_refused(project, "pkg/tools.py", plan, code_hash(ORIGINAL), "different text")


def test_a_result_that_does_not_parse_is_refused(project: Path) -> None:
    good = plan_for(project, "pkg/tools.py")
    broken = PromotionPlan(
        original_text=good.original_text,
        new_text=good.new_text + "def (:\n",
        diff="",
        definitions_added=(),
        definitions_replaced=(),
        definitions_unchanged=(),
        imports_added=(),
        statements_skipped=(),
    )
    assert_refused(project, "pkg/tools.py", broken, code_hash(ORIGINAL), "would not parse")
    with pytest.raises(PromotionRefused, match="would not parse"):
        write_module_text(project, "pkg/tools.py", "return 1\n", code_hash(ORIGINAL))


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python compiles PEP 695")
def test_a_target_this_python_cannot_compile_says_so_and_names_the_version(
    project: Path,
) -> None:
    newer = "type Pair = tuple[int, int]\n"  # Python 3.12 syntax; libcst reads it
    (project / "pkg" / "types312.py").write_text(newer)
    plan = plan_for(project, "pkg/types312.py")
    with pytest.raises(PromotionRefused, match=r"Python 3\.11, which runs pairrepl, cannot"):
        write_promotion(project, "pkg/types312.py", plan, code_hash(newer))
    assert (project / "pkg" / "types312.py").read_text() == newer


def test_a_new_files_folders_are_reported_and_undo_removes_them_when_empty(
    project: Path,
) -> None:
    plan = plan_for(project, "pkg/a/b/new.py")
    created = write_promotion(project, "pkg/a/b/new.py", plan, code_hash(""))
    assert created == ("pkg/a", "pkg/a/b")
    (project / "pkg" / "a" / "b" / "__pycache__").mkdir()  # what an import leaves
    (project / "pkg" / "a" / "b" / "__pycache__" / "new.cpython-311.pyc").write_bytes(b"")
    remove_created(project, "pkg/a/b/new.py", created)
    assert not (project / "pkg" / "a").exists() and (project / "pkg").is_dir()

    write_promotion(project, "pkg/a/b/new.py", plan, code_hash(""))
    (project / "pkg" / "a" / "mine.py").write_text("")  # the human's, since
    remove_created(project, "pkg/a/b/new.py", created)
    assert sorted(p.name for p in (project / "pkg" / "a").iterdir()) == ["mine.py"]


def test_a_failed_write_leaves_no_temp_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    plan = plan_for(project, "pkg/tools.py")
    with pytest.raises(OSError, match="disk full"):
        write_promotion(project, "pkg/tools.py", plan, code_hash(ORIGINAL))
    assert [p.name for p in (project / "pkg").iterdir()] == ["tools.py"]
    assert (project / "pkg" / "tools.py").read_text() == ORIGINAL


def test_undo_restores_the_exact_bytes(project: Path) -> None:
    plan = plan_for(project, "pkg/tools.py")
    write_promotion(project, "pkg/tools.py", plan, code_hash(ORIGINAL))
    current = read_target(project, "pkg/tools.py")
    reverted = undo_text(plan.original_text, plan.new_text, current)
    write_module_text(project, "pkg/tools.py", reverted, code_hash(current))
    assert (project / "pkg" / "tools.py").read_bytes() == ORIGINAL.encode()


def test_undo_is_refused_after_an_edit_and_shows_the_edit() -> None:
    before, after = "X = 1\n", "X = 1\n\n\ndef g():\n    return 2\n"
    current = after.replace("return 2", "return 3")
    with pytest.raises(PromotionRefused, match="changed since this promotion") as refused:
        undo_text(before, after, current)
    assert "-    return 2\n+    return 3\n" in refused.value.diff
    assert "return 3" in str(refused.value)
