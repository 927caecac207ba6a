"""DMs and interactions through the durable inbox (bot.dialog.inbox), with the real discord.py
client against the fake gateway: DMs applied in the order of their snowflake ids (a burst of
three, all kept), a DM or an interaction taken in by a client that stopped before answering it
answered by the next start, an interaction deferred before any work. (Another process taking
the work over: test_discord_shards.py.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from adapters.discord.delivery import FormCache
from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import APP_ID, BOT, dm, message_payload, press, slash

USER = 777000000000000011
DM = 777000000000000012


BURST = ("at work", "Berlin", "tomorrow 18:30")


async def _in_inbox(store: Any) -> bool:
    """Whether an event waits in the inbox: a look (a claim, given back at once) finds it."""
    for _ in range(100):
        peeked = await store.claim_conversations(
            now=datetime.now(UTC), limit=1, worker="peek", lease_seconds=0
        )
        if peeked:
            await store.release_conversation(peeked[0], worker="peek")
            return True
        await asyncio.sleep(0.05)
    return False


def dm_post(request: Request) -> bool:
    return request.method == "POST" and request.path == f"/channels/{DM}/messages"


async def _posts(fake: FakeDiscord, after: int, count: int) -> list[Request]:
    for _ in range(200):
        found = [r for r in fake.requests[after:] if dm_post(r)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} DM posts expected")


async def test_dms_sent_together_are_applied_in_snowflake_order(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    await bot.start()
    mark = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", dm("start", user_id=USER, channel_id=DM))
    asked = await _posts(fake, mark, 1)
    assert "can you talk" in asked[-1].content
    at_work = dm("at work", user_id=USER, channel_id=DM)  # the older snowflake
    berlin = dm("Berlin", user_id=USER, channel_id=DM)
    mark = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", berlin)  # the gateway hands them over reversed
    await fake.dispatch("MESSAGE_CREATE", at_work)
    answers = await _posts(fake, mark, 2)
    assert "time" in answers[0].content.lower()  # "at work" answered "can you talk?": which zone
    assert "pick one of" not in answers[0].content.lower()
    assert any(i.startswith("rcf:") for i in answers[1].custom_ids())  # Berlin: the form


async def test_a_dm_taken_in_but_not_answered_is_answered_after_a_restart(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    client = await bot.start()
    await client.inbox.stop()  # the process stops between taking the DM in and running it
    mark = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", dm("start", user_id=USER, channel_id=DM))
    assert bot.coach is not None
    assert await _in_inbox(bot.coach.store)
    assert not [r for r in fake.requests[mark:] if dm_post(r)]
    await bot.restart()
    asked = await _posts(fake, mark, 1)
    assert "can you talk" in asked[-1].content


async def test_three_dms_sent_together_are_applied_in_order_and_all_kept(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    await bot.start()
    mark = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", dm("start", user_id=USER, channel_id=DM))
    await _posts(fake, mark, 1)
    burst = [dm(text, user_id=USER, channel_id=DM) for text in BURST]  # older snowflake first
    mark = fake.mark()
    for payload in reversed(burst):  # the gateway hands them over the other way round
        await fake.dispatch("MESSAGE_CREATE", payload)
    answers = [post.content for post in await _posts(fake, mark, 3)]
    assert "Which city's time" in answers[0]  # "at work" answered "can you talk?"
    assert "When suits you" in answers[1]  # "Berlin" answered the time zone question
    assert "Which number" in answers[2]  # "tomorrow 18:30" answered "when suits you?"
    assert not any("Sorry" in text or "pick one of" in text.lower() for text in answers)


async def test_an_interaction_is_deferred_then_saved_and_answered_after_a_restart(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    client = await bot.start()
    await client.inbox.stop()  # the process stops between the defer and the work
    command = slash(user_id=USER, dm_channel=DM)
    mark = fake.mark()
    await fake.dispatch("INTERACTION_CREATE", command)
    deferred = await fake.wait_for(lambda r: r.path.endswith("/callback"), after=mark)
    assert deferred.body["type"] == 5  # "thinking...", the first response, before any work
    assert bot.coach is not None
    assert await _in_inbox(bot.coach.store)
    assert not [r for r in fake.requests[mark:] if r.path.startswith("/webhooks/")]
    await bot.restart()
    answer = await fake.wait_for(
        lambda r: r.path.startswith(f"/webhooks/{APP_ID}/{command['token']}"), after=mark
    )
    assert "can you talk" in answer.content


async def test_a_form_sent_by_another_process_is_asked_again_here_and_then_opens(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    client = await bot.start()
    mark = fake.mark()
    for text in ("start", "at work", "Berlin"):
        await fake.dispatch("MESSAGE_CREATE", dm(text, user_id=USER, channel_id=DM))
    offer = (await _posts(fake, mark, 3))[-1]
    fill_in = next(i for i in offer.custom_ids() if i.startswith("rcf:"))
    client.sender.forms = FormCache()  # the form was offered by another process
    await client.inbox.stop()  # so the question asked again must be answered right here
    shown = message_payload(DM, offer.payload, author=BOT)
    mark = fake.mark()
    await fake.dispatch(
        "INTERACTION_CREATE", press(fill_in, user_id=USER, message=shown, dm_channel=DM)
    )
    again = await fake.wait_for(lambda r: r.path.startswith("/webhooks/"), after=mark)
    fresh = next(i for i in again.custom_ids() if i.startswith("rcf:"))
    shown = message_payload(DM, again.payload, author=BOT)
    mark = fake.mark()
    await fake.dispatch(
        "INTERACTION_CREATE", press(fresh, user_id=USER, message=shown, dm_channel=DM)
    )
    modal = await fake.wait_for(lambda r: r.path.endswith("/callback"), after=mark)
    assert modal.body["type"] == 9  # the form opens at once now
