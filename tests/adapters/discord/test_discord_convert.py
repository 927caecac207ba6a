"""The pure converters, fed real discord.py objects built from gateway payloads."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from adapters.discord.convert import (
    choice_custom_id,
    command_to_incoming,
    is_bot_dm,
    label_custom_id,
    message_to_incoming,
    modal_values,
    to_conversation,
    to_user_info,
    wants_answer,
)
from bot.boundary import Command, UserInfo
from tests.adapters.discord.payloads import (
    APP_ID,
    BOT,
    GUILD_ID,
    message_payload,
    press,
    slash,
    submit,
    user,
)

DM_CHANNEL = 1400000000000000001
USER = 42


@pytest.fixture
def state() -> Any:
    client = discord.Client(intents=discord.Intents.default())
    state = client._connection
    state.user = discord.ClientUser(state=state, data=BOT)  # type: ignore[arg-type]
    return state


def message(state: Any, content: str, *, author: dict[str, Any], guild: bool = False) -> Any:
    data = message_payload(DM_CHANNEL, {"content": content}, author=author)
    if guild:
        data["guild_id"] = str(GUILD_ID)
    channel, _ = state._get_guild_channel(data)
    return discord.Message(state=state, channel=channel, data=data)


def test_a_dm_from_a_person_is_answered_and_becomes_text(state: Any) -> None:
    typed = message(state, "  tomorrow 18:30 ", author=user(USER, "alex"))
    assert wants_answer(typed, own_id=APP_ID)
    incoming = message_to_incoming(typed, space="77")
    assert incoming.text == "tomorrow 18:30"
    assert incoming.conversation == to_conversation(
        user_id=USER, dm_channel_id=DM_CHANNEL, space="77"
    )
    assert incoming.event_id == f"discord:{typed.id}"
    assert incoming.user.display_name == "Alex"
    assert incoming.user.time_zone is None  # Discord never says: the engine asks
    assert abs((incoming.received_at - typed.created_at).total_seconds()) < 1


@pytest.mark.parametrize(
    ("content", "author", "guild"),
    [
        ("hello", BOT, False),  # the bot itself
        ("hello", {**user(7, "other"), "bot": True}, False),  # another bot
        ("   ", user(USER), False),  # no text (a sticker, a file)
        ("hello", user(USER), True),  # a server channel
    ],
)
def test_messages_the_coach_must_not_answer(
    state: Any, content: str, author: dict[str, Any], guild: bool
) -> None:
    assert not wants_answer(message(state, content, author=author, guild=guild), own_id=APP_ID)


def test_is_bot_dm_follows_the_interaction_context(state: Any) -> None:
    in_dm = discord.Interaction(data=slash(user_id=USER, dm_channel=DM_CHANNEL), state=state)
    in_guild = discord.Interaction(data=slash(user_id=USER), state=state)
    group_dm = slash(user_id=USER, dm_channel=DM_CHANNEL)
    group_dm["context"] = 2  # a user-installed app in a DM between other people
    old = slash(user_id=USER, dm_channel=DM_CHANNEL)
    del old["context"]  # payloads from before contexts existed
    assert is_bot_dm(in_dm)
    assert not is_bot_dm(in_guild)
    assert not is_bot_dm(discord.Interaction(data=group_dm, state=state))
    assert is_bot_dm(discord.Interaction(data=old, state=state))


def test_user_info_takes_the_display_name_and_locale(state: Any) -> None:
    interaction = discord.Interaction(data=slash(user_id=USER), state=state)
    info = to_user_info(interaction.user, interaction.locale)
    assert info == UserInfo(display_name="Sam", locale="en-GB")


def make(**options: Any) -> Command | None:
    conversation = to_conversation(user_id=USER, dm_channel_id=DM_CHANNEL)
    incoming = command_to_incoming(
        conversation, user=UserInfo(), snowflake=5, received_at=discord.utils.utcnow(), **options
    )
    assert incoming.event_id == "discord:5"
    return incoming.command


def test_the_slash_command_options_become_commands() -> None:
    assert make(topic=None, question=None, topic_known=False) == Command("start")
    assert make(topic="referral", question=None, topic_known=True) == Command("referral")
    assert make(topic="referral", question="how?", topic_known=True) == Command("referral")
    assert make(topic=None, question=" is it legit? ", topic_known=False) == Command(
        "ask", "is it legit?"
    )
    assert make(topic="pay", question="how much", topic_known=False) == Command(
        "ask", "pay how much"
    )


def test_modal_values_read_labels_and_old_action_rows(state: Any) -> None:
    data = submit("rcm:1.abc.~form", {"when": "tomorrow", "phone": "+1 415"}, user_id=USER)
    assert modal_values(data["data"]) == (("when", "tomorrow"), ("phone", "+1 415"))
    rows = {
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "a", "value": "x"}]}]
    }
    assert modal_values(rows) == (("a", "x"),)
    assert modal_values({"components": [{"type": 10, "content": "text"}]}) == ()


def test_custom_ids_fit_100_characters() -> None:
    assert choice_custom_id("3.abcdef.yes") == "rc:3.abcdef.yes"
    assert choice_custom_id("t" * 97) is not None
    assert choice_custom_id("t" * 98) is None
    assert label_custom_id("Yes") == "rc~:Yes"
    assert label_custom_id("L" * 97) is None
    assert label_custom_id("  ") is None


def test_a_button_press_payload_names_its_custom_id(state: Any) -> None:
    data = press("rc:1.abc.yes", user_id=USER, message=message_payload(1, {}, author=BOT))
    interaction = discord.Interaction(data=data, state=state)
    assert interaction.data is not None
    assert interaction.data.get("custom_id") == "rc:1.abc.yes"
