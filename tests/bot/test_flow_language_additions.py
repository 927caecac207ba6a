"""What authors could not say before (issue 13, item 5): a text ask's ``pattern``, regex and
app tests in conditions, ``max_attempts: unlimited``, the ``clear`` step, and a content folder
whose missing system templates fall back to the shipped ones. Each is run through a real engine
and each mistake is caught when the flows load, with its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import build_actions, load_content
from bot.config import Settings
from bot.dialog.engine import Engine
from bot.errors import ConfigError, FlowErrors
from bot.flowtools.graph import mermaid
from bot.flowtools.lint import lint, load_dialogs
from bot.render.conditions import matching
from bot.store.memory import MemoryStore
from tests.bot.conftest import SHIPPED_DIALOGS

CODE = """
flow: code
steps:
  code:
    ask: text
    slot: code
    text: Your booking code?
    pattern: '[A-Z]{2}[0-9]{4}'
    pattern_message: "A booking code is two capital letters and four digits, like AB1234."
    next: check
  check:
    branch:
      - if: code is matching("AB.*")
        then: airline
      - else: other
  airline:
    say: "Airline code {{ code }}."
  other:
    say: "Other code {{ code }}."
"""


def problems(dialogs, flow_text: str, name: str = "code") -> list[str]:
    with pytest.raises(FlowErrors) as caught:
        load_content(dialogs({name: flow_text}), actions=build_actions())
    return [str(p) for p in caught.value.problems]


def line_of(flow_text: str, needle: str) -> int:
    return next(n for n, line in enumerate(flow_text.splitlines(), 1) if needle in line)


# -- pattern -----------------------------------------------------------------------------------


async def test_a_pattern_refuses_with_its_own_message_then_takes_a_match(
    dialogs, build_engine, chat_with
):
    chat = chat_with(await build_engine(dialogs({"code": CODE}), entry_flow="code"))
    await chat.say("start")
    refused = "\n".join(await chat.say("ab12"))
    assert "A booking code is two capital letters and four digits, like AB1234." in refused
    assert "Your booking code?" in refused
    assert await chat.step() == "code"
    assert "Airline code AB1234." in "\n".join(await chat.say("AB1234"))


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (("pattern: '[A-Z]{2}[0-9]{4}'", "pattern: '[A-Z'"), "pattern", "not a valid regular"),
        (("ask: text", "ask: number"), "pattern", "works on `ask: text` only"),
        (("    pattern: '[A-Z]{2}[0-9]{4}'\n", ""), "pattern_message", "without a `pattern`"),
        (
            ('pattern_message: "A booking', 'pattern_message: ["A booking'),
            "pattern_message",
            "must be text",
        ),
    ],
)
def test_pattern_mistakes_name_their_line(dialogs, change, key, message):
    flow = CODE.replace(*change)
    if key == "pattern_message" and "[" in change[1]:
        flow = flow.replace('AB1234."\n', 'AB1234."]\n')
    [found] = problems(dialogs, flow)
    assert f"code.yaml:{line_of(flow, key + ':')} [{key}]" in found
    assert message in found


# -- conditions --------------------------------------------------------------------------------


async def test_a_condition_uses_a_regex_test(dialogs, build_engine, chat_with):
    chat = chat_with(await build_engine(dialogs({"code": CODE}), entry_flow="code"))
    await chat.say("start")
    assert "Other code XY9999." in "\n".join(await chat.say("XY9999"))


async def test_a_condition_uses_an_app_registered_test(dialogs, build_engine, chat_with):
    flow = """
    flow: contact
    steps:
      contact:
        ask: text
        slot: contact
        text: A phone number or an e-mail address?
        next: route
      route:
        branch:
          - if: contact is phone_number
            then: phone
          - if: contact is email_address
            then: mail
          - else: neither
      phone:
        say: A number.
      mail:
        say: An address.
      neither:
        say: Neither.
    """
    engine = await build_engine(dialogs({"contact": flow}), entry_flow="contact")
    for answer, said in [
        ("+1 415 555 0100", "A number."),
        ("sam@example.com", "An address."),
        ("<script>", "Neither."),
    ]:
        chat = chat_with(engine, user=answer)
        await chat.say("start")
        assert said in await chat.say(answer)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ('code is matching("(AB")', "is not a regular expression"),
        ("code is postcode", "No test named 'postcode'"),
    ],
)
def test_condition_mistakes_name_their_line(dialogs, condition, message):
    flow = CODE.replace('code is matching("AB.*")', condition)
    [found] = problems(dialogs, flow)
    assert f"code.yaml:{line_of(flow, condition)} [if]" in found
    assert message in found


@given(
    value=st.one_of(st.none(), st.text(max_size=50), st.integers()),
    pattern=st.sampled_from([r"\d+", "[A-Z]{2}[0-9]{4}", ".*", "a|b", ""]),
)
def test_matching_is_a_full_match_of_the_text(value, pattern):
    import re

    expected = value is not None and re.fullmatch(pattern, str(value)) is not None
    assert matching(value, pattern) is expected


# -- max_attempts: unlimited -------------------------------------------------------------------

AGE = """
flow: age
steps:
  age:
    ask: number
    slot: age
    text: How old are you?
    min: 16
    max_attempts: unlimited
    next: thanks
  thanks:
    say: "Thanks."
