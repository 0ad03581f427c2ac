"""The pure renderers: what each transcript item looks like, without an app."""

from __future__ import annotations

from rich.style import Style

from pairrepl.core.cells import Origin
from pairrepl.core.events import OutputSpilled
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import ChangeKind, NamespaceDiff, VariableChange
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, ResultOutput, StreamOutput
from pairrepl.core.proposals import Proposal, ProposalState
from pairrepl.core.transcript import CellItem, ExchangeItem, NoteItem, NoticeItem, ProposalItem
from pairrepl.frontend.usage import format_tokens
from pairrepl.tui.render import ActionTargets, proposal_actions, render_item
from pairrepl.tui.status import AIStatus, status_text


def plain(item: object, **options: object) -> list[str]:
    return [line.plain for line in render_item(item, **options)]  # type: ignore[arg-type]


def finished(cell: CellItem, count: int, status: ExecutionStatus = ExecutionStatus.OK) -> CellItem:
    cell.execution_count, cell.status, cell.duration_s = count, status, 0.25
    return cell


def test_a_finished_cell_shows_prompt_code_outputs_time_and_namespace_changes() -> None:
    cell = finished(CellItem("c1", "x = 41\nx + 1\n"), 3)
    cell.outputs = [
        StreamOutput("stdout", "hello\nwor"),
        StreamOutput("stdout", "ld\n"),
        ResultOutput({"text/plain": "42"}, 3),
        DisplayOutput({"image/png": "iVBOR..."}),
    ]
    cell.namespace_diff = NamespaceDiff(
        added=(VariableChange("x", None, "int  41"),),
        changed=(
            VariableChange("df", "DataFrame (1000, 4)", "DataFrame (988, 4)", ChangeKind.REBOUND),
            VariableChange("xs", "list 1  [1]", "list 2  [1, 2]", ChangeKind.MUTATED),
            VariableChange("n", "int  1", "str  'a'"),
        ),
        deleted=(VariableChange("old", "list 3", None),),
    )
    assert plain(cell) == [
        "In [3]:  x = 41",
        "         x + 1",
        "         hello",
        "         world",
        "Out[3]:  42",
        "         <image/png: no text form>",
        "         ✓ · 250 ms",
        "         + x  int  41",
        "         ~ df  DataFrame (1000, 4) → (988, 4)  (rebound)",
        "         ~ xs  list 1  [1] → 2  [1, 2]  (mutated in place)",
        "         ~ n  int  1 → str  'a'",
        "         - old  list 3",
        "",
    ]


def test_running_loaded_and_ai_cells_say_what_they_are() -> None:
    assert plain(CellItem("r", "sleep()"))[:2] == ["In [ ]:  sleep()", "         … running"]
    loaded = plain(CellItem("l", "a = 1", loaded_from="nb.ipynb"))
    assert loaded[0] == "[loaded] a = 1"
    assert "not run yet" in loaded[1]
    ai = finished(CellItem("a", "y = 2", origin=Origin.AI), 4)
    assert plain(ai)[0] == "In [4]:  ✦ y = 2"


def test_a_spilled_stream_shows_head_then_the_omitted_line_then_the_tail() -> None:
    cell = finished(CellItem("big", "for i in range(10**6): print(i)"), 1)
    cell.outputs = [StreamOutput("stdout", "0\n1\n"), ResultOutput({"text/plain": "None"}, 1)]
    cell.spills = [
        OutputSpilled("big", "stdout", ".pairrepl/outputs/s/big.txt", 999_996, "998\n999\n")
    ]
    lines = plain(cell)
    omitted = lines.index(
        "         … 999,996 lines omitted — full output: .pairrepl/outputs/s/big.txt (stdout) …"
    )
    assert lines[omitted - 2 : omitted] == ["         0", "         1"]
    assert lines[omitted + 1 : omitted + 3] == ["         998", "         999"]
    assert lines[omitted + 3].startswith("Out[1]:")


def test_tracebacks_keep_their_ansi_colours_and_errors_are_marked() -> None:
    cell = finished(CellItem("e", "1/0"), 2, ExecutionStatus.ERROR)
    cell.outputs = [
        ErrorOutput(
            "ZeroDivisionError", "division by zero", ("\x1b[0;31mZeroDivisionError\x1b[0m: x",)
        )
    ]
    lines = render_item(cell)
    error_line = next(line for line in lines if "ZeroDivisionError" in line.plain)
    assert error_line.plain == "         ZeroDivisionError: x"
    styles = [span.style for span in error_line.spans]
    assert any(isinstance(s, Style) and s.color is not None and s.color.number == 1 for s in styles)
    assert "\x1b" not in "".join(line.plain for line in lines)
    assert any(line.plain.strip().startswith("✗ error") for line in lines)


