"""The understanding figures from real sessions: a real kernel, the replay provider, a
real ledger and provenance, and a controlled clock, so every figure is exact.

Ada (git's identity in the project) accepts one proposal seconds after running it and
looks into another one (the inspector, `obj?`, a probe of her own) after running her
edit of it; she promotes the first with a paraphrase of the AI's rationale. Bob (the
setting `person`) then promotes his own explained proposal into the same module.
"""

import json
import subprocess
from pathlib import Path

import pytest

from pairrepl.agent import Agent
from pairrepl.agent.replay import ReplayProvider, parse_script
from pairrepl.cli import main
from pairrepl.core.events import ObjectInspected, SessionStarted
from pairrepl.core.inspection import ObjectPath
from pairrepl.core.review import Review
from pairrepl.ledger import Ledger, ProvenanceLog
from pairrepl.session import PromotionError, PromotionSettings, Session, SessionSettings
from pairrepl.session.understanding import project_understanding
from tests.session.conftest import local_kernel

ADA, BOB = "Ada Lovelace <ada@example.org>", "Bob <bob@example.org>"
T0 = 1_767_571_200.0  # Monday 2026-01-05 00:00 UTC
AREA = "def area(r):\n    return 3.14159 * r * r\n"
AREA_WHY = "Compute the area of a circle from its radius."
PERIMETER = "def perimeter(r):\n    return 2 * 3.14159 * r\n"
HALF = "def half(x):\n    return x / 2\n"


