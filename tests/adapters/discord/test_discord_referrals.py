"""Referral channels on Discord, with the core's real referral board (``coach.referrals``).

An admin sets the channel; a member shares an opening (preview, consent) from the coach, the card
is posted in the channel; a colleague's click updates the card in place, thanks them privately
and tells the sharer in a DM; the sharer closes the card. Driven like the handler tests: real
discord.py objects fed to its parser, Discord faked on loopback.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from adapters.discord.handlers import ADMIN_ONLY
from adapters.discord.referral_desk import (
    CANNOT_POST,
    CHANNEL_SET,
    NO_CHANNEL,
    NO_SERVER,
    ReferralDesk,
    referral_id,
)
from bot.boundary import Card, ConversationRef, Reply
from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import (
    BOT,
    GUILD_ID,
    REFERRAL_CHANNEL_ID,
    admin_referral_channel,
    message_payload,
    press,
    slash,
    submit,
)

SHARER, SHARER_DM = 5100, 5101
COLLEAGUE, COLLEAGUE_DM = 5200, 5201


def followup(request: Request) -> bool:
    return request.method == "POST" and request.path.startswith("/webhooks/")


def callback(request: Request) -> bool:
    return request.path.endswith("/callback")


def posted_to(channel: int) -> Any:
    return lambda r: r.method == "POST" and r.path == f"/channels/{channel}/messages"


async def interact(bot: BotHarness, payload: dict[str, Any], until: Any = followup) -> Request:
    mark = bot.fake.mark()
    bot.feed("INTERACTION_CREATE", payload)
    return await bot.fake.wait_for(until, after=mark)


def button(request: Request, prefix: str) -> str:
    return next(i for i in request.custom_ids() if i.startswith(prefix))


@pytest.fixture
async def client(bot: BotHarness, fake_discord: FakeDiscord) -> Any:
    fake_discord.dm_channels.update({SHARER: SHARER_DM, COLLEAGUE: COLLEAGUE_DM})
    return await bot.login()


async def test_only_a_manager_sets_the_referral_channel(bot: BotHarness, client: Any) -> None:
    refused = await interact(
        bot, admin_referral_channel(user_id=COLLEAGUE, manage_guild=False), until=callback
    )
    assert refused.body["type"] == 4 and ADMIN_ONLY in refused.content
    assert refused.body["data"]["flags"] & 64
    done = await interact(bot, admin_referral_channel(user_id=SHARER))
    assert CHANNEL_SET.format(channel=REFERRAL_CHANNEL_ID) in done.content
    assert bot.coach is not None
    channel = await bot.coach.referrals.referral_channel("discord", str(GUILD_ID))
    assert channel == str(REFERRAL_CHANNEL_ID)


async def share_an_opening(bot: BotHarness) -> Request:
    """From ``/recruiter topic:share`` in the server to the card posted in the channel."""
    fake = bot.fake
    mark = fake.mark()
    bot.feed("INTERACTION_CREATE", slash(user_id=SHARER, topic="share"))
    offer = await fake.wait_for(posted_to(SHARER_DM), after=mark)  # the form, in the DM
    await fake.wait_for(followup, after=mark)  # and the private answer in the server
    form = button(offer, "rcf:")
    values = {"role": "Backend engineer", "level": "@everyone senior", "location": "Remote",
              "skills": "Python, **SQL**"}  # fmt: skip
    filled = submit(
        "rcm:" + form.removeprefix("rcf:"), values, user_id=SHARER, dm_channel=SHARER_DM
    )
    contact_question = await interact(bot, filled)
    shown = message_payload(SHARER_DM, contact_question.payload, author=BOT)
    no = contact_question.custom_ids()[1]
    no_contact = press(no, user_id=SHARER, message=shown, dm_channel=SHARER_DM)
    preview = await interact(bot, no_contact)
    assert "Backend engineer" in preview.content
    shown = message_payload(SHARER_DM, preview.payload, author=BOT)
    yes = press(preview.custom_ids()[0], user_id=SHARER, message=shown, dm_channel=SHARER_DM)
    mark = fake.mark()
    bot.feed("INTERACTION_CREATE", yes)
    card = await fake.wait_for(posted_to(REFERRAL_CHANNEL_ID), after=mark)
    result = await fake.wait_for(followup, after=mark)
    assert "Posted." in result.content
    return card


async def test_a_shared_opening_is_posted_answered_and_closed(
    bot: BotHarness, client: Any
) -> None:
    await interact(bot, admin_referral_channel(user_id=SHARER))
    card = await share_an_opening(bot)
    embed = card.payload["embeds"][0]
    assert embed["title"] == "Backend engineer"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Level"] == "@\u200beveryone senior"  # typed by the sharer: no ping
    assert fields["Skills"] == "Python, \\*\\*SQL\\*\\*"
    assert card.payload["allowed_mentions"] == {"parse": []}
    assert bot.coach is not None
    shared = await bot.coach.referrals.shared_by(f"discord:{GUILD_ID}:{SHARER}")
    assert shared[0].message_id is not None  # record_posted was told the message id

    # a colleague is interested: the card is edited, they are thanked, the sharer is told
    on_card = message_payload(REFERRAL_CHANNEL_ID, card.payload, author=BOT)
    interested = button(card, "rc:ref:")
    mark = bot.fake.mark()
    bot.feed("INTERACTION_CREATE", press(interested, user_id=COLLEAGUE, message=on_card))
    notice = await bot.fake.wait_for(posted_to(SHARER_DM), after=mark)
    thanks = await bot.fake.wait_for(followup, after=mark)
    edit = await bot.fake.wait_for(card_edit, after=mark)
    pressed = next(r for r in bot.fake.requests[mark:] if r.path.endswith("/callback"))
    assert pressed.body == {"type": 6}  # (an earlier answered question's edit may come first)
    assert "Sam" in notice.content and "is interested" in notice.content
    assert thanks.payload["flags"] & 64 and "Thanks!" in thanks.content
    assert edit.path.endswith("/messages/@original")
    counts = {f["name"]: f["value"] for f in edit.payload["embeds"][0]["fields"]}
    assert counts["Interested"] == "1"

    # only the sharer can close it; then the card loses its buttons
    close = next(i for i in card.custom_ids() if i.endswith(":close"))
    refused = await interact(bot, press(close, user_id=COLLEAGUE, message=on_card))
    assert "Only the person who shared" in refused.content
    mark = bot.fake.mark()
    bot.feed("INTERACTION_CREATE", press(close, user_id=SHARER, message=on_card))
    closed = await bot.fake.wait_for(card_edit, after=mark)
    assert closed.payload["components"] == []
    assert closed.payload["embeds"][0]["title"].startswith("Closed")


def card_edit(request: Request) -> bool:
    """An edit of the referral card (not an answered question's buttons being disabled)."""
    return request.method == "PATCH" and "embeds" in (request.payload or {})


def card_reply(number: int = 9) -> Reply:
    return Reply(
        "A new opening",
        card=Card("Role", (("Level", "senior"),), key=f"referral:{number}"),
        visibility="conversation",
        destination="referral_channel",
    )


async def test_a_card_that_cannot_be_posted_leaves_a_note_instead(
    bot: BotHarness, client: Any
) -> None:
    desk = client.handlers.desk
    assert isinstance(desk, ReferralDesk)
    in_dm = ConversationRef("discord", str(SHARER_DM), str(SHARER))
    in_server = ConversationRef("discord", str(SHARER_DM), str(SHARER), space=str(GUILD_ID))
    other = Reply("stays")
    assert await desk.post_channel_replies(in_dm, [card_reply(), other]) == [
        Reply(NO_SERVER),
        other,
    ]
    assert await desk.post_channel_replies(in_server, [card_reply()]) == [Reply(NO_CHANNEL)]
    channel = ConversationRef("discord", str(REFERRAL_CHANNEL_ID), str(SHARER), str(GUILD_ID))
    bot.fake.forbidden_channels.add(REFERRAL_CHANNEL_ID)
    assert await desk.post_channel_replies(in_server, [replace(card_reply(), to=channel)]) == [
        Reply(CANNOT_POST)
    ]


def test_a_card_names_its_referral() -> None:
    assert referral_id(card_reply(12)) == 12
    assert referral_id(Reply("x")) is None
    assert referral_id(Reply("x", card=Card("t", key="contact:3"))) is None
