"""``forget`` on Discord leaves nothing behind: after a real conversation through the gateway,
no row of any table names the person or their DM channel with the bot."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.store.sql import SqlStore
from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import dm
from tests.bot.store.test_store_personal import every_row

USER = 777000000000000051
DM = 777000000000000052


def dm_post(request: Request) -> bool:
    return request.method == "POST" and request.path == f"/channels/{DM}/messages"


async def typed(fake: FakeDiscord, text: str, said: str) -> Request:
    """Type ``text`` in the DM; the bot's message that contains ``said``."""
    mark = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", dm(text, user_id=USER, channel_id=DM))
    return await fake.wait_for(lambda r: dm_post(r) and said in r.content.lower(), after=mark)


async def settled_rows(bot: BotHarness) -> dict[str, list[dict[str, Any]]]:
    """Every row, once the inbox has run every event it was given."""
    assert bot.coach is not None and isinstance(bot.coach.store, SqlStore)
    for _ in range(200):
        rows = await every_row(bot.coach.store)
        if all(event["status"] == "done" for event in rows["inbox_events"]):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("the inbox did not run every event")


def naming(rows: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    marks = (str(USER), str(DM))
    return [
        (table, row)
        for table, table_rows in rows.items()
        for row in table_rows
        if any(mark in str(value) for value in row.values() for mark in marks)
    ]


async def test_forget_by_dm_leaves_no_row_naming_the_person(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake_discord.dm_channels[USER] = DM
    await bot.start()
    await typed(fake_discord, "start", "can you talk")
    await typed(fake_discord, "at work", "city")
    await typed(fake_discord, "Berlin", "when suits you")
    before = await settled_rows(bot)
    assert {table for table, _ in naming(before)} >= {"conversations", "users"}
    await typed(fake_discord, "forget", "erase everything?")
    await typed(fake_discord, "yes", "erased everything")
    assert naming(await settled_rows(bot)) == []