class Clock:
    """A clock that moves only when the test moves it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def at(self, now: float) -> None:
        self.now = now


def turn(code: str, rationale: str) -> dict[str, object]:
    return {"text": "Here.", "propose_cell": {"code": code, "rationale": rationale}}


def agent_for(*turns: dict[str, object]) -> Agent:
    script = {"format": "pairrepl-replay/1", "turns": list(turns)}
    return Agent(ReplayProvider(parse_script(script, source="test"), script_name="test.json"))


async def open_session(
    root: Path, ledger: Ledger, agent: Agent, clock: Clock, person: str | None = None
) -> Session:
    settings = SessionSettings(
        agent=agent, promotion=PromotionSettings(default_target="geo.py"), person=person
    )
    session = await Session.start(root, local_kernel(root), ledger, settings=settings)
    session.clock = clock
    return session


@pytest.fixture
def project(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for key, value in (("user.name", "Ada Lovelace"), ("user.email", "ada@example.org")):
        subprocess.run(["git", "-C", str(tmp_path), "config", key, value], check=True)
    return tmp_path


async def test_review_depth_explanations_and_two_people_on_one_module(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock(T0)
    ledger = Ledger.open(project)
    ada = await open_session(
        project,
        ledger,
        agent_for(turn(AREA, AREA_WHY), turn(HALF, "Halve x.")),
        clock,
    )
    assert ada.person == ADA  # git's identity in the project

    # A rubber stamp: shown at T0, run 4 s later, accepted 2 s after the run.
    await ada.ask("the area of a circle")
    area = ada.latest_proposal()
    assert area is not None
    clock.at(T0 + 4)
    await ada.run_proposal(area.proposal.id)
    clock.at(T0 + 6)
    ada.accept(area.proposal.id)

    # Looked into: her own edit run at +10 s, the inspector, obj?, a probe; accepted at +60 s.
    clock.at(T0 + 100)
    await ada.ask("half of a number")
    half = ada.latest_proposal()
    assert half is not None
    clock.at(T0 + 110)
    await ada.run_proposal(half.proposal.id, HALF.replace("x / 2", "x * 0.5"))
    clock.at(T0 + 120)
    await ada.inspect(ObjectPath.name("half"))
    await ada.inspect(ObjectPath.name("half"), 50, items_only=True)  # a further page: no new look
    clock.at(T0 + 125)
    await ada.help("half", detail=0)
    clock.at(T0 + 130)
    await ada.run("half(3)")
    clock.at(T0 + 160)
    ada.accept(half.proposal.id)
    looks = [e.event for e in ledger.entries(ada.id) if isinstance(e.event, ObjectInspected)]
    assert looks == [ObjectInspected("half", "inspector"), ObjectInspected("half?", "help")]

    # The explain-back gate refuses an answer with nothing in it, then takes a paraphrase.
    for empty in ("ok", "fine", "area"):
        with pytest.raises(PromotionError, match="says nothing about what the code does"):
            await ada.promote(area.proposal.id, explanation=empty)
    clock.at(T0 + 200)
    await ada.promote(area.proposal.id, explanation="computes the area of a circle from r")
    await ada.close()

    # Bob, a day later, in the same module, with his own words.
    clock.at(T0 + 86_400)
    bob = await open_session(project, ledger, agent_for(turn(PERIMETER, "2 pi r.")), clock, BOB)
    await bob.ask("the perimeter")
    perimeter = bob.latest_proposal()
    assert perimeter is not None
    clock.at(T0 + 86_400 + 30)
    await bob.run_proposal(perimeter.proposal.id)
    clock.at(T0 + 86_400 + 90)
    bob.accept(perimeter.proposal.id)
    await bob.promote(perimeter.proposal.id, explanation="length of the circle's border")
    await bob.close()
    started = [e.event for e in ledger.entries(bob.id) if isinstance(e.event, SessionStarted)]
    assert started[0].person == BOB
    ledger.close()

    # Provenance carries the person, the rationale and the review of each promotion.
    area_record, perimeter_record = ProvenanceLog(project).read().records
    assert (area_record.person, area_record.rationale) == (ADA, AREA_WHY)
    assert area_record.review == Review(area.proposal.id, ada.id, T0, T0 + 6, T0 + 4, T0 + 4)
    assert perimeter_record.person == BOB

    report, gathered = project_understanding(project, listing=True)
    assert gathered.ledger == "2 session(s)"
    reviews = {accepted.review.proposal_id: accepted for accepted in report.accepted}
    assert reviews[half.proposal.id].review == Review(
        half.proposal.id, ada.id, T0 + 100, T0 + 160, T0 + 110, T0 + 110, 2, 1, 0, True, 0
    )
    assert reviews[area.proposal.id].review.rubber_stamped(report.rubber_stamp_seconds)
    assert not reviews[half.proposal.id].review.rubber_stamped(report.rubber_stamp_seconds)
    assert report.people[ADA].reviews.to_payload() == {
        "accepted": 2,
        "inspected": 1,
        "edited": 1,
        "followed_up": 0,
        "after_rejections": 0,
        "rubber_stamped": 1,
        "rubber_stamp_rate": 0.5,
        "median_to_run_s": 7.0,
        "median_run_to_accept_s": 26.0,
    }
    assert report.people[BOB].reviews.rubber_stamp_rate == 0.0  # 60 s after the run
    assert (report.people[ADA].questions, report.people[BOB].questions) == (2, 1)
    assert report.people[ADA].lines.written_share == 0.0  # all of hers is the AI's
    (paraphrase,) = [e for e in report.explanations if e.person == ADA]
    assert paraphrase.quality is not None and paraphrase.quality.paraphrase
    assert paraphrase.quality.overlap == 1.0  # compute, area, circle: all the AI's words
    (own,) = [e for e in report.explanations if e.person == BOB]
    assert own.quality is not None and own.quality.overlap == 0.0
    (geo,) = report.modules.values()
    assert geo.people == {ADA, BOB} and geo.explained_ai_code == {ADA, BOB}
    assert geo.flag is None
    assert list(report.weeks) == ["2026-W02"]

    # check, from provenance alone: two people on the module, one rubber stamp in two.
    thresholds = "[tool.pairrepl.check]\nmin_people_per_module = 2\nmax_rubber_stamp_rate = 0.5\n"
    (project / "pyproject.toml").write_text(thresholds)
    assert main(["check", "--project", str(project), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [(r["threshold"], r["value"]) for r in results] == [
        ("max_rubber_stamp_rate", 0.5),
        ("min_people_per_module", 2),
    ]
    (project / "pyproject.toml").write_text(thresholds.replace("= 2", "= 3"))
    assert main(["check", "--project", str(project)]) == 1


async def test_the_learner_profile_promotes_no_ai_code_verbatim_and_explains_everything(
    project: Path,
) -> None:
    ledger = Ledger.open(project)
    settings = SessionSettings(
        agent=agent_for(turn(AREA, AREA_WHY)),
        promotion=PromotionSettings(default_target="geo.py", learner=True),
    )
    learner = await Session.start(project, local_kernel(project), ledger, settings=settings)
    try:
        await learner.ask("the area of a circle")
        area = learner.latest_proposal()
        assert area is not None
        await learner.run_proposal(area.proposal.id)
        learner.accept(area.proposal.id)
        with pytest.raises(PromotionError, match="not promoted as it stands: change it or retype"):
            learner.draft_promotion(area.proposal.id)

        # Retyped her own way: promoted, once she says what it does.
        retyped = "def area(radius):\n    return 3.14159 * radius**2\n"
        await learner.run(retyped)
        draft = learner.draft_promotion(retyped)
        assert draft.needs_explanation and draft.cell.origin.value == "human"
        with pytest.raises(PromotionError, match="learner profile asks it of everything"):
            await learner.promote_draft(draft, "")
        with pytest.raises(PromotionError, match="says nothing"):
            await learner.promote_draft(draft, "fine")
        await learner.promote_draft(draft, "pi times the radius squared")
    finally:
        await learner.close()
        ledger.close()
    (record,) = ProvenanceLog(project).read().records
    assert (record.origin.value, record.explanation) == ("human", "pi times the radius squared")
