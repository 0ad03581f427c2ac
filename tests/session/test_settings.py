"""The settings: one reader, flags > environment > [tool.pairrepl] > the user's file, each
value with where it came from, and a bad value anywhere a one-line error that says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from pairrepl.agent.openai_provider import DEFAULT_BASE_URL, OpenAIProvider
from pairrepl.agent.pricing import Price
from pairrepl.agent.registry import PROVIDERS
from pairrepl.session.settings import (
    DEFAULT,
    PROJECT_FILE,
    Given,
    SettingError,
    check_setting,
    read_settings,
    user_config_path,
)


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


def test_each_setting_comes_from_the_highest_place_that_has_it_and_says_which(
    project: Path, user_file: Path
) -> None:
    write_pyproject(project, 'provider = "openai"\nmodel = "m-project"\ncontext_budget = 6000')
    user_file.write_text(
        'provider = "anthropic"\nmodel = "m-user"\ntimeout = 30\nhint = true\n'
        'promote_to = "lib.py"\nopenai_api_key = "sk-user"\n'
    )
    environ = {"PAIRREPL_MODEL": "m-env", "PAIRREPL_TIMEOUT": "12.5", "OPENAI_BASE_URL": ""}
    given = {"context_budget": Given(9000, "--budget")}

    settings = read_settings(project, given, environ=environ, user_file=user_file)

    assert (settings.provider, settings.model, settings.timeout) == ("openai", "m-env", 12.5)
    assert (settings.context_budget, settings.hint, settings.promote_to) == (9000, True, "lib.py")
    assert settings.sources == {
        "provider": PROJECT_FILE,
        "model": "env PAIRREPL_MODEL",
        "timeout": "env PAIRREPL_TIMEOUT",
        "context_budget": "--budget",
        "promote_to": str(user_file),
        "hint": str(user_file),
        "api_key": str(user_file),
    }
    assert settings.source_of("explain_back") == DEFAULT and settings.explain_back
    assert settings.describe_provider() == f"openai:m-env (key from {user_file})"
    assert "sk-user" not in repr(settings) and "sk-user" not in settings.describe_provider()
    assert settings.promotion().default_target == "lib.py"
    assert settings.context_limits().budget_tokens == 9000

    only_files = read_settings(project, environ={}, user_file=user_file)
    assert (only_files.model, only_files.timeout) == ("m-project", 30.0)
    assert read_settings(None, environ={}, user_file=user_file).provider == "anthropic"


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (
            "given",
            "context_budget = 100 (from --budget) is not a whole number of tokens, 500 or more.",
        ),
        ("env", "timeout = 'abc' (from env PAIRREPL_TIMEOUT) is not a number of seconds above 0."),
        ("pyproject", f"explain_back = 'maybe' (from {PROJECT_FILE}) is not true or false."),
        ("user", "provider = 'gemini' (from {user}) is not one of anthropic, openai, replay."),
        ("env-url", "base_url = 'localhost:11434' (from env OPENAI_BASE_URL) is not an http://"),
    ],
)
def test_a_bad_value_anywhere_is_one_line_naming_where_and_what_fits(
    place: str, expected: str, project: Path, user_file: Path
) -> None:
    environ: dict[str, str] = {}
    given: dict[str, Given] = {}
    if place == "given":
        given["context_budget"] = Given(100, "--budget")
    elif place == "env":
        environ["PAIRREPL_TIMEOUT"] = "abc"
    elif place == "pyproject":
        write_pyproject(project, 'explain_back = "maybe"')
    elif place == "user":
        user_file.write_text('provider = "gemini"\n')
    else:
        environ.update(OPENAI_API_KEY="k", OPENAI_BASE_URL="localhost:11434")
    with pytest.raises(SettingError) as refused:
        read_settings(project, given, environ=environ, user_file=user_file)
    message = str(refused.value)
    assert message.startswith(expected.format(user=user_file)) and "\n" not in message


def test_several_bad_values_are_all_named_on_one_line(project: Path, user_file: Path) -> None:
    write_pyproject(project, 'promote_to = 5\ncontext_budget = true\ntimeout = "soon"')
    with pytest.raises(SettingError) as refused:
        read_settings(project, environ={}, user_file=user_file)
    message = str(refused.value)
    assert "\n" not in message
    for name in ("promote_to = 5", "context_budget = True", "timeout = 'soon'"):
        assert name in message


def test_a_value_is_checked_and_converted_on_its_own_when_set(project: Path) -> None:
    assert check_setting("context_budget", "8000", "%pairrepl_config") == 8000
    assert check_setting("hint", "on", "%pairrepl_config") is True
    assert check_setting("model", "", "%pairrepl_config") is None  # unset
    assert check_setting("base_url", "HTTP://Box:80/v1/", "%config") == "http://box/v1"
    with pytest.raises(SettingError, match=r"provider = 'nope' \(from %pairrepl_config\)"):
        check_setting("provider", "nope", "%pairrepl_config")
    with pytest.raises(SettingError, match="no setting 'api_key'"):
        check_setting("api_key", "sk-typed-in-a-notebook", "%pairrepl_config")


def test_keys_never_come_from_the_project_and_the_project_is_told(
    project: Path, user_file: Path
) -> None:
    write_pyproject(project, 'provider = "openai"\napi_key = "sk-leaked"\nopenai_api_key = "sk-2"')
    settings = read_settings(project, environ={}, user_file=user_file)
    assert settings.api_key is None
    assert settings.provider_problem() is not None and "OPENAI_API_KEY" in (
        settings.provider_problem() or ""
    )
    assert any("never come from project files" in warning for warning in settings.warnings)

    user_file.write_text('[openai]\napi_key = "sk-table"\n')
    from_user = read_settings(project, environ={}, user_file=user_file)
    assert from_user.api_key == "sk-table"
    from_env = read_settings(project, environ={"OPENAI_API_KEY": "sk-env"}, user_file=user_file)
    assert from_env.source_of("api_key") == "env OPENAI_API_KEY"


def test_with_nothing_chosen_pairrepl_says_how_from_the_registry(
    project: Path, user_file: Path
) -> None:
    settings = read_settings(project, environ={}, user_file=user_file)
    assert settings.provider is None and settings.describe_provider() == "no provider"
    problem = settings.provider_problem() or ""
    assert "No AI provider is configured" in problem and str(user_file) in problem
    for provider in PROVIDERS.values():
        for variable in (*provider.key_variables[:1], provider.base_url_variable):
            assert variable is None or variable in problem
    with pytest.raises(SettingError, match="No AI provider"):
        settings.make_provider()


def test_the_provider_is_inferred_from_a_key_or_a_local_server(
    project: Path, user_file: Path
) -> None:
    keyed = read_settings(project, environ={"ANTHROPIC_API_KEY": "sk-a"}, user_file=user_file)
    assert keyed.provider == "anthropic"
    assert keyed.source_of("provider") == "inferred from env ANTHROPIC_API_KEY"

    local = {"OPENAI_BASE_URL": "http://localhost:11434/v1/", "PAIRREPL_MODEL": "llama3.2"}
    settings = read_settings(project, environ=local, user_file=user_file)
    assert settings.provider == "openai" and settings.provider_problem() is None
    assert settings.base_url == "http://localhost:11434/v1"
    assert settings.make_provider().label == "openai:llama3.2@localhost:11434"


def test_openais_own_address_with_a_trailing_slash_is_openai_itself(
    project: Path, user_file: Path
) -> None:
    """Issue 17 item 11, from the environment to the request's decisions."""
    environ = {"OPENAI_API_KEY": "sk-o", "OPENAI_BASE_URL": "https://api.openai.com/v1/"}
    settings = read_settings(project, environ=environ, user_file=user_file)
    assert settings.base_url == DEFAULT_BASE_URL
    provider = settings.make_provider()
    assert isinstance(provider, OpenAIProvider) and provider.at_openai and provider.takes_images
    no_key = read_settings(
        project, environ={"OPENAI_BASE_URL": DEFAULT_BASE_URL + "/"}, user_file=user_file
    )
    assert no_key.provider is None  # OpenAI itself needs a key: nothing is inferred