def test_carriage_returns_and_control_characters_do_not_break_lines() -> None:
    cell = finished(CellItem("p", "progress()"), 5)
    cell.outputs = [StreamOutput("stdout", "10%\r50%\r100%\nbell\x07\n")]
    lines = plain(cell)
    assert "         100%" in lines
    assert "         bell�" in lines


def test_highlighting_changes_colours_never_widths() -> None:
    cell = finished(CellItem("h", "def f(x):\n\treturn x  # tab inside\n"), 6)
    coloured = render_item(cell, highlight=True)
    uncoloured = render_item(cell, highlight=False)
    assert [line.plain for line in coloured] == [line.plain for line in uncoloured]
    assert [line.cell_len for line in coloured] == [line.cell_len for line in uncoloured]
    assert coloured[0].spans and not uncoloured[0].spans[1:]


def test_four_digit_prompts_keep_code_and_outputs_aligned() -> None:
    cell = finished(CellItem("n", "a\nb"), 1234)
    cell.outputs = [ResultOutput({"text/plain": "1"}, 1234)]
    assert plain(cell)[:3] == ["In [1234]: a", "           b", "Out[1234]: 1"]


def test_notes_and_notices() -> None:
    note = plain(NoteItem("n", "# Title\nsome **bold** text"))
    assert note[:2] == ["Note     Title", "         some bold text"]
    died = render_item(NoticeItem("The kernel died.", "error"))
    assert died[0].plain == "✖ The kernel died."
    assert "red" in str(died[0].style)
    assert plain(NoticeItem("Interrupted.", "warning"))[0] == "⚠ Interrupted."


# -- the AI's items ------------------------------------------------------------------------


def exchange(**fields: object) -> ExchangeItem:
    item = ExchangeItem("r1", "why are prices missing?", "replay:demo.json", tokens=2100)
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def test_an_exchange_shows_the_request_plain_and_the_reply_marked_as_it_streams() -> None:
    streaming = exchange(reply="Let me look\nat them.")
    assert plain(streaming) == [
        "Ask:     why are prices missing?",
        "✦ AI:    Let me look",
        "         at them.",
        "         … answering",
        "         ✦ replay:demo.json · context 2.1k tokens",
        "",
    ]
    done = exchange(
        reply="Twelve rows.", finished=True, input_tokens=2100, output_tokens=40, cost_usd=0.0
    )
    assert plain(done)[2:4] == [
        "         (an answer, no proposal)",
        "         ✦ replay:demo.json · context 2.1k tokens · used 2.1k in / 40 out · $0.0000",
    ]


def test_an_exchange_says_in_words_how_it_ended_badly() -> None:
    cancelled = exchange(reply="Let", finished=True, partial=True, error="Stopped.")
    assert "⚠ partial reply (Stopped.): kept out of the AI's later context" in "\n".join(
        plain(cancelled)
    )
    failed = exchange(finished=True, error="The model's proposal was invalid twice")
    assert "✖ The model's proposal was invalid twice" in "\n".join(plain(failed))
    steered = exchange(reply="Drop them.", finished=True, edited_reply="Look first.")
    assert plain(steered)[1] == "✦ AI:    Look first."
    assert plain(steered)[-2].endswith("· reply edited by you")
    refused = exchange(finished=True, refusal="I can't.", hint_mode=True)
    shown = "\n".join(plain(refused))
    assert "⊘ the model declined: I can't." in shown
    assert "hint mode" in shown


