"""The magics in real Jupyter kernels: the installed kernelspec run by nbclient, by
jupyter_client with the openai SDK against the fake server, and by a JupyterLab server.

The kernelspec is installed with ``pairrepl install-kernel --user`` into a JUPYTER_DATA_DIR
in tmp (see conftest): never into the user's home.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager, start_new_kernel
from nbclient import NotebookClient
from tornado.websocket import websocket_connect

from pairrepl.cli import main as pairrepl_cli
from pairrepl.core.events import CellSubmitted, OutputProduced, SessionStarted
from pairrepl.core.outputs import ResultOutput, StreamOutput
from pairrepl.ledger import Ledger
from tests.agent.fake_llm_server import FakeLLMServer, HttpError, propose

from .conftest import MEAN, WHY, oversized_code, replay_script

KEY = "sk-test-KEY-in-the-kernel-0123456789"


@pytest.fixture
def kernelspec(capsys: pytest.CaptureFixture[str]) -> str:
    assert pairrepl_cli(["install-kernel", "--user"]) == 0
    assert "Installed kernelspec 'pairrepl'" in capsys.readouterr().out
    return "pairrepl"


def test_a_notebook_on_the_kernelspec_asks_runs_accepts_and_promotes(
    project: Path, kernelspec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    replay_script(
        project / "script.json",
        {"text": "A small function.", "propose_cell": {"code": MEAN, "rationale": WHY}},
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.pairrepl]\nprovider = "replay"\nreplay = "script.json"\n'
    )
    why = "adds the prices up and divides by how many there are"
    cells = [
        "%load_ext pairrepl",
        "prices = [3.0, 1.0, 2.0]",
        "%ai a function for the mean of $prices?",
        "'mean' in globals()",
        MEAN,  # the proposal, as the human runs it from the cell JupyterLab inserted
        "mean(prices)",
        "%accept",
        f'%promote --to stats_tools.py --why "{why}"',
        "%proposals",
        "import sys\nprint('checked', len(prices))\nprint('odd', file=sys.stderr)\n'done'",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    replies: dict[int, dict[str, Any]] = {}
    NotebookClient(
        notebook,
        kernel_name=kernelspec,
        timeout=60,
        resources={"metadata": {"path": str(project / "notebooks")}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.update(
            {cell_index: execute_reply}
        ),
    ).execute()

    def text(index: int) -> str:
        outputs = notebook.cells[index].outputs
        return "".join(
            o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs
        )

    assert replies[2]["content"]["payload"] == [
        {"source": "set_next_input", "text": MEAN, "replace": False}
    ]
    assert "A small function." in text(2) and WHY in text(2)
    assert text(3) == "False"  # asking ran nothing
    assert text(5) == "2.0"
    assert "Promoted mean from In[5] into stats_tools.py" in text(7)
    assert "promoted" in text(8)
    assert (project / "stats_tools.py").read_text() == MEAN + "\n"
    (record,) = [json.loads(line) for line in (project / ".pairrepl/provenance.jsonl").open()]
    assert (record["symbol"], record["origin"], record["explanation"]) == ("mean", "ai", why)

    assert text(9) == "checked 3\nodd\n'done'"  # the notebook still shows every print
    with Ledger.open(project) as ledger:
        (info,) = ledger.sessions()
        events = [entry.event for entry in ledger.entries(info.id)]
    first = events[0]
    assert isinstance(first, SessionStarted) and first.front_end == "magics"
    *_, printed = [e for e in events if isinstance(e, CellSubmitted)]
    assert [  # ...and the ledger has them, in order, before the result
        e.output for e in events if isinstance(e, OutputProduced) and e.cell_id == printed.cell_id
    ] == [
        StreamOutput("stdout", "checked 3\n"),
        StreamOutput("stderr", "odd\n"),
        ResultOutput({"text/plain": "'done'"}, 10),
    ]
    assert first.project_root == str(project)  # found from notebooks/ upward
    capsys.readouterr()
    assert pairrepl_cli(["blame", "stats_tools.py", "--project", str(project)]) == 0
    blame = capsys.readouterr().out
    assert " ai " in blame and record["promotion_id"][:8] in blame


def execute(client: BlockingKernelClient, code: str) -> tuple[dict[str, Any], str, str]:
    """Run ``code``; (the execute_reply content, stdout, stderr and results as text).
    A display updated in place (the AI's Markdown) counts once, as last drawn, first."""
    msg_id = client.execute(code, allow_stdin=False)
    out, err = [], []
    displays: dict[str, str] = {}
    while True:
        message = client.get_iopub_msg(timeout=60)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind in ("display_data", "update_display_data"):
            display_id = content.get("transient", {}).get("display_id", str(len(displays)))
            displays[display_id] = content["data"].get("text/plain", "")
        elif kind == "stream":
            (out if content["name"] == "stdout" else err).append(content["text"])
        elif kind == "execute_result":
            out.append(content["data"]["text/plain"])
        elif kind == "error":
            err.append(f"{content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            break
    while True:
        reply = client.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], "".join([*displays.values(), *out]), "".join(err)


@pytest.fixture
def kernel_with_fake_openai(
    project: Path, kernelspec: str
) -> Iterator[tuple[KernelManager, BlockingKernelClient, FakeLLMServer]]:
    with FakeLLMServer() as server:
        env = {
            **os.environ,
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": server.url + "/v1",
            "PAIRREPL_MODEL": "gpt-fake",
        }
        manager, client = start_new_kernel(
            kernel_name=kernelspec, cwd=str(project / "notebooks"), env=env
        )
        try:
            yield manager, client, server
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def test_run_all_twice_shows_the_reply_as_markdown_and_asks_only_once(
    project: Path, kernelspec: str
) -> None:
    replay_script(
        project / "script.json",
        {
            "text": "A **small** function, then run it.",
            "propose_cell": {"code": MEAN, "rationale": WHY},
        },
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.pairrepl]\nprovider = "replay"\nreplay = "script.json"\n'
    )
    cells = ["%load_ext pairrepl", "prices = [3.0, 1.0, 2.0]", "%ai a mean of $prices", MEAN]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    runs: list[dict[int, dict[str, Any]]] = []
    for _ in range(2):  # Run All, then Run All again on a restarted kernel
        replies: dict[int, dict[str, Any]] = {}
        NotebookClient(
            notebook,
            kernel_name=kernelspec,
            timeout=60,
            resources={"metadata": {"path": str(project / "notebooks")}},
            on_cell_executed=lambda cell, cell_index, execute_reply, r=replies: r.update(
                {cell_index: execute_reply}
            ),
        ).execute()
        runs.append(replies)
        if len(runs) == 1:
            outputs = notebook.cells[2].outputs
            markdown = [o for o in outputs if o.output_type == "display_data"]
            assert [o.data["text/markdown"] for o in markdown] == [
                "A **small** function, then run it."
            ]  # one Markdown output, not a stream fragment per piece
            assert not any("small" in o.get("text", "") for o in outputs)

    first, second = runs
    assert first[2]["content"]["payload"] == [
        {"source": "set_next_input", "text": MEAN, "replace": False}
    ]
    assert second[2]["content"]["payload"] == []  # the notebook already holds that cell
    again = "".join(o.get("text", "") for o in notebook.cells[2].outputs)
    assert "recalled, not asked again" in again
    with Ledger.open(project) as ledger:
        sessions = ledger.sessions()
    assert len(sessions) == 2


