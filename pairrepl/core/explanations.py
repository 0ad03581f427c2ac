"""The human's own account of AI code: is there something in it, and is it their own?

The explain-back gate asks for one line, in the human's words, of what the AI's code
does before it is promoted verbatim. `gate_refusal` says why an answer cannot count
(empty, "ok", one word, a copy of the AI's rationale); `quality` measures one that did:
its length, and how much of it is the rationale's own words (a paraphrase is flagged).
Pure and deliberately simple: word sets with a crude stemmer, no language model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

#: Of an explanation's content words, the share that are the rationale's too, from
#: which it counts as a paraphrase of the rationale.
PARAPHRASE_OVERLAP = 0.6
#: How alike (difflib's ratio over the words) an answer and the rationale may be
#: before the gate takes the answer for a copy.
COPY_SIMILARITY = 0.8
#: Content words an answer needs to say anything at all.
MIN_CONTENT_WORDS = 2

# Words that carry no content of their own: function words, and the fillers of an
# answer given to get past a prompt ("ok", "looks good", "does what it says").
_EMPTY_WORDS_TEXT = """
    a an the and or but if then than so of to in on at by for with from as into onto is are was were be been being it its this that these those there here i we you he
    she they me us my our your do does did done doing has have had can could will would
    should may might must shall just also very really not no yes yep yeah ok okay fine
    good great nice cool sure correct right works work worked looks look seems seem lgtm
    thanks thank what which who how why when where all any some each every same code
    function"""
_EMPTY_WORDS = frozenset(_EMPTY_WORDS_TEXT.split())

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The lower-cased words of `text`, in order."""
    return _WORD.findall(text.lower())


def word_count(text: str) -> int:
    """How many words a person would count ("circle's" is one)."""
    return sum(1 for token in text.split() if _WORD.search(token))


@functools.lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """The words that say something, stemmed: "joins" and "joined" are one word. (Cached:
    a report measures many explanations against the same few rationales.)"""
    return frozenset(
        {_stem(word) for word in words(text) if len(word) > 1 and word not in _EMPTY_WORDS}
    )


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class ExplanationQuality:
    """One explanation, measured against the AI's rationale for the same code."""

    words: int
    overlap: float | None  # share of its content words that are the rationale's too
    paraphrase: bool


def quality(explanation: str, rationale: str | None) -> ExplanationQuality:
    """Length and overlap of `explanation` with `rationale` (None: the rationale is
    not known, so neither is the overlap)."""
    own = content_words(explanation)
    overlap = None
    if rationale and own:
        overlap = len(own & content_words(rationale)) / len(own)
    paraphrase = overlap is not None and overlap >= PARAPHRASE_OVERLAP
    return ExplanationQuality(word_count(explanation), overlap, paraphrase)


def gate_refusal(
    explanation: str | None, rationale: str | None, *, ai_verbatim: bool = True
) -> str | None:
    """Why the explain-back gate cannot take `explanation` for code whose AI rationale is
    `rationale` (AI-verbatim code, or any code in the learner profile), as a message that
    says what to write instead; None if it can."""
    if not explanation or not explanation.strip():
        if not ai_verbatim:
            return (
                "Before this code goes into the project, write one line in your own words "
                "of what it does (the learner profile asks it of everything promoted)."
            )
        return (
            "This is the AI's code, verbatim. Before it goes into the project, write one "
            "line in your own words of what it does (the explain-back gate; "
            "[tool.pairrepl] explain_back = false turns it off)."
        )
    given = words(explanation)
    if rationale and SequenceMatcher(a=given, b=words(rationale)).ratio() >= COPY_SIMILARITY:
        return "That is the AI's rationale. Say what the code does in your own words."
    if len(content_words(explanation)) < MIN_CONTENT_WORDS:
        return (
            f"{explanation.strip()!r} says nothing about what the code does. Write one line "
            "in your own words: what it takes, what it gives back or changes."
        )
    return None
