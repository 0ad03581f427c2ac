"""The magics in a real InteractiveShell: the whole loop, the errors, and the launcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

from pairrepl.cli import main as pairrepl_cli
from pairrepl.core.cells import Origin
from pairrepl.core.events import CellSubmitted, RequestSent
from pairrepl.core.proposals import ProposalState
from pairrepl.kernel import launch
from pairrepl.ledger import Ledger
from pairrepl.session.in_kernel import InKernelSession
from tests.agent.fake_llm_server import FakeLLMServer, propose

from .conftest import MEAN, WHY, oversized_code, replay_script

KEY = "sk-ant-test-KEY-0123456789abcdef"


def run(ip: InteractiveShell, code: str) -> ExecutionResult:
    return ip.run_cell(code, store_history=True)


def session_of(ip: InteractiveShell) -> InKernelSession:
    magics = ip.magics_manager.registry["PairreplMagics"]
    assert magics.session is not None
    return magics.session


def failed_with(result: ExecutionResult, *words: str) -> None:
    """The cell failed with a one-line UsageError (no traceback) that says ``words``."""
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    for word in words:
        assert word in str(result.error_in_exec)


def test_the_loop_from_ai_to_promotion_with_the_replay_provider(
    shell: InteractiveShell,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replay_script(
        project / "script.json",
        {"text": "A small function.", "propose_cell": {"code": MEAN, "rationale": WHY}},
    )
    assert run(shell, "%load_ext pairrepl").success
    run(shell, "prices = [3.0, 1.0, 2.0]")
    assert run(shell, "%pairrepl_config replay=script.json").success  # relative to the root
    capsys.readouterr()

    assert run(shell, "%ai --provider replay a mean of $prices, please").success
    out = capsys.readouterr().out
    session = session_of(shell)
    item = session.latest_proposal()
    assert item is not None and item.proposal.state is ProposalState.PROPOSED
    assert f"proposal {item.proposal.id}" in out and WHY in out and "A small function." in out
    assert "used " in out and "$0.0000" in out  # tokens and cost, as the app shows them
    assert shell.rl_next_input == MEAN  # placed into the next input...
    assert "mean" not in shell.user_ns  # ...and nothing of it ran
    with Ledger.open(project) as ledger:
        events = [entry.event for entry in ledger.entries(session.id)]
    sent = next(e for e in events if isinstance(e, RequestSent))
    assert sent.request == "a mean of $prices, please"  # not expanded by IPython
    assert "[3.0, 1.0, 2.0]" in sent.context  # the AI saw a view of the live object
    assert not any(isinstance(e, CellSubmitted) and "%ai" in e.code for e in events)

    proposal = item.proposal.id
    failed_with(run(shell, f"%promote --to stats.py {proposal}"), "has not run")
    assert run(shell, shell.rl_next_input + "\n    \n").success  # as terminal IPython sends it
    assert run(shell, "mean(prices)").result == 2.0
    assert item.proposal.state is ProposalState.RAN_OK
    failed_with(run(shell, f"%promote --to stats.py {proposal}"), "accept it first")
    capsys.readouterr()
    assert run(shell, "%accept").success
    assert "Promote it with %promote --to FILE.py." in capsys.readouterr().out  # no promote_to
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "")
    failed_with(run(shell, "%promote --to stats.py"), "own words")  # explain-back gate
    assert asked and "In your own words" in asked[0]  # it asked, the human said nothing
    assert not (project / "stats.py").exists()

    capsys.readouterr()
    assert run(shell, '%promote --to stats.py --why "adds them up, divides by the count"').success
    out = capsys.readouterr().out
    assert "Promoted mean from In[" in out and "into stats.py" in out and "agrees" in out
    assert (project / "stats.py").read_text() == MEAN + "\n"
    assert item.proposal.state is ProposalState.PROMOTED
    records = [json.loads(line) for line in (project / ".pairrepl/provenance.jsonl").open()]
    assert [(r["symbol"], r["origin"], r["session_id"]) for r in records] == [
        ("mean", "ai", session.id)
    ]
    assert records[0]["explanation"] == "adds them up, divides by the count"
    assert records[0]["request"] == "a mean of $prices, please"

    capsys.readouterr()
    assert pairrepl_cli(["blame", "stats.py", "--project", str(project), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["origin"] for line in lines} == {"ai"}
    assert {line["promotion_id"] for line in lines} == {records[0]["promotion_id"]}


def test_the_real_sdk_through_a_fake_server_and_an_edited_proposal(
    shell: InteractiveShell, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLLMServer() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)  # read at the first %ai, not at load
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        server.script(propose("TOTAL = sum([1, 2, 3])", "Add them.", text="Like this."))
        run(shell, "%load_ext pairrepl")
        assert run(shell, "%%ai --model claude-fake\nadd up 1, 2 and 3.\nKeep it short?").success
        assert shell.rl_next_input == "TOTAL = sum([1, 2, 3])"
        assert "TOTAL" not in shell.user_ns
        assert server.requests and server.requests[0].had_auth
        assert "claude-fake" in server.requests[0].body
        assert "add up 1, 2 and 3.\\nKeep it short?" in server.requests[0].body  # the body

        edited = "TOTAL = sum([1, 2, 3, 4])"
        assert run(shell, edited).success  # the human changed it before running
        session = session_of(shell)
        cell = session.transcript.code_cells()[-1]
        assert (cell.code, cell.origin) == (edited, Origin.AI_EDITED)
        item = session.latest_proposal()
        assert item is not None and item.proposal.state is ProposalState.RAN_OK
        run(shell, "%accept")
        # edited AI code needs no explain-back: the human changed it
        assert run(shell, "%promote --to totals.py").success
    assert (project / "totals.py").read_text() == edited + "\n"
    ledger_bytes = (project / ".pairrepl/ledger.sqlite3").read_bytes()
    assert KEY.encode() not in ledger_bytes


def test_errors_are_one_line_messages_and_the_shell_goes_on(
    shell: InteractiveShell, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(shell, "%load_ext pairrepl")
    failed_with(run(shell, "%ai what now?"), "No AI provider is configured")

    big = oversized_code()
    replay_script(
        project / "big.json",
        {"propose_cell": {"code": big, "rationale": "All at once."}},
        {"propose_cell": {"code": big, "rationale": "Still all at once."}},
    )
    run(shell, "%pairrepl_config provider=replay replay=big.json")
    failed_with(run(shell, "%ai define forty names"), "limit is 15", "nothing was proposed")
    assert getattr(shell, "rl_next_input", None) is None and "v0" not in shell.user_ns

    failed = run(shell, "def helper():\n    return 1\n1 / 0")
    assert isinstance(failed.error_in_exec, ZeroDivisionError)
    failed_with(run(shell, f"%promote --to h.py {failed.execution_count}"), "ended error")
    failed_with(run(shell, "%accept nope"), "No proposal")
    failed_with(run(shell, "%ai --temperature 2 hi"), "Unknown option --temperature")
    assert not (project / "h.py").exists()
    assert run(shell, "1 + 1").result == 2  # the shell is fine
    assert "Traceback" not in capsys.readouterr().err


def test_the_kernelspec_launcher_explains_a_missing_pairrepl_or_a_version_drift(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with monkeypatch.context() as patched:
        patched.setitem(__import__("sys").modules, "pairrepl", None)  # "not installed"
        launch.load_pairrepl(shell)
    run(shell, "x = 1")  # the first cell says it once
    assert "pairrepl could not be loaded" in capsys.readouterr().err
    assert run(shell, "%ai hello").success  # a stand-in, not "magic not found"
    message = capsys.readouterr().err
    assert "-m pip install pairrepl" in message and "install-kernel" in message
    run(shell, "y = 2")
    assert capsys.readouterr().err == ""  # said once, not at every cell

    InteractiveShell.clear_instance()
    other = InteractiveShell.instance()
    monkeypatch.setenv(launch.VERSION_VARIABLE, "0.0.1")
    launch.load_pairrepl(other)
    run(other, "z = 3")
    assert "installed by pairrepl 0.0.1" in capsys.readouterr().err
    assert "pairrepl" in other.extension_manager.loaded
    other.extension_manager.unload_extension("pairrepl")


def test_requests_take_names_cells_and_errors_and_an_unchanged_one_is_not_asked_again(
    shell: InteractiveShell, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay_script(
        project / "script.json",
        {"text": "Look at it.", "propose_cell": {"code": MEAN, "rationale": WHY}},
        {"text": "Second turn: only a new request gets here."},
    )
    run(shell, "%load_ext pairrepl")
    run(shell, "%pairrepl_config provider=replay replay=script.json")
    run(shell, "threshold = 0.75\napi_token = 'tok-123456789'")
    broken = run(shell, "{}['close']")
    count = broken.execution_count
    asking = f"%ai why {{In[{count}]}} gives {{Err[{count}]}} at {{threshold}} {{api_token}} {{nope}} {{'a': 1}}"
    capsys.readouterr()
    assert run(shell, asking).success
    session = session_of(shell)
    (sent,) = [e for e in session.transcript.exchanges.values()]
    assert sent.request == (
        "why {}['close'] gives KeyError: 'close' at 0.75 <redacted> {nope} {'a': 1}"
    )
    first = session.latest_proposal()
    assert first is not None and shell.rl_next_input == MEAN

    shell.rl_next_input = None
    capsys.readouterr()
    assert run(shell, asking).success  # Run All runs it again, unchanged
    out = capsys.readouterr().out
    assert f"proposal {first.proposal.id}" in out and "recalled" in out
    assert len(session.transcript.exchanges) == 1  # no second request to the model
    assert shell.rl_next_input == MEAN  # terminal IPython: back in the next input

    assert run(shell, asking.replace("%ai ", "%ai --again ")).success
    assert "Second turn" in capsys.readouterr().out and len(session.transcript.exchanges) == 2

    assert run(shell, "%ai --help").success
    usage = capsys.readouterr().out
    for flag in ("--provider", "--model", "--replay", "--hint", "--again", "{In[3]}", "$name"):
        assert flag in usage


def test_a_new_session_recalls_the_answer_an_earlier_one_got(
    shell: InteractiveShell, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay_script(project / "script.json", {"propose_cell": {"code": MEAN, "rationale": WHY}})
    run(shell, "%load_ext pairrepl")
    run(shell, "%pairrepl_config provider=replay replay=script.json")
    assert run(shell, "%ai a mean, please").success
    earlier = session_of(shell).id
    run(shell, "%reload_ext pairrepl")  # as a kernel restart would: a new session
    run(shell, "%pairrepl_config provider=replay replay=script.json")
    capsys.readouterr()
    assert run(shell, "%ai a mean, please").success  # the replay has no turn left for it
    out = capsys.readouterr().out
    session = session_of(shell)
    assert session.id != earlier and "recalled" in out
    item = session.latest_proposal()
    assert item is not None and item.proposal.code == MEAN
    (exchange,) = session.transcript.exchanges.values()
    assert f"Recalled from session {earlier}" in exchange.reply and exchange.cost_usd == 0.0
    run(shell, "%pairrepl_config promote_to=stats.py")
    capsys.readouterr()
    assert run(shell, MEAN).success and run(shell, "%accept").success  # a proposal like any
    assert "%promote (into stats.py)" in capsys.readouterr().out  # the project's target


def test_promote_asks_for_replace_or_force_and_refuses_what_changes_nothing(
    shell: InteractiveShell, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16 items 2, 3, 7, 11 and 15, issue 19 item 15 in the magics: the same rules
    and words as everywhere, with the flag that answers each refusal."""
    run(shell, "%load_ext pairrepl")
    run(shell, "from itertools import chain\nimport json")
    run(shell, "def double(x):\n    print('doubling')\n    return 2 * x\ndouble(2)")
    capsys.readouterr()
    assert run(shell, "%promote --to calc.py").success
    out = capsys.readouterr().out
    assert "Left behind (not promoted): double(2)." in out
    failed_with(run(shell, "%promote --to calc.py"), "calc.py already holds exactly this code")

    run(shell, "def double(x):\n    return x + x")
    failed_with(run(shell, "%promote --to calc.py"), "replaces `double` (3 lines → 2)", "--replace")
    assert "print('doubling')" in (project / "calc.py").read_text()
    assert run(shell, "%promote --to calc.py --diff").success  # shows it, writes nothing
    assert "# replaces `double` (3 lines → 2)" in capsys.readouterr().out
    assert run(shell, "%promote --to calc.py --replace").success
    assert "x + x" in (project / "calc.py").read_text()

    run(shell, "def chain(*parts):\n    return json.dumps(parts)")
    (project / "iters.py").write_text("from itertools import chain\n")
    failed_with(run(shell, "%promote --to iters.py"), "`from itertools import chain`", "--force")
    failed_with(run(shell, "%promote --to json.py"), "standard-library", "--force")
    assert not (project / "json.py").exists()
    assert run(shell, "%promote --to jsonish.py").success

    check = run(shell, "assert double(3) == 6")
    failed_with(
        run(shell, f"%promote --to calc.py {check.execution_count}"),
        f"In[{check.execution_count}] holds no definitions; promote it as a test.",
        "%promote --test",
    )
    failed_with(run(shell, "%promote --test 3 4"), "--test takes the module under test")
    assert run(shell, f"%promote {check.execution_count} --test calc.py").success
    assert "from calc import double" in (project / "tests" / "test_calc.py").read_text()
