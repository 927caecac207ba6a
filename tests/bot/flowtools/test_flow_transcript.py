"""``flows test``: transcripts through a real engine, failure output, coverage, file errors."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

DialogsFactory = Callable[..., Path]
FlowsCli = Callable[..., tuple[int, str]]

DEMO = """\
flow: demo
steps:
  name:
    ask: text
    slot: name
    text: "**Welcome!** What's your name?"
    next: mood
  mood:
    ask: choice
    slot: mood
    text: "How are you, {{ name }}?"
    choices:
      - {id: good, label: Good, next: glad}
      - {id: bad, label: Bad, next: sorry}
  glad:
    end: true
    text: Glad to hear it!
  sorry:
    end: true
    text: Sorry to hear that.
"""


def with_tests(root: Path, **files: str) -> Path:
    (root / "tests").mkdir(exist_ok=True)
    for name, text in files.items():
        (root / "tests" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


GOOD = """\
name: a good day
flow: demo
turns:
  - user: start
    bot: ["welcome", {regex: "what'?s your name"}]
    step: name
  - user: Robin
    bot: ["how are you, robin"]
    choices: [Good, Bad]
    step: mood
    slots: {name: Robin}
  - press: good
    bot: ["glad"]
    step: ended
"""


def test_a_passing_case_and_its_coverage(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    root = with_tests(dialogs({"demo": DEMO}), good=GOOD)

    code, output = flows_cli("test", str(root))

    assert code == 0, output
    assert "1 passed, 0 failed" in output
    assert "demo: 3/4 steps (75%) — not covered: sorry (line 19)" in output


def test_min_coverage_fails_a_flow_below_it(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    root = with_tests(dialogs({"demo": DEMO}), good=GOOD)

    code, output = flows_cli("test", str(root), "--min-coverage", "80")

    assert code == 1
    assert "below the minimum coverage of 80%: demo" in output


def test_a_failing_turn_shows_the_case_the_turn_and_the_plain_replies(
    dialogs: DialogsFactory, flows_cli: FlowsCli
) -> None:
    root = with_tests(
        dialogs({"demo": DEMO}),
        bad="""\
        - name: expects the wrong greeting
          flow: demo
          turns:
            - user: start
              bot: ["welcome", "who are you"]
        """,
    )

    code, output = flows_cli("test", str(root))

    assert code == 1
    assert f"FAIL {root / 'tests' / 'bad.yaml'}:1: expects the wrong greeting" in output
    assert "turn 1 (line 4), user: 'start':" in output
    assert "    - 'welcome'\n    - 'who are you'" in output
    assert "missing: 'who are you' (after the earlier ones)" in output
    assert "    | Welcome! What's your name?" in output  # plain text: no ** markers
    assert "0 passed, 1 failed" in output


def run_one(dialogs: DialogsFactory, flows_cli: FlowsCli, turns: str) -> tuple[int, str]:
    case = "name: probe\nflow: demo\nturns:\n" + textwrap.indent(textwrap.dedent(turns), "  ")
    return flows_cli("test", str(with_tests(dialogs({"demo": DEMO}), probe=case)))


def test_a_wrong_step_is_reported(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    code, output = run_one(dialogs, flows_cli, "- user: start\n  step: mood\n")
    assert code == 1
    assert "expected to wait at step 'mood', but the conversation is at 'demo.name'" in output


def test_a_wrong_slot_is_reported(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    code, output = run_one(
        dialogs,
        flows_cli,
        """\
        - user: start
        - user: Robin
          slots: {name: Kim, mood: null}
        """,
    )
    assert code == 1
    assert "expected slot 'name' to be 'Kim', but it is 'Robin'" in output


def test_wrong_buttons_are_reported(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    code, output = run_one(
        dialogs,
        flows_cli,
        """\
        - user: start
        - user: Robin
          choices: [Good, Meh, Bad]
        """,
    )
    assert code == 1
    assert "expected the buttons ['Good', 'Meh', 'Bad'], got ['Good', 'Bad']" in output


def test_pressing_a_button_never_shown_is_reported(
    dialogs: DialogsFactory, flows_cli: FlowsCli
) -> None:
    code, output = run_one(dialogs, flows_cli, "- user: start\n- press: good\n")
    assert code == 1
    assert "no button 'good' was shown in this conversation (buttons so far: none)" in output


def test_an_engine_failure_fails_the_turn(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    # Fails when rendered, not when loaded (an undefined name would be refused at load time).
    text = "{{ 1 // (now | string | length * 0) }}"
    flow = f"flow: demo\nsteps:\n  hi:\n    ask: text\n    slot: a\n    text: '{text}'\n"
    case = "name: crash\nflow: demo\nturns:\n  - user: start\n"
    code, output = flows_cli("test", str(with_tests(dialogs({"demo": flow}), crash=case)))
    assert code == 1
    assert "the engine failed on this turn: conversation" in output
    assert "ZeroDivisionError" in output


def test_start_and_slots_preset_the_conversation(
    dialogs: DialogsFactory, flows_cli: FlowsCli
) -> None:
    case = """\
        name: starts at the mood question
        flow: demo
        start: mood
        slots: {name: Ada}
        turns:
          - press: bad
            bot: ["sorry to hear that"]
            step: ended
        """
    code, output = flows_cli("test", str(with_tests(dialogs({"demo": DEMO}), start=case)))
    assert code == 0, output
    assert "demo: 2/4 steps (50%) — not covered: name (line 4), glad (line 16)" in output


def test_a_timeout_turn_fires_the_waiting_question_s_timeout(
    dialogs: DialogsFactory, flows_cli: FlowsCli
) -> None:
    flow = """\
        flow: demo
        steps:
          wait:
            ask: text
            slot: answer
            text: Anything?
            timeout: 1h
            on_timeout: nudge
            next: nudge
          nudge:
            end: true
            text: Still there? Come back any time.
        """
    case = """\
        name: nobody answers
        flow: demo
        turns:
          - user: start
          - timeout: true
            bot: ["still there?"]
            step: ended
        """
    root = with_tests(dialogs({"demo": textwrap.dedent(flow)}), wait=case)
    code, output = flows_cli("test", str(root))
    assert code == 0, output


def test_mistakes_in_a_test_file_name_the_file_line_key_and_fix(
    dialogs: DialogsFactory, flows_cli: FlowsCli
) -> None:
    case = "name: typo\nflow: demo\nturns:\n  - user: start\n    bots: [hello]\n"
    code, output = flows_cli("test", str(with_tests(dialogs({"demo": DEMO}), typo=case)))
    assert code == 1
    assert f"{root_tests(output)}typo.yaml:5 [bots]: error: unknown key 'bots' in a turn" in output
    assert "fix: did you mean `bot`?" in output


def root_tests(output: str) -> str:
    """The tests folder as printed (the tmp path differs per run)."""
    line = next(row for row in output.splitlines() if "typo.yaml" in row)
    return line[: line.index("typo.yaml")]


def test_a_turn_needs_exactly_one_action(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    case = "flow: demo\nturns:\n  - user: start\n    press: good\n"
    code, output = flows_cli("test", str(with_tests(dialogs({"demo": DEMO}), two=case)))
    assert code == 1
    assert "two.yaml:3 [user]: error: a turn needs exactly one of" in output
    assert "(found user, press)" in output
