"""The provider registry: each class states its facts once, and reading them is cheap."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import pairrepl.agent
from pairrepl.agent import ProviderSettings, ReplayProvider, Usage
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.base_url import normalise_base_url
from pairrepl.agent.openai_provider import DEFAULT_BASE_URL, OpenAIProvider
from pairrepl.agent.registry import PROVIDERS, key_variables, provider_class, provider_names


def test_every_provider_states_its_facts_under_its_own_name() -> None:
    assert provider_names() == ("anthropic", "openai", "replay")
    for name, provider in PROVIDERS.items():
        assert provider.name == name and provider_class(name) is provider
        for variable in (*provider.key_variables, provider.base_url_variable or "X"):
            assert variable.isupper() and " " not in variable
        assert bool(provider.default_model) == bool(provider.key_variables)  # a model to ask
    assert set(key_variables()) >= {"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY"}


def test_reading_the_registry_imports_no_sdk_and_not_the_agent() -> None:
    """The command line reads it before it launches the kernel: it must stay cheap."""
    heavy = ("anthropic", "openai", "httpx", "pydantic", "pairrepl.agent.agent", "pairrepl.core")
    code = (
        "import sys, json\n"
        "from pairrepl.agent.registry import key_variables, provider_names\n"
        "key_variables(), provider_names()\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_every_name_the_package_exports_resolves() -> None:
    for name in pairrepl.agent.__all__:
        assert getattr(pairrepl.agent, name) is not None
    with pytest.raises(AttributeError):
        _ = pairrepl.agent.no_such_name  # type: ignore[attr-defined]


def test_each_provider_is_made_from_settings_and_says_what_it_lacks(tmp_path) -> None:
    anthropic = provider_class("anthropic").from_settings(ProviderSettings(api_key="k"))
    assert isinstance(anthropic, AnthropicProvider)
    assert anthropic.label == f"anthropic:{AnthropicProvider.default_model}"
    assert anthropic.cost_usd(Usage(1_000_000, 0)) is not None  # priced by model
    assert AnthropicProvider.needs_key(None) and AnthropicProvider.needs_key("http://proxy:8080")

    local = "http://localhost:11434/v1"
    assert not OpenAIProvider.needs_key(local) and OpenAIProvider.needs_key(None)
    assert (
        OpenAIProvider.from_settings(ProviderSettings(base_url=local)).cost_usd(Usage(9, 9)) is None
    )

    script = tmp_path / "demo.json"
    script.write_text('{"format": "pairrepl-replay/1", "turns": [{"text": "hi"}]}')
    replay = provider_class("replay").from_settings(ProviderSettings(script=str(script)))
    assert isinstance(replay, ReplayProvider) and replay.cost_usd(Usage(5, 5)) == 0.0
    with pytest.raises(pairrepl.agent.AgentError, match="needs a script"):
        ReplayProvider.from_settings(ProviderSettings())
    script.write_text("{not json")
    with pytest.raises(pairrepl.agent.AgentError, match="cannot read replay script"):
        ReplayProvider.from_settings(ProviderSettings(script=str(script)))


@pytest.mark.parametrize(
    "spelling",
    [
        "https://api.openai.com/v1/",
        "https://api.openai.com/v1//",
        "HTTPS://API.OpenAI.com/v1",
        "https://api.openai.com:443/v1",
        "  https://api.openai.com/v1 ",
    ],
)
def test_any_spelling_of_openais_address_is_openai_itself(spelling: str) -> None:
    """Issue 17: a trailing slash made OpenAI a stranger (no price, max_tokens, no images)."""
    assert normalise_base_url(spelling) == DEFAULT_BASE_URL
    provider = OpenAIProvider("gpt-4o", "k", base_url=spelling)
    default = OpenAIProvider("gpt-4o", "k")
    assert provider.at_openai and provider.takes_images
    assert provider.label == default.label == "openai:gpt-4o"
    assert provider.cost_usd(Usage(1000, 1000)) == default.cost_usd(Usage(1000, 1000)) is not None
    assert OpenAIProvider.needs_key(spelling)


def test_other_servers_keep_their_port_path_case_and_are_strangers() -> None:
    assert normalise_base_url("HTTP://LocalHost:11434/V1/") == "http://localhost:11434/V1"
    assert normalise_base_url("http://gpu-box:80/v1") == "http://gpu-box/v1"
    provider = OpenAIProvider("llama3", "", base_url="http://localhost:11434/v1/")
    assert provider.label == "openai:llama3@localhost:11434"
    assert not provider.at_openai and not provider.takes_images
    for wrong in ("localhost:11434/v1", "ftp://host/v1", "http://", "http://:8080/v1"):
        with pytest.raises(ValueError, match="expected an http"):
            normalise_base_url(wrong)
