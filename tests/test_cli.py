"""The ``recruiter-coach`` entry point: subcommand table, environment, error exits.

Subprocess tests run ``python -m bot.cli.main`` from a temporary directory (so no developer
``.env``
is read); in-process tests register a fake subcommand module and stub out logging set-up, which
would otherwise change logger levels for the rest of the test session.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import bot.cli.main
from bot.cli.main import COMMANDS, EXIT_CONFIG, EXIT_FLOWS, main
from bot.errors import ConfigError, FlowErrors, FlowProblem

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0


def run_cli(
    cwd: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ)  # the autouse clean_env fixture removed COACH_* and friends
    environ.update(PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(cwd / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environ,
        cwd=cwd,
    )


def register(monkeypatch: pytest.MonkeyPatch, name: str, module: str) -> None:
    """Make ``name`` a subcommand backed by ``module``, as an installed entry point would."""
    installed = bot.cli.main.command_modules()
    monkeypatch.setitem(COMMANDS, name, f"the {name} command")
    monkeypatch.setattr(bot.cli.main, "command_modules", lambda: {**installed, name: module})


def test_a_command_without_an_installed_entry_point_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(COMMANDS, "nowhere", "no package provides this")
    assert main(["nowhere"]) == 1
    assert "no installed package provides it" in capsys.readouterr().err


@pytest.fixture
def fake_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> types.SimpleNamespace:
    """Subcommand ``fake`` backed by an in-memory module; ``raises`` sets what its main raises."""
    seen = types.SimpleNamespace(args=None, raises=None)

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--level", type=int, default=1)

    def run(args: argparse.Namespace) -> int:
        seen.args = args
        if seen.raises is not None:
            raise seen.raises
        return 7

    module = types.ModuleType("fake_coach_command")
    module.configure = configure  # type: ignore[attr-defined]
    module.main = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_coach_command", module)
    register(monkeypatch, "fake", "fake_coach_command")
    monkeypatch.setattr(bot.cli.main, "setup_logging", lambda settings: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    return seen


def test_cli_runs_the_chosen_command_with_its_options_and_settings(
    fake_command: types.SimpleNamespace,
) -> None:
    assert main(["fake", "--level", "3"]) == 7
    assert fake_command.args.level == 3
    assert fake_command.args.settings.data_dir.name == "data"


def test_cli_exits_1_with_the_problems_when_flows_are_broken(
    fake_command: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = FlowProblem(
        path="flows/a.yaml", line=4, key="next", message="no step 'x'", fix="use one of: y"
    )
    fake_command.raises = FlowErrors([problem])
    assert main(["fake"]) == EXIT_FLOWS
    err = capsys.readouterr().err
    assert "flows/a.yaml:4 [next]: error: no step 'x'" in err
    assert "fix: use one of: y" in err


def test_cli_exits_2_on_a_configuration_error(
    fake_command: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_command.raises = ConfigError("SLACK_BOT_TOKEN is not set; see .env.example")
    assert main(["fake"]) == EXIT_CONFIG
    assert "configuration error: SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


def test_cli_says_so_when_a_command_module_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    register(monkeypatch, "ghost", "bot.no_such_package.cli")
    assert main(["ghost"]) == 1
    err = capsys.readouterr().err
    assert "'ghost' command is not available" in err
    assert "bot.no_such_package.cli" in err


def test_cli_reraises_when_a_command_module_misses_a_dependency(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The module exists but imports something missing: a bug to show, not "not installed".
    (tmp_path / "broken_coach_command.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    register(monkeypatch, "broken", "broken_coach_command")
    with pytest.raises(ModuleNotFoundError) as raised:
        main(["broken"])
    assert raised.value.name == "no_such_dependency_xyz"


def test_cli_imports_a_command_module_only_when_it_runs(tmp_path: Path) -> None:
    assert bot.cli.main.command_modules()["console"] == "adapters.console.cli"
    assert bot.cli.main.command_modules()["flows"] == "bot.cli.flows"
    probe = (
        "import sys, bot.cli.main\n"
        "def loaded():\n"
        "    return [m for m in sorted(sys.modules) if m.startswith(('adapters', 'bot.flow'))]\n"
        "bot.cli.main.build_parser()\n"
        "print(loaded())\n"
        "bot.cli.main.build_parser('console')\n"
        "print(loaded())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.splitlines()
    assert before == "[]"  # help for every command, without importing any of them
    assert "'adapters.console.cli'" in after
    assert "bot.flowtools" not in after


def test_cli_prints_help_without_a_command(tmp_path: Path) -> None:
    result = run_cli(tmp_path)
    assert result.returncode == 0
    assert "console" in result.stdout
    assert "flows" in result.stdout
    assert result.stdout.startswith("usage: recruiter-coach")


def test_cli_prints_its_version(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("recruiter-coach ")
    assert len(result.stdout.split()) >= 2


def test_cli_reports_a_bad_setting_without_a_traceback(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "console", LOG_LEVEL="LOUD")
    assert result.returncode == EXIT_CONFIG
    assert "LOG_LEVEL='LOUD'" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reports_a_dialogs_folder_without_flows(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli(tmp_path, "console", COACH_DIALOGS_DIR=str(empty))
    assert result.returncode == EXIT_CONFIG
    assert "COACH_DIALOGS_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reads_dotenv_without_overriding_the_environment(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=LOUD\nCOACH_DATA_DIR=from-dotenv\n")
    from_file = run_cli(tmp_path, "console")
    assert from_file.returncode == EXIT_CONFIG  # LOG_LEVEL came from .env
    (tmp_path / ".env").write_text("COACH_DATA_DIR=from-dotenv\n")
    environment_wins = run_cli(tmp_path, "console")
    assert environment_wins.returncode == 0, environment_wins.stderr
    assert (tmp_path / "data" / "coach.db").is_file()
    assert not (tmp_path / "from-dotenv").exists()


def test_cli_console_data_dir_option_moves_the_database(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "console", "--data-dir", str(tmp_path / "elsewhere"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere" / "coach.db").is_file()
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["fake", "--bogus"], "recruiter-coach fake: error: unknown option '--bogus'; see "),
        (["fake", "--levle", "2"], "did you mean --level? see recruiter-coach fake --help"),
        (["fake", "--bogus=1"], "unknown option '--bogus=1'"),
        (["fake", "stray"], "recruiter-coach fake: error: unexpected argument 'stray'"),
        (["check", "--bogus"], "recruiter-coach check: error: unknown option '--bogus'"),
        (["flows", "test", "--bogus"], "recruiter-coach flows test: error: unknown option"),
    ],
)
def test_an_unknown_option_to_a_subcommand_is_one_line_naming_its_help(
    fake_command: types.SimpleNamespace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    said: str,
) -> None:
    # argparse would print the top-level usage line, which names none of the subcommand's
    # options; the person needs the subcommand and where its options are listed.
    register(monkeypatch, "check", "bot.cli.check")
    register(monkeypatch, "flows", "bot.cli.flows")
    assert main(argv) == 2
    out, err = capsys.readouterr()
    command = " ".join(word for word in argv if word in {"fake", "check", "flows", "test"})
    assert out == "" and err.count("\n") == 1, err
    assert said in err and f"see recruiter-coach {command} --help" in err
    assert "usage:" not in err and fake_command.args is None
