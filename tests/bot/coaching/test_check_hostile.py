# ruff: noqa: RUF001  (fullwidth look-alike characters are what these tests are about)
"""The legitimacy check and ``recruiter-coach check`` with hostile input: fullwidth and other
NFKC traps, broken brackets, lone surrogates. The check never raises; the command never prints a
traceback and says in one line (exit 2) which detail it could not read."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.cli.main
from bot.cli.main import main
from bot.coaching.legitimacy import LegitimacyResult, RecruiterReport, check_recruiter

ROOT = Path(__file__).resolve().parents[3]
TEXT_FIELDS = [f.name for f in fields(RecruiterReport) if "str" in str(f.type)]
TRAPS = [
    "a＠b", "＠", "．", "：／／", "ｈｔｔｐｓ：／／", "ｅｘａｍｐｌｅ", ".com", "℀", "ﬁ", "İ", "ß",
    "\u3002", "[", "]", "[::1]", "http://", "https://", "@", "@@", ".", ":", "/", "%", "xn--",
    "-", " ", "\u200b", "\u202e", "🎉", "acme", "１２", "+", "\x00",
]  # fmt: skip
HOSTILE = st.one_of(
    st.lists(st.sampled_from(TRAPS), max_size=14).map("".join), st.text(max_size=60)
)
OPTIONS = ["--name", "--company", "--agency", "--email", "--website", "--phone", "--linkedin"]
OPTIONS += ["--asked-for"]


@pytest.fixture(autouse=True)
def check_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed = bot.cli.main.command_modules()
    monkeypatch.setattr(
        bot.cli.main, "command_modules", lambda: {**installed, "check": "bot.cli.check"}
    )
    monkeypatch.setattr(bot.cli.main, "setup_logging", lambda settings: None)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("field", TEXT_FIELDS)
@settings(max_examples=200, deadline=None)
@given(value=HOSTILE)
def test_the_check_never_raises_on_any_field(field: str, value: str) -> None:
    result = check_recruiter(RecruiterReport(**{field: value}))
    assert isinstance(result, LegitimacyResult)


@pytest.mark.parametrize("option", OPTIONS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=HOSTILE)
def test_every_option_completes_or_says_one_line(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", f"{option}={value}", "--company", "Acme"])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert out == "" and len(err.strip().splitlines()) == 1
        assert err.startswith("recruiter-coach check: error: ")
    else:
        assert err == "" and out.startswith("Risk: ")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--website", "a＠b"], "--website 'a＠b' doesn't look like a web address"),
        (["--website", "http://[oops"], "doesn't look like a web address"),
        (["--linkedin", "＠"], "--linkedin '＠' doesn't look like a web address"),
        (["--email", "a＠b"], "--email 'a＠b' doesn't look like an e-mail address"),
        (["--phone", "call me"], "--phone 'call me' doesn't look like a phone number"),
    ],
)
def test_an_unreadable_contact_is_one_line_and_exit_2(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and said in err and err.count("\n") == 1


def test_fullwidth_details_are_read_as_their_ascii_twins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--company", "Acme", "--website", "ａｃｍｅ．ｃｏｍ", "--json"]) == 0
    email = "ｈｒ＠ａｃｍｅ－ｃａｒｅｅｒｓ.com"
    assert main(["check", "--email", email, "--company", "Acme"]) == 0
    out, _ = capsys.readouterr()
    assert "Risk: high" in out  # the lookalike domain is still seen through the fullwidth


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "check", "--website", "a＠b"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "recruiter-coach check: error: --website 'a＠b' doesn't look like a web address, "
        "like https://example.com"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--domain-age-days", "abc"],
        ["--linkedin-joined-months", "１.５"],
        ["--linkedin-verified", "maybe"],
        ["--written-offer", ""],
        ["--name"],
    ],
)
def test_a_bad_option_value_is_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["check", *args])
    out, err = capsys.readouterr()
    assert raised.value.code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("recruiter-coach check: error: argument ")


def test_fullwidth_look_up_answers_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--linkedin-verified", "ｙｅｓ", "--domain-age-days", "１２", "--json"]
    assert main(["check", *args]) == 0
    assert '"risk"' in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("company: " + "[" * 60_000 + "]" * 60_000 + "\n", "nested more than"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nname: [*c, *c, *c, *c, *c, *c, *c]\n",
            "YAML aliases",
        ),
        ("name: !!python/object/apply:os.system [echo hi]\n", "is not allowed"),
    ],
)
def test_a_hostile_report_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    report = tmp_path / "report.yaml"
    report.write_text(content, encoding="utf-8")
    assert main(["check", "--file", str(report)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and said in err and "report.yaml: line " in err


@pytest.mark.parametrize("option", ["--domain-age-days", "--linkedin-joined-months"])
@pytest.mark.parametrize("value", ["-5", "-0001", "99999999", "1e3", "５.５"])
def test_every_numeric_option_refuses_negative_and_absurd_numbers(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "-5 days old" would read as a brand-new domain: a typo must not become a finding.
    with pytest.raises(SystemExit) as raised:
        main(["check", option, value])
    out, err = capsys.readouterr()
    assert raised.value.code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(
        f"recruiter-coach check: error: argument {option}"
    )


@pytest.mark.parametrize("key", ["domain_age_days", "linkedin_joined_months"])
@pytest.mark.parametrize("value", [-5, 10**9])
def test_a_report_file_refuses_negative_and_absurd_numbers(
    key: str, value: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.yaml"
    report.write_text(f"{key}: {value}\n", encoding="utf-8")
    assert main(["check", "--file", str(report)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and f"{key!r}: expected a whole number" in err


@pytest.mark.parametrize(
    ("option", "value"), [("--domain-age-days", "0"), ("--linkedin-joined-months", "480")]
)
def test_numeric_options_accept_the_believable_range(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", option, value, "--json"]) == 0
