"""Fixtures for the ledger tests: a real ledger in a temporary project, sample events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pairrepl.core.cells import Origin
from pairrepl.core.events import (
    CellFinished,
    CellLoaded,
    CellSubmitted,
    ContextMarked,
    Event,
    Interrupted,
    KernelDied,
    KernelDisconnected,
    KernelReconnected,
    KernelRestarted,
    KernelStarted,
    ModuleReloaded,
    NoteAdded,
    ObjectInspected,
    OutputProduced,
    OutputSpilled,
    PromotionRecovered,
    PromotionUndone,
    PromotionWritten,
    ProposalAccepted,
    ProposalMade,
    ProposalRejected,
    ReplyEdited,
    ReplyFinished,
    ReplyStreamed,
    RequestEdited,
    RequestSent,
    SessionClosed,
    SessionResumed,
    SessionStarted,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.namespace import NamespaceDiff, VariableChange
from pairrepl.core.outputs import DisplayOutput, ErrorOutput, ResultOutput, StreamOutput
from pairrepl.ledger import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path) as opened:
        yield opened


@pytest.fixture
def one_event_of_each_kind() -> list[Event]:
    """Every event type, with fields set away from their defaults so a dropped or
    mis-decoded field shows up as an inequality."""
    return [
        SessionStarted(project_root="/home/ada/project", front_end="magics"),
        KernelStarted(description="existing kernel-1.json", owned=False),
        SessionResumed(),
        CellLoaded(cell_id="c0", code="import pandas as pd", source="analysis.ipynb"),
        CellSubmitted(
            cell_id="c1",
            code="df = pd.read_csv('prices.csv')\ndf.shape",
            origin=Origin.AI_EDITED,
            proposal_id="p1",
            rerun_of="c0",
        ),
        OutputProduced(cell_id="c1", output=StreamOutput("stderr", "warning: é ✓\n"), late=True),
        OutputProduced(cell_id="c1", output=ResultOutput({"text/plain": "(9, 3)"}, 4)),
        OutputProduced(
            cell_id="c1",
            output=DisplayOutput({"image/png": "iVBORw0KGgo=", "text/html": "<b>x</b>"}),
        ),
        OutputProduced(
            cell_id="c1",
            output=ErrorOutput("KeyError", "'price'", ("\x1b[31mKeyError\x1b[0m", "line 2")),
        ),
        OutputSpilled(
            cell_id="c1",
            stream="stdout",
            path=".pairrepl/outputs/s1/c1-stdout.txt",
            omitted_lines=9400,
            tail="line 9999\n",
        ),
        CellFinished(
            cell_id="c1",
            execution_count=4,
            status=ExecutionStatus.ERROR,
            duration_s=0.25,
            namespace_diff=NamespaceDiff(
                added=(VariableChange("df", None, "DataFrame (9, 3)"),),
                changed=(VariableChange("n", "int", "float"),),
                deleted=(VariableChange("tmp", "list 3", None),),
            ),
        ),
        Interrupted(cell_id="c1"),
        KernelDied(cell_id="c1", reason="exit code -9"),
        KernelRestarted(reason="after death"),
        KernelDisconnected(cell_id="c1", reason="http://gpu:8888: the connection dropped"),
        KernelReconnected(gap_s=12.5),
        NoteAdded(note_id="n1", text="# Why the prices drop\nseasonality?"),
        RequestSent("r1", "why are prices missing?", '{"messages": []}', "replay:demo", 120),
        ReplyStreamed("r1", "Let us look "),
        ReplyFinished("r1", partial=True, error="the stream was cut", output_tokens=3),
        ProposalMade("p1", "r1", "rows[:3]", "look at three rows", "replay:demo"),
        ProposalAccepted("p1"),
        ProposalRejected("p1", reason="too clever"),
        ObjectInspected("prices.columns[2]", how="inspector"),
        RequestEdited("r1", "why are some prices missing?"),
        ReplyEdited("r1", "Look at the rows first."),
        ContextMarked("c1", "pinned"),
        PromotionWritten(
            "m1",
            "c1",
            "src/pkg/mod.py",
            "",
            "X = 1\n",
            ("X",),
            Origin.AI,
            "p1",
            "sets X",
            created=True,
            created_folders=("src/pkg",),
        ),
        PromotionRecovered("m0", "src/pkg/mod.py", "not written", "... nothing changed."),
        ModuleReloaded("m1", "Imported pkg.mod in the kernel. X: agrees: equal values"),
        PromotionUndone("m1"),
        SessionClosed(),
    ]