def test_a_proposal_shows_id_state_size_code_why_and_keys_only_when_in_review() -> None:
    item = ProposalItem(
        Proposal("3f2a1b0c9d8e", "df = df.dropna()\ndf.shape", "Drop the 12 rows.", "m", "r1")
    )
    assert plain(item) == [
        "✦ proposal #3f2a1b · proposed · 2 lines",
        "│ df = df.dropna()",
        "│ df.shape",
        "│ why: Drop the 12 rows.",
        "",
    ]
    in_review = plain(item, targets=ActionTargets(proposal_id="3f2a1b0c9d8e"))
    assert in_review[-2] == (
        "│ Ctrl+R run · Ctrl+O edit · Ctrl+G reject · F4 follow-up · "
        "accept: after a run without error"
    )
    item.proposal = item.proposal.moved_to(ProposalState.RAN_OK)
    assert proposal_actions(ProposalState.RAN_OK).plain.startswith("Ctrl+T accept")
    item.proposal = item.proposal.moved_to(ProposalState.REJECTED)
    item.rejection_reason = "too clever"
    assert plain(item)[0] == "✦ proposal #3f2a1b · rejected · 2 lines"
    assert "│ rejected: too clever" in plain(item)


def test_a_cell_that_ran_a_proposal_shows_its_origin_and_the_latest_error_its_fix_key() -> None:
    edited = finished(CellItem("c2", "x = 10", Origin.AI_EDITED, "3f2a1b0c9d8e"), 2)
    assert plain(edited)[:2] == [
        "In [2]:  ✦ x = 10",
        "         ✓ · 250 ms · ✦ ai-edited from proposal #3f2a1b",
    ]
    raised = finished(CellItem("c3", "1 / 0"), 3, ExecutionStatus.ERROR)
    assert "Ctrl+F" not in "\n".join(plain(raised))
    with_key = plain(raised, targets=ActionTargets(error_cell_id="c3"))
    assert with_key[1] == "         ✗ error · 250 ms · Ctrl+F asks the AI to fix it"


def test_token_counts_and_the_status_line() -> None:
    assert [format_tokens(n) for n in (950, 2100, 8000, 16384)] == ["950", "2.1k", "8k", "16k"]
    ai = AIStatus("replay:demo.json", 2100, 8000, 3400, hint_mode=True, answering=True)
    line = status_text("proj", "3f2a1b0c9d", "idle", ai).plain
    assert line == (
        "pairrepl · proj · session 3f2a1b0c · kernel ● idle · replay:demo.json · ctx 2.1k/8k"
        " · 3.4k tokens used · hint · ✦ answering (Ctrl+C stops)"
    )
    assert "ctx" not in status_text("proj", "s", "idle", AIStatus()).plain


def test_a_refused_proposals_raw_reply_is_part_of_its_exchange_capped() -> None:
    exchange = ExchangeItem("r1", "propose", "replay:s.json", finished=True)
    exchange.error = "The model's proposal was invalid twice"
    exchange.raw = "\n".join(f"raw line {n}" for n in range(50))
    text = "\n".join(line.plain for line in render_item(exchange))
    assert "✖ The model's proposal was invalid twice" in text
    assert "The model's raw reply (not runnable, never run)" in text
    assert "raw line 19" in text and "raw line 20" not in text
    assert "… 30 more lines in the ledger" in text


def test_context_marks_and_the_keys_of_a_selected_item() -> None:
    from pairrepl.tui.render import selection_keys

    cell = CellItem("c1", "1 / 0", status=ExecutionStatus.ERROR, execution_count=1)
    pinned = "\n".join(line.plain for line in render_item(cell, mark="pinned"))
    assert "📌 pinned" in pinned
    hidden = "\n".join(line.plain for line in render_item(NoteItem("n1", "hi"), mark="hidden"))
    assert "hidden from AI" in hidden
    keys = selection_keys(cell, "pinned")
    assert keys is not None
    assert "Enter copy to input · f fix · p unpin · h hide" in keys.plain
    exchange = ExchangeItem("r1", "why?", "m", finished=True)
    keys = selection_keys(exchange)
    assert keys is not None
    assert "e edit request · Shift+E edit reply · r retry" in keys.plain


def test_status_shows_the_cost_or_says_it_is_unknown() -> None:
    known = AIStatus("openai:gpt-4o", 2100, 16000, 500, cost="$0.03")
    assert "ctx 2.1k/16k" in status_text("p", "s", "idle", known).plain
    assert "$0.03" in status_text("p", "s", "idle", known).plain
    unknown = AIStatus.of(
        "openai:x@host", [], budget_tokens=8000, hint_mode=False, answering=False, cost_usd=None
    )
    assert "cost unknown" in status_text("p", "s", "idle", unknown).plain
    none = AIStatus.of("no provider", [], budget_tokens=0, hint_mode=False, answering=False)
    assert "$" not in status_text("p", "s", "idle", none).plain
