"""Blame from provenance and the file alone: a symbol keeps its origin while its text is
unchanged, wherever it moved; edited lines become the human's; the rest is unrecorded."""

from pairrepl.core.cells import Origin
from pairrepl.core.provenance import (
    CHANGED_BY_HAND,
    UNRECORDED,
    Evidence,
    PromotionFacts,
    ProvenanceRecord,
    Symbol,
    blame,
    figures,
    live_records,
    record_for,
)

FUNCTION = "def area(r):\n    pi = 3.14\n    return pi * r * r\n"


def record(text: str, *, origin: Origin = Origin.AI, when: float = 10.0) -> ProvenanceRecord:
    facts = PromotionFacts(
        "p1",
        origin,
        "s1",
        when,
        explanation="area of a circle",
        evidence=(Evidence("c1", 3, "h", "o", FUNCTION),),
    )
    return record_for(Symbol("area", "function", 1, 3, text), "geo.py", facts)


def symbols_of(text: str, first_line: int) -> list[Symbol]:
    last = first_line + text.count("\n") - 1
    return [Symbol("area", "function", first_line, last, text)]


def test_an_unchanged_symbol_keeps_its_origin_after_other_lines_move_it() -> None:
    file = "# added later by hand\nimport math\n\n" + FUNCTION
    lines = blame(file, symbols_of(FUNCTION, 4), [record(FUNCTION)])
    assert [line.origin for line in lines] == [UNRECORDED] * 3 + ["ai"] * 3
    assert figures(lines).ai == 3 and figures(lines).ai_explained == 3


def test_lines_edited_since_the_promotion_are_the_humans() -> None:
    edited = "def area(r):\n    pi = math.pi\n    return pi * r * r\n"
    lines = blame(edited, symbols_of(edited, 1), [record(FUNCTION)])
    assert [line.origin for line in lines] == ["ai", CHANGED_BY_HAND, "ai"]
    assert lines[1].changed_by_hand and not lines[0].changed_by_hand
    counted = figures(lines)
    assert (counted.ai, counted.changed_by_hand, counted.promoted) == (2, 1, 3)


def test_the_newest_live_record_wins_and_undone_ones_do_not_count() -> None:
    older = record(FUNCTION, origin=Origin.AI, when=1.0)
    newer = record(FUNCTION, origin=Origin.HUMAN, when=2.0)
    newer = ProvenanceRecord(**{**newer.__dict__, "promotion_id": "p2"})
    lines = blame(FUNCTION, symbols_of(FUNCTION, 1), live_records([newer, older], undone=[]))
    assert {line.origin for line in lines} == {"human"}
    lines = blame(FUNCTION, symbols_of(FUNCTION, 1), live_records([newer, older], undone=["p2"]))
    assert {line.origin for line in lines} == {"ai"}
    assert figures(lines, since=1.5).promoted == 0  # promoted before the date


def test_a_record_survives_its_json_line() -> None:
    original = record(FUNCTION)
    assert ProvenanceRecord.from_payload(original.to_payload()) == original
