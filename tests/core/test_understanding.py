"""The figures of `report` and `check`, counted from blamed lines, provenance records,
reviews and git authors with controlled times: per file, person, week and module."""

from pairrepl.core.cells import Origin
from pairrepl.core.checks import PROJECT_SCOPE, CheckSettings, Thresholds, check
from pairrepl.core.provenance import PromotionFacts, ProvenanceRecord, Symbol, blame, record_for
from pairrepl.core.review import Review
from pairrepl.core.tallies import week_of
from pairrepl.core.understanding import UnderstandingSources, understanding_report, weeks_between

DAY = 86_400.0
MONDAY = 1_767_571_200.0  # 2026-01-05 00:00 UTC, the Monday of 2026-W02
ADA, BOB, CAROL = "Ada <ada@example.org>", "Bob <bob@example.org>", "Carol <carol@example.org>"
RATIONALE = "Compute the area of a circle from its radius."

AREA = "def area(r):\n    return 3.14159 * r * r\n"
HALF = "def half(x):\n    return x / 2\n"
GEO = AREA + "\n\n" + HALF  # area on lines 1-2, half on lines 5-6


def symbol(name: str, text: str, first: int) -> Symbol:
    return Symbol(name, "function", first, first + text.count("\n") - 1, text)


SYMBOLS = [symbol("area", AREA, 1), symbol("half", HALF, 5)]


def promoted(
    what: Symbol, promotion_id: str, origin: Origin, person: str, when: float, **facts: object
) -> ProvenanceRecord:
    return record_for(
        what,
        "pkg/geo.py",
        PromotionFacts(promotion_id, origin, "s-" + person[:3], when, person=person, **facts),  # type: ignore[arg-type]
    )


def two_people_on_one_module() -> UnderstandingSources:
    """Ada promotes the AI's `area` in week 2 with a paraphrase of its rationale, after a
    rubber-stamped accept; Bob writes `half` in week 4; Carol (git) edited a line of it."""
    stamped = Review("p-area", "s-Ada", MONDAY + 10, MONDAY + 40, MONDAY + 15, MONDAY + 30)
    records = [
        promoted(
            SYMBOLS[0],
            "m1",
            Origin.AI,
            ADA,
            MONDAY + 60,
            proposal_id="p-area",
            explanation="computes a circle's area from the radius",
            rationale=RATIONALE,
            review=stamped,
        ),
        promoted(SYMBOLS[1], "m2", Origin.HUMAN, BOB, MONDAY + 15 * DAY),
    ]
    return UnderstandingSources(
        blamed={"pkg/geo.py": blame(GEO, SYMBOLS, records)},
        records=records,
        reviews=[stamped],
        modules={"pkg/geo.py": "pkg.geo"},
        git_authors={"pkg/geo.py": {1: ADA, 2: ADA, 5: BOB, 6: "Carol C. <CAROL@example.org>"}},
    )


def test_two_people_on_one_module_and_who_explained_its_ai_code() -> None:
    report = understanding_report(two_people_on_one_module())
    (module,) = report.modules.values()
    assert module.files == ["pkg/geo.py"]
    assert module.people == {ADA, BOB, "Carol C. <CAROL@example.org>"}  # one key per e-mail
    assert module.explained_ai_code == {ADA}
    assert module.flag == "only Ada explained its AI code"
    assert (module.lines.ai, module.lines.human) == (2, 2)
    assert list(report.people) == [ADA, BOB]
    assert report.people[ADA].lines.ai == 2 and report.people[BOB].lines.human == 2
    (explained,) = [e for e in report.explanations if e.explanation]
    assert explained.quality is not None and explained.quality.paraphrase
    assert explained.quality.overlap == 1.0  # compute, circle, area, radius: all the AI's
    assert explained.quality.words == 7


def test_the_trend_has_every_week_from_the_first_to_the_last() -> None:
    report = understanding_report(two_people_on_one_module())
    assert list(report.weeks) == ["2026-W02", "2026-W03", "2026-W04"]
    week2, week3, week4 = report.weeks.values()
    assert (week2.lines.ai, week2.lines.ai_verbatim_share, week2.lines.explained_share) == (
        2,
        1.0,
        1.0,
    )
    assert week2.reviews.to_payload()["rubber_stamp_rate"] == 1.0
    assert week2.explanations.to_payload() == {
        "ai_promotions": 1,
        "ai_explained": 1,
        "explained": 1,
        "paraphrased": 1,
        "paraphrase_share": 1.0,
        "median_words": 7,
    }
    assert week3.lines.promoted == 0 and week3.reviews.accepted == 0
    assert (week4.lines.human, week4.lines.ai_verbatim_share) == (2, 0.0)
    later = understanding_report(two_people_on_one_module(), since=MONDAY + DAY)
    assert list(later.weeks) == ["2026-W04"] and later.total.reviews.accepted == 0


def test_iso_weeks_across_a_year_end() -> None:
    assert week_of(MONDAY - DAY) == "2026-W01"  # Sunday 4 January 2026
    assert weeks_between("2025-W52", "2026-W02") == ["2025-W52", "2026-W01", "2026-W02"]


def test_thresholds_per_path_judge_their_files_apart_from_the_rest() -> None:
    settings = CheckSettings(
        Thresholds(max_ai_verbatim_share=0.4, min_people_per_module=2),
        {"pkg": Thresholds(max_ai_verbatim_share=0.6), "pkg/legacy": Thresholds()},
    )
    assert settings.scope_of("pkg/geo.py") == "pkg"
    assert settings.scope_of("pkg/legacy/old.py") == "pkg/legacy"
    assert settings.scope_of("pkgs/x.py") == PROJECT_SCOPE
    assert settings.thresholds_of("pkg") == Thresholds(0.6, None, None, 2)

    report = understanding_report(two_people_on_one_module())
    results = {r.threshold: r for r in check("pkg", settings.thresholds_of("pkg"), report)}
    assert results["max_ai_verbatim_share"].value == 0.5
    assert results["max_ai_verbatim_share"].passed  # 0.5 <= 0.6
    assert results["min_people_per_module"].value == 3 and results["min_people_per_module"].passed
    strict = check(PROJECT_SCOPE, settings.project, report)
    assert [(r.threshold, r.passed) for r in strict] == [
        ("max_ai_verbatim_share", False),
        ("min_people_per_module", True),
    ]
    assert strict[0].detail == "2 of 4 promoted lines are the AI's, verbatim"
