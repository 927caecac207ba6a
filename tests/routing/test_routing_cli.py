"""``recruiter-coach classify``: output formats, errors and registration.

The command runs through ``bot.cli.main`` with the module registered the way the installed
entry point registers it (so the tests do not depend on a fresh ``pip install -e .``).
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

import bot.cli.main
from bot.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def classify(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed = bot.cli.main.command_modules()
    monkeypatch.setattr(
        bot.cli.main, "command_modules", lambda: {**installed, "classify": "bot.cli.classify"}
    )
    monkeypatch.setattr(bot.cli.main, "setup_logging", lambda settings: None)
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))


@pytest.mark.usefixtures("classify")
def test_classify_prints_the_topic_and_its_confidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "is this recruiter legit or a scam?"]) == 0
    assert re.fullmatch(r"legitimacy (0|1)\.\d\d\n", capsys.readouterr().out)


@pytest.mark.usefixtures("classify")
def test_classify_takes_unquoted_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "who", "pays", "the", "recruiter"]) == 0
    assert capsys.readouterr().out.startswith("fees ")


@pytest.mark.usefixtures("classify")
def test_classify_top_prints_that_many_most_likely_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["classify", "--top", "3", "they want me to pay for a laptop first"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("scam ")
    confidences = [float(line.split()[1]) for line in lines]
    assert confidences == sorted(confidences, reverse=True)


@pytest.mark.usefixtures("classify")
def test_classify_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--json", "--top", "2", "can i just ignore the call"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == "ignore"
    assert data["topics"][0]["topic"] == "ignore"
    assert len(data["topics"]) == 2
    assert data["topics"][0]["title"] == "Can I just ignore it?"
    assert 0.0 <= data["topics"][1]["confidence"] <= data["topics"][0]["confidence"] <= 1.0


@pytest.mark.usefixtures("classify")
@pytest.mark.parametrize("words", [[], [""], ["   "]])
def test_classify_without_text_exits_2(
    capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    assert main(["classify", *words]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error: no text to classify" in captured.err


@pytest.mark.usefixtures("classify")
def test_classify_punctuation_only_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "?!"]) == 2
    assert "no words to classify" in capsys.readouterr().err


@pytest.mark.usefixtures("classify")
def test_classify_reads_the_configured_dialogs_and_reports_broken_topic_files(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dialogs = tmp_path / "mine"
    (dialogs / "flows").mkdir(parents=True)  # COACH_DIALOGS_DIR must hold flows/
    shutil.copytree(ROOT / "dialogs" / "topics", dialogs / "topics")
    fees = dialogs / "topics" / "fees.yaml"
    fees.write_text(fees.read_text(encoding="utf-8").replace("topic: fees", "topic: cost"))
    monkeypatch.setenv("COACH_DIALOGS_DIR", str(dialogs))
    assert main(["classify", "who pays?"]) == 1
    err = capsys.readouterr().err
    assert "the topic files did not load" in err
    assert f"{fees}:5 [topic]: error: unknown topic id 'cost'" in err


def test_classify_is_a_registered_command() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    commands = pyproject["project"]["entry-points"]["recruiter_coach.commands"]
    assert commands["classify"] == "bot.cli.classify"
    assert "classify" in COMMANDS
    assert any(d.startswith("scikit-learn") for d in pyproject["project"]["dependencies"])
