"""Provider configuration: flags > environment > pyproject > user file; keys never from the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from pairrepl.agent import AgentError, ReplayProvider, make_agent, make_provider, resolve_config
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.agent.pricing import Price


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    return tmp_path / "user-config.toml"


def write_pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.pairrepl]\n{body}\n")


def test_nothing_configured_is_a_state_not_an_exception(project, user_file):
    config = resolve_config(project, environ={}, user_config=user_file)
    assert not config.configured
    assert config.describe() == "no provider"
    assert config.problem is not None and "ANTHROPIC_API_KEY" in config.problem
    with pytest.raises(AgentError, match="No AI provider is configured"):
        make_provider(config)


def test_an_environment_key_is_enough(project, user_file):
    config = resolve_config(project, environ={"ANTHROPIC_API_KEY": "sk-a"}, user_config=user_file)
    assert config.provider == "anthropic" and config.api_key == "sk-a"
    assert config.model  # a default model
    assert config.sources["api_key"] == "env ANTHROPIC_API_KEY"
    assert "sk-a" not in config.describe() and "sk-a" not in repr(config)
    assert isinstance(make_provider(config), AnthropicProvider)


def test_flags_beat_env_beat_pyproject_beat_user_file(project, user_file):
    write_pyproject(project, 'provider = "openai"\nmodel = "from-pyproject"')
    user_file.write_text('provider = "anthropic"\nmodel = "from-user"\nopenai_api_key = "sk-u"\n')
    environ = {"PAIRREPL_MODEL": "from-env"}

    config = resolve_config(project, environ=environ, user_config=user_file)
    assert (config.provider, config.model, config.api_key) == ("openai", "from-env", "sk-u")
    assert config.sources["provider"] == "pyproject.toml"

    config = resolve_config(project, model="from-flag", environ=environ, user_config=user_file)
    assert config.model == "from-flag" and config.sources["model"] == "flag"

    config = resolve_config(project, environ={}, user_config=user_file)
    assert config.model == "from-pyproject"

    config = resolve_config(None, environ={}, user_config=user_file)
    assert (config.provider, config.model) == ("anthropic", "from-user")
    assert not config.configured and "ANTHROPIC_API_KEY" in (config.problem or "")


def test_keys_in_the_project_are_ignored_with_a_warning(project, user_file):
    write_pyproject(project, 'provider = "openai"\napi_key = "sk-leaked"')
    config = resolve_config(project, environ={}, user_config=user_file)
    assert config.api_key is None and not config.configured
    assert any("never come from project files" in warning for warning in config.warnings)


def test_openai_compatible_server_needs_no_key(project, user_file):
    environ = {"OPENAI_BASE_URL": "http://localhost:11434/v1", "PAIRREPL_MODEL": "llama3.2"}
    config = resolve_config(project, environ=environ, user_config=user_file)
    assert config.configured and config.provider == "openai"
    provider = make_provider(config)
    assert isinstance(provider, OpenAIProvider)
    assert provider.label == "openai:llama3.2@localhost:11434"


def test_user_file_key_tables(project, user_file):
    user_file.write_text('[anthropic]\napi_key = "sk-t"\n')
    config = resolve_config(project, environ={}, user_config=user_file)
    assert config.provider == "anthropic" and config.api_key == "sk-t"


def test_replay_from_flags(project, user_file, tmp_path):
    script = tmp_path / "demo.json"
    script.write_text('{"format": "pairrepl-replay/1", "turns": [{"text": "hi"}]}')
    config = resolve_config(
        project, provider="replay", replay=str(script), environ={}, user_config=user_file
    )
    provider = make_provider(config)
    assert isinstance(provider, ReplayProvider) and provider.label == "replay:demo.json"
    assert config.describe() == "replay:demo.json"

    missing = resolve_config(project, provider="replay", environ={}, user_config=user_file)
    assert not missing.configured and "--replay" in (missing.problem or "")


def test_unknown_provider_is_explained(project, user_file):
    config = resolve_config(project, provider="gemini", environ={}, user_config=user_file)
    assert not config.configured and "gemini" in (config.problem or "")


def test_broken_toml_is_a_warning(project, user_file):
    (project / "pyproject.toml").write_text("this is [not toml")
    config = resolve_config(project, environ={"OPENAI_API_KEY": "k"}, user_config=user_file)
    assert config.configured
    assert any("Could not read" in warning for warning in config.warnings)


def test_max_tokens_is_a_setting_and_a_bad_one_says_where_it_came_from(project, user_file):
    write_pyproject(project, "max_tokens = 6000")
    environ = {"OPENAI_API_KEY": "sk-o"}
    config = resolve_config(project, environ=environ, user_config=user_file)
    assert config.max_tokens == 6000 and config.sources["max_tokens"] == "pyproject.toml"
    assert make_agent(config).max_tokens == 6000

    bad = resolve_config(
        project, environ={**environ, "PAIRREPL_MAX_TOKENS": "lots"}, user_config=user_file
    )
    assert not bad.configured
    assert bad.problem is not None
    assert "env PAIRREPL_MAX_TOKENS" in bad.problem and "whole number" in bad.problem


def test_the_projects_prices_are_read_and_a_bad_table_says_where(project, user_file):
    user_file.write_text('[prices]\n"qwen3:8b" = { input = 1, output = 2 }\n')
    write_pyproject(project, '[tool.pairrepl.prices]\n"qwen3:8b" = { input = 0, output = 0 }')
    config = resolve_config(project, environ={"OPENAI_API_KEY": "sk-o"}, user_config=user_file)
    assert config.prices["qwen3:8b"] == Price(0, 0), "the project's win over the user's"

    write_pyproject(project, '[tool.pairrepl.prices]\n"qwen3:8b" = { input = "cheap" }')
    bad = resolve_config(project, environ={"OPENAI_API_KEY": "sk-o"}, user_config=user_file)
    assert bad.problem is not None and "pyproject.toml" in bad.problem
    assert "dollars per million tokens" in bad.problem
