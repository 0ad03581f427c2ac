"""What goes into a model's context, and what the budget keeps out."""

from __future__ import annotations

from pairrepl.agent import (
    ContextLimits,
    Exchange,
    Redactor,
    build_context,
    estimate_tokens,
    referenced_names,
)
from pairrepl.core import (
    ErrorOutput,
    NamespaceSummary,
    Proposal,
    ProposalState,
    StreamOutput,
    VariableSummary,
)
from pairrepl.core.events import (
    CellFinished,
    CellSubmitted,
    KernelStarted,
    NoteAdded,
    OutputProduced,
    SessionResumed,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.transcript import Transcript


def transcript_of(count: int, output_chars: int = 0) -> Transcript:
    transcript = Transcript()
    for number in range(1, count + 1):
        cell_id = f"c{number}"
        transcript.apply(CellSubmitted(cell_id, f"step_{number} = {number}"))
        if output_chars:
            transcript.apply(OutputProduced(cell_id, StreamOutput("stdout", "x" * output_chars)))
        transcript.apply(CellFinished(cell_id, number, ExecutionStatus.OK, 0.0))
    return transcript


def user_text(context) -> str:
    return context.messages[-1].text


def build(request: str = "next?", **options):
    options.setdefault("redactor", Redactor())
    return build_context(request, **options)


def test_the_request_and_system_prompt_are_always_there():
    context = build("What is in prices?")
    assert user_text(context).endswith("## Request\nWhat is in prices?")
    assert "probe cell" in context.system and "do not know" in context.system
    assert "propose_cell" in context.system
    assert context.tokens_used == estimate_tokens(context.system) + estimate_tokens(
        user_text(context)
    )


def test_newest_cells_win_within_the_budget():
    limits = ContextLimits(budget_tokens=1200, output_chars=400)
    context = build(transcript=transcript_of(40, output_chars=300), limits=limits)
    text = user_text(context)
    assert "step_40 = 40" in text and "step_1 = 1\n" not in text
    assert context.omitted_items > 0
    assert context.included_items[-1] == "c40"
    assert f"{context.omitted_items} earlier items left out" in text
    assert context.tokens_used <= limits.budget_tokens
    # Oldest first in what is sent, however it was chosen.
    assert text.index("step_39") < text.index("step_40")


def test_a_long_session_of_small_items_stays_within_the_budget():
    """The headers and the blank lines between items are sent too (issue 9: a full
    context of many small items ended over its budget)."""
    proposals = [Proposal(f"p{n}", f"x_{n} = {n}", "Because.", "m", "r") for n in range(30)]
    for budget in (300, 1000, 4000):
        limits = ContextLimits(budget_tokens=budget)
        context = build(transcript=transcript_of(2000), proposals=proposals, limits=limits)
        assert context.omitted_items > 0
        assert context.tokens_used <= budget, (context.tokens_used, budget)


def test_pinned_cells_are_always_in_and_hidden_ones_never():
    limits = ContextLimits(budget_tokens=900, output_chars=400)
    context = build(
        transcript=transcript_of(40, output_chars=300),
        pinned={"c1"},
        hidden={"c40", "c2"},
        limits=limits,
    )
    text = user_text(context)
    assert "step_1 = 1" in text
    assert "step_40" not in text and "step_2 =" not in text
    assert "c1" in context.included_items and "c40" not in context.included_items


def test_long_outputs_are_capped_head_and_tail():
    transcript = Transcript()
    transcript.apply(CellSubmitted("c1", "print(big)"))
    transcript.apply(OutputProduced("c1", StreamOutput("stdout", "A" * 5000 + "THE END")))
    context = build(transcript=transcript, limits=ContextLimits(output_chars=600))
    text = user_text(context)
    assert "characters not shown" in text and "THE END" in text
    assert "A" * 1000 not in text


def test_tracebacks_lose_their_colours():
    transcript = Transcript()
    transcript.apply(CellSubmitted("c1", "1/0"))
    traceback = ("\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",)
    transcript.apply(OutputProduced("c1", ErrorOutput("ZeroDivisionError", "x", traceback)))
    transcript.apply(CellFinished("c1", 1, ExecutionStatus.ERROR, 0.0))
    text = user_text(build(transcript=transcript))
    assert "ZeroDivisionError: division by zero" in text and "\x1b" not in text
    assert "raised an error" in text


def test_notes_and_the_resume_notice_go_in():
    transcript = transcript_of(1)
    transcript.apply(NoteAdded("n1", "Prices are in cents."))
    transcript.apply(SessionResumed())
    transcript.apply(KernelStarted("local"))
    text = user_text(build(transcript=transcript))
    assert "Prices are in cents." in text
    assert "kernel that no longer exists" in text


def test_namespace_and_object_views():
    namespace = NamespaceSummary(
        variables=(VariableSummary("prices", "list", size="12", repr="[3.5, None, ...]"),)
    )
    context = build(
        "clean $prices please, and $missing", namespace=namespace, object_views={"prices": "FULL"}
    )
    text = user_text(context)
    assert "- prices: list 12 = [3.5, None, ...]" in text
    assert "### $prices (a snapshot taken now)\nFULL" in text
    assert context.missing_views == ("missing",)


def test_a_huge_namespace_is_cut_to_its_share():
    namespace = NamespaceSummary(
        variables=tuple(VariableSummary(f"v{i}", "int", repr=str(i)) for i in range(2000))
    )
    context = build(namespace=namespace, limits=ContextLimits(budget_tokens=2000))
    assert "more names not shown" in user_text(context)
    assert context.tokens_used <= 2000


def test_earlier_proposals_and_their_fates():
    proposals = [
        Proposal("p1", "prices.sort()", "Sort them.", "m", "r1", ProposalState.REJECTED),
        Proposal("p2", "len(prices)", "Count.", "m", "r2", ProposalState.RAN_OK),
    ]
    text = user_text(build(proposals=proposals, rejection_reasons={"p1": "order matters"}))
    assert "proposal p1: rejected by the human (reason: order matters)" in text
    assert "proposal p2: the human ran it" in text
    assert text.index("p2") < text.index("p1"), "newest first"


def test_partial_replies_are_kept_out_of_later_context():
    exchanges = [Exchange("first?", "a full answer"), Exchange("second?", "half an ans", True)]
    context = build(exchanges=exchanges)
    texts = [m.text for m in context.messages]
    assert texts[:2] == ["first?", "a full answer"]
    assert "half an ans" not in " ".join(texts) and "second?" not in " ".join(texts)
    assert [m.role for m in context.messages] == ["user", "assistant", "user"]


def test_hint_mode_switches_the_system_prompt():
    context = build(hint_mode=True)
    assert context.hint_mode
    assert "do NOT write code" in context.system


def test_dollar_names():
    assert referenced_names("look at $df and $df.columns, not $5 or a$b") == ["df"]
    assert referenced_names("$prices then $clean_prices") == ["prices", "clean_prices"]


def test_a_reply_that_only_proposed_shows_its_proposal_and_no_reasoning():
    exchanges = [
        Exchange("count the gaps", "", proposal_id="p1"),
        Exchange("and now?", "<think>they want the mean</think>Take the mean next."),
    ]
    context = build_context("go on", exchanges=exchanges, redactor=Redactor())
    first_reply, second_reply = (m.text for m in context.messages if m.role == "assistant")
    assert "proposed cell p1 through propose_cell" in first_reply
    assert "(no answer)" not in first_reply
    assert second_reply == "Take the mean next."


def test_a_cut_variable_list_keeps_the_names_the_newest_cells_touched():
    older = [VariableSummary(f"var_{i}", "int", repr=str(i)) for i in range(300)]
    newest = [VariableSummary(name, "int", repr="1") for name in ("big", "f", "y0", "y24")]
    namespace = NamespaceSummary(variables=(*older, *newest))
    transcript = Transcript()
    for cell_id, code in (("c1", "big = list(range(10))\nf = len"), ("c2", "y0 = y24 = f(big)")):
        transcript.apply(CellSubmitted(cell_id, code))
        transcript.apply(CellFinished(cell_id, 1, ExecutionStatus.OK, 0.01))
    context = build(
        namespace=namespace, transcript=transcript, limits=ContextLimits(budget_tokens=2000)
    )
    text = user_text(context)
    assert "more names not shown" in text
    for name in ("big", "f", "y0", "y24"):
        assert f"- {name}: int" in text, name
    assert "- var_299: int" in text, "then the newest of the others"
    assert "- var_0: int" not in text
