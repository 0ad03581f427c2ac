"""The promotion rules of issue 16 through a real session (a real kernel, ledger, files):
what needs an explicit yes, what is refused as changing nothing, where tests go and what
they import, what undo removes, and a promotion interrupted between its writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pairrepl.core.transcript import NoticeItem
from pairrepl.ledger import Ledger, ProvenanceLog
from pairrepl.session import (
    ConfirmationNeeded,
    NothingToPromote,
    PromotionSettings,
    Session,
    SessionSettings,
)
from tests.session.conftest import local_kernel

DOUBLE = "def double(x):\n    return 2 * x\n"


async def test_a_replacement_a_shadowed_import_and_a_risky_file_name_need_a_yes(
    session: Session, tmp_path: Path
) -> None:
    (tmp_path / "calc.py").write_text("from itertools import chain\n\n\n" + DOUBLE)
    await session.run("def double(x):\n    return x + x\n")
    draft = session.draft_promotion(target="calc.py")
    refusal = draft.refusal
    assert isinstance(refusal, ConfirmationNeeded) and refusal.needed == ("replace",)
    assert "replaces `double` (2 lines → 2)" in refusal.message
    with pytest.raises(ConfirmationNeeded):
        await session.promote_draft(draft, None)
    assert (tmp_path / "calc.py").read_text().endswith(DOUBLE)  # nothing was written
    await session.promote_draft(draft.confirming("replace"), None)
    assert (tmp_path / "calc.py").read_text().endswith("return x + x\n")

    await session.run("def chain(*parts):\n    return parts\n")
    draft = session.draft_promotion(target="calc.py")
    assert isinstance(draft.refusal, ConfirmationNeeded) and draft.refusal.needed == ("shadow",)
    assert "`from itertools import chain` (line 1)" in draft.refusal.message

    await session.run("def half(x):\n    return x / 2\n")
    draft = session.draft_promotion(target="json.py")
    assert isinstance(draft.refusal, ConfirmationNeeded) and draft.refusal.needed == ("target",)
    assert "json is a standard-library module" in draft.refusal.message
    with pytest.raises(ConfirmationNeeded):
        await session.promote_draft(draft, None)
    assert not (tmp_path / "json.py").exists()


async def test_nothing_to_write_is_refused_and_an_assert_cell_is_offered_as_a_test(
    session: Session, tmp_path: Path
) -> None:
    await session.run(DOUBLE)
    await session.promote(target="calc.py")
    with pytest.raises(NothingToPromote, match=r"calc.py already holds exactly this code"):
        await session.promote(DOUBLE, "calc.py")
    check = await session.run("assert double(2) == 4")
    with pytest.raises(NothingToPromote) as refused:
        await session.promote(check.cell_id, "calc.py")
    assert str(refused.value) == (
        f"In[{check.execution_count}] holds no definitions; promote it as a test."
    )
    assert refused.value.as_test_instead
    assert len(session.transcript.promotions) == 1  # nothing else was recorded


async def test_a_test_imports_names_promoted_elsewhere_and_tests_where_they_went(
    tmp_path: Path, ledger: Ledger
) -> None:
    """Issue 16 items 10 and 11: after `--to` another module, the test tests that module
    (not promote_to), in the project's own test file, importing each name from where it
    was promoted."""
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["checks"]\n')
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "test_fmt.py").write_text('"""Format checks."""\n')
    settings = SessionSettings(promotion=PromotionSettings(default_target="kit/core.py"))
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger, settings=settings)
    try:
        await session.run("def shout(text):\n    return text.upper()\n")
        await session.promote()  # into kit/core.py
        await session.run("def banner(text):\n    return '*' + shout(text) + '*'\n")
        banner = await session.promote(target="kit/_fmt.py")
        assert banner.draft.imports_from_session == ("from kit.core import shout",)
        await session.run("assert banner('a') == '*A*'\nassert shout('b') == 'B'")
        test = await session.promote(as_test=True)
    finally:
        await session.close()
    assert test.draft.target == "checks/test_fmt.py"
    assert (tmp_path / "checks" / "test_fmt.py").read_text() == (
        '"""Format checks."""\n\n'
        "from kit.core import shout\n"
        "from kit._fmt import banner\n\n\n"
        "def test_banner():\n"
        "    assert banner('a') == '*A*'\n"
        "    assert shout('b') == 'B'\n"
    )


async def test_undo_removes_the_file_and_the_folders_the_promotion_made(
    session: Session, tmp_path: Path
) -> None:
    (tmp_path / "src" / "shop").mkdir(parents=True)
    await session.run(DOUBLE)
    promotion = await session.promote(target="src/shop/contrib/extra/maths.py")
    assert promotion.created_folders == ("src/shop/contrib", "src/shop/contrib/extra")
    assert "double: agrees" in session.transcript.promotions[promotion.id].reload_report
    session.undo_promotion()
    assert sorted(p.name for p in (tmp_path / "src" / "shop").iterdir()) == []
    assert (tmp_path / "src" / "shop").is_dir()  # it was there before


CRASHING_PROMOTION = """
import os, sys
from pathlib import Path
from pairrepl.core.cells import Origin
from pairrepl.core.events import CellFinished, CellSubmitted
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.transcript import Transcript
from pairrepl.session.promotion import Promoter

