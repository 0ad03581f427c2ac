"""The agent package's boundaries: fast to import, no way to reach a kernel, and no
exception escapes ``ask`` whatever a provider does."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from pairrepl.agent import Agent, ModelEvent, ModelRequest, Provider, TextDelta, build_context
from pairrepl.agent.redaction import Redactor

AGENT = Path(__file__).resolve().parents[2] / "pairrepl" / "agent"


def test_importing_the_agent_loads_no_sdk_and_no_pillow():
    code = (
        "import sys, pairrepl.agent\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('anthropic', 'openai', 'httpx', 'httpx2', 'PIL'))\n"
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_agent_never_imports_the_kernel_or_the_session():
    for path in AGENT.glob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(
                ("pairrepl.kernel", "pairrepl.session", "pairrepl_kernel", "jupyter_client")
            ), f"{path.name} imports {module}"


def test_sdks_are_imported_only_inside_their_providers():
    homes = {"anthropic": "anthropic_provider.py", "openai": "openai_provider.py"}
    for path in AGENT.glob("*.py"):
        for module in imported_modules(path):
            root = module.split(".")[0]
            if root in homes:
                assert path.name == homes[root], f"{path.name} imports {module}"


def test_pillow_is_imported_only_for_images():
    for path in AGENT.glob("*.py"):
        for module in imported_modules(path):
            if module.split(".")[0] == "PIL":
                assert path.name == "images.py", f"{path.name} imports {module}"


class _BrokenProvider(Provider):
    """A provider that breaks its contract: it raises something other than ProviderError."""

    label = "broken:model"
    service = "the broken server"

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        yield TextDelta("Let me ")
        raise TypeError("sequence item 0: expected str instance, dict found")


async def test_a_provider_that_raises_anything_still_gives_a_reply_that_says_why():
    context = build_context("how many?", redactor=Redactor())
    reply = await Agent(_BrokenProvider()).ask(context)
    assert reply.proposal is None and reply.partial
    assert reply.error is not None
    assert "the broken server" in reply.error.lower() and "TypeError" in reply.error
