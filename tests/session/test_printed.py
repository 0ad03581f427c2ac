"""The in-kernel session's copy of what a cell prints: bounded, in order, and the
streams it stood in for get every write and come back afterwards."""

from __future__ import annotations

import io
import sys

import pytest

from pairrepl.session.printed import PrintedCapture


def test_prints_pass_through_a_capped_copy_is_kept_and_the_streams_come_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    capture = PrintedCapture(limit=12)
    capture.start()
    print("one")
    print("two")
    print("oops", file=sys.stderr)
    print("x" * 100)
    assert sys.stdout.getvalue().startswith("one\ntwo\n")  # the real stream's answer
    printed = capture.stop()

    assert (sys.stdout, sys.stderr) == (out, err)
    assert out.getvalue() == "one\ntwo\n" + "x" * 100 + "\n"  # nothing held back
    assert err.getvalue() == "oops\n"
    assert printed == [  # 12 characters kept: print's newline after "oops" is the 13th
        ("stdout", "one\ntwo\n"),
        ("stderr", "oops\n… 102 more characters printed, not recorded\n"),
    ]
    assert capture.stop() == []  # twice is harmless


def test_a_cell_that_redirects_stdout_for_good_keeps_its_redirect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    capture = PrintedCapture()
    capture.start()
    mine = io.StringIO()
    sys.stdout = mine  # what the cell did
    capture.stop()
    assert sys.stdout is mine
