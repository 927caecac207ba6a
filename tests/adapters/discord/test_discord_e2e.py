"""L4: the real discord.py client against a fake Discord (gateway + REST) on loopback.

One user's story, each step waited for (never slept): ``/recruiter`` in a server is answered
privately and continues in the DM; a button press is answered; the client restarts and the
same button, pressed again, still gets an answer (the engine's polite "that question has moved
on"); a typed DM is answered; the form opens as a modal and its submission is answered. Then
``@everyone`` typed by the user comes back escaped, and no request the bot made could ping
anyone.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import (
    BOT,
    dm,
    message_payload,
    press,
    slash,
    submit,
)

USER = 777000000000000001
DM = 777000000000000002


def followup(request: Request) -> bool:
    return request.method == "POST" and request.path.startswith("/webhooks/")


def dm_post(request: Request) -> bool:
    return request.method == "POST" and request.path == f"/channels/{DM}/messages"


def callback(request: Request) -> bool:
    return request.path.endswith("/callback")


async def event(fake: FakeDiscord, name: str, data: dict[str, Any], until: Any) -> Request:
    mark = fake.mark()
    await fake.dispatch(name, data)
    return await fake.wait_for(until, after=mark)


def posted(request: Request) -> dict[str, Any]:
    return message_payload(DM, request.payload, author=BOT)


async def test_a_conversation_through_the_gateway_survives_a_restart(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    await bot.start()

    # /recruiter in a server: a private answer, and the buttons in the DM
    mark = fake.mark()
    await fake.dispatch("INTERACTION_CREATE", slash(user_id=USER))
    private = await fake.wait_for(followup, after=mark)
    question = await fake.wait_for(dm_post, after=mark)
    assert "can you talk" in private.content and private.payload["flags"] & 64
    at_work = question.custom_ids()[0]
    assert at_work.startswith("rc:")

    # a button press is answered
    pressed = press(at_work, user_id=USER, message=posted(question), dm_channel=DM)
    answer = await event(fake, "INTERACTION_CREATE", pressed, followup)
    assert "Which city's time are you on?" in answer.content

    # the same button after a restart: a new client, registered from scratch, still answers
    await bot.restart()
    assert fake.identified == 2
    again = press(at_work, user_id=USER, message=posted(question), dm_channel=DM)
    stale = await event(fake, "INTERACTION_CREATE", again, followup)
    assert "belongs to an earlier question" in stale.content

    # a DM is answered; the form it offers opens as a modal, whose submission is answered
    offer = await event(fake, "MESSAGE_CREATE", dm("Berlin", user_id=USER, channel_id=DM), dm_post)
    done = await fill_the_form(fake, offer)
    assert "Here's what to say now" in done.content and ", 18:30" in done.content
    assert "Europe/Berlin" not in done.content  # the user's own zone goes without saying


async def fill_the_form(fake: FakeDiscord, offer: Request) -> Request:
    form_button = next(i for i in offer.custom_ids() if i.startswith("rcf:"))
    opened = press(form_button, user_id=USER, message=posted(offer), dm_channel=DM)
    modal = await event(fake, "INTERACTION_CREATE", opened, callback)
    assert modal.body["type"] == 9
    values = {"callback_at": "tomorrow 18:30", "callback_phone": "+1 415 555 0100"}
    filled = submit(modal.body["data"]["custom_id"], values, user_id=USER, dm_channel=DM)
    # the script first (the recruiter is on the line), then the calendar file's message
    mark = fake.mark()
    await event(
        fake, "INTERACTION_CREATE", filled, lambda r: followup(r) and "Add to" in r.content
    )
    said = [r for r in fake.requests[mark:] if followup(r)]
    text = "\n".join(r.content for r in said)  # one message or two: the script comes first
    assert -1 < text.find("Here's what to say now") < text.find("Add to calendar")
    return next(r for r in said if "Here's what to say now" in r.content)


async def test_everyone_typed_by_a_user_pings_no_one(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    await bot.start()
    start = slash(user_id=USER, dm_channel=DM, topic="referral")
    first = await event(fake, "INTERACTION_CREATE", start, followup)
    assert "first name" in first.content
    name = dm("@everyone <@&234567890123456789> **Bold**", user_id=USER, channel_id=DM)
    await event(fake, "MESSAGE_CREATE", name, dm_post)
    script = await event(fake, "MESSAGE_CREATE", dm("@here", user_id=USER, channel_id=DM), dm_post)
    assert "@\u200beveryone" in script.content and "@\u200bhere" in script.content
    assert "@everyone" not in script.content and "@here" not in script.content
    assert re.search(r"(?<!\\)<@&234567890123456789>", script.content) is None  # escaped: dead
    assert "\\*\\*Bold\\*\\*" in script.content
    with_content = [r for r in fake.requests if r.content]
    assert len(with_content) >= 3
    assert all(r.payload.get("allowed_mentions") == {"parse": []} for r in with_content)


async def test_the_bot_asks_the_gateway_only_for_servers_and_dms(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    """Intents: GUILDS (1 << 0) and DIRECT_MESSAGES (1 << 12), nothing else. No server message,
    typing or reaction event reaches the bot, and no privileged intent is asked for; a DM is
    still answered."""

    fake = fake_discord
    fake.dm_channels[USER] = DM
    await bot.start()
    intents = discord.Intents._from_value(fake.identifies[-1]["intents"])
    assert intents == discord.Intents(guilds=True, dm_messages=True)
    assert fake.identifies[-1]["intents"] == (1 << 0) | (1 << 12)
    answer = await event(fake, "MESSAGE_CREATE", dm("hi", user_id=USER, channel_id=DM), dm_post)
    assert "can you talk" in answer.content


async def test_the_export_is_uploaded_as_a_json_file_with_readable_keys(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    import json

    fake = fake_discord
    fake.dm_channels[USER] = DM
    await bot.start()
    mark = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", dm("export", user_id=USER, channel_id=DM))
    upload = await fake.wait_for(lambda r: dm_post(r) and bool(r.files), after=mark)
    [(name, content)] = upload.files.items()
    assert name.startswith("recruiter-coach-export-") and name.endswith(".json")
    exported = json.loads(content)
    assert exported["format"] == "recruiter-coach-export/1"
    assert set(exported) >= {"accounts", "conversations", "reminders", "recruiter_contacts"}
    assert "In short, what I hold about you" in upload.content
    assert '"k"' not in content.decode()
    await fake.wait_for(lambda r: dm_post(r) and "That's all of it" in r.content, after=mark)
