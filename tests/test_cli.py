"""The `pairrepl` command's small subcommands, and its errors, as a user meets them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from pairrepl.agent.registry import key_variables
from pairrepl.cli import main
from pairrepl.cli.options import local_kernel
from pairrepl.ledger import Ledger
from pairrepl.session import Session
from tests.agent.fake_llm_server import FakeLLMServer, HttpError, Turn
from tests.jupyter_server import JupyterServer, free_port
from tests.kernel.conftest import RecordingSink
from tests.processes import kernels_running_in


async def recorded_session(root: Path) -> str:
    with Ledger.open(root) as ledger:
        session = await Session.start(root, local_kernel(root, root / "k.log"), ledger)
        await session.run("x = 6 * 7\nprint(x)")
        await session.run("x / 0")
        await session.close()
        return session.id


async def test_sessions_then_export_writes_a_valid_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = await recorded_session(tmp_path)
    assert main(["sessions", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert session_id in listing and "closed" in listing

    target = tmp_path / "out.ipynb"
    assert main(["export", session_id[:5], "--to", str(target), "--project", str(tmp_path)]) == 0
    notebook = nbformat.read(target, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == ["x = 6 * 7\nprint(x)", "x / 0"]
    assert code[0].outputs[0].text == "42\n"
    assert code[1].outputs[0].ename == "ZeroDivisionError"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "nope", "--to", "x.ipynb"], "no sessions"),
        (["export", "nope", "--to", "x.txt"], ".ipynb"),
        (["--resume", "nope"], "no sessions"),
        (["no-such-folder"], "not a folder"),
        (["--from", "missing.ipynb"], "no notebook"),
        (["--existing", "kernel-0.json"], "no connection file"),
        (["--provider", "replay"], "needs a script"),
    ],
)
def test_mistakes_are_clear_errors_not_tracebacks(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "pairrepl", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert kernels_running_in(tmp_path) == []  # one launched early is stopped again


@pytest.mark.parametrize("command", [["doctor"], []], ids=["doctor", "app"])
def test_a_bad_setting_is_one_line_naming_where_it_came_from(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: `PAIRREPL_TIMEOUT=abc pairrepl doctor` ended in a ValueError traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "pairrepl", *command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PAIRREPL_TIMEOUT": "abc"},
    )
    said = "timeout = 'abc' (from env PAIRREPL_TIMEOUT) is not a number of seconds above 0."
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    if command:
        assert f"FAIL  settings: {said}" in result.stdout.splitlines()
    else:
        assert result.stderr == f"pairrepl: {said}\n"
        assert kernels_running_in(tmp_path) == []


async def test_a_kernel_the_app_starts_inherits_no_provider_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key variable of every registered provider is withheld; the rest is inherited."""
    for variable in key_variables():
        monkeypatch.setenv(variable, f"secret-{variable}")
    monkeypatch.setenv("PAIRREPL_TEST_PLAIN", "inherited")
    kernel = local_kernel(tmp_path, tmp_path / "kernel.log")
    await kernel.start()
    try:
        sink = RecordingSink()
        await kernel.execute(
            "import os, json; print(json.dumps({k: v for k, v in os.environ.items()"
            " if 'secret-' in v or k == 'PAIRREPL_TEST_PLAIN'}))",
            sink,
        )
    finally:
        await kernel.shutdown()
    assert json.loads(sink.stdout()) == {"PAIRREPL_TEST_PLAIN": "inherited"}


