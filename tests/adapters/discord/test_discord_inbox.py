"""DMs through the durable inbox (bot.dialog.inbox), with the real discord.py client against the
fake gateway: applied in the order of their snowflake ids, and a DM taken in by a client that
stopped before answering it is answered by the next start."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import dm

USER = 777000000000000011
DM = 777000000000000012


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
    store = bot.coach.store
    for _ in range(100):  # saved in the inbox: a look (a claim, given back at once) finds it
        peeked = await store.claim_conversations(
            now=datetime.now(UTC), limit=1, worker="peek", lease_seconds=0
        )
        if peeked:
            await store.release_conversation(peeked[0], worker="peek")
            break
        await asyncio.sleep(0.05)
    assert peeked
    assert not [r for r in fake.requests[mark:] if dm_post(r)]
    await bot.restart()
    asked = await _posts(fake, mark, 1)
    assert "can you talk" in asked[-1].content
