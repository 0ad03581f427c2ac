"""The explain-back gate's rules for an answer, and how an explanation measures against
the AI's rationale."""

import pytest

from pairrepl.core.explanations import ExplanationQuality, gate_refusal, quality

RATIONALE = "Lower-case the title and join its words with dashes."


@pytest.mark.parametrize(
    ("answer", "because"),
    [
        ("", "write one line in your own words"),
        ("   ", "write one line in your own words"),
        ("ok", "says nothing about what the code does"),
        ("Fine.", "says nothing about what the code does"),
        ("looks good to me", "says nothing about what the code does"),
        ("slugify", "says nothing about what the code does"),  # one word
        ("lgtm, works", "says nothing about what the code does"),
        (RATIONALE, "That is the AI's rationale"),
        ("lower case the title and join the words with dashes", "That is the AI's rationale"),
    ],
)
def test_the_gate_refuses_answers_empty_of_content_with_what_to_write(
    answer: str, because: str
) -> None:
    refusal = gate_refusal(answer, RATIONALE)
    assert refusal is not None and because in refusal
    assert "\n" not in refusal


@pytest.mark.parametrize(
    "answer",
    [
        "turns a title into lowercase words joined by dashes",
        "makes URL slugs",
        "returns the mean price per day",
    ],
)
def test_the_gate_takes_a_line_in_the_humans_own_words(answer: str) -> None:
    assert gate_refusal(answer, RATIONALE) is None
    assert gate_refusal(answer, None) is None


def test_a_paraphrase_of_the_rationale_is_flagged_and_an_own_account_is_not() -> None:
    # content words, stemmed: lowercase, title, join, word, dashe: 4 of 5 are the rationale's
    assert quality("Lowercases the title, joins the words with dashes", RATIONALE) == (
        ExplanationQuality(words=8, overlap=0.8, paraphrase=True)
    )
    own = quality("builds a URL slug from a headline", RATIONALE)
    assert own == ExplanationQuality(words=7, overlap=0.0, paraphrase=False)
    assert quality("builds a URL slug", None).overlap is None  # no rationale to compare
