"""`/recruiter check <text>` (and the Slack shortcut / Discord context menu that send the same
command): the parse lives once in bot.commands, the engine checks the text in the scam flow."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.boundary import Command
from bot.dialog.commands import recruiter_command

MESSAGE = (
    "Hi! I'm hiring for Acme, reach me at hr.team@gmail.com or +1 900 555 0199. "
    "The training fee is $50, pay it by gift card."
)


def _knows(word: str) -> bool:
    return word.lower() in ("check", "refer", "scam")


def test_recruiter_text_parses_into_start_command_topic_check_or_question() -> None:
    assert recruiter_command("", knows_topic=_knows) == Command("start")
    assert recruiter_command("  help ", knows_topic=_knows) == Command("help")
    assert recruiter_command("refer", knows_topic=_knows) == Command("refer")
    assert recruiter_command("check", knows_topic=_knows) == Command("check")
    assert recruiter_command(f"check {MESSAGE}", knows_topic=_knows) == Command("check", MESSAGE)
    assert recruiter_command(f"Check:\n{MESSAGE}", knows_topic=_knows) == Command("check", MESSAGE)
    assert recruiter_command("is this legit?", knows_topic=_knows) == Command(
        "ask", "is this legit?"
    )
    # "checking" is a question, not the check command
    assert recruiter_command("checking in on my offer", knows_topic=_knows).name == "ask"


@given(st.text(max_size=300))
def test_any_text_parses_into_one_command(text: str) -> None:
    command = recruiter_command(text, knows_topic=_knows)
    assert command.name
    if command.name == "check" and command.args:
        assert command.args in text


async def test_check_with_text_shows_the_verdict_and_offers_the_full_check(
    build_engine, chat_with
):
    chat = chat_with(await build_engine())
    replies = await chat.send(command=Command("check", MESSAGE))
    said = "\n".join(replies)
    assert "hr.team@gmail.com" in said
    assert "risk" in said.lower()
    labels = [c.label for r in chat.replies for c in r.choices]
    assert "Check this recruiter" in labels
    replies = await chat.press("full_check")
    assert any("name" in r.lower() for r in replies)


async def test_check_with_too_little_text_asks_for_the_whole_message(build_engine, chat_with):
    chat = chat_with(await build_engine())
    replies = await chat.send(command=Command("check", "hmm ok"))
    assert any("too short" in r for r in replies)


async def test_check_without_text_still_starts_the_legitimacy_check(build_engine, chat_with):
    chat = chat_with(await build_engine())
    replies = await chat.send(command=Command("check"))
    assert any("genuine one" in r for r in replies)


async def test_the_full_check_after_a_message_check_does_not_ask_for_what_it_found(
    build_engine, chat_with
):
    chat = chat_with(await build_engine())
    await chat.send(command=Command("check", MESSAGE))
    await chat.press("full_check")
    await chat.say("Dana")
    await chat.say("Acme")
    said = await chat.say("skip")
    facts = next(s for s in said if "already have" in s)
    assert "hr.team@gmail.com" in facts and "0199" in facts
    assert "LinkedIn" in said[-1]  # the e-mail, phone and link questions are skipped
    said = await chat.say("no")
    assert "risk: high" in "\n".join(said).lower()
    slots = (await chat.state()).slots
    assert slots["email"] == "hr.team@gmail.com"  # what the check was given
    assert slots["from_message"] in (False, "false")  # used once


async def test_the_full_check_without_a_message_asks_everything(build_engine, chat_with):
    chat = chat_with(await build_engine())
    await chat.send(command=Command("scam"))
    await chat.press("money")
    await chat.press("full_check")
    await chat.say("Dana")
    await chat.say("Acme")
    said = await chat.say("skip")
    assert not any("already have" in s for s in said)
    assert "e-mail" in said[-1].lower()
