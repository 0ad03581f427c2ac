"""Promotion through a real session: a real kernel, a real ledger, real files.

Each test is one rule of issue #4 as a user meets it: only code that ran is promoted,
AI code needs acceptance and an explanation, the file and the live object agree after,
provenance names the runs that proved the code, undo is exact, refusals lose nothing.
"""

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pairrepl.agent import Agent
from pairrepl.agent.replay import ReplayProvider, parse_script
from pairrepl.core.cells import Origin
from pairrepl.core.proposals import ProposalState
from pairrepl.ledger import Ledger, ProvenanceLog
from pairrepl.session import (
    NothingToPromote,
    PromotionError,
    PromotionSettings,
    Session,
    SessionSettings,
)
from pairrepl.session.blame import blame_file
from pairrepl.session.understanding import project_understanding
from tests.session.conftest import local_kernel

SLUGIFY = 'def slugify(title):\n    return "-".join(title.lower().split())\n'
RATIONALE = "Lower-case the title and join its words with dashes."
MODULE = '"""Text helpers."""\n\nimport re\n\n\ndef keep(x):\n    return x  # hand-written\n'


def replay_agent(*turns: dict) -> Agent:
    script = {"format": "pairrepl-replay/1", "turns": list(turns)}
    return Agent(ReplayProvider(parse_script(script, source="test"), script_name="test.json"))


@pytest.fixture
async def ai_session(tmp_path: Path, ledger: Ledger) -> AsyncIterator[Session]:
    (tmp_path / "src" / "textkit").mkdir(parents=True)
    (tmp_path / "src" / "textkit" / "__init__.py").write_text("")
    (tmp_path / "src" / "textkit" / "text.py").write_text(MODULE)
    agent = replay_agent(
        {"text": "A slug helper.", "propose_cell": {"code": SLUGIFY, "rationale": RATIONALE}}
    )
    settings = SessionSettings(
        agent=agent, promotion=PromotionSettings(default_target="src/textkit/text.py")
    )
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger, settings=settings)
    yield session
    await session.close()


async def test_the_whole_loop_ask_run_accept_explain_promote_blame_undo(
    ai_session: Session, tmp_path: Path
) -> None:
    target = tmp_path / "src" / "textkit" / "text.py"
    await ai_session.ask("a function that makes URL slugs from titles")
    proposal = ai_session.latest_proposal()
    assert proposal is not None
    with pytest.raises(PromotionError, match="not run"):
        await ai_session.promote(proposal.proposal.code)  # nothing unrun is promoted

    await ai_session.run_proposal(proposal.proposal.id)
    check = await ai_session.run('slugify("Hello  World") == "hello-world"')
    assert check.status.succeeded
    with pytest.raises(PromotionError, match="accept it first"):
        await ai_session.promote(proposal.proposal.code)
    ai_session.accept(proposal.proposal.id)

    with pytest.raises(PromotionError, match="your own words"):
        await ai_session.promote(proposal.proposal.code)  # the explain-back gate
    with pytest.raises(PromotionError, match="rationale"):
        await ai_session.promote(proposal.proposal.code, explanation=RATIONALE.upper())
    assert target.read_text() == MODULE  # every refusal wrote nothing

    draft = ai_session.draft_promotion(proposal.proposal.code)
    assert draft.target == "src/textkit/text.py" and draft.module_name == "textkit.text"
    assert draft.plan.definitions_added == ("slugify",)
    assert "+def slugify(title):" in draft.plan.diff
    promotion = await ai_session.promote_draft(
        draft, "turns a title into lowercase words joined by dashes"
    )
    assert promotion.changed
    text = target.read_text()
    assert text.startswith(MODULE) and text.endswith(SLUGIFY)  # the rest byte-for-byte
    assert ai_session.transcript.proposals[proposal.proposal.id].proposal.state is (
        ProposalState.PROMOTED
    )
    item = ai_session.transcript.promotions[promotion.id]
    assert "slugify: agrees" in item.reload_report  # the live object and the file agree

    (record,) = ProvenanceLog(tmp_path).read().records
    assert (record.file, record.symbol, record.origin) == (
        "src/textkit/text.py",
        "slugify",
        Origin.AI,
    )
    assert record.request == "a function that makes URL slugs from titles"
    assert record.model == "replay:test.json"
    assert record.explanation == "turns a title into lowercase words joined by dashes"
    evidence_code = [evidence.code for evidence in record.evidence]
    assert evidence_code == [SLUGIFY.rstrip("\n"), 'slugify("Hello  World") == "hello-world"']

    origins = {line.text: line.origin for line in blame_file(tmp_path, "src/textkit/text.py")}
    assert origins["def slugify(title):"] == "ai"
    assert origins["    return x  # hand-written"] == "-"
    totals = project_understanding(tmp_path)[0].total.lines
    assert (totals.ai, totals.ai_explained) == (2, 2)

    with pytest.raises(NothingToPromote, match="already holds exactly this code"):
        await ai_session.promote(proposal.proposal.code, explanation="same thing again")
    assert target.read_text() == text  # twice changes nothing, and says so

    ai_session.undo_promotion()
    assert target.read_text() == MODULE
    assert ai_session.transcript.proposals[proposal.proposal.id].proposal.state is (
        ProposalState.ACCEPTED
    )
    assert ProvenanceLog(tmp_path).read().records == []
    assert all(line.origin == "-" for line in blame_file(tmp_path, "src/textkit/text.py"))