"""


async def test_unlimited_attempts_ask_the_same_question_again_and_never_give_up(
    dialogs, build_engine, chat_with
):
    chat = chat_with(await build_engine(dialogs({"age": AGE}), entry_flow="age"))
    await chat.say("start")
    for answer in ["old", "3", "twelve", "7", "?", "0"] * 2:
        replies = "\n".join(await chat.say(answer))
        assert "How old are you?" in replies
        assert await chat.step() == "age"
    assert "Thanks." in await chat.say("30")


def test_unlimited_attempts_with_on_fail_is_a_mistake(dialogs):
    flow = AGE.replace("    next: thanks\n", "    on_fail: thanks\n    next: thanks\n")
    [found] = problems(dialogs, flow, "age")
    assert f"age.yaml:{line_of(flow, 'on_fail:')} [on_fail]" in found
    assert "never reached" in found


def test_unlimited_attempts_draw_no_failed_answers_edge(dialogs):
    _, registry = load_content(dialogs({"age": AGE}), actions=build_actions())
    assert "failed answers" not in mermaid(registry.flows["age"])


# -- clear -------------------------------------------------------------------------------------

AGAIN = """
flow: again
steps:
  when:
    ask: text
    slot: when
    text: When?
    next: sure
  sure:
    ask: yesno
    slot: sure
    text: "{{ when }}, sure?"
    yes: done
    no: forget
  forget:
    clear: [when, sure]
    next: when
  done:
    say: "Booked {{ when }}."
"""


async def test_clear_empties_the_slots_and_the_flow_asks_again(dialogs, build_engine, chat_with):
    chat = chat_with(await build_engine(dialogs({"again": AGAIN}), entry_flow="again"))
    await chat.say("start")
    await chat.say("Monday")
    assert "When?" in await chat.press("no")
    state = await chat.state()
    assert state.slots["when"] is None and state.slots["sure"] is None
    await chat.say("Tuesday")
    assert "Booked Tuesday." in await chat.press("yes")


@pytest.mark.parametrize(
    ("value", "message"),
    [("[]", "needs a slot name"), ("[When]", "not a slot name: When"), ("{a: b}", "needs a slot")],
)
def test_clear_mistakes_name_their_line(dialogs, value, message):
    flow = AGAIN.replace("clear: [when, sure]", f"clear: {value}")
    found = problems(dialogs, flow, "again")
    assert any(
        f"again.yaml:{line_of(flow, 'clear:')} [clear]" in p and message in p for p in found
    )


def test_lint_and_the_graph_know_clear(dialogs):
    folder = dialogs({"again": AGAIN})
    report = lint(load_dialogs(folder))
    assert report.problems == []
    assert "clear when, sure" in mermaid(load_dialogs(folder).registry.flows["again"])


# -- a content folder without the system templates ---------------------------------------------


def _bare_folder(tmp_path: Path, templates: dict[str, str]) -> Path:
    """Only a flow and the given templates: none of the engine's own messages."""
    root = tmp_path / "mine"
    (root / "flows").mkdir(parents=True)
    (root / "flows" / "hello.yaml").write_text(
        textwrap.dedent(
            """
            flow: hello
            steps:
              hi:
                say: greeting
            """
        ),
        encoding="utf-8",
    )
    for name, text in templates.items():
        path = root / "templates" / f"{name}.j2"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


async def test_a_content_folder_falls_back_to_the_shipped_system_templates(
    tmp_path, build_engine, chat_with
):
    folder = _bare_folder(tmp_path, {"common/greeting": "Hello from my folder."})
    assert lint(load_dialogs(folder)).problems == []
    chat = chat_with(await build_engine(folder, entry_flow="hello"), platform="discord")
    replies = "\n".join(await chat.say("start"))
    shipped = (SHIPPED_DIALOGS / "templates" / "discord" / "coach_privacy.j2").read_text()
    assert shipped.split(".**")[0].strip("*") in replies  # the shipped Discord privacy notice
    assert "Hello from my folder." in replies


async def test_the_folders_own_privacy_notice_beats_every_shipped_variant(
    tmp_path, build_engine, chat_with
):
    folder = _bare_folder(
        tmp_path,
        {
            "common/greeting": "Hello.",
            "common/coach_privacy": "Our own notice: we keep nothing longer than 30 days.",
        },
    )
    for platform in ("discord", "slack", "console"):
        chat = chat_with(await build_engine(folder, entry_flow="hello"), platform=platform)
        replies = "\n".join(await chat.say("start"))
        assert "Our own notice: we keep nothing longer than 30 days." in replies
        assert "word on privacy" not in replies


