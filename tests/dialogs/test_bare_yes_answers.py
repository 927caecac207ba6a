"""A bare "yes" is never taken as the answer to a free-text question (and, at the end, a yes/no
question reads the ways people say yes and no as meant).

A nervous person answers "What's the recruiter's first name?" with "yes" (meant for the question
before, or a reflex), and the coach wrote "Hi Yes," into the message it drafted; "Do you have a
link to their LinkedIn profile?" kept "yes" as the link. The walk: at every question of every
shipped flow that reads free text (the transcripts reach them all), a copy of the conversation
is answered with each way of typing a bare yes. The coach must say why it cannot take it, ask the
same question again, and keep nothing.
"""

from __future__ import annotations

import pytest

from bot.answers.choices import _BARE_YES, _YES, is_bare_yes
from bot.answers.parse import Invalid, Parsed, Unparsed, parse_answer
from bot.boundary import Reply
from bot.flow.model import AskStep, Rule
from bot.store.memory import MemoryStore
from tests.bot.test_parser_fuzz import NOW
from tests.dialogs.question_walk import Question, QuestionWalk, shipped_dialogs

BARE_YESES = (
    "yes",
    "OK!",
    "Yep.",
    "sure thing",
    "\uff59\uff45\uff53",
    "\N{THUMBS UP SIGN}\U0001f3fd",
)
REASON = "A yes on its own doesn't answer this one"


def reads_free_text(step: AskStep) -> bool:
    """Text asks without a pattern (a pattern decides for itself what it takes)."""
    return step.kind == "text" and step.rule.pattern is None


class _BareYesWalk(QuestionWalk):
    free_text_questions = 0  # counted per walk (the first += makes it the instance's)

    async def probe_question(self, question: Question) -> None:
        if not reads_free_text(question.step):
            return
        self.free_text_questions += 1
        before = (await self.slots(question)).get(question.step.slot)
        for text in BARE_YESES:
            await self.restore(question)
            replies = await self.answer(question, question.incoming(text), repr(text))
            await self.judge(question, text, replies, before)

    async def judge(
        self, question: Question, text: str, replies: list[Reply], before: object
    ) -> None:
        said = "\n".join(r.text for r in replies)
        where = await self.waiting_at(question)
        kept = (await self.slots(question)).get(question.step.slot)
        if where != (question.flow.id, question.step.id):
            self.problems.append(f"{question.label()} {text!r}: moved on to {where}")
        elif kept != before:
            self.problems.append(f"{question.label()} {text!r}: kept {kept!r}")
        elif REASON not in said and question.step.invalid is None:
            self.problems.append(f"{question.label()} {text!r}: no reason given: {said!r}")


async def test_no_free_text_question_of_any_flow_takes_a_bare_yes() -> None:
    walk = _BareYesWalk(shipped_dialogs(), MemoryStore())
    await walk.walk_all()
    assert walk.problems == [], "\n".join(walk.problems)
    assert walk.unprobed() == set()
    free_text = [
        step
        for flow in walk.dialogs.registry.flows.values()
        for step in flow.steps.values()
        if isinstance(step, AskStep) and reads_free_text(step)
    ]
    assert walk.free_text_questions == len(free_text) >= 40


def test_a_bare_yes_is_refused_and_a_longer_answer_kept() -> None:
    for text in BARE_YESES:
        assert is_bare_yes(text), text
        assert isinstance(parse_answer("text", text, rule=Rule(), now=NOW), Invalid)
    for text in (
        "Jane",
        "yes, Jane",
        "Yasmin",
        "Ya",
        "K",
        "fine",
        "no",
        "skip",
        "\N{THUMBS DOWN SIGN}",
    ):
        assert parse_answer("text", text, rule=Rule(), now=NOW) == Parsed(text, text)


def test_a_pattern_decides_for_itself() -> None:
    rule = Rule(pattern="(?i)yes|no")
    assert parse_answer("text", "yes", rule=rule, now=NOW) == Parsed("yes", "yes")


def test_every_bare_yes_is_a_yes_to_a_yes_no_question() -> None:
    assert _BARE_YES <= _YES
    for word in _BARE_YES:
        assert parse_answer("yesno", word, rule=Rule(), now=NOW) == Parsed(True, "Yes")


# -- yes/no questions: the ways people say yes or no, read as meant -------------------------------


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("no doubt", True), ("no brainer", True), ("not a problem at all", True),
        ("no objections", True), ("\N{THUMBS UP SIGN}\U0001f3fd", True),
        ("\N{THUMBS UP SIGN}\ufe0f", True), ("\N{THUMBS DOWN SIGN}\U0001f3fb", False),
        ("\N{CROSS MARK}", False), ("yes, call me", True), ("no, I'm busy", False),
    ],
)  # fmt: skip
def test_a_yes_or_no_is_read_as_meant(text: str, meant: bool) -> None:
    """ "no doubt" was a no (its first word); a thumbs-up with a skin tone was not read."""
    assert parse_answer("yesno", text, rule=Rule(), now=NOW) == Parsed(
        meant, "Yes" if meant else "No"
    )


@pytest.mark.parametrize(
    "text", ["ok I'll pass", "sure, I'll decline", "ok maybe later", "yes but later"]
)
def test_a_yes_taken_back_is_asked_again(text: str) -> None:
    """These were a yes (their first word)."""
    assert isinstance(parse_answer("yesno", text, rule=Rule(), now=NOW), Unparsed)