def test_doctor_checks_kernel_ledger_and_provider(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-doctor-test")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # what it remembers
    jinja = {"error": {"code": 500, "message": "tools param requires --jinja flag"}}
    with FakeLLMServer() as server:
        server.script(Turn(text="OK"), HttpError(500, body=jinja), Turn(text="OK"))
        server.script(HttpError(401, "authentication_error", "bad key"))
        base = ["doctor", str(tmp_path), "--provider", "openai", "--base-url", server.url + "/v1"]
        assert main(base) == 0
        healthy = capsys.readouterr().out
        assert main(base) == 1
        broken = capsys.readouterr().out
    assert [line[:4] for line in healthy.splitlines()].count("ok  ") == 4  # + settings
    assert "settings (provider from --provider; base_url from --base-url; api_key from" in healthy
    assert "tools: no (tools param requires --jinja flag: pairrepl asks for" in healthy
    assert "streamed token counts: yes" in healthy and "images: yes" in healthy
    assert (tmp_path / "config" / "pairrepl" / "servers.json").exists()
    assert ("FAIL  AI provider" in broken and "401" in broken) or "key" in broken


@pytest.mark.parametrize(
    ("args", "env_token", "message"),
    [
        (["--token", "wrong"], None, "the token was refused; pass the right one with --token"),
        ([], "wrong-from-env", "the token was refused"),
        ([], None, "the token is missing"),
        (["--token", "{token}", "--kernel", "cobol"], None, "no kernelspec 'cobol'"),
        (["--token", "{token}", "--kernel-id", "k-0"], None, "has no kernel k-0"),
    ],
    ids=["wrong-token", "wrong-token-from-env", "no-token", "unknown-kernelspec", "unknown-id"],
)
def test_server_mistakes_are_one_line_errors_before_the_screen_opens(
    args: list[str],
    env_token: str | None,
    message: str,
    jupyter_server: JupyterServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JUPYTER_TOKEN", raising=False)
    if env_token:
        monkeypatch.setenv("JUPYTER_TOKEN", env_token)
    argv = ["--server", jupyter_server.url, *(a.format(token=jupyter_server.token) for a in args)]
    result = subprocess.run(
        [sys.executable, "-m", "pairrepl", *argv], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--server", "http://127.0.0.1:{port}"], "cannot reach a Jupyter Server"),
        (["--server", "ftp://host"], "not a server URL"),
        (["--kernel", "python3"], "only make sense with --server"),
        (["--server", "x", "--existing", "k.json"], "cannot be used together"),
    ],
)
def test_server_option_mistakes_are_clear(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "k.json").write_text("{}")
    argv = [a.format(port=free_port()) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "pairrepl", *argv], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_doctor_checks_a_server(
    jupyter_server: JupyterServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUPYTER_TOKEN", jupyter_server.token)
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "PAIRREPL_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    kernels_before = jupyter_server.get("/api/kernels")
    main(["doctor", str(tmp_path), "--server", jupyter_server.url])
    report = capsys.readouterr().out
    assert f"ok    server {jupyter_server.url} (Jupyter Server" in report
    assert "token accepted" in report
    assert "pairrepl starts python3" in report
    assert "ok    kernel (python3 kernel" in report or "FAIL  kernel (python3 kernel" in report
    assert "trivial cell" in report
    assert jupyter_server.get("/api/kernels") == kernels_before  # its kernel was shut down

    monkeypatch.setenv("JUPYTER_TOKEN", "wrong")
    assert main(["doctor", str(tmp_path), "--server", jupyter_server.url]) == 1
    assert "FAIL  server" in capsys.readouterr().out


async def test_blame_and_report_from_provenance_and_the_files_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(tmp_path) as ledger:
        session = await Session.start(tmp_path, local_kernel(tmp_path, tmp_path / "k.log"), ledger)
        await session.run("def half(x):\n    return x / 2\n")
        await session.promote(target="maths.py")
        await session.close()
    maths = tmp_path / "maths.py"
    maths.write_text('"""Added by hand."""\n\n\n' + maths.read_text().replace("x / 2", "x * 0.5"))

    assert main(["blame", "maths.py", "--project", str(tmp_path), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["text"], line["origin"]) for line in lines] == [
        ('"""Added by hand."""', "-"),
        ("", "-"),
        ("", "-"),
        ("def half(x):", "human"),  # promoted from a human cell
        ("    return x * 0.5", "changed"),  # changed by hand since
    ]
    assert main(["report", "--project", str(tmp_path), "--json"]) == 0
    totals = json.loads(capsys.readouterr().out)["total"]
    assert (totals["promoted_lines"], totals["changed_by_hand"]) == (2, 1)
    assert main(["report", "--project", str(tmp_path), "--since", "2999-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["promoted_lines"] == 0
    assert main(["blame", "/etc/hostname", "--project", str(tmp_path)]) == 2
    assert "outside the project" in capsys.readouterr().err

    # From another project's folder, the file's own project is blamed (issue 16 item 14),
    # and a form feed in a comment does not shift the lines after it.
    maths.write_text(maths.read_text().replace('"""Added by hand."""', "# page\f break"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pyproject.toml").write_text("")
    monkeypatch.chdir(elsewhere)
    assert main(["blame", str(maths), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["line"], line["origin"]) for line in lines][-2:] == [(4, "human"), (5, "changed")]


def test_blame_into_a_pipe_that_closes_early_ends_quietly(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "long.py").write_text("".join(f"X{n} = {n}\n" for n in range(50_000)))
    command = [sys.executable, "-m", "pairrepl", "blame", str(tmp_path / "long.py")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as blame:
        assert blame.stdout is not None and blame.stderr is not None
        assert blame.stdout.readline().startswith(b"    1 -")  # `| head -1`
        blame.stdout.close()
        error = blame.stderr.read().decode()
        assert blame.wait(timeout=60) == 0
    assert error == ""


def test_the_commands_that_read_create_no_state_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sessions, export, blame, report in a project pairrepl never ran in: they say there
    is nothing, and leave no .pairrepl/ behind."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "fresh"\n')
    (tmp_path / "fresh.py").write_text("def f():\n    return 1\n")
    assert main(["sessions", str(tmp_path)]) == 0
    assert "No sessions yet" in capsys.readouterr().out
    exported = main(
        ["export", "abcd", "--to", str(tmp_path / "out.ipynb"), "--project", str(tmp_path)]
    )
    assert exported != 0 and "There are no sessions in" in capsys.readouterr().err
    assert main(["blame", str(tmp_path / "fresh.py")]) == 0
    assert main(["report", "--project", str(tmp_path)]) == 0
    capsys.readouterr()
    assert not (tmp_path / ".pairrepl").exists()
    assert not (tmp_path / "out.ipynb").exists()


async def test_sessions_hides_the_ones_that_ran_no_cell_unless_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger.open(tmp_path) as ledger:
        empty = await Session.start(tmp_path, local_kernel(tmp_path, tmp_path / "k.log"), ledger)
        await empty.close()
    used = await recorded_session(tmp_path)
    assert main(["sessions", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert used in listing and empty.id not in listing
    assert "1 without cells not shown: --all lists them" in listing
    assert main(["sessions", str(tmp_path), "--all"]) == 0
    listing = capsys.readouterr().out
    assert used in listing and empty.id in listing


def test_a_folder_given_to_resume_is_the_project(tmp_path: Path) -> None:
    """``pairrepl --resume myproject/`` resumes in that folder, not a session of that name;
    with nothing to resume there, that is an error (exit 2), not a quiet exit."""
    (tmp_path / "myproject").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "pairrepl", "--resume", "myproject/"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "no sessions in" in result.stderr and "myproject" in result.stderr
    assert "No session 'myproject" not in result.stderr
