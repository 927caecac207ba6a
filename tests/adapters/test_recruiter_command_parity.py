"""Every adapter reads ``/recruiter`` words the same way: through the core's one parser.

Before, Discord read its ``question`` option itself and routed a lone command word ("help",
"stop") as a question, where Slack ran the command.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pytest

with warnings.catch_warnings():
    # discord.py imports audioop (for voice, unused); Python 3.11 warns it goes away in 3.13.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    from adapters.discord.convert import command_to_incoming
from adapters.slack.convert import to_command
from bot.app import recruiter_command
from bot.boundary import Command, ConversationRef, UserInfo
from bot.dialog.commands import COMMANDS

KNOWN = {"check", "callback", "contacts", "refer", "legitimacy"}


def knows(word: str) -> bool:
    return word.lower() in KNOWN


def discord(topic: str | None, question: str | None) -> Command:
    incoming = command_to_incoming(
        ConversationRef("discord", "c", "u"),
        topic=topic,
        question=question,
        topic_known=bool(topic) and knows(topic or ""),
        user=UserInfo(),
        snowflake=1,
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert incoming.command is not None
    return incoming.command


@pytest.mark.parametrize("words", [*COMMANDS, "start over", "is it legit?", "", "  "])
def test_slack_and_discord_questions_read_alike(words: str) -> None:
    slack = to_command(words, knows_topic=knows)
    assert slack == recruiter_command(words, knows_topic=knows)
    assert discord(None, words) == slack


@pytest.mark.parametrize("topic", sorted(KNOWN))
def test_a_topic_reads_alike(topic: str) -> None:
    assert discord(topic, None) == to_command(topic, knows_topic=knows) == Command(topic)


def test_discord_topic_option_with_a_question() -> None:
    """A picked, known topic starts its flow; an unknown one is read as part of the question."""
    assert discord("refer", "how?") == Command("refer")
    assert discord("pay", "how much") == Command("ask", "pay how much")
    assert discord("pay", None) == Command("ask", "pay")