def test_a_kernel_with_the_openai_sdk_proposes_into_the_next_input_and_survives_errors(
    project: Path,
    kernel_with_fake_openai: tuple[KernelManager, BlockingKernelClient, FakeLLMServer],
) -> None:
    manager, client, server = kernel_with_fake_openai
    big = oversized_code()
    server.script(
        propose("SCALE = 10", "One constant for the plots.", text="Here you go."),
        HttpError(400, "invalid_request_error", "That model does not take tools."),
        propose(big, "All at once."),
        propose(big, "Still all at once."),
    )
    reply, out, _ = execute(client, "%ai a scale constant for the plots")
    assert reply["status"] == "ok"
    assert reply["payload"] == [
        {"source": "set_next_input", "text": "SCALE = 10", "replace": False}
    ]
    assert "Here you go." in out and "One constant for the plots." in out
    assert execute(client, "'SCALE' in globals()")[1] == "False"  # nothing of it ran
    body = server.requests[0].json
    assert body["model"] == "gpt-fake" and server.requests[0].had_auth

    reply, _, err = execute(client, "%ai and another one")
    assert reply["status"] == "error"
    assert "UsageError" in err and "That model does not take tools" in err
    assert "Traceback" not in err

    reply, _, err = execute(client, "%ai forty names at once")
    assert reply["status"] == "error" and "limit is 15" in err

    proposal_id = execute(client, "%proposals")[1].splitlines()[1].split()[0]
    reply, _, err = execute(client, f"%promote --to scale.py {proposal_id}")
    assert reply["status"] == "error" and "has not run" in err
    assert not (project / "scale.py").exists()

    assert execute(client, "6 * 7")[1] == "42"  # the kernel is alive and well
    assert manager.is_alive()
    assert KEY.encode() not in (project / ".pairrepl/ledger.sqlite3").read_bytes()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def jupyter_lab(project: Path, kernelspec: str) -> Iterator[tuple[str, str]]:
    """A ``jupyter lab`` server on 127.0.0.1 with a token; its folders are in tmp."""
    pytest.importorskip("jupyterlab", reason="needs the lab extra: pip install -e '.[lab]'")
    port, token = _free_port(), uuid.uuid4().hex
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={project}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (project / "lab.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (project / "lab.log").read_text()
            try:
                if httpx.get(f"{url}/api/status", params={"token": token}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "jupyter lab did not start"
            time.sleep(0.3)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


async def test_jupyter_lab_lists_the_kernelspec_and_starts_it_with_the_magics(
    project: Path, jupyter_lab: tuple[str, str]
) -> None:
    url, token = jupyter_lab
    headers = {"Authorization": f"token {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        specs = (await http.get("/api/kernelspecs")).json()["kernelspecs"]
        assert specs["pairrepl"]["spec"]["display_name"] == "Python 3 (pairrepl)"

        started = await http.post("/api/kernels", json={"name": "pairrepl", "path": "notebooks"})
        assert started.status_code == 201, started.text
        kernel_id = started.json()["id"]
        socket_url = url.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={token}"
        channel = await websocket_connect(socket_url)
        try:
            out = await _execute_over_websocket(channel, "%pairrepl_config")
        finally:
            channel.close()
        await http.delete(f"/api/kernels/{kernel_id}")
    assert "session" in out and str(project) in out  # the magics are loaded, root found


async def _execute_over_websocket(channel: Any, code: str) -> str:
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "username": "test",
        "session": uuid.uuid4().hex,
        "msg_type": "execute_request",
        "version": "5.3",
    }
    content = {"code": code, "silent": False, "store_history": True, "allow_stdin": False}
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    await channel.write_message(json.dumps({**message, "channel": "shell"}))
    out: list[str] = []
    async with asyncio.timeout(60):
        while True:
            raw = await channel.read_message()
            assert raw is not None, "the kernel's channel closed"
            reply = json.loads(raw)
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if reply["msg_type"] == "stream":
                out.append(reply["content"]["text"])
            if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                return "".join(out)
