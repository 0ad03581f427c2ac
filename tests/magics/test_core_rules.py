"""The rules every front end shares, tried on both sessions that implement them.

The app's ``Session`` drives a real ipykernel; the ``InKernelSession`` of the magics
lives in a real IPython shell. Each test runs the same steps on both and expects the
same answers: ids by unique prefix, the same return types, one origin rule, one project
root rule, and a broken listener that loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from pairrepl.agent import Agent
from pairrepl.agent.replay import ReplayProvider, parse_script
from pairrepl.cli.options import project_root_from
from pairrepl.core.cells import Origin
from pairrepl.core.events import LedgerEntry, NoteAdded
from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import CellItem, PromotionItem, ProposalItem
from pairrepl.ledger import Ledger, find_project_root
from pairrepl.session import Session, SessionCore, SessionError, SessionSettings
from pairrepl.session.in_kernel import InKernelSession
from tests.session.conftest import local_kernel

TOTAL = "total = 1 + 2"
SCALE = "factor = 10\nscaled = [factor * v for v in (1, 2, 3)]"
TURNS = [
    {"text": "Add them.", "propose_cell": {"code": TOTAL, "rationale": "The sum."}},
    {"text": "Scale them.", "propose_cell": {"code": SCALE, "rationale": "Ten times."}},
    {"text": "Again.", "propose_cell": {"code": SCALE, "rationale": "Ten times."}},
]


class Front:
    """One front end's way of doing the steps; the rules under test are the session's."""

    session: SessionCore

    async def ask(self, request: str) -> ProposalItem:
        raise NotImplementedError

    async def run(self, code: str, started_from: str | None = None) -> CellItem:
        raise NotImplementedError

    async def promote(self, target: str) -> str:
        raise NotImplementedError


class AppFront(Front):
    def __init__(self, session: Session) -> None:
        self.session = self.app = session

    async def ask(self, request: str) -> ProposalItem:
        await self.app.ask(request)
        item = self.app.latest_proposal()
        assert item is not None
        return item

    async def run(self, code: str, started_from: str | None = None) -> CellItem:
        if started_from is None:
            execution = await self.app.run(code)
        else:
            execution = await self.app.run_proposal(started_from, code)
        return self.app.transcript.cells[execution.cell_id]

    async def promote(self, target: str) -> str:
        return (await self.app.promote(target=target)).id


class KernelFront(Front):
    def __init__(self, shell: InteractiveShell, script: Path) -> None:
        self.shell = shell
        self.script = script
        assert shell.run_cell("%load_ext pairrepl").success
        magics = shell.magics_manager.registry["PairreplMagics"]
        self.session = self.kernel = magics.session

    async def ask(self, request: str) -> ProposalItem:
        self.kernel.ask(request, provider="replay", replay=str(self.script))
        item = self.kernel.latest_proposal()
        assert item is not None
        return item

    async def run(self, code: str, started_from: str | None = None) -> CellItem:
        if started_from is not None:
            self.kernel.offered(started_from)  # as %ai does with set_next_input
        self.shell.run_cell(code, store_history=True)
        return self.kernel.transcript.code_cells()[-1]

    async def promote(self, target: str) -> str:
        draft = self.kernel.draft_promotion(target=target)
        return self.kernel.promote_draft(draft, None).id


@pytest.fixture(params=["app", "kernel"])
async def front(request: pytest.FixtureRequest, project: Path) -> AsyncIterator[Front]:
    (project / "script.json").write_text(
        json.dumps({"format": "pairrepl-replay/1", "turns": TURNS})
    )
    if request.param == "kernel":
        yield KernelFront(request.getfixturevalue("shell"), project / "script.json")
        return
    script = json.loads((project / "script.json").read_text())
    agent = Agent(ReplayProvider(parse_script(script, source="test"), script_name="script.json"))
    with Ledger.open(project) as ledger:
        session = await Session.start(
            project, local_kernel(project), ledger, settings=SessionSettings(agent=agent)
        )
        try:
            yield AppFront(session)
        finally:
            await session.close()


async def test_moves_take_id_prefixes_and_return_the_items_they_moved(front: Front) -> None:
    session = front.session
    first = await front.ask("add them")
    await front.run(TOTAL, started_from=first.proposal.id)
    with pytest.raises(SessionError, match="No proposal"):
        session.accept("zzzzzz")
    accepted = session.accept(first.proposal.id[:6])
    assert isinstance(accepted, ProposalItem) and accepted.proposal.id == first.proposal.id
    assert accepted.proposal.state is ProposalState.ACCEPTED

    second = await front.ask("scale them")
    with pytest.raises(SessionError, match="has not run yet"):  # never an IllegalTransition
        session.accept(second.proposal.id)
    rejected = session.reject(second.proposal.id[:5], "  use numpy  ")
    assert isinstance(rejected, ProposalItem) and rejected.proposal.state is ProposalState.REJECTED
    assert rejected.rejection_reason == "use numpy"
    with pytest.raises(SessionError, match="rejected"):
        session.reject(second.proposal.id)

    await front.run("def double(x):\n    return 2 * x")
    promotion_id = await front.promote("helpers.py")
    undone = session.undo_promotion(promotion_id[:6])
    assert isinstance(undone, PromotionItem) and undone.undone
    assert not (front.session.project_root / "helpers.py").exists()
    with pytest.raises(SessionError, match="No promotion"):
        session.undo_promotion("ffffffff")


async def test_one_origin_rule_decides_who_wrote_a_cell(front: Front) -> None:
    proposal = (await front.ask("add them")).proposal
    edited = await front.run("total = 1 + 2 + 3", started_from=proposal.id)
    assert (edited.origin, edited.proposal_id) == (Origin.AI_EDITED, proposal.id)
    rewritten = await front.run("import math\nprint(math.tau)", started_from=proposal.id)
    assert (rewritten.origin, rewritten.proposal_id) == (Origin.HUMAN, None)
    verbatim = await front.run(f"  {TOTAL}\n")  # typed again by hand: still the AI's text
    assert (verbatim.origin, verbatim.proposal_id) == (Origin.AI, proposal.id)

    scale = (await front.ask("scale them")).proposal
    again = (await front.ask("once more")).proposal  # the same code, proposed twice
    ran = await front.run(SCALE, started_from=scale.id)
    assert (ran.origin, ran.proposal_id) == (Origin.AI, scale.id)  # the one it started from
    front.session.reject(again.id)
    front.session.reject(scale.id)
    closed = await front.run(SCALE)
    assert (closed.origin, closed.proposal_id) == (Origin.AI, None)  # the AI's, but closed


async def test_a_broken_listener_loses_nothing(front: Front, project: Path) -> None:
    seen: list[LedgerEntry] = []

    def broken(entry: LedgerEntry, _item: object) -> None:
        raise RuntimeError("a screen bug")

    front.session.subscribe(broken)
    front.session.subscribe(lambda entry, _item: seen.append(entry))
    note = front.session.add_note("the prices are in cents")
    assert [type(entry.event) for entry in seen] == [NoteAdded]
    with Ledger.open(project) as ledger:
        stored = [entry.event for entry in ledger.entries(front.session.id)]
    assert NoteAdded(note.note_id, "the prices are in cents") in stored


def test_one_project_root_rule_for_every_front_end(tmp_path: Path, shell: InteractiveShell) -> None:
    (tmp_path / ".pairrepl").mkdir()  # a stray ledger folder in a parent
    project = tmp_path / "work" / "shop"
    (project / "notebooks").mkdir(parents=True)
    (project / "setup.cfg").write_text("[metadata]\nname = shop\n")
    loose = tmp_path / "scratch" / "today"
    loose.mkdir(parents=True)
    pairrepl_here = project / "notebooks" / "own"
    (pairrepl_here / ".pairrepl").mkdir(parents=True)

    for start, root in (
        (project / "notebooks", project),  # the nearest marker above
        (loose, loose),  # the stray .pairrepl/ above does not capture it
        (tmp_path, tmp_path),  # in the folder itself, .pairrepl/ counts
        (pairrepl_here, pairrepl_here),
    ):
        assert find_project_root(start) == root.resolve()
        assert project_root_from(str(start)) == root.resolve()  # `pairrepl DIR`
        in_kernel = InKernelSession.open(shell, cwd=start)  # the magics, from the kernel's cwd
        try:
            assert in_kernel.project_root == root.resolve()
        finally:
            in_kernel.close()
