"""The magics' settings as IPython users set them: ``%config PairreplMagics.x = ...``,
``ipython_config.py`` (IPython's configuration), and ``%pairrepl_config x=...``; each
value checked when set, and shown with where it came from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from pairrepl.session.settings import SETTING_NAMES

from .conftest import MEAN, interactive_shell, replay_script
from .test_shell import failed_with, run, session_of


def settings_shown(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """What ``%pairrepl_config`` prints, by row name."""
    capsys.readouterr()
    assert run(ip, "%pairrepl_config").success
    rows = [line.split(None, 1) for line in capsys.readouterr().out.splitlines()]
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows}


@pytest.fixture
def configured_shell(project: Path) -> Iterator[InteractiveShell]:
    """A shell whose IPython configuration (as ipython_config.py would) sets two settings."""
    config = Config()
    config.PairreplMagics.provider = "replay"
    config.PairreplMagics.replay = "script.json"
    with interactive_shell(config) as ip:
        yield ip


def test_config_and_pairrepl_config_set_the_same_settings_and_say_which_did(
    shell: InteractiveShell,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAIRREPL_MODEL", "from-env")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.pairrepl]\ncontext_budget = 6000\n'
    )
    assert run(shell, "%load_ext pairrepl").success
    magics = shell.magics_manager.registry["PairreplMagics"]
    assert set(SETTING_NAMES) == {name for name in magics.trait_names(config=True)}

    assert run(shell, "%pairrepl_config provider=openai").success
    assert run(shell, '%config PairreplMagics.base_url = "http://localhost:11434/v1/"').success
    assert run(shell, "%config PairreplMagics.model = 'llama3'").success
    shown = settings_shown(shell, capsys)
    assert shown["provider"] == "openai  (%pairrepl_config)"
    assert shown["base_url"] == "http://localhost:11434/v1  (%config)"  # normalised
    assert shown["model"] == "llama3  (%config)"
    assert shown["context_budget"] == "6000  ([tool.pairrepl] in pyproject.toml)"
    assert shown["timeout"] == "60.0" and shown["hint"] == "off"
    assert shown["AI"] == "openai:llama3 at http://localhost:11434/v1 (no key)"
    assert magics.provider == "openai"  # %pairrepl_config set the trait %config shows

    # Refused on set, in one line, and nothing changes (issue 20 item 11).
    failed_with(
        run(shell, "%pairrepl_config provider=nope"),
        "provider = 'nope' (from %pairrepl_config) is not one of anthropic, openai, replay",
    )
    run(shell, "%config PairreplMagics.context_budget = 100")  # IPython logs the refusal
    assert "context_budget = 100 (from %config) is not a whole number of tokens" in caplog.text
    assert magics.provider == "openai" and magics.context_budget is None
    shown = settings_shown(shell, capsys)
    assert shown["provider"] == "openai  (%pairrepl_config)"
    assert shown["context_budget"].startswith("6000")

    # An empty value (or None) gives the setting back to the places below.
    assert run(shell, "%pairrepl_config model= hint=on context_budget=9000").success
    assert run(shell, "%config PairreplMagics.provider = None").success
    shown = settings_shown(shell, capsys)
    assert shown["model"] == "from-env  (env PAIRREPL_MODEL)"
    assert shown["provider"] == "-" and shown["AI"] == "no provider"
    assert shown["hint"] == "on  (%pairrepl_config)"
    assert session_of(shell).hint_mode
    assert shown["context_budget"] == "9000  (%pairrepl_config)"


def test_settings_from_ipythons_configuration_reach_the_session(
    configured_shell: InteractiveShell, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay_script(
        project / "script.json", {"propose_cell": {"code": MEAN, "rationale": "Average."}}
    )
    assert run(configured_shell, "%load_ext pairrepl").success
    shown = settings_shown(configured_shell, capsys)
    assert shown["provider"] == "replay  (IPython config PairreplMagics.provider)"
    assert shown["replay"].startswith(str(project / "script.json"))  # relative to the root
    assert run(configured_shell, "%ai a mean, please").success
    assert configured_shell.rl_next_input == MEAN


def test_a_bad_value_in_ipythons_configuration_says_why_the_session_did_not_start(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Config()
    config.PairreplMagics.timeout = -1.0
    with interactive_shell(config) as ip:
        assert run(ip, "%load_ext pairrepl").success  # the magics load, to say why
        failed_with(
            run(ip, "%ai hello"),
            "timeout = -1.0 (from IPython config PairreplMagics.timeout) is not a number "
            "of seconds above 0",
        )
        assert run(ip, "1 + 1").result == 2