root = Path(sys.argv[1])
transcript = Transcript()
for event in (
    CellSubmitted("c1", "def double(x):\\n    return 2 * x\\n", Origin.HUMAN),
    CellFinished("c1", 1, ExecutionStatus.OK, 0.01),
):
    transcript.apply(event)
promoter = Promoter(root, "crashed0", transcript, lambda event: None)
promotion = promoter.write(promoter.draft("c1", target=sys.argv[2]), "doubles")
print(promotion.id, flush=True)
os._exit(9)  # dies between the file write and its records
"""


def crash_while_promoting(root: Path, target: str = "calc.py") -> str:
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_PROMOTION, str(root), target],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 9, done.stderr
    return done.stdout.strip()


async def test_a_promotion_interrupted_after_its_write_is_recorded_at_the_next_start(
    tmp_path: Path, ledger: Ledger
) -> None:
    (tmp_path / "calc.py").write_text("X = 1\n")
    promotion_id = crash_while_promoting(tmp_path)
    written = (tmp_path / "calc.py").read_text()
    assert written.endswith(DOUBLE) and ProvenanceLog(tmp_path).read().records == []

    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger)
    try:
        item = session.transcript.promotions[promotion_id]
        notices = [i.text for i in session.transcript.items if isinstance(i, NoticeItem)]
        assert any("was interrupted after it wrote the file" in text for text in notices)
        (record,) = ProvenanceLog(tmp_path).read().records
        assert (record.promotion_id, record.symbol, record.explanation) == (
            promotion_id,
            "double",
            "doubles",
        )
        assert item.after == written
        session.undo_promotion(promotion_id)  # an undo can reach it now
        assert (tmp_path / "calc.py").read_text() == "X = 1\n"
    finally:
        await session.close()
    assert not list((tmp_path / ".pairrepl" / "pending").iterdir())


async def test_an_interrupted_promotion_whose_file_is_as_before_or_changed_is_reported(
    tmp_path: Path, ledger: Ledger
) -> None:
    (tmp_path / "calc.py").write_text("X = 1\n")
    (tmp_path / "other.py").write_text("Y = 1\n")
    crash_while_promoting(tmp_path, "calc.py")
    (tmp_path / "calc.py").write_text("X = 1\n")  # as if the write itself never happened
    crash_while_promoting(tmp_path, "other.py")
    (tmp_path / "other.py").write_text("Y = 2\n")  # edited by hand since

    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger)
    try:
        notices = [i.text for i in session.transcript.items if isinstance(i, NoticeItem)]
    finally:
        await session.close()
    assert session.transcript.promotions == {}
    assert [notice.split(" was ")[1][:40] for notice in notices] == [
        "interrupted before it wrote anything; no",
        "interrupted, and other.py now holds neit",
    ]
    assert ProvenanceLog(tmp_path).read().records == []
    assert (tmp_path / "calc.py").read_text() == "X = 1\n"
    assert (tmp_path / "other.py").read_text() == "Y = 2\n"
    assert not list((tmp_path / ".pairrepl" / "pending").iterdir())


async def test_the_reload_verdict_compares_source_and_says_when_values_cannot_be_compared(
    session: Session,
) -> None:
    """Issue 16 item 12: identical code was reported as differing."""
    await session.run(
        "import functools\nimport json\n\n"
        "def dump(value):\n    return json.dumps(value)\n\n"
        "@functools.lru_cache\ndef square(x):\n    return x * x\n\n"
        "MARKER: object = object()\n"
    )
    promotion = await session.promote(target="tools.py")
    report = session.transcript.promotions[promotion.id].reload_report
    assert "dump: agrees: same code as the file" in report
    assert "square: agrees: same code as the file" in report
    assert "MARKER: not comparable: a object has no equality of its own" in report