async def test_edited_code_must_run_again_and_failed_code_is_never_promoted(
    session: Session, tmp_path: Path
) -> None:
    await session.run("def double(x):\n    return 2 * x\n")
    with pytest.raises(PromotionError, match="has not run without error"):
        await session.promote("def double(x):\n    return x + x\n", "calc.py")
    failed = await session.run("def broken():\n    pass\nraise ValueError('no')")
    with pytest.raises(PromotionError, match="ended error"):
        await session.promote(failed.cell_id, "calc.py")
    assert not (tmp_path / "calc.py").exists()


async def test_imports_from_other_cells_come_along_and_helpers_must_be_promoted_first(
    session: Session, tmp_path: Path
) -> None:
    await session.run("import math as m")
    await session.run("def area(r):\n    return m.pi * r * r\n")
    await session.run("def ring(outer, inner):\n    return area(outer) - area(inner)\n")

    draft = session.draft_promotion(target="shapes.py")
    assert draft.promote_first == ("area (In[2])",)
    with pytest.raises(PromotionError, match="area"):
        await session.promote(target="shapes.py")
    assert not (tmp_path / "shapes.py").exists()

    await session.promote("def area(r):\n    return m.pi * r * r\n", "shapes.py")
    await session.promote(target="shapes.py")
    assert (tmp_path / "shapes.py").read_text() == (
        "import math as m\n\n\ndef area(r):\n    return m.pi * r * r\n\n\n"
        "def ring(outer, inner):\n    return area(outer) - area(inner)\n"
    )


async def test_a_module_that_would_not_import_in_a_fresh_interpreter_is_put_back(
    session: Session, tmp_path: Path
) -> None:
    (tmp_path / "conf.py").write_text("DEBUG = False\n")
    await session.run("PROFILE = get_ipython().profile\n")  # only the kernel has it
    with pytest.raises(PromotionError, match="fresh interpreter") as refused:
        await session.promote(target="conf.py")
    assert "NameError" in str(refused.value)
    assert (tmp_path / "conf.py").read_text() == "DEBUG = False\n"
    await session.run("BROKEN = get_ipython().profile\n")
    with pytest.raises(PromotionError):
        await session.promote(target="new_module.py")
    assert not (tmp_path / "new_module.py").exists()  # a file it created is removed again


async def test_refusals_for_changed_files_and_paths_outside_the_project(
    session: Session, tmp_path: Path
) -> None:
    (tmp_path / "calc.py").write_text("X = 1\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.py"
    (tmp_path / "link.py").symlink_to(outside)
    await session.run("def double(x):\n    return 2 * x\n")

    draft = session.draft_promotion(target="calc.py")
    (tmp_path / "calc.py").write_text("X = 2\n")  # someone edits it while the diff shows
    with pytest.raises(PromotionError, match="changed on disk"):
        await session.promote_draft(draft, None)
    assert (tmp_path / "calc.py").read_text() == "X = 2\n"
    for bad in ("../elsewhere.py", str(tmp_path / "calc.py"), "link.py", "notes.txt"):
        with pytest.raises(PromotionError):
            await session.promote(target=bad)
    assert not outside.exists() and not (tmp_path / "notes.txt").exists()

    await session.promote(target="calc.py")
    (tmp_path / "calc.py").write_text((tmp_path / "calc.py").read_text() + "Y = 3\n")
    with pytest.raises(PromotionError, match="changed since") as refused:
        session.undo_promotion()
    assert "+Y = 3" in refused.value.diff
    assert (tmp_path / "calc.py").read_text().endswith("Y = 3\n")


async def test_asserts_promote_as_a_test_and_a_class_reload_says_what_it_cannot_fix(
    tmp_path: Path, ledger: Ledger
) -> None:
    settings = SessionSettings(promotion=PromotionSettings(default_target="calc.py"))
    session = await Session.start(tmp_path, local_kernel(tmp_path), ledger, settings=settings)
    try:
        await session.run("class Point:\n    def __init__(self, x):\n        self.x = x\n")
        await session.run("p = Point(3)")
        await session.promote("class Point:\n    def __init__(self, x):\n        self.x = x\n")
        (promotion,) = session.transcript.promotions.values()
        assert "not instances of calc.Point" in promotion.reload_report
        await session.run("def add(a, b):\n    return a + b\n")
        await session.promote()
        await session.run("assert add(2, 3) == 5\nassert add(-1, 1) == 0")
        test = await session.promote(as_test=True)
        assert test.draft.target == "tests/test_calc.py"
        text = (tmp_path / "tests" / "test_calc.py").read_text()
        assert "from calc import add" in text and "def test_add():" in text
        assert "    assert add(2, 3) == 5" in text
    finally:
        await session.close()

    lines = [json.loads(line) for line in (tmp_path / ".pairrepl" / "provenance.jsonl").open()]
    assert [line["symbol"] for line in lines] == [
        "Point",
        "add",
        "from calc import add",
        "test_add",
    ]
    assert all(line["origin"] == "human" for line in lines)
    assert os.access(tmp_path / "calc.py", os.R_OK)


async def test_provenance_keeps_no_secret_a_cell_held(tmp_path: Path, session: Session) -> None:
    key = "sk-proj-" + "Zq7" * 10
    await session.run("def fetch(url, token):\n    return len(url) + len(token)\n")
    await session.run(f'fetch("postgres://ada:pa55word@db/prod", "{key}")')  # evidence of use
    await session.promote(target="client.py")
    committed = (tmp_path / ".pairrepl" / "provenance.jsonl").read_text()
    (record,) = ProvenanceLog(tmp_path).read().records
    assert any("fetch(" in evidence.code for evidence in record.evidence)  # the use is kept...
    assert key not in committed and "pa55word" not in committed  # ...without its secrets
