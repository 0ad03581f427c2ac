"""Sessions out to .ipynb and notebooks in, checked with nbformat itself."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellLoaded,
    CellSubmitted,
    Event,
    KernelRestarted,
    KernelStarted,
    NoteAdded,
    OutputProduced,
    OutputSpilled,
    PromotionWritten,
    ProposalAccepted,
    ProposalMade,
    ReplyFinished,
    ReplyStreamed,
    RequestSent,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, ResultOutput, StreamOutput
from pairrepl.ledger import Ledger, NotebookCell, export_notebook, read_notebook

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
TRACEBACK = (
    "\x1b[0;31mZeroDivisionError\x1b[0m   Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[3], line 1\x1b[0m\n----> 1 1/0",
    "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
)
HEAD = "".join(f"line {i}\n" for i in range(500))
TAIL = "".join(f"line {i}\n" for i in range(9900, 10000))
SPILL = ".pairrepl/outputs/s1/c5-stdout.txt"


def _finished(cell_id: str, count: int, status: ExecutionStatus = ExecutionStatus.OK) -> Event:
    return CellFinished(cell_id, count, status, 0.01)


def realistic_session() -> list[Event]:
    return [
        SessionStarted("/home/ada/project"),
        KernelStarted("local python3 kernel"),
        NoteAdded("n1", "# Prices\nWhy do they drop in **May**?"),
        CellSubmitted("c1", "print('hello')", Origin.HUMAN),
        OutputProduced("c1", StreamOutput("stdout", "hel")),  # two chunks, one output
        OutputProduced("c1", StreamOutput("stdout", "lo\n")),
        _finished("c1", 1),
        CellSubmitted("c2", "1 + 1", Origin.AI, proposal_id="p1"),
        OutputProduced("c2", ResultOutput({"text/plain": "2"}, 2)),
        _finished("c2", 2),
        CellSubmitted("c3", "1/0", Origin.AI_EDITED, proposal_id="p2"),
        OutputProduced("c3", ErrorOutput("ZeroDivisionError", "division by zero", TRACEBACK)),
        _finished("c3", 3, ExecutionStatus.ERROR),
        CellSubmitted("c4", "plot()", Origin.HUMAN),
        OutputProduced("c4", DisplayOutput({"image/png": PNG})),
        _finished("c4", 4),
        CellSubmitted("c5", "for i in range(10_000): print('line', i)", Origin.HUMAN),
        OutputProduced("c5", StreamOutput("stdout", HEAD)),
        OutputProduced("c5", StreamOutput("stderr", "done\n")),
        OutputSpilled("c5", "stdout", SPILL, 9400, TAIL),
        _finished("c5", 5),
        KernelRestarted("user"),
        CellLoaded("c6", "df.describe()", "analysis.ipynb"),
    ]


def test_a_session_exports_as_a_valid_notebook_of_what_was_seen(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        for event in realistic_session():
            ledger.append("s1", event)
        target = tmp_path / "session.ipynb"
        export_notebook(ledger.entries("s1"), target)

    notebook = nbformat.read(target, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.pairrepl == {"session_id": "s1"}
    assert [cell.cell_type for cell in notebook.cells] == [
        *["markdown", "code", "code", "code", "code", "code"],
        *["markdown", "code"],  # the restart notice, the loaded cell
    ]
    note, c1, c2, c3, c4, c5, notice, c6 = notebook.cells
    assert note.source == "# Prices\nWhy do they drop in **May**?"
    assert [c.execution_count for c in (c1, c2, c3, c4, c5, c6)] == [1, 2, 3, 4, 5, None]
    assert [c.metadata.pairrepl["origin"] for c in (c1, c2, c3)] == ["human", "ai", "ai-edited"]
    assert c2.metadata.pairrepl["proposal_id"] == "p1"

    assert c1.outputs == [{"output_type": "stream", "name": "stdout", "text": "hello\n"}]
    assert [(o.output_type, o.data, o.execution_count) for o in c2.outputs] == [
        ("execute_result", {"text/plain": "2"}, 2)
    ]
    [error] = c3.outputs
    assert (error.output_type, error.ename, error.evalue) == (
        "error",
        "ZeroDivisionError",
        "division by zero",
    )
    assert error.traceback == list(TRACEBACK)
    assert [(o.output_type, o.data) for o in c4.outputs] == [("display_data", {"image/png": PNG})]

    stdout, stderr = c5.outputs
    assert stdout.text.startswith(HEAD) and stdout.text.endswith(TAIL)
    marker = stdout.text[len(HEAD) : -len(TAIL)]
    assert marker.count("\n") == 1 and "9400" in marker and SPILL in marker
    assert (stderr.name, stderr.text) == ("stderr", "done\n")

    assert "restarted" in notice.source
    assert (c6.source, c6.outputs) == ("df.describe()", [])
    assert c6.metadata.pairrepl["loaded_from"] == "analysis.ipynb"

    # What comes back in with --from: the code and the notes, not pairrepl's notices.
    assert read_notebook(target) == [
        NotebookCell("markdown", note.source),
        *[NotebookCell("code", c.source) for c in (c1, c2, c3, c4, c5, c6)],
    ]


def test_an_invalid_export_leaves_the_existing_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "session.ipynb"
    target.write_text("the previous export")
    with Ledger.open(tmp_path) as ledger:
        ledger.append("s1", CellSubmitted("c1", "x"))
        # A mime bundle nbformat rejects: text/plain must be text.
        ledger.append("s1", OutputProduced("c1", DisplayOutput({"text/plain": 5})))  # type: ignore[dict-item]
        with pytest.raises(nbformat.ValidationError):
            export_notebook(ledger.entries("s1"), target)

    assert target.read_text() == "the previous export"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".pairrepl", "session.ipynb"]


def test_read_notebook_returns_code_and_markdown_cells_in_order(tmp_path: Path) -> None:
    path = tmp_path / "analysis.ipynb"
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Load"),
            new_code_cell("import pandas as pd\ndf = pd.read_csv('prices.csv')"),
            new_raw_cell("---\ntitle: skipped\n---"),
            new_code_cell("df.describe()", execution_count=7),
        ]
    )
    nbformat.write(notebook, path)

    assert read_notebook(path) == [
        NotebookCell("markdown", "# Load"),
        NotebookCell("code", "import pandas as pd\ndf = pd.read_csv('prices.csv')"),
        NotebookCell("code", "df.describe()"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"print('not a notebook')",
        b'{"cells": "nope"}',
        b"[1, 2]",
        b"\xff\xfe\x00garbage",
        b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
    ],
)
def test_read_notebook_refuses_what_is_not_a_notebook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"broken\.ipynb is not a (valid )?Jupyter notebook"):
        read_notebook(path)


def test_the_ai_side_exports_as_markdown_where_it_happened(tmp_path: Path) -> None:
    """Asks, replies, a proposal with its rationale and the human's decision, and the
    promotion read in the notebook as they did on screen; the AI's cell says it is the AI's;
    none of it comes back as a note on import."""
    events: list[Event] = [
        SessionStarted("/home/ada/project"),
        KernelStarted("local python3 kernel"),
        RequestSent("r1", "dedupe the prices", "context", "replay:demo.json"),
        ReplyStreamed("r1", "Sort them "),
        ReplyStreamed("r1", "after dropping repeats."),
        ProposalMade("p1", "r1", "def g(values):\n    return sorted(set(values))", "Dedupe.", "m"),
        ReplyFinished("r1", input_tokens=10, output_tokens=5),
        CellSubmitted("c1", "def g(values):\n    return sorted(set(values))", Origin.AI, "p1"),
        _finished("c1", 1),
        ProposalAccepted("p1"),
        PromotionWritten(
            "m1",
            "c1",
            "src/shop.py",
            "",
            "def g(): ...\n",
            ("g",),
            Origin.AI,
            "p1",
            explanation="sorts unique values",
        ),
    ]
    with Ledger.open(tmp_path) as ledger:
        for event in events:
            ledger.append("s1", event)
        target = tmp_path / "session.ipynb"
        export_notebook(ledger.entries("s1"), target)

    notebook = nbformat.read(target, as_version=4)
    nbformat.validate(notebook)
    kinds = [
        (cell.cell_type, cell.metadata.get("pairrepl", {}).get("record")) for cell in notebook.cells
    ]
    assert kinds == [
        ("markdown", "exchange"),
        ("markdown", "proposal"),
        ("code", None),
        ("markdown", "promotion"),
    ]
    ask, proposal, code, promotion = notebook.cells
    assert "**Ask:**\n\n> dedupe the prices" in ask.source
    assert "> Sort them after dropping repeats." in ask.source and "✦ AI" in ask.source
    assert "· promoted" in proposal.source and "*Why:* Dedupe." in proposal.source
    assert "```python\ndef g(values):" in proposal.source and "Ran as In [1]." in proposal.source
    assert code.metadata.tags == ["ai"]
    assert "`g` → `src/shop.py` · written by: ai" in promotion.source
    assert "*Explained:* sorts unique values" in promotion.source
    assert read_notebook(target) == [NotebookCell("code", code.source)]
