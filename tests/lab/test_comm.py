"""The panel's comm, through a real kernel on the pairrepl kernelspec (jupyter_client,
``comm_open`` / ``comm_msg`` as JupyterLab sends them): ask, offer, run, accept, draft,
promote, reject and blame, with the session's rules enforced on the kernel side."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import start_new_kernel

from pairrepl.cli import main as pairrepl_cli
from tests.magics.conftest import MEAN, WHY, replay_script
from tests.magics.test_jupyter import execute

SCALE = "SCALE = 10"
CHECK = "assert mean(prices) == 2.0"


#: What the panel sends to the main shell even when its comm is on a subshell
#: (labextension/src/connection.ts): the requests that look into the user's objects.
ON_THE_MAIN_SHELL = ("ask", "promote")


class Panel:
    """What the JupyterLab panel does over the comm, done by hand; with ``subshell``, as
    JupyterLab 4.4+ does on ipykernel 7: the comm on that subshell (JEP 91)."""

    def __init__(self, client: BlockingKernelClient, subshell: str | None = None) -> None:
        self.client = client
        self.subshell = subshell
        self.comm_id = uuid.uuid4().hex
        self.events: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []  # everything the comm said, in order
        self.idle: set[str] = set()  # the requests (any) the kernel said it finished
        self._next = 0

    def _send(self, kind: str, content: dict[str, Any], *, main_shell: bool = False) -> str:
        message = self.client.session.msg(kind, content)
        if self.subshell is not None and not main_shell:
            message["header"]["subshell_id"] = self.subshell
        self.client.shell_channel.send(message)
        return str(message["header"]["msg_id"])

    def open(self) -> dict[str, Any]:
        msg_id = self._send(
            "comm_open", {"comm_id": self.comm_id, "target_name": "pairrepl", "data": {}}
        )
        self._until_idle(msg_id)
        states = [e for e in self.events if e.get("event") in ("state", "unavailable")]
        assert states, self.events
        return states[-1]

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        return self.reply_to(self.send(op, **fields))

    def send(self, op: str, **fields: Any) -> int:
        """Send a request and return its id once the kernel is idle again (an ask's reply
        comes later: the kernel does not wait for the model)."""
        self._next += 1
        data = {"id": self._next, "op": op, **fields}
        content = {"comm_id": self.comm_id, "data": data}
        msg_id = self._send("comm_msg", content, main_shell=op in ON_THE_MAIN_SHELL)
        self.replies += self._until_idle(msg_id)
        return self._next

    def reply_to(self, request_id: int) -> dict[str, Any]:
        while not any(d.get("reply_to") == request_id for d in self.replies):
            message = self.client.get_iopub_msg(timeout=60)
            if message["msg_type"] == "comm_msg":
                self.replies.append(self._keep(message["content"]["data"]))
        (reply,) = [d for d in self.replies if d.get("reply_to") == request_id]
        return reply

    def _keep(self, data: dict[str, Any]) -> dict[str, Any]:
        if "event" in data:
            self.events.append(data)
        return data

    def run(self, code: str) -> None:
        """Run a cell as the human does, keeping what the kernel pushes meanwhile."""
        self.finish(self.start(code))

    def start(self, code: str) -> str:
        """Start running a cell; ``finish`` waits for it."""
        return str(self.client.execute(code, allow_stdin=False))

    def finish(self, msg_id: str) -> None:
        self.replies += self._until_idle(msg_id)

    def state(self) -> dict[str, Any]:
        """The newest state the kernel pushed (unasked)."""
        return [e for e in self.events if e.get("event") == "state"][-1]

    def _until_idle(self, msg_id: str) -> list[dict[str, Any]]:
        got = []
        while True:
            message = self.client.get_iopub_msg(timeout=60)
            if message["msg_type"] == "comm_msg":
                assert message["content"]["comm_id"] == self.comm_id
                got.append(self._keep(message["content"]["data"]))
            elif message["msg_type"] == "comm_close":
                self.events.append({"event": "closed"})
            elif (
                message["msg_type"] == "status" and message["content"]["execution_state"] == "idle"
            ):
                self.idle.add(message["parent_header"].get("msg_id"))
            if msg_id in self.idle:
                return got


@pytest.fixture
def kernel(project: Path) -> Iterator[BlockingKernelClient]:
    assert pairrepl_cli(["install-kernel", "--user"]) == 0
    replay_script(
        project / "script.json",
        {"text": "A small function.", "propose_cell": {"code": MEAN, "rationale": WHY}},
        {"text": "A constant.", "propose_cell": {"code": SCALE, "rationale": "For plots."}},
        {"text": "A check.", "propose_cell": {"code": CHECK, "rationale": "It holds."}},
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.pairrepl]\nprovider = "replay"\nreplay = "script.json"\n'
    )
    manager, client = start_new_kernel(kernel_name="pairrepl", cwd=str(project / "notebooks"))
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_the_panel_asks_accepts_after_a_run_promotes_after_the_diff_and_blames(
    project: Path, kernel: BlockingKernelClient
) -> None:
    execute(kernel, "prices = [3.0, 1.0, 2.0]")
    panel = Panel(kernel)
    opened = panel.open()
    assert opened["proposals"] == [] and opened["project"] == str(project)
    assert opened["explain_back"] is True

    asked = panel.request("ask", request="a function for the mean of $prices")
    assert asked["ok"], asked
    proposal = asked["proposal"]
    assert (proposal["code"], proposal["rationale"], proposal["state"]) == (MEAN, WHY, "proposed")
    streamed = "".join(e["text"] for e in panel.events if e.get("event") == "text")
    assert "A small function." in streamed
    assert panel.state()["proposals"][0]["id"] == proposal["id"]
    assert execute(kernel, "'mean' in globals()")[1] == "False"  # asking ran nothing

    refused = panel.request("accept", proposal=proposal["id"])
    assert not refused["ok"] and "has not run yet" in refused["error"]
    assert not panel.request("draft", proposal=proposal["id"], target="stats.py")["ok"]

    assert panel.request("offered", proposal=proposal["id"])["ok"]
    panel.run(MEAN)  # the human runs the inserted cell: the panel hears of it
    assert panel.state()["proposals"][0]["state"] == "ran_ok"
    assert panel.request("accept", proposal=proposal["id"])["ok"]
    assert panel.state()["proposals"][0]["state"] == "accepted"

    draft = panel.request("draft", proposal=proposal["id"], target="stats_tools.py")
    assert draft["ok"] and draft["needs_explanation"] and draft["symbols"] == ["mean"]
    assert "+def mean(values):" in draft["diff"]
    assert not (project / "stats_tools.py").exists()  # a draft writes nothing

    fields = {"proposal": proposal["id"], "target": "stats_tools.py"}
    no_why = panel.request("promote", draft_hash=draft["draft_hash"], **fields)
    assert not no_why["ok"] and not (project / "stats_tools.py").exists()
    why = "adds the prices up and divides by how many there are"
    stale = panel.request("promote", draft_hash="0" * 64, explanation=why, **fields)
    assert not stale["ok"] and "look at it again" in stale["error"]
    done = panel.request("promote", draft_hash=draft["draft_hash"], explanation=why, **fields)
    assert done["ok"] and done["changed"], done
    assert (project / "stats_tools.py").read_text() == MEAN + "\n"
    (record,) = [json.loads(line) for line in (project / ".pairrepl/provenance.jsonl").open()]
    assert (record["symbol"], record["origin"], record["explanation"]) == ("mean", "ai", why)
    assert panel.state()["proposals"][0]["state"] == "promoted"

    blame = panel.request("blame", path=str(project / "stats_tools.py"))
    assert blame["ok"] and [line["origin"] for line in blame["lines"]] == ["ai", "ai"]
    assert blame["lines"][0]["explanation"] == why
    outside = panel.request("blame", path="/etc/passwd")
    assert not outside["ok"] and "outside" in outside["error"]

    second = panel.request("ask", request="a scale constant")["proposal"]
    rejected = panel.request("reject", proposal=second["id"], reason="not needed")
    assert rejected["ok"] and rejected["proposal"]["state"] == "rejected"
    assert panel.state()["proposals"][1]["rejection_reason"] == "not needed"
    again = panel.request("reject", proposal=proposal["id"])
    assert not again["ok"] and "promoted" in again["error"]  # promoted is final

    # a cell of asserts holds no definitions: refused with the words every front end uses
    check = panel.request("ask", request="check the mean")["proposal"]
    panel.request("offered", proposal=check["id"])
    panel.run(CHECK)
    assert panel.request("accept", proposal=check["id"])["ok"]
    fields = {"proposal": check["id"], "target": "stats_tools.py"}
    nothing = panel.request("draft", **fields)
    assert nothing["blocked"].endswith("holds no definitions; promote it as a test.")
    assert nothing["as_test_instead"] and nothing["confirm"] is None
    refused = panel.request("promote", draft_hash=nothing["draft_hash"], explanation=why, **fields)
    assert not refused["ok"] and refused["error"] == nothing["blocked"]  # never a success
    assert (project / "stats_tools.py").read_text() == MEAN + "\n"

    bad = panel.request("rm -rf")
    assert not bad["ok"] and "Unknown request" in bad["error"]
    assert execute(kernel, "mean(prices)")[1] == "2.0"  # the kernel is alive and well


def test_a_kernel_without_pairrepl_closes_the_panels_comm(project: Path, tmp_path: Path) -> None:
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(project))
    try:
        panel = Panel(client)
        msg_id = panel._send(
            "comm_open", {"comm_id": panel.comm_id, "target_name": "pairrepl", "data": {}}
        )
        panel._until_idle(msg_id)
        assert {"event": "closed"} in panel.events
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_panel_ask_never_holds_up_the_humans_cells(
    project: Path, kernel: BlockingKernelClient
) -> None:
    replay_script(  # about 2.5 s of streaming at the replay's pace
        project / "script.json",
        {"text": "word " * 600, "propose_cell": {"code": MEAN, "rationale": WHY}},
    )
    panel = Panel(kernel)
    panel.open()
    asking = panel.send("ask", request="a mean, slowly")  # the kernel is idle again at once
    panel.run("ran_meanwhile = 6 * 7")
    assert not any(d.get("reply_to") == asking for d in panel.replies)  # still answering
    reply = panel.reply_to(asking)
    assert reply["ok"] and reply["proposal"]["code"] == MEAN
    streamed = "".join(e["text"] for e in panel.events if e.get("event") == "text")
    assert streamed.count("word") == 600
    assert execute(kernel, "ran_meanwhile")[1] == "42"


def create_subshell(client: BlockingKernelClient) -> str:
    """A subshell of the kernel (JEP 91's create_subshell_request, on the control channel)."""
    request = client.session.msg("create_subshell_request", {})
    client.control_channel.send(request)
    while True:
        reply = client.get_control_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == request["header"]["msg_id"]:
            assert reply["content"]["status"] == "ok", reply["content"]
            return str(reply["content"]["subshell_id"])


def test_on_a_subshell_accept_and_draft_do_not_wait_for_a_running_cell(
    project: Path, kernel: BlockingKernelClient
) -> None:
    """As JupyterLab 4.4+ sends them on ipykernel 7: the panel's small requests are
    answered while the human's cell sleeps; the cell is recorded as usual meanwhile."""
    execute(kernel, "prices = [3.0, 1.0, 2.0]")
    panel = Panel(kernel, subshell=create_subshell(kernel))
    panel.open()
    proposal = panel.request("ask", request="a function for the mean of $prices")["proposal"]
    panel.request("offered", proposal=proposal["id"])
    panel.run(MEAN)

    sleeping = panel.start("import time; time.sleep(4); slept = True")
    assert panel.request("accept", proposal=proposal["id"])["ok"]
    draft = panel.request("draft", proposal=proposal["id"], target="stats_tools.py")
    assert draft["ok"] and "+def mean(values):" in draft["diff"]
    assert sleeping not in panel.idle  # answered while the cell still ran
    assert panel.state()["proposals"][0]["state"] == "accepted"

    panel.finish(sleeping)
    assert execute(kernel, "slept, mean(prices)")[1] == "(True, 2.0)"