async def test_a_changed_privacy_notice_is_shown_once_more(tmp_path, build_engine, chat_with):
    """The notice's version is its template's digest: no constant to remember to bump."""
    folder = _bare_folder(
        tmp_path, {"common/greeting": "Hello.", "common/coach_privacy": "Notice one."}
    )
    store = MemoryStore()
    engine_of: list[Engine] = []

    async def said(notice_is: str) -> str:
        (folder / "templates" / "common" / "coach_privacy.j2").write_text(notice_is)
        engine = await build_engine(folder, entry_flow="hello", store=store)
        engine_of[:] = [engine]
        return "\n".join(await chat_with(engine, platform="slack").say("start"))

    assert "Notice one." in await said("Notice one.")
    assert "Notice one." not in await said("Notice one.")  # seen: not again
    assert "Notice two: we now keep notes 30 days." in await said(
        "Notice two: we now keep notes 30 days."
    )
    assert "Notice two" not in await said("Notice two: we now keep notes 30 days.")
    user = await store.load_user(chat_with(engine_of[0], platform="slack").ref.user_key)
    assert user is not None and user.settings["privacy_notice"].startswith("sha256:")


SHIPPED_FLOWS = [p.stem for p in (SHIPPED_DIALOGS / "flows").glob("*.yaml")]


def _templates_only(tmp_path: Path, templates: dict[str, str]) -> Path:
    root = tmp_path / "notice_only"
    for name, text in templates.items():
        path = root / "templates" / f"{name}.j2"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


async def test_a_folder_of_templates_only_runs_the_shipped_flows_with_its_own_texts(
    tmp_path, build_engine, chat_with
):
    """A deployment that changes only its privacy notice keeps only that file."""
    folder = _templates_only(
        tmp_path,
        {
            "common/coach_privacy": "Acme's coach: we keep notes 30 days. Ask it@acme.example.",
            "common/callback_when": "Acme wording: when shall they call you back?",
        },
    )
    assert lint(load_dialogs(folder)).errors == []
    assert Settings.from_env({"COACH_DIALOGS_DIR": str(folder)}).dialogs_dir == folder
    for platform in ("discord", "slack", "console"):
        engine = await build_engine(folder)
        chat = chat_with(engine, platform=platform)
        first = "\n".join(await chat.say("start"))
        assert "Acme's coach: we keep notes 30 days." in first
        assert "word on privacy" not in first  # no shipped variant beats the folder's own
        assert sorted(engine.registry.flows) == sorted(SHIPPED_FLOWS)  # the shipped flows
        assert first.count("\n") >= 1  # and the entry flow's question, from a shipped template
        later = "\n".join(await chat.press("at_work"))
        assert "Acme wording: when shall they call you back?" in later  # the folder's template


def test_a_folder_with_neither_flows_nor_templates_is_refused(tmp_path):
    (tmp_path / "typo").mkdir()
    with pytest.raises(ConfigError, match="neither flows/ nor templates/"):
        Settings.from_env({"COACH_DIALOGS_DIR": str(tmp_path / "typo")})


def test_only_system_templates_fall_back(tmp_path):
    folder = _bare_folder(tmp_path, {})  # the flow's own `greeting` is missing
    with pytest.raises(FlowErrors) as caught:
        load_content(folder, actions=build_actions())
    [problem] = caught.value.problems
    assert problem.key == "say" and "greeting" in problem.message


# -- the studio's example folder uses all of the above ----------------------------------------

EXAMPLE = SHIPPED_DIALOGS.parent / "docs" / "examples" / "studio"


async def test_the_studio_example_lints_clean_and_its_tests_pass():
    from bot.flowtools.casefile import load_cases
    from bot.flowtools.transcript import Coverage, run_cases

    example = load_dialogs(EXAMPLE)
    assert lint(example).problems == []
    cases, problems = load_cases(EXAMPLE / "tests")
    assert problems == [] and len(cases) == 2
    coverage = Coverage()
    results = await run_cases(example, cases, coverage)
    assert [r.failure for r in results] == [None, None]
    assert coverage.percent(example.registry.flows["recruiter_contact"]) == 100.0
    flow_text = (EXAMPLE / "flows" / "recruiter_contact.yaml").read_text()
    for feature in (
        "pattern:",
        "pattern_message:",
        "is matching(",
        "is phone_number",
        "is email_address",
        "max_attempts: unlimited",
        "clear:",
    ):
        assert feature in flow_text
    assert sorted(p.name for p in (EXAMPLE / "templates" / "common").iterdir()) == [
        "coach_privacy.j2",
        "contact_summary.j2",
    ]