def test_a_replay_script_named_in_the_project_is_relative_to_it(
    project: Path, user_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "demo.json").write_text('{"format": "pairrepl-replay/1", "turns": []}')
    write_pyproject(project, 'provider = "replay"\nreplay = "demo.json"')
    monkeypatch.chdir(tmp_path)
    settings = read_settings(project, environ={}, user_file=user_file)
    assert settings.replay == str(project / "demo.json")
    assert settings.make_provider().label == "replay:demo.json"
    missing = read_settings(
        project, {"replay": Given("", "--replay")}, environ={}, user_file=user_file
    )
    assert missing.replay == str(project / "demo.json")  # an empty value sets nothing


def test_unreadable_files_and_unknown_names_are_warnings(project: Path, user_file: Path) -> None:
    write_pyproject(project, 'promot_to = "lib.py"\n[tool.pairrepl.report]\nx = 1')
    user_file.write_text("this is [not toml")
    settings = read_settings(project, environ={"OPENAI_API_KEY": "k"}, user_file=user_file)
    assert settings.provider == "openai"
    assert any("promot_to" in w and "no such setting" in w for w in settings.warnings)
    assert not any("report" in w for w in settings.warnings)  # a table of its own
    assert any(f"Could not read {user_file}" in w for w in settings.warnings)


