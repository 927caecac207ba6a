"""The "Check this recruiter" message context menu and ``/recruiter check``/``help``, with the
real discord.py client logged in to the fake Discord (loopback): the verdict reaches only the
person who asked, nothing is posted to the channel, and the text is not logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from adapters.discord.check_menu import CHECK_MENU_NAME
from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import (
    GUILD_CHANNEL_ID,
    _interaction,
    message_payload,
    slash,
    user,
)

USER = 4343
DM = 1500000000000000011
RECRUITER = 5151
MESSAGE = (
    "Hi! I'm hiring for Acme, reach me at hr.team@gmail.com or +1 900 555 0199. "
    "The training fee is $50, pay it by gift card."
)


def is_followup(request: Request) -> bool:
    return request.method == "POST" and request.path.startswith("/webhooks/")


def is_dm_post(request: Request) -> bool:
    return request.method == "POST" and request.path == f"/channels/{DM}/messages"


def buttons(request: Request) -> bool:
    """The last reply of a turn: the one with the next question's buttons."""
    return is_followup(request) and bool(request.custom_ids())


def context_menu(text: str, *, dm_channel: int | None = None) -> dict[str, Any]:
    """A message context-menu interaction (command type 3) on someone's message."""
    channel = dm_channel or GUILD_CHANNEL_ID
    target = message_payload(channel, {"content": text}, author=user(RECRUITER, "recruiter"))
    data = {
        "id": "1300000000000000009",
        "name": CHECK_MENU_NAME,
        "type": 3,
        "target_id": target["id"],
        "resolved": {"messages": {target["id"]: target}},
    }
    return _interaction(2, data, user_id=USER, dm_channel=dm_channel)


@pytest.fixture
async def client(bot: BotHarness, fake_discord: FakeDiscord) -> Any:
    fake_discord.dm_channels[USER] = DM
    return await bot.login()


async def interact(
    bot: BotHarness, payload: dict[str, Any], until: Any = is_followup
) -> tuple[Request, list[Request]]:
    mark = bot.fake.mark()
    bot.feed("INTERACTION_CREATE", payload)
    found = await bot.fake.wait_for(until, after=mark)
    return found, bot.fake.requests[mark:]


def test_the_menu_is_synced_for_servers_users_and_dms(bot: BotHarness, client: Any) -> None:
    synced = next(r for r in bot.fake.requests if r.method == "PUT")
    menu = next(c for c in synced.body if c["name"] == CHECK_MENU_NAME)
    assert menu["type"] == 3
    assert sorted(menu["integration_types"]) == [0, 1]  # guild install, user install
    assert sorted(menu["contexts"]) == [0, 1, 2]  # servers, the bot's DM, other DMs


async def test_the_menu_in_a_server_answers_privately_and_never_in_the_channel(
    bot: BotHarness, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("bot", "adapters"):  # our loggers (discord.py's own stay at WARNING)
        caplog.set_level(logging.DEBUG, logger=name)
    private, since = await interact(bot, context_menu(MESSAGE))
    assert since[0].body == {"type": 5, "data": {"flags": 64}}  # ephemeral, first
    verdict = "\n".join(r.content for r in since if is_dm_post(r))
    assert "hr.team@gmail.com" in verdict and "risk" in verdict.lower()
    buttons = [i for r in since if is_dm_post(r) for i in r.custom_ids()]
    assert buttons, "the verdict offers to go on to the full check"
    assert private.payload["flags"] & 64
    channel = f"/channels/{GUILD_CHANNEL_ID}/messages"
    assert not any(r.path == channel for r in bot.fake.requests)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "adapters"))]
    assert not any("gift card" in m or "hr.team" in m for m in ours)


async def test_the_menu_in_the_dm_answers_there_with_the_full_check_button(
    bot: BotHarness, client: Any
) -> None:
    last, _ = await interact(bot, context_menu(MESSAGE, dm_channel=DM), until=buttons)
    said = "\n".join(r.content for r in bot.fake.requests if is_followup(r))
    assert "hr.team@gmail.com" in said
    assert last.custom_ids() and not last.payload.get("flags", 0) & 64


async def test_the_menu_on_a_message_with_no_text_asks_for_the_whole_message(
    bot: BotHarness, client: Any
) -> None:
    await interact(bot, context_menu("ok", dm_channel=DM), until=buttons)
    said = "\n".join(r.content for r in bot.fake.requests if is_followup(r))
    assert "too short" in said and "Paste their message" in said


async def test_slash_check_with_text_checks_it(bot: BotHarness, client: Any) -> None:
    payload = slash(user_id=USER, dm_channel=DM, topic="check", question=MESSAGE)
    await interact(bot, payload, until=buttons)
    said = "\n".join(r.content for r in bot.fake.requests if is_followup(r))
    assert "hr.team@gmail.com" in said


async def test_slash_help_shows_the_help(bot: BotHarness, client: Any) -> None:
    for options in ({"question": "help"}, {"topic": "help"}):
        mark = bot.fake.mark()
        await interact(bot, slash(user_id=USER, dm_channel=DM, **options))
        said = "\n".join(r.content for r in bot.fake.requests[mark:] if is_followup(r))
        assert "menu" in said.lower() and "stop" in said.lower(), said
