"""The pure renderers: what each transcript item looks like, without an app."""

from __future__ import annotations

from rich.style import Style

from pairrepl.core.cells import Origin
from pairrepl.core.events import OutputSpilled
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceDiff, VariableChange
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, ResultOutput, StreamOutput
from pairrepl.core.transcript import CellItem, NoteItem, NoticeItem
from pairrepl.tui.render import render_item


def plain(item: object, **options: bool) -> list[str]:
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
        changed=(VariableChange("df", "DataFrame (1000, 4)", "DataFrame (988, 4)"),),
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
        "         ~ df  DataFrame (1000, 4) → DataFrame (988, 4)",
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