def test_the_user_file_is_where_xdg_says() -> None:
    assert user_config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/pairrepl/config.toml")
    assert user_config_path({"HOME": "/home/ada"}) == Path("/home/ada/.config/pairrepl/config.toml")


def test_max_tokens_is_a_setting_the_agent_gets(project: Path, user_file: Path) -> None:
    write_pyproject(project, "max_tokens = 6000")
    environ = {"OPENAI_API_KEY": "sk-o"}
    settings = read_settings(project, environ=environ, user_file=user_file)
    assert settings.max_tokens == 6000 and settings.source_of("max_tokens") == PROJECT_FILE
    assert settings.make_agent().max_tokens == 6000
    with pytest.raises(SettingError, match=r"max_tokens = 'lots' \(from env PAIRREPL_MAX_TOKENS\)"):
        read_settings(
            project, environ={**environ, "PAIRREPL_MAX_TOKENS": "lots"}, user_file=user_file
        )


def test_the_projects_prices_win_and_a_bad_table_says_where(project: Path, user_file: Path) -> None:
    user_file.write_text('[prices]\n"qwen3:8b" = { input = 1, output = 2 }\n')
    write_pyproject(project, '[tool.pairrepl.prices]\n"qwen3:8b" = { input = 0, output = 0 }')
    environ = {"OPENAI_API_KEY": "sk-o"}
    settings = read_settings(project, environ=environ, user_file=user_file)
    assert settings.prices["qwen3:8b"] == Price(0, 0)
    assert not settings.warnings  # a table of the model's own, not an unknown name

    write_pyproject(project, '[tool.pairrepl.prices]\n"qwen3:8b" = { input = "cheap" }')
    with pytest.raises(SettingError, match=r"pyproject\.toml must give input and output"):
        read_settings(project, environ=environ, user_file=user_file)


def test_the_learner_profile_per_person_hints_by_default_and_guards_promotion(
    project: Path, user_file: Path
) -> None:
    user_file.write_text('profile = "learner"\nperson = "Ada Lovelace <ada@example.org>"\n')
    learner = read_settings(project, environ={}, user_file=user_file)
    assert (learner.profile, learner.hint, learner.person) == (
        "learner",
        True,
        "Ada Lovelace <ada@example.org>",
    )
    assert learner.source_of("hint") == f"profile learner ({user_file})"
    assert (
        learner.promotion().learner and not read_settings(project, environ={}).promotion().learner
    )

    write_pyproject(project, "hint = false")  # a hint setting anywhere wins over the profile
    assert not read_settings(project, environ={}, user_file=user_file).hint
    given = {"profile": Given("standard", "--profile")}
    assert read_settings(project, given, environ={}, user_file=user_file).profile == "standard"
    environ = {"PAIRREPL_PERSON": "Bob <bob@example.org>", "PAIRREPL_PROFILE": "expert"}
    with pytest.raises(SettingError) as refused:
        read_settings(project, environ=environ, user_file=user_file)
    assert str(refused.value) == (
        "profile = 'expert' (from env PAIRREPL_PROFILE) is not standard or learner."
    )
    del environ["PAIRREPL_PROFILE"]
    assert read_settings(project, environ=environ).person == "Bob <bob@example.org>"
