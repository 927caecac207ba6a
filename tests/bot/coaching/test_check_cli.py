"""``recruiter-coach check``: options, report files, bad files, JSON, exit codes.

Runs in-process through :func:`bot.cli.main`, with the subcommand's module found the way the
installed entry point finds it and logging set-up stubbed out (it would change logger levels
for the rest of the session).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

import bot.cli.main
from bot.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def check_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed = bot.cli.main.command_modules()
    monkeypatch.setattr(
        bot.cli.main, "command_modules", lambda: {**installed, "check": "bot.cli.check"}
    )
    monkeypatch.setattr(bot.cli.main, "setup_logging", lambda settings: None)
    monkeypatch.chdir(tmp_path)  # no developer .env is read


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_is_a_listed_subcommand_with_an_entry_point() -> None:
    assert "check" in COMMANDS
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = pyproject["project"]["entry-points"]["recruiter_coach.commands"]
    assert entry_points["check"] == "bot.cli.check"
    assert any(d.startswith("tldextract") for d in pyproject["project"]["dependencies"])


def test_options_give_a_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "--name",
        "Jane Roe",
        "--company",
        "Acme",
        "--email",
        "hr@acme-careers.com",
        "--asked-for",
        "Please pay $99 for the training kit.",
    )
    assert code == 0  # a high risk is still a completed check
    assert err == ""
    assert out.startswith("Risk: high.")
    assert "A lookalike domain (R11, high)" in out
    assert "They want you to pay to get the job (R01, high)" in out
    assert "Next steps:" in out
    assert "If you have already been caught:" in out
    assert "**" not in out  # markup is rendered as plain text


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--company", "Acme", "--email", "jane@acme.com", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {
        "risk",
        "findings",
        "positives",
        "questions",
        "next_steps",
        "if_caught",
        "unreadable",
    }
    assert result["unreadable"] == []
    assert result["risk"] == "low"
    assert result["findings"] == []
    assert [p["rule_id"] for p in result["positives"]] == ["P01"]


def test_no_details_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json")
    assert code == 0
    assert json.loads(out)["risk"] == "unknown"


def test_look_up_answers_as_options(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--on-careers-page", "no", "--domain-age-days", "10", "--json")
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["R12", "R25"]
    _, out, _ = run(capsys, "--similar-sites-found", "y", "--linkedin-verified", "yes", "--json")
    result = json.loads(out)
    assert [f["rule_id"] for f in result["findings"]] == ["R27"]
    assert [p["rule_id"] for p in result["positives"]] == ["P02"]


def test_a_bad_yes_no_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["check", "--written-offer", "maybe"])
    assert raised.value.code == 2
    assert "expected yes or no" in capsys.readouterr().err


def test_a_yaml_report_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "report.yaml"
    report.write_text(
        "name: Jane Roe\ncompany: Acme\nemail: acme.jobs@gmail.com\n"
        "asked_for: |\n  Interview on Telegram today.\n  Send your SSN.\n"
        "written_offer: no\nlinkedin_joined_months: 2\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "--file", str(report), "--json")
    assert code == 0
    ids = [f["rule_id"] for f in json.loads(out)["findings"]]
    assert ids == ["R07", "R13", "R10", "R19"]  # the most serious first


def test_a_json_report_file_and_an_option_that_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps({"company": "Acme", "email": "hr@acme-jobs.com", "on_careers_page": True}),
        encoding="utf-8",
    )
    _, out, _ = run(capsys, "--file", str(report), "--json")
    assert json.loads(out)["risk"] == "high"
    _, out, _ = run(capsys, "--file", str(report), "--email", "hr@acme.com", "--json")
    result = json.loads(out)
    assert result["risk"] == "low"
    assert [p["rule_id"] for p in result["positives"]] == ["P01", "P03"]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bad.yaml", "company: Acme\nemail: [unclosed\n", "line 3: not valid YAML"),
        ("bad.json", '{"company": "Acme",\n "email": }', "line 2: not valid JSON"),
        ("list.yaml", "- company: Acme\n", "expected a mapping"),
        ("keys.yaml", "compnay: Acme\n", "unknown key 'compnay'"),
        ("age.yaml", "domain_age_days: old\n", "'domain_age_days' must be a whole number"),
        ("flag.json", '{"written_offer": "perhaps"}', "'written_offer' must be yes or no"),
        ("text.yaml", "asked_for: [1, 2]\n", "'asked_for' must be text"),
        ("report.txt", "company: Acme\n", "unknown file type '.txt'"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "--file", str(path))
    assert code == 2
    assert out == ""
    assert str(path) in err
    assert problem in err


def test_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--file", str(tmp_path / "nowhere.yaml"))
    assert code == 2
    assert "nowhere.yaml: cannot read it" in err
